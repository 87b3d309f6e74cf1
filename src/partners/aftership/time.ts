// AfterShip timestamps as canonical instants. A checkpoint_time is the carrier's LOCAL time, and AfterShip
// documents four forms: "" (no time), "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" (no zone) and the same with an
// offset. With an offset the instant is exact. Without one the zone is unknowable (AfterShip gives no zone
// for the place), so the wall-clock time is read as UTC, deliberately: the scan may sit up to the place's
// offset away from the truth, but the same payload always maps to the same instant (and the same event id).
// A date alone is read as midnight UTC of that day.
import { isoInstant } from "../iso-instant";

/** The instant `raw` denotes, in `toISOString()` form; undefined for an empty value; null when unreadable. */
export function aftershipInstant(raw: string | null | undefined): string | undefined | null {
  // Empty is documented (a checkpoint not yet timed), so it is told apart from a value we cannot read.
  const value = raw?.trim();
  if (!value) return undefined;
  return isoInstant(value);
}
