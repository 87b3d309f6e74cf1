// The canonical milestone taxonomy: every partner's vocabulary maps onto these codes (docs/milestones.md).
export const MILESTONE_CODES = [
  "order.released",
  "order.cancelled",
  "fulfillment.acknowledged",
  "fulfillment.picked",
  "fulfillment.packed",
  "shipment.label_created",
  "shipment.dispatched",
  "shipment.in_transit",
  "shipment.out_for_delivery",
  "shipment.delivery_attempted",
  "shipment.available_for_pickup",
  "shipment.delivered",
  "shipment.exception",
  "shipment.returned_to_sender",
  "return.authorized",
  "return.received",
] as const;
export type MilestoneCode = (typeof MILESTONE_CODES)[number];

/** Why a shipment is in exception. Only some need a human at the ERP side (see NEEDS_ACTION). */
export const EXCEPTION_REASONS = ["delayed", "weather", "address_issue", "damaged", "lost", "refused", "customs_hold", "other"] as const;
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number];
// A delay resolves itself; the others need someone to decide (reship, refund, contact the customer).
export const NEEDS_ACTION: ReadonlySet<ExceptionReason> = new Set(["address_issue", "damaged", "lost", "refused", "customs_hold", "other"]);

export const SHIPMENT_STATUSES = [
  "label_created",
  "dispatched",
  "in_transit",
  "out_for_delivery",
  "delivery_attempted",
  "available_for_pickup",
  "delivered",
  "returned_to_sender",
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** Shipment milestones that move a shipment's status, with how far along they are. */
export const SHIPMENT_PROGRESS: Readonly<Partial<Record<MilestoneCode, { status: ShipmentStatus; rank: number }>>> = {
  "shipment.label_created": { status: "label_created", rank: 1 },
  "shipment.dispatched": { status: "dispatched", rank: 2 },
  "shipment.in_transit": { status: "in_transit", rank: 3 },
  "shipment.out_for_delivery": { status: "out_for_delivery", rank: 4 },
  "shipment.delivery_attempted": { status: "delivery_attempted", rank: 4 },
  "shipment.available_for_pickup": { status: "available_for_pickup", rank: 4 },
  "shipment.delivered": { status: "delivered", rank: 9 },
  "shipment.returned_to_sender": { status: "returned_to_sender", rank: 9 },
};
/** Terminal shipment statuses are sticky: no later scan moves a shipment out of them. */
export const TERMINAL: ReadonlySet<ShipmentStatus> = new Set(["delivered", "returned_to_sender"]);

export const ORDER_STATUSES = [
  "awaiting_release",
  "released",
  "in_fulfillment",
  "partially_shipped",
  "shipped",
  "in_transit",
  "out_for_delivery",
  "partially_delivered",
  "delivered",
  "cancelled",
  "returned",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Plain words for the portal and the tracking page. */
export const DESCRIPTIONS: Readonly<Record<MilestoneCode, string>> = {
  "order.released": "Order received",
  "order.cancelled": "Order cancelled",
  "fulfillment.acknowledged": "The warehouse has your order",
  "fulfillment.picked": "Items picked",
  "fulfillment.packed": "Packed and ready to ship",
  "shipment.label_created": "Shipping label created",
  "shipment.dispatched": "Shipped",
  "shipment.in_transit": "In transit",
  "shipment.out_for_delivery": "Out for delivery",
  "shipment.delivery_attempted": "Delivery attempted",
  "shipment.available_for_pickup": "Available for pickup",
  "shipment.delivered": "Delivered",
  "shipment.exception": "Delivery problem",
  "shipment.returned_to_sender": "Returned to sender",
  "return.authorized": "Return authorized",
  "return.received": "Return received",
};
