// A whole order journey through HTTP, with the webhooks shuffled, duplicated and joined by stale scans:
// the portal ends in the right state and the ERP hears each business fact exactly once, in order.
import { describe, expect, it } from "vitest";
import { call, erpRecords, eventually, issueKey, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

/** Deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function journey(orderId: string) {
  const m = (code: string, occurredAt: string, extra: Record<string, unknown> = {}) => milestone({ orderId, code, occurredAt, ...extra });
  const s1 = { shipmentId: "S1", carrier: "ups", trackingNumber: "1ZJOURNEY1" };
  const s2 = { shipmentId: "S2", carrier: "fedex", trackingNumber: "FDXJOURNEY2" };
  return [
    m("fulfillment.acknowledged", "2026-11-20T09:05:00Z"),
    m("fulfillment.picked", "2026-11-20T10:00:00Z"),
    m("fulfillment.packed", "2026-11-20T10:30:00Z"),
    m("shipment.dispatched", "2026-11-20T11:00:00Z", { ...s1, lines: [{ sku: "WID-1", quantity: 1 }] }),
    m("shipment.dispatched", "2026-11-20T15:00:00Z", { ...s2, lines: [{ sku: "WID-1", quantity: 1 }] }),
    m("shipment.in_transit", "2026-11-20T18:00:00Z", { ...s1, location: { city: "Memphis", country: "US" } }),
    m("shipment.in_transit", "2026-11-20T20:00:00Z", s2),
    m("shipment.out_for_delivery", "2026-11-21T07:00:00Z", s1),
    m("shipment.delivered", "2026-11-21T11:00:00Z", s1),
    m("shipment.exception", "2026-11-21T09:00:00Z", { ...s2, reason: "weather" }),
    m("shipment.out_for_delivery", "2026-11-22T07:00:00Z", s2),
    m("shipment.delivered", "2026-11-22T12:00:00Z", s2),
  ];
}

describe("a whole journey through HTTP", () => {
  it("ends in the right portal state and ERP record whatever the arrival order, duplicates and stale scans", async () => {
    const orderId = "SO-JOURNEY-1";
    const events = journey(orderId);
    // Stale scans, sent after delivery with their true (earlier) times, and duplicates of some events.
    const stale = [
      milestone({ orderId, code: "shipment.in_transit", occurredAt: "2026-11-21T06:00:00Z", shipmentId: "S1", trackingNumber: "1ZJOURNEY1" }),
      milestone({ orderId, code: "shipment.out_for_delivery", occurredAt: "2026-11-22T06:00:00Z", shipmentId: "S2", trackingNumber: "FDXJOURNEY2" }),
    ];
    const arrivals = shuffle([...events, ...events.slice(3, 9), ...stale], 20261123);

    expect((await releaseOrder(orderId, "CUST-J", { lines: [{ sku: "WID-1", quantity: 2 }] })).status).toBe(202);
    // Several partner connections at once, as in production.
    const outcomes: string[] = [];
    for (let i = 0; i < arrivals.length; i += 4) {
      const responses = await Promise.all(arrivals.slice(i, i + 4).map((body) => sendAcme(body)));
      for (const r of responses) {
        expect(r.status).toBe(202);
        outcomes.push(...((await r.json()) as { results: { outcome: string }[] }).results.map((x) => x.outcome));
      }
    }
    const distinct = events.length + stale.length;
    expect(outcomes.filter((o) => o === "accepted")).toHaveLength(distinct);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(6);

    const key = await issueKey("CUST-J");
    const order = await eventually(
      async () => {
        const res = await call(`/v1/orders/${orderId}`, { headers: { Authorization: `Bearer ${key}` } });
        const o =
          res.status === 200
            ? ((await res.json()) as {
                version: number;
                status: string;
                shipments: { shipmentId: string; status: string }[];
                timeline: { occurredAt: string }[];
                openExceptions: unknown[];
              })
            : undefined;
        return o && o.version === distinct + 1 ? o : undefined;
      },
      15_000,
      "the portal to reflect every event",
    );
    expect(order.status).toBe("delivered");
    expect(order.shipments.map((s) => [s.shipmentId, s.status])).toEqual([
      ["S1", "delivered"],
      ["S2", "delivered"],
    ]);
    expect(order.openExceptions).toEqual([]);
    const times = order.timeline.map((t) => t.occurredAt);
    expect(times).toEqual([...times].sort());

    const records = await eventually(
      async () => {
        const r = await erpRecords(orderId);
        return r.length === 4 ? r : undefined;
      },
      15_000,
      "four ERP records",
    );
    const kinds = records.map((r) => `${r.kind}:${(r.body as { shipmentId: string }).shipmentId}`);
    expect(new Set(kinds).size).toBe(4);
    expect(kinds.indexOf("shipment-confirmations:S1")).toBeLessThan(kinds.indexOf("delivery-confirmations:S1"));
    expect(kinds.indexOf("shipment-confirmations:S2")).toBeLessThan(kinds.indexOf("delivery-confirmations:S2"));
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe("GET /ops/orders/:orderId", () => {
  it("shows ops the event log, state, ERP commands and cursor, and outbox", async () => {
    const orderId = "SO-OPS-VIEW";
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1" }));
    await eventually(async () => ((await erpRecords(orderId)).length === 1 ? true : undefined));
    const view = await eventually(async () => {
      const res = await call(`/ops/orders/${orderId}`, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
      const v = (await res.json()) as { erp: { ackedSeq: number } };
      return v.erp.ackedSeq === 1 ? (v as Record<string, unknown>) : undefined;
    });
    expect(view).toMatchObject({
      orderId,
      state: { status: "shipped", version: 2 },
      events: [
        { code: "order.released", arrival: 1 },
        { code: "shipment.dispatched", arrival: 2 },
      ],
      commands: [{ seq: 1, key: "shipment-confirmation:S1", type: "ShipmentConfirmation", ackedAt: expect.any(String) }],
      erp: { ackedSeq: 1, lastSeq: 1, pending: 0, lease: null },
    });
  });

  it("requires the ops token and answers 404 for an order it has never seen", async () => {
    expect((await call("/ops/orders/SO-NOPE")).status).toBe(401);
    expect((await call("/ops/orders/SO-NOPE", { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    const res = await call("/ops/orders/SO-NEVER-SEEN", { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
    expect(res.status).toBe(404);
  });
});
