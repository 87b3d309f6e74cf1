// Shippo timestamps (status_date, eta) as canonical instants. Shippo writes ISO-8601 in UTC with `Z` (its
// samples: "2016-07-23T00:00:00Z", sometimes with milliseconds); an offset is honoured, and a time without
// any zone is read as UTC, deliberately, since UTC is what Shippo uses everywhere else.

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** The instant `raw` denotes, in `toISOString()` form; undefined when it is empty or not ISO-8601. */
export function shippoInstant(raw: string | null | undefined): string | undefined {
  const m = raw ? ISO.exec(raw.trim()) : null;
  if (!m) return undefined;
  const [, date, time = "00:00:00", fraction = "", zone = "Z"] = m;
  const hms = time.length === 5 ? `${time}:00` : time;
  const offset = zone.toUpperCase() === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  // Date parses milliseconds at most; a longer fraction is cut, not rounded.
  const ms = Date.parse(`${date}T${hms}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
