// What makes two events with the same id "the same": used to tell a retry from a conflicting reuse.
import type { CanonicalEvent } from "./event";

export function identityOf(e: CanonicalEvent): unknown {
  // The ERP stamps releases and cancellations with the time it sent them; a retried release carries a
  // new time but the same order, so only the order content counts.
  if (e.code === "order.released" || e.code === "order.cancelled") return { code: e.code, order: e.order ?? null, description: e.description ?? null };
  const { eventId: _id, ...rest } = e;
  return rest;
}
