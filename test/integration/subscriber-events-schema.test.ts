// The documented event bodies (src/subscriptions/schemas.ts) are what dockline sends. Order events are built
// with the real pure functions (the decider's state, the portal view, orderEvents) over whole order stories;
// SLA alerts with the order's own SLA evaluation; the other ops alerts, the test event and the order events
// once more end to end, as the subscriber simulator received them. Each body must parse, and parsing must
// drop nothing (a field the schema does not know would be an undocumented one). /openapi.json lists each
// type as a webhook.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { OrderSla } from "../../durable-objects/order-sla";
import { decide } from "../../src/domain/decider";
import type { CanonicalEvent } from "../../src/domain/event";
import { DEFAULT_SLA_POLICIES_JSON, parseSlaPolicies, type SlaPolicy } from "../../src/domain/sla";
import { portalView } from "../../src/domain/view";
import { orderStub } from "../../src/orders";
import { EVENT_TYPES, MAX_VIEW_BYTES, orderEvents } from "../../src/subscriptions/events";
import { EVENT_EXAMPLES, EVENT_SCHEMAS, SUBSCRIBER_EVENT_TYPES, SubscriberEvent, type SubscriberEventType } from "../../src/subscriptions/schemas";
import { at, ev, ORDER, released, ship } from "../helpers/events";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

/** The body as the order stores it and the consumer sends it: `{ type, timestamp, data }`, through JSON. */
const wire = (type: string, timestamp: string, data: unknown) => JSON.parse(JSON.stringify({ type, timestamp, data })) as Record<string, unknown>;

function expectDocumented(body: Record<string, unknown>): void {
  const type = body.type as SubscriberEventType;
  expect(SUBSCRIBER_EVENT_TYPES, "a documented type").toContain(type);
  const parsed = EVENT_SCHEMAS[type].safeParse(body);
  expect(parsed.error?.issues ?? [], type).toEqual([]);
  // Object schemas drop unknown keys when parsing: equal means nothing emitted is missing from the schema.
  expect(parsed.data, `${type}: every field documented`).toEqual(body);
  expect(SubscriberEvent.safeParse(body).success, `${type} through the union`).toBe(true);
}

/** The events of each step of an order's history, as the order records them (one view per step). */
function story(history: CanonicalEvent[], orderId = ORDER): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  let before: ReturnType<typeof portalView> = null;
  history.forEach((_, i) => {
    const now = new Date(Date.parse("2026-11-20T08:00:00.000Z") + i * 3_600_000).toISOString();
    const after = portalView(decide(orderId, history.slice(0, i + 1), [], 0).state, now);
    if (!after) return;
    for (const d of orderEvents(before, after)) bodies.push(wire(d.type, now, d.data));
    before = after;
  });
  return bodies;
}

describe("order events, from the real view and orderEvents", () => {
  const stories: [string, CanonicalEvent[]][] = [
    [
      "released, shipped, delayed by weather, moving again, delivered",
      [
        released(),
        ev("fulfillment.acknowledged", at(9)),
        ship("shipment.dispatched", at(10), "S1", { eta: "2026-11-22T18:00:00.000Z" }),
        ship("shipment.exception", at(12), "S1", { reason: "weather", location: { city: "Louisville", region: "KY", country: "US" } }),
        ship("shipment.in_transit", at(15), "S1"),
        ship("shipment.out_for_delivery", at(20), "S1"),
        ship("shipment.delivered", at(22), "S1"),
      ],
    ],
    [
      "two parcels: one delivered, the other returned to sender",
      [
        released([
          { sku: "A", quantity: 1 },
          { sku: "B", quantity: 1 },
        ]),
        ship("shipment.dispatched", at(10), "S1", { lines: [{ sku: "A", quantity: 1 }] }),
        ship("shipment.dispatched", at(11), "S2", { lines: [{ sku: "B", quantity: 1 }] }),
        ship("shipment.delivered", at(18), "S1"),
        ship("shipment.returned_to_sender", at(19), "S2"),
      ],
    ],
    ["cancelled before dispatch", [released(), ev("order.cancelled", at(9))]],
    ["cancelled after dispatch", [released(), ship("shipment.dispatched", at(10), "S1"), ev("order.cancelled", at(11))]],
    ["a scan before the release", [ship("shipment.label_created", at(7), "S1"), released(), ship("shipment.dispatched", at(10), "S1")]],
  ];

  const all = stories.flatMap(([, history]) => story(history));

  it.each(stories)("every event of a story parses: %s", (_, history) => {
    const bodies = story(history);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expectDocumented(body);
  });

  it("the stories send every order event type, and an order's first status change has previousStatus null", () => {
    expect(new Set(all.map((b) => b.type))).toEqual(new Set(["order.status_changed", "order.exception_opened", "order.exception_resolved", "order.updated"]));
    const first = all.find((b) => b.type === "order.status_changed") as { data: { previousStatus: unknown } };
    expect(first.data.previousStatus).toBeNull();
  });

  it("an order whose history outgrows the body budget sends a truncated timeline that still parses", () => {
    const scans = Array.from({ length: 400 }, (_, i) =>
      ship("shipment.in_transit", new Date(Date.parse(at(11)) + i * 60_000).toISOString(), "S1", {
        eventId: `scan-${i}`,
        location: { city: `Waypoint ${i} of a long journey through many sorting centres`, region: "KY", postalCode: "40209", country: "US" },
      }),
    );
    const history = [released(), ship("shipment.dispatched", at(10), "S1"), ...scans];
    const before = portalView(decide(ORDER, history.slice(0, -1), [], 0).state, at(20));
    const after = portalView(decide(ORDER, history, [], 0).state, at(21));
    if (!after) throw new Error("the order has a view");
    const bodies = orderEvents(before, after).map((d) => wire(d.type, at(21), d.data));
    expect(bodies.map((b) => b.type)).toEqual(["order.updated"]);
    const data = (bodies[0] as { data: { timelineTruncated?: boolean } }).data;
    expect(data.timelineTruncated).toBe(true);
    expect(new TextEncoder().encode(JSON.stringify(data)).length).toBeLessThanOrEqual(MAX_VIEW_BYTES + 100);
    for (const body of bodies) expectDocumented(body);
  });
});

describe("SLA alerts, from the order's SLA evaluation", () => {
  const policies = (parseSlaPolicies(DEFAULT_SLA_POLICIES_JSON) as { ok: true; policies: SlaPolicy[] }).policies;

  /** An order's SLA as its Durable Object keeps it, with the alerts it raises collected as sent. */
  function sla() {
    const meta = new Map<string, string>();
    const alerts: Record<string, unknown>[] = [];
    let now = 0;
    const host = new OrderSla({
      getMeta: (k) => meta.get(k),
      setMeta: (k, v) => void meta.set(k, v),
      policies: () => policies,
      alert: (type, data) => void alerts.push(wire(type, new Date(now).toISOString(), data)),
      project: () => undefined,
    });
    return {
      alerts,
      evaluate(orderId: string, events: CanonicalEvent[], at: number) {
        now = at;
        host.evaluate({ orderId, state: decide(orderId, events, [], 0).state, events, requests: [] }, at, "req-sla");
      },
    };
  }

  it("a missed acknowledgement is breached, then resolved when it arrives late; both parse", () => {
    const s = sla();
    const release = released(undefined, at(8));
    s.evaluate(ORDER, [release], Date.parse(at(13)));
    const ack = ev("fulfillment.acknowledged", at(13, 30));
    s.evaluate(ORDER, [release, ack], Date.parse(at(13, 31)));
    expect(s.alerts.map((a) => a.type)).toEqual(["ops.sla_breached", "ops.sla_resolved"]);
    for (const body of s.alerts) expectDocumented(body);
  });

  it("an express order's exception left open too long names its shipment; a milestone reported late breaches and resolves at once", () => {
    const s = sla();
    const express = ev("order.released", at(8), {
      eventId: "release",
      order: { customerId: "C1", lines: [{ sku: "A", quantity: 1 }], shipTo: { country: "US" }, serviceLevel: "express" },
    });
    const events = [
      express,
      ev("fulfillment.acknowledged", at(8, 30)),
      ship("shipment.dispatched", at(10), "S1"),
      ship("shipment.in_transit", at(11), "S1"),
      ship("shipment.exception", at(12), "S1", { reason: "address_issue" }),
    ];
    s.evaluate("SO-EXPRESS", events, Date.parse("2026-11-22T13:00:00.000Z"));
    const late = sla();
    late.evaluate("SO-LATE", [released(undefined, at(8)), ev("fulfillment.acknowledged", at(14))], Date.parse(at(15)));
    const exception = s.alerts.find((a) => (a.data as { check: string }).check === "exception_open") as { data: { subject: string; serviceLevel: string } };
    expect(exception.data).toMatchObject({ subject: "S1", serviceLevel: "express" });
    expect(late.alerts.map((a) => a.type)).toEqual(["ops.sla_breached", "ops.sla_resolved"]);
    for (const body of [...s.alerts, ...late.alerts]) expectDocumented(body);
  });
});

describe("every example", () => {
  it.each(SUBSCRIBER_EVENT_TYPES)("%s parses against its schema", (type) => {
    expect(EVENT_EXAMPLES[type].type).toBe(type);
    expectDocumented(JSON.parse(JSON.stringify(EVENT_EXAMPLES[type])) as Record<string, unknown>);
  });
});

describe("/openapi.json", () => {
  interface Webhook {
    post: {
      parameters: { name: string; in: string; required: boolean }[];
      requestBody: { content: { "application/json": { schema: { $ref: string }; example: unknown } } };
      responses: Record<string, unknown>;
    };
  }

  it("has a webhook per event type: its body, the example, the three Standard Webhooks headers and what each answer means", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { webhooks: Record<string, Webhook>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.webhooks).sort()).toEqual([...SUBSCRIBER_EVENT_TYPES].sort());
    for (const type of SUBSCRIBER_EVENT_TYPES) {
      const op = doc.webhooks[type]?.post;
      expect(op, type).toBeDefined();
      const body = op?.requestBody.content["application/json"];
      expect(body?.example).toEqual(JSON.parse(JSON.stringify(EVENT_EXAMPLES[type])));
      expect(doc.components.schemas).toHaveProperty(body?.schema.$ref.split("/").pop() as string);
      expect(op?.parameters.filter((p) => p.in === "header" && p.required).map((p) => p.name)).toEqual([
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
      ]);
      expect(Object.keys(op?.responses ?? {}).sort()).toEqual(["2XX", "410", "default"]);
    }
  });
});

// ---- end to end: what the subscriber simulator received -------------------------------------------------

const SINK = "https://hooks.test";
const CUSTOMER = "CUST-SCHEMA";
const run = crypto.randomUUID().slice(0, 8);
const INBOX = { all: `schema-all-${run}`, quarantine: `schema-q-${run}`, gone: `schema-gone-${run}` };

interface Received {
  webhookId: string | null;
  verified: boolean | null;
  status: number;
  rawBody: string;
}

const inbox = async (name: string) => ((await (await fetch(`${SINK}/admin/inboxes/${name}`)).json()) as { requests: Received[] }).requests;
const admin = (path: string, body: unknown) =>
  fetch(`${SINK}/admin/inboxes/${path}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const asOps = (path: string, init: RequestInit = {}) =>
  call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" } });

async function opsSubscribe(inboxName: string, events: readonly string[], customerId?: string): Promise<string> {
  const res = await asOps("/ops/subscriptions", {
    method: "POST",
    body: JSON.stringify({ url: `${SINK}/hooks/${inboxName}`, events, ...(customerId ? { customerId } : {}) }),
  });
  expect(res.status).toBe(201);
  const sub = (await res.json()) as { id: string; secret: string };
  expect((await admin(inboxName, { secrets: [sub.secret] })).ok).toBe(true);
  return sub.id;
}

/**
 * Kills the head command of an order on `destination` as its consumer would on a permanent refusal, for a
 * new order each time: the real consumer may deliver the command first (it is racing us), then try again.
 */
async function deadOnFreshOrder(name: string, kill: (orderId: string) => Promise<boolean>): Promise<string> {
  for (let i = 1; i <= 5; i++) {
    const orderId = `SO-SCHEMA-${name}-${run}-${i}`;
    expect((await releaseOrder(orderId, CUSTOMER)).status).toBe(202);
    if (await kill(orderId)) return orderId;
  }
  throw new Error(`the consumer delivered every ${name} command before the test could fail one`);
}

describe("end to end: what a subscriber receives", () => {
  let allSub = "";
  let erpDead = "";
  let fulfilmentDead = "";

  beforeAll(async () => {
    allSub = await opsSubscribe(INBOX.all, EVENT_TYPES, CUSTOMER);
    await opsSubscribe(INBOX.quarantine, ["ops.quarantined"]);
    await opsSubscribe(INBOX.gone, ["order.updated"], CUSTOMER);
    expect((await admin(`${INBOX.gone}/faults`, { status: 410, count: 1000 })).ok).toBe(true);

    // An ERP command that dies (the queue's dead-letter path: exhaustErp) and a fulfilment request the
    // partner refuses (claimed and failed as the fulfilment consumer reports a 422).
    erpDead = await deadOnFreshOrder("ERP", async (orderId) => {
      const dispatched = milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1", trackingNumber: `1Z${run}` });
      expect((await sendAcme(dispatched)).status).toBe(202);
      return orderStub(env, orderId).exhaustErp(1, "the ERP queue gave up on this message");
    });
    fulfilmentDead = await deadOnFreshOrder("FUL", async (orderId) => {
      const order = orderStub(env, orderId);
      const claim = await order.delivery("fulfillment:acme-3pl", { op: "claim", seq: "head" });
      if (claim.status !== "deliver") return false;
      const failed = await order.delivery("fulfillment:acme-3pl", {
        op: "fail",
        seq: claim.seq,
        lease: claim.lease,
        failure: { kind: "permanent", reason: "HTTP 422: unknown SKU WID-1", status: 422 },
      });
      return failed.status === "dead";
    });

    // A conflicting duplicate: quarantined, an alert for ops subscriptions to every customer.
    const first = milestone({ eventId: `dup-${run}`, orderId: erpDead, code: "shipment.in_transit", occurredAt: "2026-11-20T12:00:00Z", shipmentId: "S1" });
    const changed = milestone({ eventId: `dup-${run}`, orderId: erpDead, code: "shipment.in_transit", occurredAt: "2026-11-20T13:00:00Z", shipmentId: "S1" });
    expect((await sendAcme(first)).status).toBe(202);
    expect((await sendAcme(changed)).status).toBe(202);

    expect((await asOps(`/ops/subscriptions/${allSub}/test`, { method: "POST" })).status).toBe(200);
  });

  it("ops alerts, order events and the test event arrive signed, and every body parses against its schema", async () => {
    const wanted = (bodies: Record<string, unknown>[]) => {
      const dead = bodies.filter((b) => b.type === "ops.dead_letter").map((b) => (b.data as { destination: string }).destination);
      return (
        dead.includes("erp") &&
        dead.includes("fulfillment:acme-3pl") &&
        bodies.some((b) => b.type === "ops.subscription_disabled") &&
        bodies.some((b) => b.type === "webhook.test") &&
        bodies.some((b) => b.type === "order.status_changed")
      );
    };
    const requests = await eventually(
      async () => {
        const r = await inbox(INBOX.all);
        return wanted(r.map((x) => JSON.parse(x.rawBody) as Record<string, unknown>)) ? r : undefined;
      },
      25_000,
      "dead letters, a disabled subscription, order events and the test event",
    );
    const quarantined = await eventually(
      async () => ((await inbox(INBOX.quarantine)).length > 0 ? inbox(INBOX.quarantine) : undefined),
      15_000,
      "the quarantine alert",
    );
    for (const r of [...requests, ...quarantined]) {
      expect(r.verified, r.rawBody).toBe(true);
      expect(r.webhookId).toMatch(/^msg_/);
      expectDocumented(JSON.parse(r.rawBody) as Record<string, unknown>);
    }
    const bodies = requests.map((r) => JSON.parse(r.rawBody) as { type: string; data: Record<string, unknown> });
    const dead = bodies.filter((b) => b.type === "ops.dead_letter");
    expect(dead.find((b) => b.data.destination === "erp")?.data).toMatchObject({ orderId: erpDead, seq: 1, deadLetterId: expect.any(String) });
    expect(dead.find((b) => b.data.destination === "fulfillment:acme-3pl")?.data).toMatchObject({ orderId: fulfilmentDead, status: 422 });
    expect(bodies.find((b) => b.type === "ops.subscription_disabled")?.data).toMatchObject({ customerId: CUSTOMER, url: SINK });
    expect(JSON.parse(quarantined[0]?.rawBody ?? "{}")).toMatchObject({ type: "ops.quarantined", data: { partner: "acme-3pl" } });
  });
});
