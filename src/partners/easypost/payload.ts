// The parts of an EasyPost webhook Event we read. Vendor objects grow fields over time, so unknown fields
// are allowed; only what the mapping needs is required.
import { z } from "zod";

const text = z.string().nullish();

/** Every EasyPost webhook body is an Event: what happened (`description`) and the object it happened to. */
export const EasyPostEvent = z.object({
  object: z.literal("Event").optional(),
  id: text,
  description: z.string().min(1),
  result: z.unknown(),
});

export const TrackingDetail = z.object({
  status: z.string().min(1),
  status_detail: text,
  message: text,
  datetime: z.string().min(1),
  carrier_code: text,
  tracking_location: z.object({ city: text, state: text, zip: text, country: text }).partial().nullish(),
});
export type TrackingDetail = z.infer<typeof TrackingDetail>;

export const Tracker = z.object({
  object: z.literal("Tracker"),
  tracking_code: z.string(),
  status: z.string().min(1),
  carrier: text,
  est_delivery_date: text,
  tracking_details: z.array(TrackingDetail).nullish(),
});
export type Tracker = z.infer<typeof Tracker>;
