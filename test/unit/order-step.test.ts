// Given / when / then over one step of an order: what the OrderDO holds, the events that arrive, and every
// effect their arrival has — outcomes, rows to store, state, commands, the read model's message, keys to
// bind. The order is driven the way its Durable Object drives it: each step's effects are what the next
// step holds. Every input is deep-frozen: a step that mutated what it was given would throw.
import { describe, expect, it } from "vitest";
import type { EmittedCommand } from "../../src/domain/commands";
import { trackingKey } from "../../src/domain/correlation";
import type { CanonicalEvent } from "../../src/domain/event";
import { type Arrival, contentHash, type HeldEvent, type OrderStep, orderStep, projectionOf } from "../../src/domain/order-step";
import { at, ev, ORDER, released, ship } from "../helpers/events";

const NOW = "2026-11-21T09:00:00.000Z";

/** Freezes objects and arrays; a Map or Set throws on any write instead (freezing does not stop those). */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (value instanceof Map || value instanceof Set) {
    for (const write of ["set", "add", "delete", "clear"].filter((m) => m in value)) {
      Object.defineProperty(value, write, {
        value: () => {
          throw new TypeError(`${write} on a frozen input`);
        },
      });
    }
    for (const v of value.values()) deepFreeze(v);
  } else {
    for (const v of Object.values(value)) deepFreeze(v);
  }
  Object.freeze(value);
  return value;
}

async function arrival(event: CanonicalEvent, correlationId = "req-1"): Promise<Arrival> {
  return { event, hash: await contentHash(event), correlationId };
}

/** An order holding `history` (stored as its own steps stored it), ready for the next arrivals. */
async function given(...history: CanonicalEvent[]) {
  const held = new Map<string, HeldEvent>();
  const emitted: (EmittedCommand & { seq: number })[] = [];
  const keys = new Set<string>();
  let lastArrival = 0;
  const when = async (...arrivals: (CanonicalEvent | Arrival)[]): Promise<OrderStep> => {
    const input = deepFreeze({
      orderId: ORDER,
      held: new Map(held),
      arrivals: await Promise.all(arrivals.map((a) => ("event" in a ? a : arrival(a)))),
      lastArrival,
      emitted: [...emitted],
      lastSeq: emitted.at(-1)?.seq ?? 0,
      keys: new Set(keys),
      now: NOW,
      routes: [],
      fulfilment: [],
    });
    const step = orderStep(input);
    for (const a of step.accepted) held.set(a.event.eventId, { event: a.event, hash: a.hash });
    lastArrival = step.accepted.at(-1)?.arrival ?? lastArrival;
    for (const c of step.change?.commands ?? []) emitted.push({ key: c.key, type: c.type, payload: c.payload, seq: c.seq });
    for (const k of step.change?.keys ?? []) keys.add(k);
    return step;
  };
  if (history.length > 0) await when(...history);
  return { when, held };
}

describe("a new event", () => {
  it("is accepted, numbered after the last arrival, and changes the state", async () => {
    const order = await given(released());
    const acknowledged = ev("fulfillment.acknowledged", at(9));
    const step = await order.when(acknowledged);
    expect(step.results).toEqual([{ eventId: acknowledged.eventId, outcome: "accepted" }]);
    expect(step.accepted.map((a) => a.arrival)).toEqual([2]);
    expect(step.change?.state.status).toBe("in_fulfillment");
    expect(step.change?.state.version).toBe(2);
  });

  it("carries the request of the last accepted event to the commands and the projection", async () => {
    const order = await given(released());
    const step = await order.when(
      await arrival(ship("shipment.dispatched", at(10)), "req-a"),
      await arrival(released(), "req-b"),
      await arrival(ship("shipment.in_transit", at(11)), "req-c"),
    );
    expect(step.results.map((r) => r.outcome)).toEqual(["accepted", "duplicate", "accepted"]);
    expect(step.change?.correlationId).toBe("req-c");
    expect(step.change?.projection?.correlationId).toBe("req-c");
    expect(step.accepted.map((a) => [a.correlationId, a.arrival])).toEqual([
      ["req-a", 2],
      ["req-c", 3],
    ]);
  });
});

describe("a duplicate", () => {
  it("with the same content is a duplicate and changes nothing", async () => {
    const order = await given(released(), ship("shipment.dispatched", at(10)));
    const again = ship("shipment.dispatched", at(10));
    const step = await order.when(again);
    expect(step).toEqual({ results: [{ eventId: again.eventId, outcome: "duplicate" }], accepted: [], change: null });
  });

  it("with other content under the same id is a conflict, and the first version stands", async () => {
    const order = await given(released(), ship("shipment.dispatched", at(10)));
    const other = ship("shipment.dispatched", at(10), "S1", { carrier: "fedex" });
    expect(order.held.has(other.eventId)).toBe(true);
    const step = await order.when(other);
    expect(step.results).toEqual([{ eventId: other.eventId, outcome: "duplicate", conflict: true }]);
    expect(step.change).toBeNull();
    expect(order.held.get(other.eventId)?.event.carrier).toBe("ups");
  });

  it("whose stored hash came from an older identity rule is no conflict when today's rule finds them equal", async () => {
    const stored = ship("shipment.in_transit", at(11), "S1", { eta: "2026-11-23" });
    const order = await given(released());
    await order.when({ event: stored, hash: "hash-of-an-older-rule", correlationId: "req-0" });
    // The partner restates the scan with a new estimate: today's rule leaves the estimate out.
    const step = await order.when({ ...stored, eta: "2026-11-24" });
    expect(step.results).toEqual([{ eventId: stored.eventId, outcome: "duplicate" }]);
  });

  it("whose stored hash came from an older rule is a conflict when today's rule tells them apart", async () => {
    const stored = ship("shipment.in_transit", at(11));
    const order = await given(released());
    await order.when({ event: stored, hash: "hash-of-an-older-rule", correlationId: "req-0" });
    const step = await order.when({ ...stored, trackingNumber: "TRK-OTHER" });
    expect(step.results).toEqual([{ eventId: stored.eventId, outcome: "duplicate", conflict: true }]);
  });

  it("inside one request meets the first copy as a stored event would", async () => {
    const order = await given(released());
    const first = ship("shipment.dispatched", at(10));
    const step = await order.when(first, first, { ...first, carrier: "fedex" });
    expect(step.results).toEqual([
      { eventId: first.eventId, outcome: "accepted" },
      { eventId: first.eventId, outcome: "duplicate" },
      { eventId: first.eventId, outcome: "duplicate", conflict: true },
    ]);
    expect(step.accepted.map((a) => a.event)).toEqual([first]);
  });
});

describe("commands", () => {
  it("are the decider's new ones, numbered after the last emitted, never emitted twice", async () => {
    const order = await given(released());
    const dispatched = await order.when(ship("shipment.dispatched", at(10)));
    expect(dispatched.change?.commands.map((c) => [c.type, c.seq])).toEqual([["ShipmentConfirmation", 1]]);
    const delivered = await order.when(ship("shipment.in_transit", at(11)), ship("shipment.delivered", at(15)));
    expect(delivered.change?.commands.map((c) => [c.type, c.seq])).toEqual([["DeliveryConfirmation", 2]]);
    const scan = await order.when(ship("shipment.out_for_delivery", at(14)));
    expect(scan.change?.commands).toEqual([]);
  });

  it("wait for the release: a dispatch before it emits nothing", async () => {
    const order = await given();
    const step = await order.when(ship("shipment.dispatched", at(10)));
    expect(step.change?.state.status).toBe("awaiting_release");
    expect(step.change?.commands).toEqual([]);
  });
});

describe("the projection", () => {
  it("carries the view with only the timeline entries of the accepted events", async () => {
    const order = await given(released(), ship("shipment.dispatched", at(10)));
    const step = await order.when(ship("shipment.in_transit", at(12)), ship("shipment.dispatched", at(10)));
    const projection = step.change?.projection;
    expect(projection?.kind).toBe("projection");
    expect(projection?.order.version).toBe(3);
    expect(projection?.order.updatedAt).toBe(NOW);
    expect(projection?.order.status).toBe("in_transit");
    expect(projection?.order.timeline.map((t) => t.eventId)).toEqual([ship("shipment.in_transit", at(12)).eventId]);
  });

  it("carries the open internal exceptions for ops", async () => {
    const order = await given(released([{ sku: "A", quantity: 2 }]));
    const step = await order.when(ship("shipment.dispatched", at(10), "S1", { lines: [{ sku: "B", quantity: 1 }] }));
    expect(step.change?.projection?.opsExceptions?.map((x) => x.kind)).toEqual(["line_mismatch"]);
  });

  it("is null while the order is not released: there is nobody to show it to", async () => {
    const order = await given();
    const step = await order.when(ship("shipment.dispatched", at(10)));
    expect(step.change).not.toBeNull();
    expect(step.change?.projection).toBeNull();
  });

  it("of a re-projection carries the whole timeline", async () => {
    const order = await given(released(), ship("shipment.dispatched", at(10)));
    const step = await order.when(ship("shipment.in_transit", at(12)));
    const state = step.change?.state;
    if (!state) throw new Error("no state");
    const full = projectionOf(state, NOW, "req-r");
    expect(full?.order.timeline).toHaveLength(3);
    expect(full?.correlationId).toBe("req-r");
  });
});

describe("keys", () => {
  it("the order learns are to be bound once: the tracking number on dispatch, nothing on a later scan", async () => {
    const order = await given(released());
    const dispatched = await order.when(ship("shipment.dispatched", at(10)));
    expect(dispatched.change?.keys).toEqual([trackingKey("TRK-S1")]);
    const scan = await order.when(ship("shipment.in_transit", at(11)));
    expect(scan.change?.keys).toEqual([]);
  });

  it("of a second parcel come alone", async () => {
    const order = await given(released(), ship("shipment.dispatched", at(10)));
    const step = await order.when(ship("shipment.dispatched", at(10), "S2"));
    expect(step.change?.keys).toEqual([trackingKey("TRK-S2")]);
  });
});

describe("content hash", () => {
  it("is the same for an event and its JSON round trip, and leaves out what partners restate", async () => {
    const e = ship("shipment.in_transit", at(11), "S1", { eta: "2026-11-23", description: "In transit" });
    const hash = await contentHash(e);
    expect(await contentHash(JSON.parse(JSON.stringify(e)) as CanonicalEvent)).toBe(hash);
    expect(await contentHash({ ...e, eta: "2026-11-24", description: "On its way" })).toBe(hash);
    expect(await contentHash({ ...e, carrier: "fedex" })).not.toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("assignment (DESIGN §3.9)", () => {
  const acmeScan = ev("fulfillment.picked", at(9), { source: "acme-3pl" });
  async function step(routes: { partner: string }[]) {
    const r = released();
    return orderStep(
      deepFreeze({
        orderId: ORDER,
        held: new Map([[r.eventId, { event: r, hash: await contentHash(r) }]]),
        arrivals: [await arrival(acmeScan)],
        lastArrival: 1,
        emitted: [],
        lastSeq: 0,
        keys: new Set<string>(),
        now: NOW,
        routes,
        fulfilment: [],
        fulfilmentPartners: new Set(["acme-3pl", "edi"]),
      }),
    );
  }

  it("with routes, a fulfilment partner's report on an order not routed to it is not recorded", async () => {
    expect((await step([{ partner: "edi" }])).results).toEqual([{ eventId: acmeScan.eventId, outcome: "not-assigned" }]);
  });

  it("without routes (no orchestration) nothing is assigned, so nobody's report is refused", async () => {
    expect((await step([])).results).toEqual([{ eventId: acmeScan.eventId, outcome: "accepted" }]);
  });
});
