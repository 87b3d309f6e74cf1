// Shippo timestamps (status_date, eta) as canonical instants. Shippo writes ISO-8601 in UTC with `Z` (its
// samples: "2016-07-23T00:00:00Z", sometimes with milliseconds); an offset is honoured, and a time without
// any zone is read as UTC, deliberately, since UTC is what Shippo uses everywhere else.
import { isoInstant } from "../iso-instant";

/** The instant `raw` denotes, in `toISOString()` form; undefined when it is empty or not ISO-8601. */
export function shippoInstant(raw: string | null | undefined): string | undefined {
  return (raw ? isoInstant(raw) : null) ?? undefined;
}
