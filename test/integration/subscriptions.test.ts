// Push subscriptions (DESIGN §3.10), end to end inside workerd: real Durable Objects, Queues and D1; the
// subscriber is the subscriber simulator (tools/subscriber-sim) at https://hooks.test, which verifies the
// Standard Webhooks signature with the reference `standardwebhooks` library, as any subscriber would.
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { orderStub } from "../../src/orders";
import { call, eventually, issueKey, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

interface Received {
  kind: string;
  webhookId: string | null;
  verified: boolean;
  status: number;
  body: { type: string; timestamp: string; data: { orderId: string; status: string; version: number; customerId: string } };
  headers: Record<string, string>;
  raw?: string;
}

const SINK = "https://hooks.test";

async function inbox(name: string): Promise<Received[]> {
  const res = await fetch(`${SINK}/admin/inboxes/${name}`);
  const body = (await res.json()) as { requests: Received[] };
  return body.requests;
}

async function registerSecret(name: string, secrets: string[]): Promise<void> {
  const res = await fetch(`${SINK}/admin/inboxes/${name}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ secrets }),
  });
  expect(res.ok).toBe(true);
}

const asCustomer = (key: string, path: string, init: RequestInit = {}) =>
  call(path, { ...init, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });
const asOps = (path: string, init: RequestInit = {}) =>
  call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });

async function subscribe(key: string, inboxName: string, events: string[]): Promise<{ id: string; secret: string }> {
  const res = await asCustomer(key, "/v1/subscriptions", { method: "POST", body: JSON.stringify({ url: `${SINK}/hooks/${inboxName}`, events }) });
  expect(res.status).toBe(201);
  const sub = (await res.json()) as { id: string; secret: string };
  await registerSecret(inboxName, [sub.secret]);
  return sub;
}

async function shipAndDeliver(orderId: string, customerId: string): Promise<void> {
  expect((await releaseOrder(orderId, customerId)).status).toBe(202);
  await sendAcme(
    milestone({
      orderId,
      code: "shipment.dispatched",
      occurredAt: "2026-11-20T11:00:00Z",
      shipmentId: "S1",
      trackingNumber: `1Z${orderId.replaceAll("-", "")}`,
    }),
  );
  await sendAcme(
    milestone({
      orderId,
      code: "shipment.delivered",
      occurredAt: "2026-11-21T15:00:00Z",
      shipmentId: "S1",
      trackingNumber: `1Z${orderId.replaceAll("-", "")}`,
    }),
  );
}

let keyA = "";
let keyB = "";

beforeAll(async () => {
  keyA = await issueKey("CUST-SUB-A");
  keyB = await issueKey("CUST-SUB-B");
});

describe("customer subscriptions", () => {
  it("delivers A's status changes to A, signed and in version order, and nothing of A's to B", async () => {
    const a = await subscribe(keyA, "sub-a", ["order.status_changed"]);
    await subscribe(keyB, "sub-b", ["order.status_changed", "order.updated"]);
    await shipAndDeliver("SO-SUB-A1", "CUST-SUB-A");
    const got = await eventually(
      async () => {
        const r = await inbox("sub-a");
        return r.filter((x) => x.body.data.status === "delivered").length > 0 ? r : undefined;
      },
      20_000,
      "A's delivered event",
    );
    const statuses = got.map((r) => r.body.data.status);
    expect(statuses).toEqual(["released", "shipped", "delivered"]);
    expect(got.every((r) => r.body.type === "order.status_changed" && r.body.data.orderId === "SO-SUB-A1")).toBe(true);
    expect(got.every((r) => r.verified)).toBe(true);
    const versions = got.map((r) => r.body.data.version);
    expect([...versions].sort((x, y) => x - y)).toEqual(versions);
    // An independent check of the signature, here too: the reference verifier with A's secret.
    for (const r of got) expect(() => new Webhook(a.secret).verify(r.raw ?? JSON.stringify(r.body), r.headers)).not.toThrow();
    expect(await inbox("sub-b")).toEqual([]);
    // A's log lists each delivery with its attempt.
    const log = (await (await asCustomer(keyA, `/v1/subscriptions/${a.id}/deliveries`)).json()) as { items: { status: string; attemptLog: unknown[] }[] };
    expect(log.items).toHaveLength(3);
    expect(log.items.every((d) => d.status === "delivered" && d.attemptLog.length === 1)).toBe(true);
    // Ops' view of the order: the events on their way to each subscription, apart from the partners' requests.
    const view = await orderStub(env, "SO-SUB-A1").inspect();
    expect(view.subscriptionDeliveries.filter((d) => d.subscriptionId === a.id).map((d) => [d.type, d.ackedAt !== null])).toEqual([
      ["order.status_changed", true],
      ["order.status_changed", true],
      ["order.status_changed", true],
    ]);
    expect(view.deliveries.every((d) => d.destination.startsWith("fulfillment:"))).toBe(true);
  });

  it("hides each customer's subscriptions from the other: list, read, deliveries, replay, delete", async () => {
    const a = await subscribe(keyA, "sub-a-hidden", ["order.updated"]);
    expect(((await (await asCustomer(keyB, "/v1/subscriptions")).json()) as { items: { id: string }[] }).items.map((s) => s.id)).not.toContain(a.id);
    for (const [method, path] of [
      ["GET", `/v1/subscriptions/${a.id}`],
      ["GET", `/v1/subscriptions/${a.id}/deliveries`],
      ["POST", `/v1/subscriptions/${a.id}/deliveries/msg_x/replay`],
      ["POST", `/v1/subscriptions/${a.id}/rotate-secret`],
      ["DELETE", `/v1/subscriptions/${a.id}`],
    ] as const) {
      expect((await asCustomer(keyB, path, { method })).status, `${method} ${path}`).toBe(404);
    }
    expect((await asCustomer(keyA, `/v1/subscriptions/${a.id}`)).status).toBe(200);
  });

  it("shows ops every customer's subscriptions, or one customer's with customerId", async () => {
    const a = await subscribe(keyA, "sub-a-ops-view", ["order.updated"]);
    const b = await subscribe(keyB, "sub-b-ops-view", ["order.updated"]);
    const all = (await (await asOps("/ops/subscriptions")).json()) as { items: { id: string }[] };
    expect(all.items.map((s) => s.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    const onlyB = (await (await asOps("/ops/subscriptions?customerId=CUST-SUB-B")).json()) as { items: { id: string; customerId: string }[] };
    expect(onlyB.items.map((s) => s.id)).toContain(b.id);
    expect(onlyB.items.every((s) => s.customerId === "CUST-SUB-B")).toBe(true);
    expect((await asOps(`/ops/subscriptions/${a.id}`)).status).toBe(200);
    expect((await call("/ops/subscriptions")).status).toBe(401);
    expect((await asCustomer(keyA, "/ops/subscriptions")).status).toBe(401);
  });

  it("refuses private, loopback and plain-http URLs, and ops events for customers", async () => {
    for (const url of [
      "http://hooks.example.com/x",
      "https://127.0.0.1/x",
      "https://localhost/x",
      "https://10.0.0.8/x",
      "https://[::1]/x",
      "https://169.254.169.254/latest",
    ]) {
      const res = await asCustomer(keyA, "/v1/subscriptions", { method: "POST", body: JSON.stringify({ url, events: ["order.updated"] }) });
      expect(res.status, url).toBe(422);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    }
    const ops = await asCustomer(keyA, "/v1/subscriptions", { method: "POST", body: JSON.stringify({ url: `${SINK}/hooks/x`, events: ["ops.dead_letter"] }) });
    expect(ops.status).toBe(422);
    const count = await env.DB.prepare("SELECT count(*) AS n FROM subscriptions WHERE url LIKE '%127.0.0.1%' OR url LIKE '%localhost%'").first<{ n: number }>();
    expect(count?.n).toBe(0);
  });
});

describe("retries and replay", () => {
  it("a subscriber answering 500 three times still gets each event once delivered, every attempt listed", async () => {
    const sub = await subscribe(keyA, "sub-flaky", ["order.status_changed"]);
    await fetch(`${SINK}/admin/inboxes/sub-flaky/faults`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: 500, count: 3 }),
    });
    expect((await releaseOrder("SO-SUB-F1", "CUST-SUB-A")).status).toBe(202);
    const log = await eventually(
      async () => {
        const page = (await (await asCustomer(keyA, `/v1/subscriptions/${sub.id}/deliveries`)).json()) as {
          items: { id: string; status: string; attemptLog: { status: number; latencyMs: number; outcome: string }[] }[];
        };
        return page.items[0]?.status === "delivered" ? page.items : undefined;
      },
      30_000,
      "the flaky subscriber's delivery",
    );
    expect(log).toHaveLength(1);
    expect(log[0]?.attemptLog.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(log[0]?.attemptLog.map((a) => a.outcome)).toEqual(["failed", "failed", "failed", "delivered"]);
    const got = await inbox("sub-flaky");
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(1);
    expect(got.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("replay re-sends the same event with the same webhook-id", async () => {
    const sub = await subscribe(keyA, "sub-replay", ["order.status_changed"]);
    expect((await releaseOrder("SO-SUB-R1", "CUST-SUB-A")).status).toBe(202);
    const first = await eventually(async () => (await inbox("sub-replay"))[0], 20_000, "the first delivery");
    const replayed = await asCustomer(keyA, `/v1/subscriptions/${sub.id}/deliveries/${first.webhookId}/replay`, { method: "POST" });
    expect(replayed.status).toBe(202);
    const both = await eventually(
      async () => {
        const r = await inbox("sub-replay");
        return r.length >= 2 ? r : undefined;
      },
      20_000,
      "the replay",
    );
    expect(both[1]?.webhookId).toBe(first.webhookId);
    expect(both[1]?.body).toEqual(first.body);
  });
});
