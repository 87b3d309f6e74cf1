import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "./event";
import { identityText } from "./identity";

const scan: CanonicalEvent = {
  eventId: "aftership:abc",
  orderId: "SO-1",
  code: "shipment.in_transit",
  occurredAt: "2026-11-20T10:00:00.000Z",
  source: "aftership",
  trackingNumber: "1Z999",
  location: { city: "MEMPHIS", country: "USA" },
  description: "Departed facility",
  eta: "2026-11-22T18:00:00.000Z",
};

describe("event identity: a re-send or a conflicting reuse of an id", () => {
  it("is the same fact when only the estimate or the carrier's wording changed, or either is gone", () => {
    const { eta: _eta, ...withoutEta } = scan;
    for (const restated of [withoutEta, { ...scan, eta: "2026-11-23T18:00:00.000Z" }, { ...scan, description: "Departed from facility" }]) {
      expect(identityText(restated)).toBe(identityText(scan));
    }
  });

  it("is the same fact after a JSON round trip (a parked copy)", () => {
    expect(identityText(JSON.parse(JSON.stringify({ ...scan, shipmentId: undefined })) as CanonicalEvent)).toBe(identityText(scan));
  });

  it("is a different fact when what happened, when, where or to which parcel and lines differs", () => {
    for (const changed of [
      { ...scan, code: "shipment.delivered" as const },
      { ...scan, occurredAt: "2026-11-20T11:00:00.000Z" },
      { ...scan, location: { city: "NASHVILLE", country: "USA" } },
      { ...scan, shipmentId: "S2" },
      { ...scan, trackingNumber: "1Z998" },
      { ...scan, lines: [{ sku: "WID-1", quantity: 1 }] },
    ]) {
      expect(identityText(changed)).not.toBe(identityText(scan));
    }
  });

  it("compares an ERP release by its order content only, not by when the ERP sent it", () => {
    const order = { customerId: "C1", lines: [{ sku: "A", quantity: 1 }], shipTo: { country: "US" } };
    const release: CanonicalEvent = {
      eventId: "erp:release:SO-1",
      orderId: "SO-1",
      code: "order.released",
      occurredAt: "2026-11-20T09:00:00.000Z",
      source: "erp",
      order,
    };
    expect(identityText({ ...release, occurredAt: "2026-11-20T09:05:00.000Z" })).toBe(identityText(release));
    expect(identityText({ ...release, order: { ...order, lines: [{ sku: "A", quantity: 2 }] } })).not.toBe(identityText(release));
  });
});
