import { type AttemptRow, type DeliveryRow, listDeliveries } from "./store";

export interface SubscriptionCounts {
  active: number;
  /** Active, but every delivery has failed since `failing_since`. */
  failing: number;
  disabled: number;
  /** Deliveries created since `since` still being retried, and those given up on. */
  pending: number;
  dead: number;
}

/**
 * The subscriptions by state, and the recent deliveries pending or dead. The deliveries are read through
 * subscription_deliveries_recent (subscription_id, created_at): one index range per subscription, never a
 * scan of the whole log.
 */
export async function subscriptionCounts(db: D1Database, since: string): Promise<SubscriptionCounts> {
  const row = await db
    .prepare(
      `SELECT
         (SELECT count(*) FROM subscriptions WHERE status = 'active') AS active,
         (SELECT count(*) FROM subscriptions WHERE status = 'active' AND failing_since IS NOT NULL) AS failing,
         (SELECT count(*) FROM subscriptions WHERE status = 'disabled') AS disabled,
         coalesce(sum(d.status = 'pending'), 0) AS pending,
         coalesce(sum(d.status = 'dead'), 0) AS dead
       FROM subscription_deliveries d
       WHERE d.subscription_id IN (SELECT id FROM subscriptions) AND d.created_at >= ?1 AND d.status IN ('pending', 'dead')`,
    )
    .bind(since)
    .first<Record<keyof SubscriptionCounts, number>>();
  return {
    active: Number(row?.active ?? 0),
    failing: Number(row?.failing ?? 0),
    disabled: Number(row?.disabled ?? 0),
    pending: Number(row?.pending ?? 0),
    dead: Number(row?.dead ?? 0),
  };
}

/** Where a page of the log ends: the last delivery shown. */
export interface DeliveryCursor {
  createdAt: string;
  id: string;
}

export type LoggedDelivery = DeliveryRow & { attemptLog: AttemptRow[] };

/** A page of a subscription's deliveries, newest first, each with its attempts (oldest first). */
export async function deliveryPage(
  db: D1Database,
  subscriptionId: string,
  limit: number,
  before?: DeliveryCursor,
): Promise<{ items: LoggedDelivery[]; next: DeliveryCursor | null }> {
  // One more than shown: a next page exists only if it does.
  const rows = await listDeliveries(db, subscriptionId, { limit: limit + 1, ...(before ? { before } : {}) });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
