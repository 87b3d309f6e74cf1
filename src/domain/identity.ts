// What makes two events with the same id "the same": used to tell a retry from a conflicting reuse.
import type { CanonicalEvent } from "./event";

/** A canonical event, or one whose order is not resolved yet (parked by its correlation key). */
type AnyEvent = Omit<CanonicalEvent, "orderId"> & { orderId?: string };

export function identityOf(e: AnyEvent): unknown {
  // The ERP stamps releases and cancellations with the time it sent them; a retried release carries a
  // new time but the same order, so only the order content counts.
  if (e.code === "order.released" || e.code === "order.cancelled") return { code: e.code, order: e.order ?? null, description: e.description ?? null };
  // A partner event is the fact it states. Not part of it, because partners restate them with every
  // re-send of a history: the estimate (AfterShip, Shippo and X12 214 put the parcel's current ETA on the
  // newest scan or on every scan of a set, so an older scan loses or changes it) and the carrier's wording
  // (carriers reword; the content-derived ids leave it out for the same reason). Anything else that differs
  // under one id is a different fact: a conflict, and the first version stands.
  const { eventId: _id, eta: _eta, description: _description, ...fact } = e;
  return fact;
}

/**
 * The identity as text with sorted keys and absent fields left out, so an event and its JSON round trip
 * (a parked copy) compare equal: equal texts are a re-send, different ones a conflicting reuse of the id.
 */
export function identityText(e: AnyEvent): string {
  return stable(identityOf(e));
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}
