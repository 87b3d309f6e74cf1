// EasyPost timestamps (TrackingDetail.datetime, est_delivery_date) as canonical instants.
// EasyPost writes ISO-8601 with `Z` or an offset; its docs say a scan's time carries the location's zone when
// EasyPost knows it and defaults to UTC otherwise, so a time without any zone is read as UTC, deliberately.
import { isoInstant } from "../iso-instant";

/** The instant `raw` denotes, in `toISOString()` form; undefined when it is not an ISO-8601 date-time. */
export function easypostInstant(raw: string | null | undefined): string | undefined {
  return (raw ? isoInstant(raw) : null) ?? undefined;
}
