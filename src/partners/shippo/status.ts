// Shippo's tracking statuses (UNKNOWN, PRE_TRANSIT, TRANSIT, DELIVERED, RETURNED, FAILURE) onto canonical
// milestones. TRANSIT covers much that is not plain transit, so its substatus decides: out for delivery, an
// attempt, a pickup point, or a problem with a named cause.
import type { ExceptionReason, MilestoneCode } from "../../domain/milestones";

export type StatusMapping = { code: MilestoneCode; reason?: ExceptionReason } | { ignored: string } | { unknown: string };

const TRANSIT_BY_SUBSTATUS: Readonly<Record<string, { code: MilestoneCode; reason?: ExceptionReason }>> = {
  out_for_delivery: { code: "shipment.out_for_delivery" },
  delivery_attempted: { code: "shipment.delivery_attempted" },
  notice_left: { code: "shipment.delivery_attempted" },
  location_inaccessible: { code: "shipment.delivery_attempted" },
  reschedule_delivery: { code: "shipment.delivery_attempted" },
  pickup_available: { code: "shipment.available_for_pickup" },
  address_issue: { code: "shipment.exception", reason: "address_issue" },
  package_damaged: { code: "shipment.exception", reason: "damaged" },
  delayed: { code: "shipment.exception", reason: "delayed" },
  package_held: { code: "shipment.exception", reason: "other" },
  contact_carrier: { code: "shipment.exception", reason: "other" },
};

// A disposed parcel is as gone as a lost one; "undeliverable" says nothing more than that it failed.
const FAILURE_REASONS: Readonly<Record<string, ExceptionReason>> = {
  package_lost: "lost",
  package_disposed: "lost",
};

export function mapShippoStatus(status: string, substatus: string | undefined): StatusMapping {
  switch (status) {
    case "UNKNOWN":
      return { ignored: "Shippo status UNKNOWN: the carrier has said nothing about the parcel yet" };
    case "PRE_TRANSIT":
      return { code: "shipment.label_created" };
    case "TRANSIT":
      return (substatus && TRANSIT_BY_SUBSTATUS[substatus]) || { code: "shipment.in_transit" };
    case "DELIVERED":
      return { code: "shipment.delivered" };
    case "RETURNED":
      // return_to_sender and package_unclaimed alike: the parcel is on its way back.
      return { code: "shipment.returned_to_sender" };
    case "FAILURE":
      return { code: "shipment.exception", reason: (substatus && FAILURE_REASONS[substatus]) || "other" };
    default:
      return { unknown: `unknown Shippo tracking status "${status}"` };
  }
}
