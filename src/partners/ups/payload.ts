// The UPS payload shapes we accept, as UPS publishes them (UPS-API/api-documentation): the Track Alert
// webhook message (one activity) and the Tracking API response (a package's whole activity history).
// UPS sends "" for fields that do not apply yet, so every text field is optional and blank-tolerant.
import { z } from "zod";

const text = z.string().nullish();

export const TrackAlertStatus = z.object({ type: z.string().trim().min(1), code: text, description: text, descriptionCode: text });

/** One Track Alert message: the `TrackingEventRequest` schema of UPSTrackAlert.yaml. */
export const TrackAlertMessage = z.object({
  trackingNumber: z.string(),
  localActivityDate: text,
  localActivityTime: text,
  gmtActivityDate: text,
  gmtActivityTime: text,
  activityLocation: z.object({ city: text, stateProvince: text, postalCode: text, country: text }).nullish(),
  activityStatus: TrackAlertStatus,
  scheduledDeliveryDate: text,
  actualDeliveryDate: text,
  actualDeliveryTime: text,
});
export type TrackAlertMessage = z.infer<typeof TrackAlertMessage>;

const Activity = z.object({
  date: text,
  time: text,
  gmtDate: text,
  gmtTime: text,
  gmtOffset: text,
  location: z.object({ address: z.object({ city: text, stateProvince: text, postalCode: text, country: text, countryCode: text }).nullish() }).nullish(),
  status: z.object({ type: z.string().trim().min(1), code: text, description: text, statusCode: text }),
});
export type TrackingActivity = z.infer<typeof Activity>;

const Package = z.object({
  trackingNumber: z.string(),
  activity: z.array(Activity).nullish(),
  deliveryDate: z.array(z.object({ type: text, date: text })).nullish(),
});
export type TrackingPackage = z.infer<typeof Package>;

/** A Tracking API response (`TrackApiResponse` of Tracking.yaml): shipments → packages → activities. */
export const TrackingResponse = z.object({
  trackResponse: z.object({ shipment: z.array(z.object({ package: z.array(Package).nullish() })) }),
});
export type TrackingResponse = z.infer<typeof TrackingResponse>;
