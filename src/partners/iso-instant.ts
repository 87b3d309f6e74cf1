// ISO-8601 date-times as canonical instants, for the vendors that write them (EasyPost, Shippo, AfterShip).
// Each vendor's time.ts says what an empty or zone-less value means for that vendor; the grammar is shared.

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The instant `value` denotes, in `toISOString()` form; null when it is not an ISO-8601 date or date-time.
 * A date alone is midnight UTC and a time without a zone is read as UTC: all three vendors read it so.
 */
export function isoInstant(value: string): string | null {
  const m = ISO.exec(value.trim());
  if (!m) return null;
  const [, date, time = "00:00:00", fraction = "", zone = "Z"] = m;
  const hms = time.length === 5 ? `${time}:00` : time;
  const offset = zone.toUpperCase() === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  // Date parses milliseconds at most; a longer fraction is cut, not rounded (a scan is never moved later).
  const ms = Date.parse(`${date}T${hms}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
