// Property: any permutation, with duplications, of an order's event history folds to the same state and
// emits the same set of ERP commands; every DeliveryConfirmation comes after its ShipmentConfirmation.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { desiredCommands } from "../../src/domain/commands";
import { decide } from "../../src/domain/decider";
import type { CanonicalEvent } from "../../src/domain/event";
import { EXCEPTION_REASONS, type MilestoneCode } from "../../src/domain/milestones";
import { fold } from "../../src/domain/state";
import { ev, ORDER, released, ship } from "../helpers/events";

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

const shipmentHistory = (shipmentId: string) =>
  fc
    .record({
      dispatched: fc.option(time, { nil: undefined }),
      quantity: fc.integer({ min: 1, max: 3 }),
      scans: fc.array(fc.tuple(fc.constantFrom(...SCANS), time), { maxLength: 6 }),
      exceptions: fc.array(fc.tuple(fc.constantFrom(...EXCEPTION_REASONS), time), { maxLength: 2 }),
    })
    .map(({ dispatched, quantity, scans, exceptions }) => [
      ...(dispatched ? [ship("shipment.dispatched", dispatched, shipmentId, { lines: [{ sku: "A", quantity }] })] : []),
      ...scans.map(([code, t]) => ship(code, t, shipmentId)),
      ...exceptions.map(([reason, t]) => ship("shipment.exception", t, shipmentId, { reason })),
    ]);

const history: fc.Arbitrary<CanonicalEvent[]> = fc
  .record({
    release: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    shipments: fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => shipmentHistory(`S${i + 1}`)))),
    cancel: fc.option(time, { nil: undefined }),
    returned: fc.option(fc.tuple(time, fc.integer({ min: 1, max: 6 })), { nil: undefined }),
    acknowledged: fc.option(time, { nil: undefined }),
  })
  .map(({ release, shipments, cancel, returned, acknowledged }) => [
    ...(release ? [released([{ sku: "A", quantity: release }])] : []),
    ...shipments.flat(),
    ...(cancel ? [ev("order.cancelled", cancel, { eventId: "cancel" })] : []),
    ...(returned ? [ev("return.received", returned[0], { returnId: "RMA-1", lines: [{ sku: "A", quantity: returned[1] }] })] : []),
    ...(acknowledged ? [ev("fulfillment.acknowledged", acknowledged)] : []),
  ]);

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

function run(stream: CanonicalEvent[]) {
  const set = new Map<string, CanonicalEvent>();
  const emitted = new Set<string>();
  const commands: { key: string; type: string; seq: number }[] = [];
  for (const e of stream) {
    if (set.has(e.eventId)) continue;
    set.set(e.eventId, e);
    for (const c of decide(ORDER, [...set.values()], emitted, commands.length).commands) {
      emitted.add(c.key);
      commands.push({ key: c.key, type: c.type, seq: c.seq });
    }
  }
  return { state: fold(ORDER, [...set.values()]), commands };
}

describe("the decider under any arrival order", () => {
  it("folds every permutation with duplicates to the same state and the same commands, confirmations before deliveries", () => {
    fc.assert(
      fc.property(
        history.chain((events) => fc.tuple(fc.constant(events), arrivals(events))),
        ([events, shuffled]) => {
          const reference = run(events);
          const other = run(shuffled);
          expect(other.state).toEqual(reference.state);
          const keys = (cs: { key: string; type: string }[]) => cs.map((c) => `${c.type}|${c.key}`).sort();
          expect(keys(other.commands)).toEqual(keys(reference.commands));
          // Incremental emission ends with exactly what the final state calls for: nothing lost, nothing extra.
          expect(keys(other.commands)).toEqual(keys(desiredCommands(other.state)));
          for (const c of other.commands.filter((x) => x.type === "DeliveryConfirmation")) {
            const sc = other.commands.find((x) => x.key === c.key.replace("delivery-confirmation:", "shipment-confirmation:"));
            expect(sc, `${c.key} without its shipment confirmation`).toBeDefined();
            expect(sc?.seq).toBeLessThan(c.seq);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
