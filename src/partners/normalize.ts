// Normalisation shared by adapters, so the same parcel has one identity whoever reports it, and a value
// that is not a tracking number never becomes one.
import { normalizeTrackingNumber as canonicalSpelling } from "../domain/correlation";
import { isTrackingNumber, TRACKING_NUMBER_RULE } from "../domain/identifiers";
import { Unmappable } from "./types";

/**
 * A vendor's tracking number in its canonical spelling, or undefined when there is none. Anything but
 * letters and digits (once spaces, dashes and invisible characters are removed) makes the payload
 * unmappable: it is kept in quarantine, never routed to whichever parcel its folded spelling matches.
 */
export function normalizeTrackingNumber(raw: string | null | undefined): string | undefined {
  const v = canonicalSpelling(raw);
  if (v === undefined) return undefined;
  if (!isTrackingNumber(raw as string)) throw new Unmappable(`tracking number ${JSON.stringify(raw)} is not one: ${TRACKING_NUMBER_RULE}`);
  return v;
}

/** "" and null mean "absent" in vendor payloads; a trimmed empty string is absent too. */
export function present(v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}
