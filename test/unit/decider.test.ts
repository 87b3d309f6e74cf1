// Given / when / then over the pure decider: one test per rule of the order state machine.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/domain/decider";
import type { CanonicalEvent } from "../../src/domain/event";
import { fold } from "../../src/domain/state";
import { at, ev, ORDER, released, ship } from "../helpers/events";

/** Feeds events one arrival at a time, as the OrderDO does, and collects the commands emitted. */
function given(...history: CanonicalEvent[]) {
  const set = new Map<string, CanonicalEvent>();
  const emitted = new Set<string>();
  const commands: { key: string; type: string; seq: number }[] = [];
  const when = (...arrivals: CanonicalEvent[]) => {
    const before = commands.length;
    for (const e of arrivals) {
      if (set.has(e.eventId)) continue;
      set.set(e.eventId, e);
      const d = decide(ORDER, [...set.values()], emitted, commands.length);
      for (const c of d.commands) {
        emitted.add(c.key);
        commands.push({ key: c.key, type: c.type, seq: c.seq });
      }
    }
    return { state: fold(ORDER, [...set.values()]), emitted: commands.slice(before), all: commands };
  };
  when(...history);
  return { when };
}

describe("order status", () => {
  it("is released when only the ERP release is known", () => {
    expect(given().when(released()).state.status).toBe("released");
  });

  it("is awaiting_release while partner events arrive before the release", () => {
    expect(given().when(ship("shipment.dispatched", at(10))).state.status).toBe("awaiting_release");
  });

  it("is in_fulfillment once the warehouse acknowledges", () => {
    expect(given(released()).when(ev("fulfillment.acknowledged", at(9))).state.status).toBe("in_fulfillment");
  });

  it("follows when things happened, not when messages arrived", () => {
    const { state } = given(released()).when(ship("shipment.in_transit", at(12)), ship("shipment.dispatched", at(10)));
    expect(state.status).toBe("in_transit");
    expect(state.statusAt).toBe(at(12));
  });

  it("keeps a delivered shipment delivered when a stale scan arrives late", () => {
    const { state } = given(released(), ship("shipment.dispatched", at(10)), ship("shipment.delivered", at(15))).when(ship("shipment.in_transit", at(12)));
    expect(state.status).toBe("delivered");
    expect(state.shipments[0]?.status).toBe("delivered");
  });

  it("keeps a delivered shipment delivered even when a later-dated scan arrives", () => {
    const { state } = given(released(), ship("shipment.dispatched", at(10)), ship("shipment.delivered", at(15))).when(ship("shipment.in_transit", at(18)));
    expect(state.shipments[0]?.status).toBe("delivered");
    expect(state.timeline.map((t) => t.code)).toContain("shipment.in_transit");
  });

  it("does not change when a duplicate arrives", () => {
    const d = ship("shipment.dispatched", at(10));
    const g = given(released(), d);
    const before = g.when().state;
    const after = g.when(d, { ...d }).state;
    expect(after).toEqual(before);
  });

  it("is partially_shipped, then shipped, as shipments carry part and then all of the quantities", () => {
    const lines = [
      { sku: "A", quantity: 2 },
      { sku: "B", quantity: 1 },
    ];
    const g = given(released(lines));
    expect(g.when(ship("shipment.dispatched", at(10), "S1", { lines: [{ sku: "A", quantity: 2 }] })).state.status).toBe("partially_shipped");
    expect(g.when(ship("shipment.dispatched", at(11), "S2", { lines: [{ sku: "B", quantity: 1 }] })).state.status).toBe("shipped");
    expect(g.when(ship("shipment.delivered", at(14), "S1")).state.status).toBe("partially_delivered");
    expect(g.when(ship("shipment.delivered", at(16), "S2")).state.status).toBe("delivered");
  });

  it("is as far along as its least advanced shipment", () => {
    const g = given(
      released([{ sku: "A", quantity: 2 }]),
      ship("shipment.dispatched", at(10), "S1", { lines: [{ sku: "A", quantity: 1 }] }),
      ship("shipment.dispatched", at(10), "S2", { lines: [{ sku: "A", quantity: 1 }] }),
    );
    expect(g.when(ship("shipment.out_for_delivery", at(12), "S1")).state.status).toBe("shipped");
    expect(g.when(ship("shipment.in_transit", at(12), "S2")).state.status).toBe("in_transit");
    expect(g.when(ship("shipment.out_for_delivery", at(13), "S2")).state.status).toBe("out_for_delivery");
  });

  it("ends correct when a delivery is seen before its dispatch", () => {
    const g = given(released());
    expect(g.when(ship("shipment.delivered", at(15))).state.status).toBe("delivered");
    const { state } = g.when(ship("shipment.dispatched", at(10)));
    expect(state.status).toBe("delivered");
    expect(state.shipments[0]).toMatchObject({ status: "delivered", dispatchedAt: at(10), deliveredAt: at(15) });
  });

  it("is cancelled when the cancellation comes before any dispatch", () => {
    const { state } = given(released()).when(ev("order.cancelled", at(9), { eventId: "cancel" }));
    expect(state.status).toBe("cancelled");
    expect(state.exceptions).toEqual([]);
  });

  it("turns a cancellation after dispatch into an open exception, not a silent state change", () => {
    const { state } = given(released(), ship("shipment.dispatched", at(10))).when(ev("order.cancelled", at(11), { eventId: "cancel" }));
    expect(state.status).toBe("shipped");
    expect(state.exceptions).toEqual([expect.objectContaining({ kind: "cancel_after_dispatch", open: true })]);
  });

  it("lists an exception as open without hiding the underlying progress, and closes it on later progress", () => {
    const g = given(released(), ship("shipment.dispatched", at(10)), ship("shipment.in_transit", at(11)));
    const s1 = g.when(ship("shipment.exception", at(12), "S1", { reason: "weather" })).state;
    expect(s1.status).toBe("in_transit");
    expect(s1.exceptions.filter((x) => x.open)).toHaveLength(1);
    const s2 = g.when(ship("shipment.out_for_delivery", at(14))).state;
    expect(s2.exceptions.filter((x) => x.open)).toHaveLength(0);
  });

  it("is returned once the return covers the order", () => {
    const { state } = given(released(), ship("shipment.dispatched", at(10)), ship("shipment.delivered", at(12))).when(
      ev("return.received", at(20), { returnId: "RMA-1", lines: [{ sku: "A", quantity: 2 }] }),
    );
    expect(state.status).toBe("returned");
    expect(state.returns).toEqual([expect.objectContaining({ returnId: "RMA-1" })]);
  });

  it("stays delivered when only part of the order comes back", () => {
    const { state } = given(released(), ship("shipment.dispatched", at(10)), ship("shipment.delivered", at(12))).when(
      ev("return.received", at(20), { returnId: "RMA-1", lines: [{ sku: "A", quantity: 1 }] }),
    );
    expect(state.status).toBe("delivered");
  });

  it("is returned when every shipment went back to the sender, with an open exception", () => {
    const { state } = given(released(), ship("shipment.dispatched", at(10))).when(ship("shipment.returned_to_sender", at(20)));
    expect(state.status).toBe("returned");
    expect(state.exceptions).toEqual([expect.objectContaining({ kind: "returned_to_sender", open: true })]);
  });
});

describe("shipment identity", () => {
  it("joins a carrier scan that knows only the tracking number to the 3PL's shipment, whatever arrives first", () => {
    const scan = ev("shipment.out_for_delivery", at(14), { trackingNumber: "TRK-S1", eventId: "carrier-scan" });
    const carrierFirst = given(released()).when(scan, ship("shipment.dispatched", at(10))).state;
    const dispatchFirst = given(released()).when(ship("shipment.dispatched", at(10)), scan).state;
    expect(carrierFirst).toEqual(dispatchFirst);
    expect(carrierFirst.shipments).toEqual([expect.objectContaining({ shipmentId: "S1", trackingNumber: "TRK-S1", status: "out_for_delivery" })]);
    expect(carrierFirst.status).toBe("out_for_delivery");
  });

  it("keeps two parcels with different tracking numbers apart", () => {
    const { state } = given(released([{ sku: "A", quantity: 2 }])).when(
      ship("shipment.dispatched", at(10), "S1", { lines: [{ sku: "A", quantity: 1 }] }),
      ship("shipment.dispatched", at(10), "S2", { lines: [{ sku: "A", quantity: 1 }] }),
      ev("shipment.delivered", at(15), { trackingNumber: "TRK-S2", eventId: "carrier-delivered" }),
    );
    expect(state.shipments.map((s) => [s.shipmentId, s.status])).toEqual([
      ["S1", "dispatched"],
      ["S2", "delivered"],
    ]);
    expect(state.status).toBe("partially_delivered");
  });
});

describe("ERP commands", () => {
  it("confirms each shipment once, when it is dispatched", () => {
    const g = given(released());
    expect(g.when(ship("shipment.dispatched", at(10), "S1")).emitted).toEqual([{ key: "shipment-confirmation:S1", type: "ShipmentConfirmation", seq: 1 }]);
    expect(g.when(ship("shipment.in_transit", at(11), "S1"), ship("shipment.dispatched", at(10), "S1", { eventId: "again" })).emitted).toEqual([]);
    expect(g.when(ship("shipment.dispatched", at(12), "S2")).emitted.map((c) => c.key)).toEqual(["shipment-confirmation:S2"]);
  });

  it("never turns tracking scans into commands", () => {
    const g = given(released(), ship("shipment.dispatched", at(10)));
    const scans = [
      "shipment.in_transit",
      "shipment.out_for_delivery",
      "shipment.delivery_attempted",
      "shipment.available_for_pickup",
      "shipment.label_created",
    ] as const;
    expect(g.when(...scans.map((c, i) => ship(c, at(11 + i)))).emitted).toEqual([]);
  });

  it("confirms a delivery after its shipment confirmation", () => {
    const { all } = given(released(), ship("shipment.dispatched", at(10))).when(ship("shipment.delivered", at(15)));
    expect(all.map((c) => [c.type, c.seq])).toEqual([
      ["ShipmentConfirmation", 1],
      ["DeliveryConfirmation", 2],
    ]);
  });

  it("holds a delivery seen before its dispatch, then emits both, in order, when the dispatch arrives", () => {
    const g = given(released());
    expect(g.when(ship("shipment.delivered", at(15))).emitted).toEqual([]);
    expect(g.when(ship("shipment.dispatched", at(10))).emitted.map((c) => [c.type, c.seq])).toEqual([
      ["ShipmentConfirmation", 1],
      ["DeliveryConfirmation", 2],
    ]);
  });

  it("raises a FulfillmentException for an exception that needs action, not for a delay", () => {
    const g = given(released(), ship("shipment.dispatched", at(10)));
    expect(g.when(ship("shipment.exception", at(11), "S1", { reason: "weather" })).emitted).toEqual([]);
    expect(g.when(ship("shipment.exception", at(12), "S1", { reason: "damaged" })).emitted.map((c) => c.type)).toEqual(["FulfillmentException"]);
  });

  it("raises a FulfillmentException for a cancellation after dispatch", () => {
    const { emitted } = given(released(), ship("shipment.dispatched", at(10))).when(ev("order.cancelled", at(11), { eventId: "cancel" }));
    expect(emitted).toEqual([expect.objectContaining({ key: "fulfillment-exception:cancel", type: "FulfillmentException" })]);
  });

  it("records each received return once, under its return id", () => {
    const g = given(released(), ship("shipment.dispatched", at(10)), ship("shipment.delivered", at(12)));
    const r = (id: string) => ev("return.received", at(20), { eventId: id, returnId: "RMA-1", lines: [{ sku: "A", quantity: 2 }] });
    expect(g.when(r("from-3pl")).emitted.map((c) => c.key)).toEqual(["return-receipt:RMA-1"]);
    expect(g.when(r("from-wms")).emitted).toEqual([]);
  });

  it("emits nothing for the release or a cancellation before dispatch", () => {
    expect(given().when(released(), ev("order.cancelled", at(9), { eventId: "cancel" })).emitted).toEqual([]);
  });
});
