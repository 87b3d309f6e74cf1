// Fulfillment requests as the order's effects (src/domain/fulfillment.ts): given the order's events and the
// routes, when the order changes, then exactly the requests and cancellations it has not emitted yet.
import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "../../src/domain/event";
import { type FulfillmentCommand, fulfillmentCommands, fulfillmentRows } from "../../src/domain/fulfillment";
import type { FulfillmentRoute } from "../../src/domain/routing";

const ROUTES: FulfillmentRoute[] = [
  { partner: "edi", when: { skuPrefixes: ["BULK-"] } },
  { partner: "acme-3pl", when: { countries: ["US", "CA"] } },
  { partner: "edi" },
];
const ORDER = "SO-F-1";

const release = (over: { country?: string; skus?: string[]; serviceLevel?: string } = {}): CanonicalEvent => ({
  eventId: `erp:release:${ORDER}`,
  orderId: ORDER,
  code: "order.released",
  occurredAt: "2026-12-01T08:00:00.000Z",
  source: "erp",
  order: {
    customerId: "CUST-1",
    ...(over.serviceLevel ? { serviceLevel: over.serviceLevel } : {}),
    lines: (over.skus ?? ["BULK-PALLET", "SKU-1"]).map((sku, i) => ({ sku, quantity: i + 2 })),
    shipTo: { name: "Ada", city: "Austin", country: over.country ?? "US" },
    promisedDate: "2026-12-05",
  },
});
const cancel: CanonicalEvent = {
  eventId: `erp:cancel:${ORDER}`,
  orderId: ORDER,
  code: "order.cancelled",
  occurredAt: "2026-12-01T09:00:00.000Z",
  source: "erp",
  description: "customer changed their mind",
};
const dispatchedBy = (partner: string): CanonicalEvent => ({
  eventId: `${partner}:d1`,
  orderId: ORDER,
  code: "shipment.dispatched",
  occurredAt: "2026-12-01T10:00:00.000Z",
  source: partner,
  shipmentId: "S1",
  trackingNumber: "1Z999",
});

/** Runs the decision and remembers what was emitted, as the order does. */
function given(events: CanonicalEvent[], routes = ROUTES) {
  const emitted: FulfillmentCommand[] = [];
  const all = [...events];
  const step = (...more: CanonicalEvent[]) => {
    all.push(...more);
    const d = fulfillmentCommands(ORDER, all, routes, emitted);
    emitted.push(...d.commands);
    return d;
  };
  return { step, emitted };
}

describe("on release", () => {
  it("a US order with a BULK- line and another line: one canonical request to acme-3pl, one to edi, with their lines", () => {
    const { step } = given([]);
    const d = step(release());
    expect(d.commands.map((c) => [c.destination, c.type, c.key])).toEqual([
      ["fulfillment:edi", "fulfillment.requested", "fulfillment.requested:SO-F-1:edi:1"],
      ["fulfillment:acme-3pl", "fulfillment.requested", "fulfillment.requested:SO-F-1:acme-3pl:1"],
    ]);
    expect(d.commands[1]?.payload).toEqual({
      requestId: "SO-F-1:acme-3pl:1",
      orderId: ORDER,
      customerId: "CUST-1",
      shipTo: { name: "Ada", city: "Austin", country: "US" },
      lines: [{ sku: "SKU-1", quantity: 3 }],
      promisedDate: "2026-12-05",
    });
    expect(d.commands[0]?.payload.lines).toEqual([{ sku: "BULK-PALLET", quantity: 2 }]);
    expect(d.unroutable).toEqual([]);
  });

  it("carries the service level when the release has one", () => {
    const d = given([]).step(release({ serviceLevel: "NEXT_DAY", skus: ["A"] }));
    expect(d.commands[0]?.payload.serviceLevel).toBe("NEXT_DAY");
  });

  it("emits nothing new for a duplicate release or any later event: each request once", () => {
    const { step } = given([]);
    step(release());
    expect(step(release()).commands).toEqual([]);
    expect(step(dispatchedBy("acme-3pl")).commands).toEqual([]);
  });

  it("routes once: new routes later never re-route an order whose requests went out", () => {
    const emitted: FulfillmentCommand[] = [...fulfillmentCommands(ORDER, [release()], ROUTES, []).commands];
    expect(fulfillmentCommands(ORDER, [release()], [{ partner: "other" }], emitted).commands).toEqual([]);
  });

  it("with no routes at all (a deployment that does not orchestrate fulfilment) requests nothing and flags nothing", () => {
    const d = given([], []).step(release());
    expect(d).toEqual({ commands: [], unroutable: [] });
  });

  it("keeps the lines no route matches as unroutable, and requests the rest", () => {
    const d = given([], [{ partner: "edi", when: { skuPrefixes: ["BULK-"] } }]).step(release());
    expect(d.commands.map((c) => c.destination)).toEqual(["fulfillment:edi"]);
    expect(d.unroutable).toEqual([{ index: 1, sku: "SKU-1", quantity: 3 }]);
  });
});

describe("on an ERP cancel", () => {
  it("before dispatch: a cancellation to every assigned partner, once, with the reason", () => {
    const { step } = given([]);
    step(release());
    const d = step(cancel);
    const emitted = d.commands;
    expect(emitted.map((c) => [c.destination, c.type, { ...c.payload, request: undefined }])).toEqual([
      ["fulfillment:edi", "fulfillment.cancelled", { requestId: "SO-F-1:edi:1", orderId: ORDER, reason: "customer changed their mind", request: undefined }],
      [
        "fulfillment:acme-3pl",
        "fulfillment.cancelled",
        { requestId: "SO-F-1:acme-3pl:1", orderId: ORDER, reason: "customer changed their mind", request: undefined },
      ],
    ]);
    // What was asked travels with the cancellation, for formats that restate it (a 940 with W0501 F).
    expect((emitted[0]?.payload.request as { lines: unknown } | undefined)?.lines).toEqual([{ sku: "BULK-PALLET", quantity: 2 }]);
    expect(step(cancel).commands).toEqual([]);
  });

  it("not to a partner that has dispatched already", () => {
    const { step } = given([]);
    step(release());
    step(dispatchedBy("edi"));
    expect(step(cancel).commands.map((c) => c.destination)).toEqual(["fulfillment:acme-3pl"]);
  });

  it("a cancel that arrives before the release: nothing is requested, nothing cancelled", () => {
    const { step } = given([]);
    expect(step(cancel).commands).toEqual([]);
    expect(step(release()).commands).toEqual([]);
  });
});

describe("the read model's rows", () => {
  it("one row per request, acknowledged by its own partner's fulfillment.acknowledged, cancelled with the order's cancel", () => {
    const { step, emitted } = given([]);
    step(release());
    const ack: CanonicalEvent = {
      eventId: "acme-3pl:ack",
      orderId: ORDER,
      code: "fulfillment.acknowledged",
      occurredAt: "2026-12-01T08:10:00.000Z",
      source: "acme-3pl",
    };
    const before = fulfillmentRows(ORDER, [release(), ack], emitted, "2026-12-01T08:11:00.000Z");
    expect(before.map((r) => [r.partner, r.requestId, r.acknowledgedAt, r.cancelledAt])).toEqual([
      ["edi", "SO-F-1:edi:1", null, null],
      ["acme-3pl", "SO-F-1:acme-3pl:1", "2026-12-01T08:10:00.000Z", null],
    ]);
    expect(before[0]?.lines).toEqual([{ sku: "BULK-PALLET", quantity: 2 }]);
    step(cancel);
    const after = fulfillmentRows(ORDER, [release(), ack, cancel], emitted, "2026-12-01T09:01:00.000Z");
    expect(after.map((r) => r.cancelledAt)).toEqual([cancel.occurredAt, cancel.occurredAt]);
  });

  it("counts a partner's first report on the order (a 945's dispatch) as its acknowledgement when no acknowledgement came", () => {
    const { step, emitted } = given([]);
    step(release());
    const rows = fulfillmentRows(ORDER, [release(), dispatchedBy("edi")], emitted, "2026-12-01T11:00:00.000Z");
    expect(rows.map((r) => [r.partner, r.acknowledgedAt])).toEqual([
      ["edi", "2026-12-01T10:00:00.000Z"],
      ["acme-3pl", null],
    ]);
  });
});
