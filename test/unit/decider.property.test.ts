// Property: any permutation, with duplications, of an order's event history folds to the same state and
// emits the same set of ERP commands; every DeliveryConfirmation comes after its ShipmentConfirmation.
// Parcels are reported by several partners under different names: the 3PL's shipment id with the
// tracking number, the carrier's tracking number alone (in its own spelling), Shopify's fulfillment id
// with the tracking number. Two kinds of history depend on arrival by nature, and get the weaker
// invariants instead of equality: those that ship more than was ordered (which shipment is held follows
// what was already confirmed when the excess arrived: the ERP is never told to take a fact back), and
// those where the 3PL's dispatch lacks the tracking number (the name given first binds).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { desiredCommands } from "../../src/domain/commands";
import { normalizeTrackingNumber } from "../../src/domain/correlation";
import { decide } from "../../src/domain/decider";
import type { CanonicalEvent, Line } from "../../src/domain/event";
import { EXCEPTION_REASONS, type MilestoneCode } from "../../src/domain/milestones";
import { type Emitted, ev, ORDER, released } from "../helpers/events";

const BASE = Date.UTC(2026, 10, 20);
const time = fc.integer({ min: 0, max: 72 * 60 }).map((m) => new Date(BASE + m * 60_000).toISOString());
const SCANS: MilestoneCode[] = [
  "shipment.label_created",
  "shipment.in_transit",
  "shipment.out_for_delivery",
  "shipment.delivery_attempted",
  "shipment.available_for_pickup",
  "shipment.delivered",
  "shipment.returned_to_sender",
];
/** Who reports a scan, and under which names. */
const REPORTERS = ["acme-3pl", "ups", "shopify"] as const;
type Reporter = (typeof REPORTERS)[number];

const tracking = (n: number) => `1ZPARCEL${n}`;
/** The carrier prints the tracking number its own way; normalised, it is the same parcel. */
const carrierSpelling = (n: number, variant: number) => [tracking(n), tracking(n).toLowerCase(), `1Z PARCEL-${n}`][variant % 3] ?? tracking(n);

function report(n: number, who: Reporter, code: MilestoneCode, t: string, i: number, extra: Partial<CanonicalEvent> = {}): CanonicalEvent {
  const names =
    who === "acme-3pl"
      ? { shipmentId: `SHP-${n}`, trackingNumber: tracking(n), carrier: "ups" }
      : who === "shopify"
        ? { shipmentId: String(5550 + n), trackingNumber: tracking(n), carrier: "ups" }
        : { trackingNumber: carrierSpelling(n, i) };
  return ev(code, t, { eventId: `${who}:${code}@${t}#${n}.${i}`, source: who, ...names, ...extra });
}

const parcelHistory = (n: number) =>
  fc
    .record({
      dispatched: fc.option(time, { nil: undefined }),
      /** Shopify's fulfillment for the same parcel: a second dispatch report, under its own id. */
      shopifyDispatched: fc.option(time, { nil: undefined }),
      quantity: fc.integer({ min: 1, max: 3 }),
      /** The 3PL's dispatch without a tracking number (an X12 945 without one), one time in five. */
      untracked: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
      /** A fulfillment that names a SKU the order does not have (one time in five). */
      foreign: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
      scans: fc.array(fc.tuple(fc.constantFrom(...REPORTERS), fc.constantFrom(...SCANS), time), { maxLength: 6 }),
      exceptions: fc.array(fc.tuple(fc.constantFrom(...EXCEPTION_REASONS), time), { maxLength: 2 }),
    })
    .map(({ dispatched, shopifyDispatched, untracked, quantity, foreign, scans, exceptions }) => {
      const lines: Line[] = [{ sku: "A", quantity }, ...(foreign ? [{ sku: "FOREIGN", quantity: 1 }] : [])];
      const events = [
        ...(dispatched ? [report(n, "acme-3pl", "shipment.dispatched", dispatched, 0, { lines, ...(untracked ? { trackingNumber: undefined } : {}) })] : []),
        ...(shopifyDispatched ? [report(n, "shopify", "shipment.dispatched", shopifyDispatched, 0, { lines })] : []),
        ...scans.map(([who, code, t], i) => report(n, who, code, t, i + 1)),
        ...exceptions.map(([reason, t], i) => report(n, "ups", "shipment.exception", t, 100 + i, { reason })),
      ];
      return { events, lines, dispatched: Boolean(dispatched || shopifyDispatched), untracked: Boolean(dispatched && untracked) };
    });

const history = fc
  .record({
    release: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    parcels: fc.integer({ min: 1, max: 3 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => parcelHistory(i + 1)))),
    cancel: fc.option(time, { nil: undefined }),
    /** A return can come back in several boxes, each its own receipt. */
    boxes: fc.array(fc.tuple(time, fc.integer({ min: 1, max: 3 })), { maxLength: 2 }),
    acknowledged: fc.option(time, { nil: undefined }),
  })
  .map(({ release, parcels, cancel, boxes, acknowledged }) => ({
    ordered: release ?? 0,
    boxes: new Set(boxes.map(([t, q]) => `${t}|${q}`)).size,
    parcels,
    events: [
      ...(release ? [released([{ sku: "A", quantity: release }])] : []),
      ...parcels.flatMap((p) => p.events),
      ...(cancel ? [ev("order.cancelled", cancel, { eventId: "cancel" })] : []),
      ...boxes.map(([t, q], i) => ev("return.received", t, { eventId: `box-${i}`, returnId: "RMA-1", lines: [{ sku: "A", quantity: q }] })),
      ...(acknowledged ? [ev("fulfillment.acknowledged", acknowledged)] : []),
    ],
  }));

/**
 * Whether the history ships more of A than was ordered in shipments that would each be confirmed on
 * their own: then which of them is held depends on arrival, and only the weaker invariants hold.
 */
function overShipped(h: { ordered: number; parcels: { lines: Line[]; dispatched: boolean }[] }): boolean {
  if (h.ordered === 0) return false;
  const fitting = h.parcels.filter((p) => p.dispatched && p.lines.every((l) => l.sku === "A" && l.quantity <= h.ordered));
  return fitting.reduce((n, p) => n + (p.lines[0]?.quantity ?? 0), 0) > h.ordered;
}

/** A permutation of the history with some events delivered more than once. */
const arrivals = (events: CanonicalEvent[]) =>
  fc
    .tuple(
      fc.array(fc.nat(), { maxLength: events.length }),
      fc.array(fc.double({ noNaN: true }), { minLength: events.length * 2, maxLength: events.length * 2 }),
    )
    .map(([dups, keys]) => {
      const all = [...events, ...dups.map((i) => events[i % Math.max(1, events.length)]).filter((e): e is CanonicalEvent => e !== undefined)];
      return all
        .map((e, i) => ({ e, k: keys[i] ?? 0 }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.e);
    });

function decideAfter(events: CanonicalEvent[], emitted: readonly Emitted[]) {
  return decide(ORDER, events, emitted, emitted.length);
}

/** Feeds the stream one arrival at a time, as the OrderDO does. */
function run(stream: CanonicalEvent[]) {
  const set = new Map<string, CanonicalEvent>();
  const commands: Emitted[] = [];
  for (const e of stream) {
    if (set.has(e.eventId)) continue;
    set.set(e.eventId, e);
    for (const c of decideAfter([...set.values()], commands).commands) commands.push({ key: c.key, type: c.type, payload: c.payload, seq: c.seq });
  }
  const last = decideAfter([...set.values()], commands);
  return { state: last.state, commands, leftover: last.commands };
}

const keys = (cs: { key: string; type: string }[]) => cs.map((c) => `${c.type}|${c.key}`).sort();

describe("the decider under any arrival order", () => {
  it("folds every permutation with duplicates to the same state and the same commands, confirmations before deliveries", () => {
    fc.assert(
      fc.property(
        history.chain((h) => fc.tuple(fc.constant(h), arrivals(h.events))),
        ([h, shuffled]) => {
          const other = run(shuffled);

          // Incremental emission ends with exactly what the final state calls for: nothing lost, nothing
          // extra, nothing the ERP was told that the full fold would take back.
          expect(other.leftover).toEqual([]);
          expect(keys(other.commands)).toEqual(keys(desiredCommands(other.state)));
          expect(new Set(other.commands.map((c) => c.key)).size).toBe(other.commands.length);
          for (const c of other.commands.filter((x) => x.type === "DeliveryConfirmation")) {
            const sc = other.commands.find((x) => x.key === c.key.replace("delivery-confirmation:", "shipment-confirmation:"));
            expect(sc, `${c.key} without its shipment confirmation`).toBeDefined();
            expect(sc?.seq).toBeLessThan(c.seq);
          }

          // One confirmation per tracking number, whoever reported the parcel and however they spelled it.
          const confirmations = other.commands.filter((c) => c.type === "ShipmentConfirmation");
          const tracked = confirmations.flatMap(
            (c) => normalizeTrackingNumber(typeof c.payload.trackingNumber === "string" ? c.payload.trackingNumber : null) ?? [],
          );
          expect(new Set(tracked).size).toBe(tracked.length);
          // The ERP never hears of a SKU it did not order, nor of more than it ordered.
          const shippedLines = confirmations.flatMap((c) => (Array.isArray(c.payload.lines) ? c.payload.lines : []) as { sku: string; quantity: number }[]);
          expect(shippedLines.filter((l) => l.sku !== "A")).toEqual([]);
          expect(shippedLines.reduce((n, l) => n + l.quantity, 0)).toBeLessThanOrEqual(h.ordered);
          // Nothing reaches the ERP about an order it has not released; once released, each box of a return
          // is booked once (the same box twice is not two boxes).
          const receipts = other.commands.filter((c) => c.type === "ReturnReceipt").length;
          if (h.ordered === 0) expect(other.commands).toEqual([]);
          else expect(receipts).toBe(h.boxes);

          // Equal outcomes wherever arrival order cannot matter: no excess to attribute, and every dispatch
          // report names its tracking number (otherwise the first name given is the one that binds).
          if (!overShipped(h) && !h.parcels.some((p) => p.untracked)) {
            const reference = run(h.events);
            expect(other.state).toEqual(reference.state);
            expect(keys(other.commands)).toEqual(keys(reference.commands));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
