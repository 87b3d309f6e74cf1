// AfterShip timestamps as canonical instants. A checkpoint_time is the carrier's LOCAL time, and AfterShip
// documents four forms: "" (no time), "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" (no zone) and the same with an
// offset. With an offset the instant is exact. Without one the zone is unknowable (AfterShip gives no zone
// for the place), so the wall-clock time is read as UTC, deliberately: the scan may sit up to the place's
// offset away from the truth, but the same payload always maps to the same instant (and the same event id).
// A date alone is read as midnight UTC of that day.

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** The instant `raw` denotes, in `toISOString()` form; undefined for an empty value; null when unreadable. */
export function aftershipInstant(raw: string | null | undefined): string | undefined | null {
  const value = raw?.trim();
  if (!value) return undefined;
  const m = ISO.exec(value);
  if (!m) return null;
  const [, date, time = "00:00:00", fraction = "", zone = "Z"] = m;
  const hms = time.length === 5 ? `${time}:00` : time;
  const offset = zone.toUpperCase() === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  // Date parses milliseconds at most; a longer fraction is cut, not rounded.
  const ms = Date.parse(`${date}T${hms}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
