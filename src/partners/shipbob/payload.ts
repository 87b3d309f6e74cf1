// The ShipBob webhook bodies we map: shipment topics carry a Shipment, order topics an Order (with its
// shipments), the tracking topics a flat tracking event. Field names are ShipBob's Orders API view models;
// only what we read is declared.
import { z } from "zod";

const text = z.string().nullish();

/** ShipBob ids are 32-bit integers; some payloads send them as digit strings. */
const Id = z.union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/)]).transform(String);

/**
 * ShipBob datetimes are UTC. Most carry "Z" (with up to seven fractional digits: .3614767Z); the API also
 * returns some without any zone, which ShipBob documents as UTC — read so here, deliberately, rather than
 * in whatever zone the runtime happens to be in.
 */
export function shipbobInstant(raw: string): string | undefined {
  const s = raw.trim();
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(s);
  if (!zoned && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(s)) return undefined;
  const ms = Date.parse(zoned ? s : `${s}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const Timestamp = z
  .string()
  .transform(shipbobInstant)
  .pipe(z.string({ error: "not a ShipBob datetime" }));
/** An optional datetime: ShipBob sends null (or "") until the thing has happened. */
const When = z
  .union([z.literal(""), Timestamp])
  .nullish()
  .transform((v) => v || undefined);

const InventoryItem = z.object({ quantity: z.number().int() });
const ShipmentProduct = z.object({ sku: text, reference_id: text, inventory_items: z.array(InventoryItem).nullish() });
export type ShipmentProduct = z.infer<typeof ShipmentProduct>;

export const Shipment = z.object({
  id: Id,
  order_id: Id,
  reference_id: text,
  status: text,
  status_details: z.array(z.object({ name: text, description: text })).nullish(),
  tracking: z.object({ carrier: text, tracking_number: text, carrier_service: text, shipping_date: When }).nullish(),
  products: z.array(ShipmentProduct).nullish(),
  created_date: When,
  last_update_at: When,
  last_tracking_update_at: When,
  actual_fulfillment_date: When,
  delivery_date: When,
});
export type Shipment = z.infer<typeof Shipment>;

export const Order = z.object({ id: Id, reference_id: text, shipments: z.array(Shipment) });
export type Order = z.infer<typeof Order>;

/** The flat tracking event of order.shipment.tracking_received (and tracking.updated). */
export const TrackingEvent = z.object({
  event_time: Timestamp,
  order_id: Id,
  shipment_id: Id.nullish(),
  reference_id: text,
  status: z.string().trim().min(1),
  tracking: z.object({ carrier: text, tracking_id: text, tracking_number: text }).nullish(),
});
export type TrackingEvent = z.infer<typeof TrackingEvent>;
