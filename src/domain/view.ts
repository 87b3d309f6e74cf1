// The customer-facing view of an order (the portal's shape, DESIGN §3.5): what the projection writes to
// D1. Internal ERP postings never appear here.
import type { Line } from "./event";
import type { OrderStatus, ShipmentStatus } from "./milestones";
import { INTERNAL_EXCEPTIONS, type OrderState } from "./state";

export interface PortalShipment {
  shipmentId: string;
  carrier: string | null;
  trackingNumber: string | null;
  status: ShipmentStatus | "pending";
  lastEvent: { code: string; occurredAt: string; location?: Record<string, string | undefined> } | null;
  eta: string | null;
  /** What the parcel holds, from its dispatch report; null when no partner said (never guessed from the order). */
  lines: Line[] | null;
}

/** Where the order goes, coarse enough to show on a public page: never a street, name, phone or postcode. */
export interface Destination {
  city?: string;
  region?: string;
  country?: string;
}

export interface PortalOrder {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  statusAt: string | null;
  /** Null on rows projected before destinations were kept. */
  destination: Destination | null;
  shipments: PortalShipment[];
  /** `shipmentId`: the parcel (one of `shipments`) the event is about; null for an event about the whole order. */
  timeline: {
    eventId: string;
    code: string;
    occurredAt: string;
    shipmentId: string | null;
    location?: Record<string, string | undefined>;
    description: string;
    source: string;
  }[];
  openExceptions: { id: string; kind: string; reason: string | null; shipmentId: string | null; occurredAt: string; description: string }[];
  version: number;
  updatedAt: string;
}

/** Open discrepancies only ops act on (not shown to customers): what GET /ops/stuck lists as needing review. */
export function opsExceptions(state: OrderState): PortalOrder["openExceptions"] {
  return state.exceptions
    .filter((x) => x.open && INTERNAL_EXCEPTIONS.has(x.kind))
    .map((x) => ({ id: x.id, kind: x.kind, reason: x.reason ?? null, shipmentId: x.shipmentId ?? null, occurredAt: x.occurredAt, description: x.description }));
}

/** Null while the order has not been released: without a customer there is nobody to show it to. */
export function portalView(state: OrderState, updatedAt: string): PortalOrder | null {
  if (!state.details) return null;
  const { city, region, country } = state.details.shipTo;
  return {
    orderId: state.orderId,
    customerId: state.details.customerId,
    status: state.status,
    statusAt: state.statusAt ?? null,
    destination: { ...(city ? { city } : {}), ...(region ? { region } : {}), ...(country ? { country } : {}) },
    shipments: state.shipments
      .filter((s) => s.status !== "pending" || s.trackingNumber)
      .map((s) => ({
        shipmentId: s.shipmentId,
        carrier: s.carrier ?? null,
        trackingNumber: s.trackingNumber ?? null,
        status: s.status,
        lastEvent: s.lastEvent ?? null,
        eta: s.eta ?? null,
        lines: s.lines ?? null,
      })),
    timeline: state.timeline.map((t) => ({
      eventId: t.eventId,
      code: t.code,
      occurredAt: t.occurredAt,
      shipmentId: t.shipmentId ?? null,
      ...(t.location ? { location: t.location } : {}),
      description: t.description,
      source: t.source,
    })),
    // Internal discrepancies (lines that disagree with the order, a parcel booked twice) are for ops, in
    // the order's state; the customer sees what happens to the delivery, not our reconciliation work.
    openExceptions: state.exceptions
      .filter((x) => x.open && !INTERNAL_EXCEPTIONS.has(x.kind))
      .map((x) => ({
        id: x.id,
        kind: x.kind,
        reason: x.reason ?? null,
        shipmentId: x.shipmentId ?? null,
        occurredAt: x.occurredAt,
        description: x.description,
      })),
    version: state.version,
    updatedAt,
  };
}
