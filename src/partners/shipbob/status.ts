// ShipBob's vocabulary → canonical milestones: the carrier statuses of its tracking events, and the
// reasons behind a shipment that is on hold or in exception (both happen BEFORE the parcel leaves).
import type { ExceptionReason, MilestoneCode } from "../../domain/milestones";

export type ShipBobMilestone = { code: MilestoneCode; reason?: ExceptionReason };

/** Tracking statuses (LabelCreated, InTransit, OutForDelivery, Delivered, …), compared without case. */
export const TRACKING_STATUS: Readonly<Record<string, ShipBobMilestone>> = {
  labelcreated: { code: "shipment.label_created" },
  awaitingcarrierscan: { code: "shipment.label_created" },
  intransit: { code: "shipment.in_transit" },
  outfordelivery: { code: "shipment.out_for_delivery" },
  deliveryattempted: { code: "shipment.delivery_attempted" },
  attemptedelivery: { code: "shipment.delivery_attempted" },
  availableforpickup: { code: "shipment.available_for_pickup" },
  delivered: { code: "shipment.delivered" },
  returntosender: { code: "shipment.returned_to_sender" },
  returnedtosender: { code: "shipment.returned_to_sender" },
  deliveryexception: { code: "shipment.exception", reason: "other" },
  exception: { code: "shipment.exception", reason: "other" },
};

export function trackingStatus(status: string): ShipBobMilestone | undefined {
  return TRACKING_STATUS[status.replace(/[\s_-]+/g, "").toLowerCase()];
}

/**
 * Why ShipBob holds a shipment, from its status details (e.g. InvalidAddress, OutOfStock). An address
 * problem is the customer's to fix; everything else (stock, a manual hold) needs the merchant: `other`.
 */
export function holdReason(details: readonly { name?: string | null; description?: string | null }[]): ExceptionReason {
  return details.some((d) => /address/i.test(`${d.name ?? ""} ${d.description ?? ""}`)) ? "address_issue" : "other";
}
