// After an ERP outage, every order's head command sleeps in its own backoff window (up to
// ERP_RETRY_MAX_SECONDS: minutes after a long outage) although the ERP is back. The first delivery that
// succeeds after failing is the sign that it is back: it wakes the other waiting heads, oldest first: each
// order applies its cursor's `wake` (a head waiting out its backoff is due now) and sends the head's message.
// Waking is safe to overdo: a woken order whose head is delivered, leased or blocked sends nothing, the
// consumer drops a message for a head that is not deliverable, and the ERP's idempotency keys make a double
// delivery a no-op.
import { orderStub } from "../orders";
import { errorName, log } from "../platform/log";

/** Orders woken per wake (ERP_WAKE_ORDERS, 0 = off); the rest wake with the next retried success, or on their own schedule. */
const wakeLimit = (env: Env) => Math.max(0, Number(env.ERP_WAKE_ORDERS ?? "500") || 0);
/** At most one wake per isolate in this window: every retried success during a recovery would wake otherwise. */
export const WAKE_INTERVAL_MS = 15_000;

let lastWakeAt = Number.NEGATIVE_INFINITY;

/**
 * Wakes the orders whose head command waits for the ERP (read from the D1 read model's ERP cursors), except
 * `orderId`, whose chain the caller is delivering. Returns how many were woken (0 inside the window). Never
 * throws: the caller has already acknowledged its message, and a failed wake only costs time (every waiting
 * head still retries on its own schedule).
 */
export async function wakeWaitingOrders(env: Env, orderId: string, correlationId: string, now = Date.now()): Promise<number> {
  const limit = wakeLimit(env);
  if (limit === 0 || now - lastWakeAt < WAKE_INTERVAL_MS) return 0;
  lastWakeAt = now;
  try {
    const { results } = await env.DB.prepare(
      `SELECT order_id FROM erp_progress
       WHERE oldest_pending_at IS NOT NULL AND dead_seq IS NULL AND order_id != ?
       ORDER BY oldest_pending_at LIMIT ?`,
    )
      .bind(orderId, limit)
      .all<{ order_id: string }>();
    const woken = await Promise.allSettled(results.map((r) => orderStub(env, r.order_id).wakeErp()));
    const failed = woken.flatMap((n) => (n.status === "rejected" ? [n.reason] : []));
    log.info("erp answered again: woke orders waiting for it", { correlationId, woken: results.length - failed.length, failed: failed.length });
    if (failed.length > 0) log.warn("waking an order failed", { correlationId, error: errorName(failed[0]) });
    return results.length - failed.length;
  } catch (err) {
    log.warn("waking the waiting orders failed", { correlationId, error: errorName(err) });
    return 0;
  }
}

/** For tests: forget the last wake, so the next retried success wakes again. */
export function resetWakeWindow(): void {
  lastWakeAt = Number.NEGATIVE_INFINITY;
}
