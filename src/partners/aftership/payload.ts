// The parts of an AfterShip Tracking webhook we read: `{ event, event_id, is_tracking_first_tag, msg, ts }`,
// where `msg` is the Tracking object with its checkpoints. Unknown fields are allowed (AfterShip adds fields
// with each API version); field names that changed between versions are both accepted.
import { z } from "zod";

const text = z.string().nullish();

export const AfterShipWebhook = z.object({
  event: z.string().min(1),
  event_id: text,
  ts: z.number().nullish(),
  msg: z.unknown(),
});

export const Checkpoint = z.object({
  checkpoint_time: text,
  tag: z.string().min(1),
  subtag: text,
  message: text,
  raw_tag: text,
  slug: text,
  city: text,
  state: text,
  zip: text,
  // `country_iso3` until API 2024-04, `country_region` since.
  country_iso3: text,
  country_region: text,
});
export type Checkpoint = z.infer<typeof Checkpoint>;

const Estimate = z.object({ estimated_delivery_date: text }).nullish();

export const Tracking = z.object({
  tracking_number: z.string(),
  slug: text,
  tag: text,
  subtag: text,
  checkpoints: z.array(Checkpoint).nullish(),
  expected_delivery: text,
  aftership_estimated_delivery_date: Estimate,
  courier_estimated_delivery_date: Estimate,
});
export type Tracking = z.infer<typeof Tracking>;
