// Shopify's shipment vocabulary → canonical milestones: a fulfillment's `shipment_status` and a fulfillment
// event's `status` share one list (FulfillmentEventStatus); a fulfillment's own `status` says whether the
// fulfillment (the dispatch fact) stands.
import type { ExceptionReason, MilestoneCode } from "../../domain/milestones";

export type ShopifyMilestone = { code: MilestoneCode; reason?: ExceptionReason };

/** shipment_status / fulfillment event status. `confirmed`: the carrier knows of the parcel but has not got it. */
export const SHIPMENT_STATUS: Readonly<Record<string, ShopifyMilestone>> = {
  label_printed: { code: "shipment.label_created" },
  label_purchased: { code: "shipment.label_created" },
  confirmed: { code: "shipment.label_created" },
  carrier_picked_up: { code: "shipment.in_transit" },
  picked_up: { code: "shipment.in_transit" },
  in_transit: { code: "shipment.in_transit" },
  out_for_delivery: { code: "shipment.out_for_delivery" },
  attempted_delivery: { code: "shipment.delivery_attempted" },
  ready_for_pickup: { code: "shipment.available_for_pickup" },
  delivered: { code: "shipment.delivered" },
  delayed: { code: "shipment.exception", reason: "delayed" },
  failure: { code: "shipment.exception", reason: "other" },
};

/**
 * A fulfillment's own status. Shopify creates a fulfillment when items leave (`success`); `pending` and
 * `open` are the legacy fulfillment-service states of the same fulfillment and are taken as the dispatch
 * too. `cancelled`, `error` and `failure` withdraw it: an exception someone has to look at, never a silent
 * un-dispatch (a dispatch fact already reached the ERP).
 */
export const FULFILLMENT_STATUS: Readonly<Record<string, "dispatched" | "withdrawn">> = {
  success: "dispatched",
  pending: "dispatched",
  open: "dispatched",
  cancelled: "withdrawn",
  error: "withdrawn",
  failure: "withdrawn",
};
