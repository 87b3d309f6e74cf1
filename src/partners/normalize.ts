// Normalisation shared by adapters, so the same parcel has one identity whoever reports it.
export { normalizeTrackingNumber } from "../domain/correlation";

/** "" and null mean "absent" in vendor payloads; a trimmed empty string is absent too. */
export function present(v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}
