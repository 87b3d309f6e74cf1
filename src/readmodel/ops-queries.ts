// Ops reads over D1: dead letters, correlation conflicts and the aggregate figures of GET /ops/metrics.
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { correlationConflicts, deadLetters } from "./schema";

/** Newest first; `causes`: any of (a cause and its synonym). */
export async function listDeadLetters(db: D1Database, opts: { status?: string; causes?: readonly string[]; before?: string; limit: number }) {
  return drizzle(db)
    .select()
    .from(deadLetters)
    .where(
      and(
        opts.status ? eq(deadLetters.status, opts.status) : undefined,
        opts.causes ? inArray(deadLetters.cause, [...opts.causes]) : undefined,
        opts.before ? lt(deadLetters.createdAt, opts.before) : undefined,
      ),
    )
    .orderBy(desc(deadLetters.createdAt))
    .limit(opts.limit);
}

export async function getDeadLetter(db: D1Database, id: string) {
  return (await drizzle(db).select().from(deadLetters).where(eq(deadLetters.id, id)))[0] ?? null;
}

export async function markDeadLetterReplayed(db: D1Database, id: string): Promise<void> {
  await drizzle(db).update(deadLetters).set({ status: "replayed", replayedAt: new Date().toISOString() }).where(eq(deadLetters.id, id));
}

// D1 allows 100 bound parameters per statement: order ids go in parts, beside the status and causes.
const ID_CHUNK = 90;

/**
 * Open dead letters matching all the given filters (causes: any of; orderIds: any of), oldest first, at most
 * `limit`. The caller asks for one more than it will take, to know whether more remain.
 */
export async function openDeadLettersMatching(db: D1Database, f: { causes?: readonly string[]; orderIds?: readonly string[]; limit: number }) {
  const where = (ids?: readonly string[]) =>
    and(
      eq(deadLetters.status, "open"),
      f.causes ? inArray(deadLetters.cause, [...f.causes]) : undefined,
      ids ? inArray(deadLetters.orderId, [...ids]) : undefined,
    );
  const query = (ids?: readonly string[]) =>
    drizzle(db).select().from(deadLetters).where(where(ids)).orderBy(asc(deadLetters.createdAt), asc(deadLetters.id)).limit(f.limit);
  if (!f.orderIds) return query();
  const parts: (readonly string[])[] = [];
  for (let i = 0; i < f.orderIds.length; i += ID_CHUNK) parts.push(f.orderIds.slice(i, i + ID_CHUNK));
  const rows = (await Promise.all(parts.map((ids) => query(ids)))).flat();
  return rows.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).slice(0, f.limit);
}

/** Marks open dead letters replayed; one already marked (a replay meanwhile) keeps its first replayedAt. */
export async function markDeadLettersReplayed(db: D1Database, ids: readonly string[], now = new Date().toISOString()): Promise<void> {
  const statements = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const part = ids.slice(i, i + ID_CHUNK);
    statements.push(
      db
        .prepare(`UPDATE dead_letters SET status = 'replayed', replayed_at = ? WHERE status = 'open' AND id IN (${part.map(() => "?").join(",")})`)
        .bind(now, ...part),
    );
  }
  if (statements.length) await db.batch(statements);
}

export interface ErpBacklog {
  /** Commands emitted but not yet acknowledged by the ERP, over all orders. */
  pendingCommands: number;
  ordersWithPending: number;
  oldestPendingAt: string | null;
  oldestPendingAgeSeconds: number | null;
  ordersBlockedByDeadLetter: number;
}

export async function erpBacklog(db: D1Database, now = Date.now()): Promise<ErpBacklog> {
  const r = await db
    .prepare(
      `SELECT coalesce(sum(last_seq - acked_seq), 0) AS pending,
              coalesce(sum(last_seq > acked_seq), 0) AS orders,
              min(oldest_pending_at) AS oldest,
              coalesce(sum(dead_seq IS NOT NULL), 0) AS blocked
       FROM erp_progress`,
    )
    .first<{ pending: number; orders: number; oldest: string | null; blocked: number }>();
  const oldest = r?.oldest ?? null;
  return {
    pendingCommands: r?.pending ?? 0,
    ordersWithPending: r?.orders ?? 0,
    oldestPendingAt: oldest,
    oldestPendingAgeSeconds: oldest ? Math.max(0, Math.round((now - Date.parse(oldest)) / 1000)) : null,
    ordersBlockedByDeadLetter: r?.blocked ?? 0,
  };
}

export type Conflict = typeof correlationConflicts.$inferSelect;

/** Open (not yet dealt with) or resolved conflicts, newest first. */
export async function listConflicts(db: D1Database, opts: { status: "open" | "resolved"; before?: string; limit: number }): Promise<Conflict[]> {
  return drizzle(db)
    .select()
    .from(correlationConflicts)
    .where(
      and(
        opts.status === "open" ? isNull(correlationConflicts.resolvedAt) : isNotNull(correlationConflicts.resolvedAt),
        opts.before ? lt(correlationConflicts.detectedAt, opts.before) : undefined,
      ),
    )
    .orderBy(desc(correlationConflicts.detectedAt))
    .limit(opts.limit);
}

export async function getConflict(db: D1Database, key: string, claimantOrderId: string): Promise<Conflict | null> {
  const rows = await drizzle(db)
    .select()
    .from(correlationConflicts)
    .where(and(eq(correlationConflicts.key, key), eq(correlationConflicts.claimantOrderId, claimantOrderId)));
  return rows[0] ?? null;
}

/** Records what ops decided; the check is in the UPDATE, so of two racing resolutions only one lands (false: already resolved). */
export async function markConflictResolved(
  db: D1Database,
  key: string,
  claimantOrderId: string,
  r: { by: string; resolution: string },
  now = new Date().toISOString(),
): Promise<boolean> {
  const res = await db
    .prepare(
      "UPDATE correlation_conflicts SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE key = ? AND claimant_order_id = ? AND resolved_at IS NULL",
    )
    .bind(now, r.by, r.resolution, key, claimantOrderId)
    .run();
  return res.meta.changes > 0;
}

/** Open dead letters, open quarantined payloads, unresolved correlation conflicts. */
export async function openCounts(db: D1Database): Promise<{ deadLetters: number; quarantine: number; correlationConflicts: number }> {
  const [dl, q, c] = await db.batch<{ n: number }>([
    db.prepare("SELECT count(*) AS n FROM dead_letters WHERE status = 'open'"),
    db.prepare("SELECT count(*) AS n FROM quarantine WHERE status = 'open'"),
    db.prepare("SELECT count(*) AS n FROM correlation_conflicts WHERE resolved_at IS NULL"),
  ]);
  return { deadLetters: dl?.results[0]?.n ?? 0, quarantine: q?.results[0]?.n ?? 0, correlationConflicts: c?.results[0]?.n ?? 0 };
}
