// The Shopify webhook bodies we map, as shopify.dev publishes them (Admin REST resources). Only the fields
// we read are declared; ids go through shopifyId so that 64-bit ids stay exact digits.
import { z } from "zod";
import { shopifyId } from "./json";

const text = z.string().nullish();

/** A Shopify id as decimal digits (see json.ts for why numbers are not trusted beyond 2^53). */
const Id = z
  .union([z.number(), z.string()])
  .transform(shopifyId)
  .pipe(z.string({ error: "not a Shopify id" }));

/** Shopify timestamps carry their offset ("2021-12-31T19:00:00-05:00"); normalised to UTC ISO-8601. */
const Timestamp = z
  .string()
  .transform((s) => (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(s.trim()) && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : undefined))
  .pipe(z.string({ error: "not a timestamp with an offset" }));

const LineItem = z.object({ sku: text, quantity: z.number().int() });

export const Fulfillment = z.object({
  id: Id,
  order_id: Id,
  status: z.string(),
  created_at: Timestamp,
  updated_at: Timestamp.nullish(),
  tracking_company: text,
  tracking_number: text,
  tracking_numbers: z.array(z.string()).nullish(),
  shipment_status: text,
  line_items: z.array(LineItem).nullish(),
});
export type Fulfillment = z.infer<typeof Fulfillment>;

export const FulfillmentEvent = z.object({
  id: Id,
  fulfillment_id: Id,
  order_id: Id,
  status: z.string(),
  message: text,
  happened_at: Timestamp,
  city: text,
  province: text,
  zip: text,
  country: text,
  estimated_delivery_at: Timestamp.nullish(),
});
export type FulfillmentEvent = z.infer<typeof FulfillmentEvent>;

/** An order (orders/* topics); its fulfillments have the fulfillments/* shape. */
export const Order = z.object({ id: Id, fulfillments: z.array(Fulfillment).nullish() });

export const Refund = z.object({
  id: Id,
  order_id: Id,
  created_at: Timestamp,
  refund_line_items: z.array(z.object({ quantity: z.number().int(), restock_type: text, line_item: z.object({ sku: text }).nullish() })).nullish(),
});
export type Refund = z.infer<typeof Refund>;

/** returns/approve: the order is nested, and the body has no timestamp of its own. */
export const Return = z.object({ id: Id, order: z.object({ id: Id }) });
