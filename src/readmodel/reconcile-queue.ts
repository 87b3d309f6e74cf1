// Orders known to need a read-model repair, taken first by reconciliation (before its sweep over every
// order, which at a few hundred orders per run would reach a finished order only after days).
import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { reconcileQueue } from "./schema";

const CHUNK = 30; // three bound parameters per row; D1 allows 100 per statement

export async function noteForReconcile(db: D1Database, orderIds: readonly string[], reason: string, now = new Date().toISOString()): Promise<void> {
  const d = drizzle(db);
  for (let i = 0; i < orderIds.length; i += CHUNK) {
    await d
      .insert(reconcileQueue)
      .values(orderIds.slice(i, i + CHUNK).map((orderId) => ({ orderId, reason, notedAt: now })))
      .onConflictDoNothing();
  }
}

/** The longest-noted orders first. */
export async function notedOrders(db: D1Database, limit: number): Promise<string[]> {
  const rows = await drizzle(db).select({ orderId: reconcileQueue.orderId }).from(reconcileQueue).orderBy(reconcileQueue.notedAt).limit(limit);
  return rows.map((r) => r.orderId);
}

export async function forgetNoted(db: D1Database, orderIds: readonly string[]): Promise<void> {
  for (let i = 0; i < orderIds.length; i += 90) {
    await drizzle(db)
      .delete(reconcileQueue)
      .where(inArray(reconcileQueue.orderId, orderIds.slice(i, i + 90)));
  }
}
