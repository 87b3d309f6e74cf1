// Normalisation shared by adapters, so the same parcel has one identity whoever reports it.

/** Tracking numbers: carriers print them with spaces or dashes and in any case ("1Z 999 AA1 01 2345 6784"). */
export function normalizeTrackingNumber(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const v = raw.replace(/[\s-]+/g, "").toUpperCase();
  return v === "" ? undefined : v;
}

/** "" and null mean "absent" in vendor payloads; a trimmed empty string is absent too. */
export function present(v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}
