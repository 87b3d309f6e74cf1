// The canonical event: what every partner payload and every ERP release becomes. Nothing downstream of
// an adapter ever sees a partner's own shape. Timestamps are normalised to UTC ISO-8601 so that they
// order correctly as strings. Every text goes through identifiers.ts: one grammar for order ids, no
// control characters or lone surrogates anywhere, tracking numbers in their normalised form.
import { z } from "zod";
import { OrderId, PlausibleInstant, SafeId, SafeText } from "./identifiers";
import { EXCEPTION_REASONS, MILESTONE_CODES } from "./milestones";

const id = SafeId;
/** Any ISO-8601 instant with an offset, normalised to `toISOString()` form (an estimate: not bounded). */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
/** When a fact happened: an Instant from 2000 to a day ahead of our clock. */
export const FactInstant = PlausibleInstant();
/** A tracking number as stored: normalised (upper case, letters and digits only; see `normalizeTrackingNumber`). */
export const TrackingNumber = z.string().regex(/^[A-Z0-9]{1,64}$/, "a tracking number is stored as 1 to 64 upper-case ASCII letters and digits");

export const Line = z.object({ sku: id, quantity: z.number().int().positive().max(1_000_000) });
export type Line = z.infer<typeof Line>;

export const Location = z
  .object({
    city: SafeText(120).optional(),
    region: SafeText(120).optional(),
    postalCode: SafeText(32).optional(),
    country: SafeText(64).optional(),
  })
  .strict();

export const OrderRef = z.object({ system: id, id });
export type OrderRef = z.infer<typeof OrderRef>;

export const Address = z.object({
  name: SafeText(200).optional(),
  line1: SafeText(200).optional(),
  line2: SafeText(200).optional(),
  city: SafeText(120).optional(),
  region: SafeText(120).optional(),
  postalCode: SafeText(32).optional(),
  country: SafeText(64),
});

/** What the ERP told us when it released the order (carried by `order.released`). */
export const OrderDetails = z.object({
  customerId: id,
  /** How fast the customer bought (e.g. "NEXT_DAY"): routing may send it to another partner (DESIGN §3.9). */
  serviceLevel: SafeText(64).trim().min(1).optional(),
  lines: z.array(Line).min(1).max(500),
  shipTo: Address,
  promisedDate: z.iso.date().optional(),
  refs: z.array(OrderRef).max(20).optional(),
});
export type OrderDetails = z.infer<typeof OrderDetails>;

export const CanonicalEvent = z.object({
  eventId: id,
  orderId: OrderId,
  code: z.enum(MILESTONE_CODES),
  occurredAt: FactInstant,
  /** Partner id, or "erp" for order releases and cancellations. */
  source: id,
  shipmentId: id.optional(),
  carrier: SafeText(64).trim().min(1).optional(),
  trackingNumber: TrackingNumber.optional(),
  lines: z.array(Line).max(500).optional(),
  location: Location.optional(),
  reason: z.enum(EXCEPTION_REASONS).optional(),
  description: SafeText(500).optional(),
  eta: Instant.optional(),
  returnId: id.optional(),
  order: OrderDetails.optional(),
});
export type CanonicalEvent = z.infer<typeof CanonicalEvent>;
