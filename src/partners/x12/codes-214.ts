// The 214's vocabulary: AT701 shipment status codes (X12 element 1650) and AT702 reason codes (1651),
// with their standard names, and what each status means on our canonical milestone taxonomy.
import type { ExceptionReason, MilestoneCode } from "../../domain/milestones";

export interface StatusMeaning {
  /** The code's standard name; the event's description. */
  label: string;
  /** Our milestone; absent when the status is not a milestone (see `why`). */
  code?: MilestoneCode;
  reason?: ExceptionReason;
  /** Why a known status yields no event. */
  why?: string;
  /** The status is an estimate: its date/time is the ETA of the set's other events, not an event. */
  estimate?: boolean;
}

const moving = (label: string): StatusMeaning => ({ label, code: "shipment.in_transit" });
const atDoor = (label: string): StatusMeaning => ({ label, code: "shipment.out_for_delivery" });
const problem = (label: string, reason: ExceptionReason): StatusMeaning => ({ label, code: "shipment.exception", reason });
const none = (label: string, why: string): StatusMeaning => ({ label, why });

/**
 * X12 004010 has no "out for delivery" status ("OO" is "Paperwork Received - Did not Receive Shipment or
 * Equipment", not out-for-delivery); the truck at the consignee's door (X1, X5, S1, AJ) is the nearest.
 * AF — the carrier left the pickup with the freight — is in transit: the dispatch fact is the 3PL's 945.
 */
export const AT7_STATUS: Readonly<Record<string, StatusMeaning>> = {
  XB: { label: "Shipment Acknowledged", code: "shipment.label_created" },
  OO: { label: "Paperwork Received - Did not Receive Shipment or Equipment", code: "shipment.label_created" },
  X3: none("Arrived at Pick-up Location", "the carrier is at the pickup; nothing has moved yet"),
  X8: none("Arrived at Pick-up Location Loading Dock", "the carrier is at the pickup; nothing has moved yet"),
  AF: moving("Carrier Departed Pick-up Location with Shipment"),
  CP: moving("Completed Loading at Pick-up Location"),
  AM: moving("Loaded on Truck"),
  X6: moving("En Route to Delivery Location"),
  X4: moving("Arrived at Terminal Location"),
  P1: moving("Departed Terminal Location"),
  R1: moving("Received from Prior Carrier"),
  J1: moving("Delivered to Connecting Line"),
  BA: moving("Connecting Line or Cartage Pick-up"),
  AN: moving("Diverted to Air Carrier"),
  AI: moving("Shipment has been Reconsigned"),
  AR: moving("Rail Arrival at Destination Intermodal Ramp"),
  RL: moving("Rail Departure from Origin Intermodal Ramp"),
  AV: moving("Available for Delivery"),
  BC: moving("Storage in Transit"),
  K1: moving("Arrived at Customs"),
  CT: moving("Customs Release"),
  I1: moving("In-Gate"),
  X1: atDoor("Arrived at Delivery Location"),
  X5: atDoor("Arrived at Delivery Location Loading Dock"),
  S1: atDoor("Trailer Spotted at Consignee's Location"),
  AJ: atDoor("Tendered for Delivery"),
  AH: { label: "Attempted Delivery", code: "shipment.delivery_attempted" },
  AP: { label: "Delivery Not Completed", code: "shipment.delivery_attempted" },
  AW: { label: "Shipment Available for Pick-up", code: "shipment.available_for_pickup" },
  D1: { label: "Completed Unloading at Delivery Location", code: "shipment.delivered" },
  CB: { label: "Completed Shipment", code: "shipment.delivered" },
  CD: none("Carrier Departed Delivery Location", "the delivery itself is reported by D1"),
  A3: { label: "Shipment Returned to Shipper", code: "shipment.returned_to_sender" },
  A7: problem("Refused by Consignee", "refused"),
  A9: problem("Shipment Damaged", "damaged"),
  SD: problem("Shipment Delayed", "delayed"),
  PR: problem("U.S. Customs Hold at In-Bond Location", "customs_hold"),
  CA: problem("Shipment Cancelled", "other"),
  PA: problem("Partial Shipment", "other"),
  AG: { label: "Estimated Delivery", estimate: true },
  X2: { label: "Estimated Date and/or Time of Arrival at Consignee's Location", estimate: true },
  B6: none("Estimated to Arrive at Carrier Terminal", "an estimate for a terminal, not for the consignee"),
  C1: none("Estimated to Depart Terminal Location", "an estimate for a terminal, not for the consignee"),
  CL: none("Trailer Closed Out", "an equipment status"),
};

/** AT702 names, for descriptions; the common ones of X12 element 1651. */
export const AT7_REASON: Readonly<Record<string, string>> = {
  NS: "Normal Status",
  A1: "Missed Delivery",
  A2: "Incorrect Address",
  A3: "Indirect Delivery",
  A5: "Unable to Locate",
  A6: "Address Corrected - Delivery Attempted",
  AA: "Mis-sort",
  AD: "Customer Requested Future Delivery",
  AF: "Accident",
  AG: "Consignee Related",
  AH: "Driver Related",
  AI: "Mechanical Breakdown",
  AJ: "Other Carrier Related",
  AK: "Damaged, Rewrapped in Hub",
  AL: "Previous Stop",
  AM: "Shipper Related",
  AN: "Holiday - Closed",
  AO: "Weather or Natural Disaster Related",
  AQ: "Recipient Unavailable - Delivery Delayed",
  AR: "Improper International Paperwork",
  AS: "Hold Due to Customs Documentation Problems",
  AW: "Past Cut-off Time",
  AY: "Missed Pick-up",
  B1: "Consignee Closed",
  B5: "Held for Consignee",
  BB: "Held per Shipper",
  BD: "Border Clearance",
  BE: "Road Conditions",
  BG: "Other",
  BH: "Insufficient Time to Complete Delivery",
  BK: "Prearranged Appointment",
  BS: "Refused by Customer",
  BT: "Returned to Shipper",
  C1: "Waiting for Customer Pick-up",
  CA: "Customs (Import or Export)",
  D2: "Driver Not Available",
};

/** A reason that says more than a generic delay or "other" (SD, CA, PA): weather, address, customs… */
const REFINED: Readonly<Record<string, ExceptionReason>> = {
  AO: "weather",
  A2: "address_issue",
  A5: "address_issue",
  A6: "address_issue",
  AK: "damaged",
  BS: "refused",
  AR: "customs_hold",
  AS: "customs_hold",
  BD: "customs_hold",
  CA: "customs_hold",
};

export function exceptionReason(base: ExceptionReason, at702: string): ExceptionReason {
  if (base !== "delayed" && base !== "other") return base;
  return REFINED[at702] ?? base;
}
