// The public shapes of the HTTP API, as zod schemas: they validate requests and generate /openapi.json.
import { z } from "@hono/zod-openapi";
import { ORDER_STATUSES, SHIPMENT_STATUSES } from "../domain/milestones";
import type { PortalOrder } from "../domain/view";

const Location = z.object({ city: z.string().optional(), region: z.string().optional(), postalCode: z.string().optional(), country: z.string().optional() });

export const Shipment = z
  .object({
    shipmentId: z.string(),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    status: z.enum([...SHIPMENT_STATUSES, "pending"]),
    lastEvent: z.object({ code: z.string(), occurredAt: z.string(), location: Location.optional() }).nullable(),
    eta: z.string().nullable(),
    lines: z
      .array(z.object({ sku: z.string(), quantity: z.number().int() }))
      .nullable()
      .openapi({ description: "What the parcel holds, as its dispatch report gave it; null when no partner said", example: [{ sku: "WID-1", quantity: 2 }] }),
  })
  .openapi("Shipment");

export const Destination = z.object({ city: z.string().optional(), region: z.string().optional(), country: z.string().optional() }).openapi("Destination", {
  description: "Where the order goes, coarse: city, region and country only (never a street, name or postcode)",
  example: { city: "Portland", region: "OR", country: "US" },
});

export const TimelineEntry = z
  .object({
    eventId: z.string(),
    code: z.string().openapi({ example: "shipment.dispatched" }),
    occurredAt: z.string().openapi({ example: "2026-11-20T14:03:00.000Z" }),
    shipmentId: z
      .string()
      .nullable()
      .openapi({ description: "The parcel (one of `shipments`) the event is about; null for an event about the whole order", example: "SHP-1" }),
    location: Location.optional(),
    description: z.string().openapi({ example: "Shipped" }),
    source: z.string().openapi({ example: "acme-3pl" }),
  })
  .openapi("TimelineEntry");

export const OpenException = z
  .object({
    id: z.string(),
    kind: z.string(),
    reason: z.string().nullable(),
    shipmentId: z.string().nullable(),
    occurredAt: z.string(),
    description: z.string(),
  })
  .openapi("OpenException");

export const Order = z
  .object({
    orderId: z.string().openapi({ example: "SO-1001" }),
    customerId: z.string(),
    status: z.enum(ORDER_STATUSES),
    statusAt: z.string().nullable(),
    destination: Destination.nullable().openapi({ description: "Null for orders not updated since destinations were kept" }),
    shipments: z.array(Shipment),
    timeline: z.array(TimelineEntry),
    openExceptions: z.array(OpenException),
    version: z.number().int().openapi({ description: "Grows with every new event of the order; the ETag is derived from it" }),
    updatedAt: z.string(),
    trackingUrl: z.string().openapi({ description: "Public tracking page for the end customer (unguessable signed link)" }),
  })
  .openapi("Order");

export const OrderSummary = z
  .object({
    orderId: z.string(),
    status: z.enum(ORDER_STATUSES),
    statusAt: z.string().nullable(),
    openExceptions: z.number().int(),
    version: z.number().int(),
    updatedAt: z.string().openapi({ description: "When the order last changed (the order's own clock)" }),
    syncedAt: z.string().openapi({ description: "When the read model last changed this row: what `updatedSince` compares with" }),
  })
  .openapi("OrderSummary");

export const OrderList = z
  .object({
    items: z.array(OrderSummary),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last" }),
    syncCursor: z.string().nullable().openapi({
      description: "Pass as `cursor` later to get only what changed since this answer (every change, however late it lands); null when nothing was listed yet",
    }),
  })
  .openapi("OrderList");

// The read model's shape and the documented one must not drift apart.
// (A compile-time check: PortalOrder must be assignable to the documented Order.)
type Documented = Omit<z.infer<typeof Order>, "trackingUrl">;
export const asDocumented = (o: PortalOrder): Documented => o;
