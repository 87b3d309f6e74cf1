// Correlation keys: how an event that does not name its order (only a tracking number, or the partner's
// own order reference) finds it. One CorrelationDO per key; an order binds the keys it learns.
import type { OrderRef } from "./event";
import { TRACKING_NUMBER_LAYOUT } from "./identifiers";
import type { OrderState } from "./state";

const CANONICAL_TRACKING_NUMBER = /^[A-Z0-9]+$/;

/**
 * Tracking numbers are printed with spaces and dashes, in any case, and pasted with invisible format
 * characters: one canonical spelling. Total, for stored values and lookups; what enters from outside is
 * checked first (`isTrackingNumber`: letters and digits only), so upper-casing here never folds a foreign
 * letter into another parcel's number.
 */
export function normalizeTrackingNumber(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  // Already in canonical form (what adapters store, so what every fold sees): nothing to strip or fold.
  if (CANONICAL_TRACKING_NUMBER.test(raw)) return raw;
  const v = raw.replace(TRACKING_NUMBER_LAYOUT, "").toUpperCase();
  return v === "" ? undefined : v;
}

export function refKey(ref: OrderRef): string {
  return `ref:${ref.system.toLowerCase()}:${ref.id}`;
}

export function trackingKey(trackingNumber: string): string {
  return `trk:${normalizeTrackingNumber(trackingNumber) ?? trackingNumber}`;
}

/** The key to route an event by when it has no order id: its partner reference first (more specific). */
export function keyFor(target: { orderRef?: OrderRef | undefined; trackingNumber?: string | undefined }): string | null {
  if (target.orderRef) return refKey(target.orderRef);
  if (target.trackingNumber) return trackingKey(target.trackingNumber);
  return null;
}

/** Every key an order owns, from its release refs and its shipments' tracking numbers. */
export function keysOf(state: OrderState): string[] {
  const keys = new Set<string>();
  for (const r of state.details?.refs ?? []) keys.add(refKey(r));
  for (const s of state.shipments) if (s.trackingNumber) keys.add(trackingKey(s.trackingNumber));
  return [...keys].sort();
}
