// The same event id with different content is a conflict, not a duplicate: the first version stands, the
// conflicting payload is kept in quarantine with the reason, logged, counted and shown to the partner and ops.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CorrelationDO } from "../../durable-objects/correlation";
import { trackingKey } from "../../src/domain/correlation";
import { orderStub } from "../../src/orders";
import type { MappedEvent } from "../../src/partners/types";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";
import { sendAs, type WebhookAnswer } from "../helpers/partners";

const ops = (path: string) => call(path, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
const answer = async (res: Response): Promise<WebhookAnswer> => {
  expect(res.status).toBe(202);
  return (await res.json()) as WebhookAnswer;
};
const conflictReason = (eventId: string) => `conflicting duplicate: event id ${eventId} already recorded with different content`;

interface QuarantineItem {
  id: string;
  partnerId: string;
  reason: string;
  status: string;
  correlationId: string;
}
async function quarantined(id: string): Promise<QuarantineItem & { body: string }> {
  const res = await ops(`/ops/quarantine/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as QuarantineItem & { body: string };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("conflicting duplicates", () => {
  it("quarantines an event re-sent under its id with different content; the first version stands", async () => {
    const orderId = "SO-CONFLICT-1";
    await releaseOrder(orderId);
    const first = milestone({ eventId: "evt-conflict-1", orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1" });
    const changed = milestone({ eventId: "evt-conflict-1", orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:30:00Z", shipmentId: "S2" });
    expect((await answer(await sendAcme(first))).results).toEqual([{ eventId: "acme-3pl:evt-conflict-1", orderId, outcome: "accepted" }]);

    const warn = vi.spyOn(console, "warn");
    const a = await answer(await sendAcme(changed));
    expect(a.results).toEqual([
      {
        eventId: "acme-3pl:evt-conflict-1",
        orderId,
        outcome: "quarantined",
        quarantineId: expect.stringMatching(/^q_/),
        reason: conflictReason("acme-3pl:evt-conflict-1"),
      },
    ]);
    // Logged as a warning with the request's correlation id.
    const logged = warn.mock.calls.map(([line]) => String(line)).find((l) => l.includes("conflicting duplicate"));
    expect(logged && JSON.parse(logged)).toMatchObject({ level: "warn", correlationId: a.correlationId, partnerId: "acme-3pl" });

    // The first version stands.
    const events = (await orderStub(env, orderId).inspect()).events.filter((e) => e.eventId === "acme-3pl:evt-conflict-1");
    expect(events).toEqual([expect.objectContaining({ occurredAt: "2026-11-20T10:00:00.000Z", shipmentId: "S1" })]);

    // Ops see the conflicting payload, byte for byte, with the reason.
    const entry = await quarantined(a.results[0]?.quarantineId as string);
    expect(entry).toMatchObject({ partnerId: "acme-3pl", status: "open", reason: conflictReason("acme-3pl:evt-conflict-1"), correlationId: a.correlationId });
    expect(entry.body).toBe(JSON.stringify(changed));
    const list = (await (await ops("/ops/quarantine?status=open")).json()) as { items: QuarantineItem[] };
    expect(list.items.map((i) => i.id)).toContain(entry.id);
  });

  it("still answers a true re-send (same id, same content) as a plain duplicate, quarantining nothing", async () => {
    const orderId = "SO-CONFLICT-2";
    await releaseOrder(orderId);
    const same = milestone({ eventId: "evt-conflict-2", orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z" });
    await sendAcme(same);
    expect((await answer(await sendAcme(same))).results).toEqual([{ eventId: "acme-3pl:evt-conflict-2", orderId, outcome: "duplicate" }]);
  });

  it("quarantines a parked event re-sent under its id with different content", async () => {
    const tracking = "1ZCONFLICTPARKED1";
    const first = milestone({ eventId: "evt-parked-1", trackingNumber: tracking, code: "shipment.in_transit", occurredAt: "2026-11-20T10:00:00Z" });
    const changed = milestone({ eventId: "evt-parked-1", trackingNumber: tracking, code: "shipment.delivered", occurredAt: "2026-11-20T12:00:00Z" });
    expect((await answer(await sendAcme(first))).results.map((r) => r.outcome)).toEqual(["parked"]);
    expect((await answer(await sendAcme(first))).results.map((r) => r.outcome)).toEqual(["parked"]);
    const a = await answer(await sendAcme(changed));
    expect(a.results).toEqual([
      { eventId: "acme-3pl:evt-parked-1", outcome: "quarantined", quarantineId: expect.stringMatching(/^q_/), reason: conflictReason("acme-3pl:evt-parked-1") },
    ]);
    expect((await quarantined(a.results[0]?.quarantineId as string)).body).toBe(JSON.stringify(changed));
  });

  it("passes the order's conflict through a bound correlation key", async () => {
    const orderId = "SO-CONFLICT-3";
    const tracking = "1ZCONFLICTBOUND01";
    const key = trackingKey(tracking);
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1", trackingNumber: tracking }));
    const correlation = env.CORRELATIONS.getByName(key) as unknown as Pick<CorrelationDO, "route" | "inspect">;
    await eventually(async () => ((await correlation.inspect()).orderId === orderId ? true : undefined));
    const scan = (occurredAt: string): MappedEvent => ({
      eventId: "acme-3pl:evt-bound-1",
      source: "acme-3pl",
      code: "shipment.in_transit",
      occurredAt,
      trackingNumber: tracking,
    });
    expect(await correlation.route(key, [scan("2026-11-20T12:00:00.000Z")], "corr-bound-1")).toEqual([
      { eventId: "acme-3pl:evt-bound-1", orderId, outcome: "accepted" },
    ]);
    expect(await correlation.route(key, [scan("2026-11-20T13:00:00.000Z")], "corr-bound-2")).toEqual([
      { eventId: "acme-3pl:evt-bound-1", orderId, outcome: "duplicate", conflict: true },
    ]);
  });

  it("quarantines a conflict for an order reached through a tracking number this isolate has seen bound", async () => {
    const orderId = "SO-CONFLICT-4";
    const tracking = "1ZCONFLICTBOUND02";
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1", trackingNumber: tracking }));
    const scan = (occurredAt: string) => milestone({ eventId: "evt-bound-2", trackingNumber: tracking, code: "shipment.in_transit", occurredAt });
    await eventually(async () => {
      const r = await answer(await sendAcme(scan("2026-11-20T12:00:00Z")));
      return r.results[0]?.outcome === "accepted" ? true : undefined;
    });
    const a = await answer(await sendAcme(scan("2026-11-20T13:00:00Z")));
    expect(a.results).toEqual([
      {
        eventId: "acme-3pl:evt-bound-2",
        orderId,
        outcome: "quarantined",
        quarantineId: expect.stringMatching(/^q_/),
        reason: conflictReason("acme-3pl:evt-bound-2"),
      },
    ]);
  });

  it("answers a vendor's re-sent history as duplicates when only the estimate moved to a newer scan or a carrier reworded a scan", async () => {
    const orderId = "SO-CONFLICT-6";
    const tracking = "1ZRESTATED000001";
    const checkpoint = (at: string, tag: string, message: string) => ({
      checkpoint_time: at,
      tag,
      subtag: `${tag}_001`,
      message,
      city: "MEMPHIS",
      country_iso3: "USA",
    });
    const update = (checkpoints: object[], expected: string) =>
      JSON.stringify({
        event: "tracking_update",
        event_id: crypto.randomUUID(),
        ts: 1763640000,
        msg: { tracking_number: tracking, slug: "ups", tag: "InTransit", checkpoints, expected_delivery: expected },
      });
    const first = [checkpoint("2026-11-20T08:00:00Z", "InfoReceived", "Label created"), checkpoint("2026-11-20T10:00:00Z", "InTransit", "Departed facility")];
    const later = [
      ...first.slice(0, 1),
      checkpoint("2026-11-20T10:00:00Z", "InTransit", "Departed from facility"),
      checkpoint("2026-11-20T14:00:00Z", "InTransit", "Arrived at facility"),
    ];
    // Parked: the key is not bound yet.
    expect((await answer(await sendAs("aftership", update(first, "2026-11-22T18:00:00Z")))).results.map((r) => r.outcome)).toEqual(["parked", "parked"]);
    expect((await answer(await sendAs("aftership", update(later, "2026-11-23T18:00:00Z")))).results.map((r) => r.outcome)).toEqual([
      "parked",
      "parked",
      "parked",
    ]);
    // Bound: the order has them.
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T07:00:00Z", shipmentId: "S1", trackingNumber: tracking }));
    await eventually(async () => ((await orderStub(env, orderId).inspect()).events.length >= 5 ? true : undefined));
    const again = await answer(
      await sendAs("aftership", update([...later, checkpoint("2026-11-21T09:00:00Z", "OutForDelivery", "Out for delivery")], "2026-11-21T18:00:00Z")),
    );
    expect(again.results.map((r) => r.outcome)).toEqual(["duplicate", "duplicate", "duplicate", "accepted"]);
  });

  it("answers a vendor's restatement under an id we derived from its content as a duplicate, not a conflict: Shopify adds the tracking number and restates the status", async () => {
    const orderId = "SO-CONFLICT-SHOPIFY";
    const shopifyOrder = "9100000000001";
    await releaseOrder(orderId, "CUST-1", { refs: [{ system: "shopify", id: shopifyOrder }] });
    const fulfillment = (over: Record<string, unknown>) =>
      JSON.stringify({
        id: 77001,
        order_id: Number(shopifyOrder),
        status: "success",
        created_at: "2026-11-20T10:00:00-05:00",
        updated_at: "2026-11-20T10:00:00-05:00",
        tracking_number: null,
        tracking_company: null,
        shipment_status: null,
        line_items: [],
        ...over,
      });
    // The reference binds after the release: until then the fulfillment is parked.
    await eventually(async () => {
      const r = await answer(await sendAs("shopify", fulfillment({}), { topic: "fulfillments/create" }));
      return r.results.every((x) => x.outcome !== "parked") ? r : undefined;
    });
    // A fulfillments/update, in transit with the tracking number, as Shopify sends it at `updatedAt`.
    const inTransit = async (updatedAt: string) =>
      (
        await answer(
          await sendAs(
            "shopify",
            fulfillment({ updated_at: updatedAt, tracking_number: "1ZSHOPCONF1", tracking_company: "UPS", shipment_status: "in_transit" }),
            {
              topic: "fulfillments/update",
            },
          ),
        )
      ).results.map((r) => r.outcome);
    expect(await inTransit("2026-11-20T16:00:00-05:00")).toEqual(["duplicate", "accepted"]);
    // The same status restated by a later update (Shopify sends one per change of anything).
    expect(await inTransit("2026-11-21T08:00:00-05:00")).toEqual(["duplicate", "duplicate"]);
  });

  it("counts a conflict as quarantined in the partner's ingest figures", async () => {
    const orderId = "SO-CONFLICT-5";
    await releaseOrder(orderId);
    const before = await quarantinedCount();
    await sendAcme(milestone({ eventId: "evt-conflict-5", orderId, code: "fulfillment.packed", occurredAt: "2026-11-20T10:00:00Z" }));
    await sendAcme(milestone({ eventId: "evt-conflict-5", orderId, code: "fulfillment.packed", occurredAt: "2026-11-20T10:05:00Z" }));
    await eventually(async () => ((await quarantinedCount()) > before ? true : undefined), 10_000, "a quarantined count");
  });
});

async function quarantinedCount(): Promise<number> {
  const r = (await (await ops("/ops/metrics")).json()) as { partners: Record<string, { minutes: number; counts: Record<string, number> }[]> };
  return r.partners["acme-3pl"]?.find((x) => x.minutes === 60)?.counts.quarantined ?? 0;
}
