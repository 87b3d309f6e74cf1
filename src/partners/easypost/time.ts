// EasyPost timestamps (TrackingDetail.datetime, est_delivery_date) as canonical instants.
// EasyPost writes ISO-8601 with `Z` or an offset; its docs say a scan's time carries the location's zone when
// EasyPost knows it and defaults to UTC otherwise, so a time without any zone is read as UTC, deliberately.

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** The instant `raw` denotes, in `toISOString()` form; undefined when it is not an ISO-8601 date-time. */
export function easypostInstant(raw: string | null | undefined): string | undefined {
  const m = raw ? ISO.exec(raw.trim()) : null;
  if (!m) return undefined;
  const [, date, time = "00:00:00", fraction = "", zone = "Z"] = m;
  const hms = time.length === 5 ? `${time}:00` : time;
  // Date parses milliseconds at most; a longer fraction is cut, not rounded (a scan is never moved later).
  const offset = zone.toUpperCase() === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${date}T${hms}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
