// Given / when / then over the portal view's tracking fields: each event's parcel, each parcel's items,
// and the destination, coarse enough for a public page.
import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "../../src/domain/event";
import { fold } from "../../src/domain/state";
import { portalView } from "../../src/domain/view";
import { at, ev, ORDER, released, ship } from "../helpers/events";

const view = (...events: CanonicalEvent[]) => {
  const v = portalView(fold(ORDER, events), at(23));
  if (!v) throw new Error("no view before the release");
  return v;
};
const parcelOf = (v: ReturnType<typeof view>, code: string) => v.timeline.filter((t) => t.code === code).map((t) => t.shipmentId);

describe("the portal view for the tracking page", () => {
  it("names each shipment event's parcel as the shipments do, and none for events about the order", () => {
    const v = view(
      released(),
      ev("fulfillment.packed", at(9)),
      ship("shipment.dispatched", at(10), "S1"),
      ship("shipment.dispatched", at(10, 30), "S2"),
      // A carrier scan that names only the tracking number: parcel S1's.
      ev("shipment.in_transit", at(12), { trackingNumber: "TRK-S1" }),
    );
    expect(v.shipments.map((s) => s.shipmentId)).toEqual(["S1", "S2"]);
    expect(parcelOf(v, "order.released")).toEqual([null]);
    expect(parcelOf(v, "fulfillment.packed")).toEqual([null]);
    expect(parcelOf(v, "shipment.dispatched")).toEqual(["S1", "S2"]);
    expect(parcelOf(v, "shipment.in_transit")).toEqual(["S1"]);
  });

  it("gives a parcel the lines its dispatch report gave, and null when no report said (never the order's lines)", () => {
    const v = view(
      released([
        { sku: "A", quantity: 1 },
        { sku: "B", quantity: 3 },
      ]),
      ship("shipment.dispatched", at(10), "S1", { lines: [{ sku: "A", quantity: 1 }] }),
      ship("shipment.dispatched", at(11), "S2"),
    );
    expect(v.shipments.map((s) => s.lines)).toEqual([[{ sku: "A", quantity: 1 }], null]);
  });

  it("keeps the destination's city, region and country, never the name, street or postcode", () => {
    const release = released();
    const order = release.order;
    if (!order) throw new Error("release without order");
    const v = view({
      ...release,
      order: {
        ...order,
        shipTo: { name: "Ada Lovelace", line1: "12 Elm Street", line2: "Flat 3", city: "Portland", region: "OR", postalCode: "97201", country: "US" },
      },
    });
    expect(v.destination).toEqual({ city: "Portland", region: "OR", country: "US" });
    expect(view(released()).destination).toEqual({ country: "US" });
  });
});
