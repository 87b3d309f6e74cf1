// The canonical event: what every partner payload and every ERP release becomes. Nothing downstream of
// an adapter ever sees a partner's own shape. Timestamps are normalised to UTC ISO-8601 so that they
// order correctly as strings.
import { z } from "zod";
import { EXCEPTION_REASONS, MILESTONE_CODES } from "./milestones";

const id = z.string().trim().min(1).max(200);
/** Any ISO-8601 instant with an offset, normalised to `toISOString()` form. */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const Line = z.object({ sku: id, quantity: z.number().int().positive().max(1_000_000) });
export type Line = z.infer<typeof Line>;

export const Location = z
  .object({
    city: z.string().max(120).optional(),
    region: z.string().max(120).optional(),
    postalCode: z.string().max(32).optional(),
    country: z.string().max(64).optional(),
  })
  .strict();

export const OrderRef = z.object({ system: id, id });
export type OrderRef = z.infer<typeof OrderRef>;

export const Address = z.object({
  name: z.string().max(200).optional(),
  line1: z.string().max(200).optional(),
  line2: z.string().max(200).optional(),
  city: z.string().max(120).optional(),
  region: z.string().max(120).optional(),
  postalCode: z.string().max(32).optional(),
  country: z.string().max(64),
});

/** What the ERP told us when it released the order (carried by `order.released`). */
export const OrderDetails = z.object({
  customerId: id,
  lines: z.array(Line).min(1).max(500),
  shipTo: Address,
  promisedDate: z.iso.date().optional(),
  refs: z.array(OrderRef).max(20).optional(),
});
export type OrderDetails = z.infer<typeof OrderDetails>;

export const CanonicalEvent = z.object({
  eventId: id,
  orderId: id,
  code: z.enum(MILESTONE_CODES),
  occurredAt: Instant,
  /** Partner id, or "erp" for order releases and cancellations. */
  source: id,
  shipmentId: id.optional(),
  carrier: z.string().trim().min(1).max(64).optional(),
  trackingNumber: id.optional(),
  lines: z.array(Line).max(500).optional(),
  location: Location.optional(),
  reason: z.enum(EXCEPTION_REASONS).optional(),
  description: z.string().max(500).optional(),
  eta: Instant.optional(),
  returnId: id.optional(),
  order: OrderDetails.optional(),
});
export type CanonicalEvent = z.infer<typeof CanonicalEvent>;
