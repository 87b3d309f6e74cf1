// Reads only the ops console makes: the overview's subscription counts (one D1 query), and a subscription's
// delivery log paged by (created_at, id). The pair is the cursor because one change's events share their
// created_at: a cursor on the time alone would drop those that fall on either side of a page's end.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { subscriptionAttempts, subscriptionDeliveries } from "../readmodel/schema";
import type { AttemptRow, DeliveryRow } from "./store";

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
  const d = drizzle(db);
  const rows = await d
    .select()
    .from(subscriptionDeliveries)
    .where(
      and(
        eq(subscriptionDeliveries.subscriptionId, subscriptionId),
        before ? sql`(${subscriptionDeliveries.createdAt}, ${subscriptionDeliveries.id}) < (${before.createdAt}, ${before.id})` : undefined,
      ),
    )
    .orderBy(desc(subscriptionDeliveries.createdAt), desc(subscriptionDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next = rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null;
  if (page.length === 0) return { items: [], next };
  const attempts = await d
    .select()
    .from(subscriptionAttempts)
    .where(
      and(
        eq(subscriptionAttempts.subscriptionId, subscriptionId),
        inArray(
          subscriptionAttempts.deliveryId,
          page.map((r) => r.id),
        ),
      ),
    )
    .orderBy(subscriptionAttempts.id);
  return { items: page.map((r) => ({ ...r, attemptLog: attempts.filter((a) => a.deliveryId === r.id) })), next };
}
