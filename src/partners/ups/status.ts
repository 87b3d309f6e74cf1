// UPS activity status → canonical milestone. The status `type` is the documented, stable part (Track
// Alert: D, I, M, MV, U, X; the Tracking API adds P and RS); the two-letter `code` and the description
// only refine it (out for delivery is an "I", a parcel waiting at an Access Point is a "D").
import type { ExceptionReason, MilestoneCode } from "../../domain/milestones";

export type UpsStatus = { type: string; code?: string | null; description?: string | null; descriptionCode?: string | null };

export type UpsMapping = { kind: "event"; code: MilestoneCode; reason?: ExceptionReason } | { kind: "ignored"; why: string } | { kind: "unknown"; why: string };

// Description code "021" and activity code "OT" are what UPS documents for "Out for Delivery".
const OUT_FOR_DELIVERY = (s: UpsStatus) => s.code === "OT" || s.descriptionCode === "021" || /out for delivery/i.test(s.description ?? "");
// A "D" event that leaves the parcel at a UPS Access Point or counter is not yet in the recipient's hands.
const AWAITING_PICKUP = /access point|customer pick ?up|held for pick ?up|ready for pick ?up/i;

// Exception wording → reason. Order matters: the first match wins, the most specific wording first.
const EXCEPTION_RULES: readonly [RegExp, UpsMapping & { kind: "event" }][] = [
  [/return(ed|ing)? to (the )?(sender|shipper)/i, { kind: "event", code: "shipment.returned_to_sender" }],
  [/not (available|home)|no one (was )?(available|home)|delivery attempt|attempted/i, { kind: "event", code: "shipment.delivery_attempted" }],
  [/weather|natural disaster|emergency conditions/i, { kind: "event", code: "shipment.exception", reason: "weather" }],
  [/refus/i, { kind: "event", code: "shipment.exception", reason: "refused" }],
  [/damage/i, { kind: "event", code: "shipment.exception", reason: "damaged" }],
  [/address|incorrect (street|apartment|suite)|moved/i, { kind: "event", code: "shipment.exception", reason: "address_issue" }],
  [/customs|clearance|brokerage|import/i, { kind: "event", code: "shipment.exception", reason: "customs_hold" }],
  [/lost|cannot be located|missing|unable to locate/i, { kind: "event", code: "shipment.exception", reason: "lost" }],
  [/delay|rescheduled|late|missed/i, { kind: "event", code: "shipment.exception", reason: "delayed" }],
];

export function mapUpsStatus(status: UpsStatus): UpsMapping {
  const description = status.description ?? "";
  switch (status.type.toUpperCase()) {
    case "M":
      return { kind: "event", code: "shipment.label_created" };
    case "MV":
      // The label was voided after it was created: someone should look (EasyPost "cancelled" likewise).
      return { kind: "event", code: "shipment.exception", reason: "other" };
    case "P":
      // A pickup scan is the carrier's; the warehouse's own dispatch fact comes from the 3PL.
      return { kind: "event", code: "shipment.in_transit" };
    case "I":
      return { kind: "event", code: OUT_FOR_DELIVERY(status) ? "shipment.out_for_delivery" : "shipment.in_transit" };
    case "D":
      return { kind: "event", code: AWAITING_PICKUP.test(description) ? "shipment.available_for_pickup" : "shipment.delivered" };
    case "RS":
      return { kind: "event", code: "shipment.returned_to_sender" };
    case "X":
      return EXCEPTION_RULES.find(([re]) => re.test(description))?.[1] ?? { kind: "event", code: "shipment.exception", reason: "other" };
    case "U":
      // Only the scheduled delivery date or window changed: no milestone happened.
      return { kind: "ignored", why: "UPS status type U (updated delivery date or time) is not a milestone" };
    default:
      return { kind: "unknown", why: `UPS status type "${status.type}" is not one UPS documents` };
  }
}
