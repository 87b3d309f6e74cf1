// The parts of a Shippo webhook we read: `{ event, test, data }`, where a track_updated `data` is the
// Tracking object (`tracking_status` now, `tracking_history` all along). Unknown fields are allowed.
import { z } from "zod";

const text = z.string().nullish();

export const ShippoWebhook = z.object({
  event: z.string().min(1),
  test: z.boolean().nullish(),
  data: z.unknown(),
});

export const TrackingStatus = z.object({
  status: z.string().min(1),
  // An object { code, text, action_required } since API 2018-02-08; older accounts may send a bare string.
  substatus: z.union([z.object({ code: text }), z.string()]).nullish(),
  status_date: text,
  status_details: text,
  location: z.object({ city: text, state: text, zip: text, country: text }).partial().nullish(),
});
export type TrackingStatus = z.infer<typeof TrackingStatus>;

export const Track = z.object({
  tracking_number: z.string(),
  carrier: text,
  eta: text,
  tracking_status: TrackingStatus.nullish(),
  tracking_history: z.array(TrackingStatus).nullish(),
});
export type Track = z.infer<typeof Track>;
