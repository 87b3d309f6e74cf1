// What a 3PL says back about a request, per milestone (pure). acme-3pl speaks dockline's canonical
// webhook ({ type: "milestone", data: { eventId, orderId, code, occurredAt, … } }); edi speaks X12: a 997
// acknowledges the 940, a 945 reports the shipment, a 214 (AT7 D1) its delivery. Everything derived from
// the request id (shipment id, tracking number, event ids) is deterministic, so saying the same milestone
// twice is a duplicate to dockline, never a second shipment.
import type { PartnerId } from "./partners";
import type { Line, Place } from "./requests";
import { type Envelope, interchange, x12DateTime } from "./x12";

export const MILESTONES = ["acknowledged", "picked", "packed", "dispatched", "delivered"] as const;
export type Milestone = (typeof MILESTONES)[number];

/** The canonical milestone code each step is reported with. */
export const CANONICAL_CODE: Readonly<Record<Milestone, string>> = {
  acknowledged: "fulfillment.acknowledged",
  picked: "fulfillment.picked",
  packed: "fulfillment.packed",
  dispatched: "shipment.dispatched",
  delivered: "shipment.delivered",
};

/** What a milestone needs to know about the request it answers. */
export interface RequestFacts {
  partner: PartnerId;
  requestId: string;
  orderId: string;
  lines: Line[];
  shipTo: Place;
  /** The 940's control numbers (edi only), for the 997. */
  x12?: { group: string; set: string };
}

export interface Shipment {
  shipmentId: string;
  trackingNumber: string;
  /** Carrier as the canonical format names it, and its SCAC for X12. */
  carrier: string;
  scac: string;
}

/** The simulated warehouse, where every order ships from. */
export const WAREHOUSE = { name: "3PL Simulator Memphis", city: "Memphis", region: "TN", postalCode: "38118", country: "US" } as const;

/** One shipment per request, named after it: "1Z" + 16 hex digits is UPS-shaped, letters and digits only. */
export async function shipmentOf(requestId: string): Promise<Shipment> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(requestId)));
  const hex = [...digest]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();
  return { shipmentId: `SHP-${hex.slice(0, 12)}`, trackingNumber: `1Z${hex.slice(12, 28)}`, carrier: "ups", scac: "UPSN" };
}

export type Message = { milestone: Milestone; contentType: string; body: string } | { milestone: Milestone; skipped: string };

/** The canonical webhook for one milestone. `requestId` rides along in `data` for dockline's acknowledgement tracking. */
export function canonicalMessage(req: RequestFacts, milestone: Milestone, at: Date, shipment: Shipment): Message {
  const shipped = milestone === "dispatched" || milestone === "delivered";
  const { name: _name, ...warehouse } = WAREHOUSE;
  const data = {
    eventId: `${req.requestId}:${milestone}`,
    orderId: req.orderId,
    requestId: req.requestId,
    code: CANONICAL_CODE[milestone],
    occurredAt: at.toISOString(),
    ...(shipped ? { shipmentId: shipment.shipmentId, carrier: shipment.carrier, trackingNumber: shipment.trackingNumber } : {}),
    ...(milestone === "dispatched" ? { location: warehouse, ...(req.lines.length > 0 ? { lines: req.lines } : {}) } : {}),
    ...(milestone === "delivered" && Object.keys(req.shipTo).length > 0 ? { location: req.shipTo } : {}),
  };
  return { milestone, contentType: "application/json", body: JSON.stringify({ type: "milestone", data }) };
}

/** The X12 interchange for one milestone, or why there is none (X12 has no pick or pack message dockline reads). */
export function x12Message(req: RequestFacts, milestone: Milestone, at: Date, shipment: Shipment, envelope: Envelope): Message {
  const { date, time } = x12DateTime(at);
  const body = (functionalId: string, id: string, segments: string[][]) => ({
    milestone,
    contentType: "application/edi-x12",
    body: interchange(envelope, functionalId, [{ id, segments }]),
  });
  switch (milestone) {
    case "acknowledged":
      // The functional acknowledgement of the 940's group and set: accepted (AK5 A, AK9 A).
      return body("FA", "997", [
        ["AK1", "OW", req.x12?.group || "0"],
        ["AK2", "940", req.x12?.set || "0001"],
        ["AK5", "A"],
        ["AK9", "A", "1", "1", "1"],
      ]);
    case "picked":
    case "packed":
      return { milestone, skipped: "X12 has no pick or pack message dockline reads (it reads 945 and 214)." };
    case "dispatched": {
      const units = req.lines.reduce((n, l) => n + l.quantity, 0);
      return body("SW", "945", [
        // W0602 echoes our 940's depositor order number (dockline's order id); W0604 is our shipment id.
        ["W06", "F", req.orderId, date, shipment.shipmentId],
        ["N1", "SF", WAREHOUSE.name],
        ["N4", WAREHOUSE.city, WAREHOUSE.region, WAREHOUSE.postalCode, WAREHOUSE.country],
        ["N9", "2I", shipment.trackingNumber],
        ["N9", "ZZ", req.requestId],
        ["G62", "11", date, "8", time, "UT"],
        ["W27", "M", shipment.scac],
        ...req.lines.flatMap((l, i) => [
          ["LX", String(i + 1)],
          ["W12", "CC", String(l.quantity), String(l.quantity), "0", "EA", "", "VN", l.sku],
        ]),
        ...(req.lines.length > 0 ? [["W03", String(units)]] : []),
      ]);
    }
    case "delivered": {
      const { city = "", region = "", country = "" } = req.shipTo;
      return body("QM", "214", [
        // B1001 the tracking number, B1002 the shipper's reference: our order id, as on the bill of lading.
        ["B10", shipment.trackingNumber, req.orderId, shipment.scac],
        ["LX", "1"],
        ["AT7", "D1", "NS", "", "", date, time, "UT"],
        ...(city || region || country ? [["MS1", city, region, country]] : []),
      ]);
    }
  }
}
