// Reconciliation: for each released order, compare what its Durable Object knows (the truth) with the
// D1 read model and the ERP delivery cursor, and repair drift with operations that are all safe to
// repeat: re-project (D1 upserts are version-guarded), re-nudge the ERP head command (the ERP
// deduplicates by idempotency key), flush a stuck outbox. Bounded work per call, with a cursor.
import { orderStub } from "../orders";
import { errorName, log } from "../platform/log";
import { forgetNoted, notedOrders } from "../readmodel/reconcile-queue";

export type Issue =
  | "read-model-missing"
  | "read-model-stale"
  | "read-model-ahead"
  | "erp-progress-stale"
  | "dead-letter-missing"
  | "projection-abandoned"
  | "noted-for-repair"
  | "erp-stalled"
  | "outbox-stuck"
  | "state-missing"
  | "unreachable";

export interface OrderDrift {
  orderId: string;
  issues: Issue[];
  repairs: string[];
  detail: { doVersion: number; d1Version: number | null; erpLastSeq: number; erpAckedSeq: number; d1AckedSeq: number | null };
}

export interface ReconcileReport {
  checked: number;
  drifted: number;
  orders: OrderDrift[];
  /** Pass back to continue; null when the range is exhausted. */
  nextCursor: string | null;
}

export interface ReconcileOptions {
  orderIds?: string[];
  since?: string;
  cursor?: string;
  limit: number;
  /** A pending ERP head command idle for longer than this is re-nudged. */
  stallSeconds: number;
  /** An order changed less than this long ago may still have its projection in flight: not drift yet. */
  graceSeconds: number;
  correlationId: string;
}

const CHUNK = 50; // D1 allows 100 bound parameters per statement

/**
 * Which orders this run examines: the ones named, or those noted as needing a repair (a projection out of
 * retries, a projection given up by an order's outbox) first, then the next part of the sweep over every
 * released order. The noted ones come first because the sweep reaches any one order only once a cycle.
 */
async function pickOrders(db: D1Database, o: ReconcileOptions): Promise<{ ids: string[]; noted: string[]; next: string | null }> {
  if (o.orderIds?.length) return { ids: o.orderIds.slice(0, o.limit), noted: [], next: null };
  const noted = o.since ? [] : await notedOrders(db, Math.ceil(o.limit / 2));
  const room = o.limit - noted.length;
  const rows = await db
    .prepare("SELECT order_id FROM order_index WHERE order_id > ? AND released_at >= ? ORDER BY order_id LIMIT ?")
    .bind(o.cursor ?? "", o.since ?? "", room + 1)
    .all<{ order_id: string }>();
  const swept = rows.results.map((r) => r.order_id);
  const page = swept.slice(0, room);
  const ids = [...new Set([...noted, ...page])];
  return { ids, noted, next: swept.length > room ? (page.at(-1) ?? null) : null };
}

async function readModel(db: D1Database, ids: string[]) {
  const versions = new Map<string, number>();
  const acked = new Map<string, { acked: number; last: number; dead: number | null }>();
  const deadLetters = new Map<string, number>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const marks = part.map(() => "?").join(",");
    const [o, p, dl] = await db.batch([
      db.prepare(`SELECT order_id, version FROM orders WHERE order_id IN (${marks})`).bind(...part),
      db.prepare(`SELECT order_id, acked_seq, last_seq, dead_seq FROM erp_progress WHERE order_id IN (${marks})`).bind(...part),
      db.prepare(`SELECT order_id, count(*) AS n FROM dead_letters WHERE status = 'open' AND order_id IN (${marks}) GROUP BY order_id`).bind(...part),
    ]);
    for (const r of (dl?.results ?? []) as { order_id: string; n: number }[]) deadLetters.set(r.order_id, r.n);
    for (const r of (o?.results ?? []) as { order_id: string; version: number }[]) versions.set(r.order_id, r.version);
    for (const r of (p?.results ?? []) as { order_id: string; acked_seq: number; last_seq: number; dead_seq: number | null }[]) {
      acked.set(r.order_id, { acked: r.acked_seq, last: r.last_seq, dead: r.dead_seq });
    }
  }
  return { versions, acked, deadLetters };
}

async function checkOne(
  env: Env,
  orderId: string,
  d1: Awaited<ReturnType<typeof readModel>>,
  o: ReconcileOptions,
  now: number,
  noted: boolean,
): Promise<OrderDrift> {
  const order = orderStub(env, orderId);
  const info = await order.reconcileInfo();
  const d1Version = d1.versions.get(orderId) ?? null;
  const d1Erp = d1.acked.get(orderId);
  const drift: OrderDrift = {
    orderId,
    issues: [],
    repairs: [],
    detail: { doVersion: info.version, d1Version, erpLastSeq: info.erp.lastSeq, erpAckedSeq: info.erp.ackedSeq, d1AckedSeq: d1Erp?.acked ?? null },
  };
  if (info.version === 0) {
    drift.issues.push("state-missing");
    return drift;
  }
  const settled = !info.updatedAt || now - Date.parse(info.updatedAt) >= o.graceSeconds * 1000;
  if (settled && info.projectable && d1Version === null) drift.issues.push("read-model-missing");
  else if (settled && info.projectable && d1Version !== null && d1Version < info.version) drift.issues.push("read-model-stale");
  else if (d1Version !== null && d1Version > info.version) drift.issues.push("read-model-ahead");
  if (settled && info.erp.lastSeq > 0 && (!d1Erp || d1Erp.acked !== info.erp.ackedSeq || d1Erp.last !== info.erp.lastSeq || d1Erp.dead !== info.erp.deadSeq)) {
    drift.issues.push("erp-progress-stale");
  }
  // Every command the order holds dead must be listed for ops (they replay from that list).
  if (info.deadCommands > (d1.deadLetters.get(orderId) ?? 0)) drift.issues.push("dead-letter-missing");
  if (info.projectionAbandonedAt) drift.issues.push("projection-abandoned");
  // Known to have lost a projection: re-project whatever the versions say (a lost dead letter or timeline
  // chunk does not show in them).
  if (noted) drift.issues.push("noted-for-repair");
  if (drift.issues.some((i) => REPROJECT.has(i))) {
    if (await order.reproject(o.correlationId)) drift.repairs.push(`re-projected version ${info.version}`);
  }
  const idleSince = info.headLastActivityAt ? Date.parse(info.headLastActivityAt) : null;
  if (info.erp.lastSeq > info.erp.ackedSeq && info.erp.deadSeq === null && idleSince !== null && now - idleSince >= o.stallSeconds * 1000) {
    drift.issues.push("erp-stalled");
    const seq = await order.nudgeErp();
    if (seq !== null) drift.repairs.push(`re-sent ERP command ${seq}`);
  }
  if (info.outbox.rows > 0 && info.outbox.failedAttempts > 0) {
    drift.issues.push("outbox-stuck");
    await order.kick();
    drift.repairs.push(`flushed ${info.outbox.rows} outbox rows`);
  }
  return drift;
}

/** Drift that re-projecting the order repairs. */
const REPROJECT = new Set<Issue>([
  "read-model-missing",
  "read-model-stale",
  "erp-progress-stale",
  "dead-letter-missing",
  "projection-abandoned",
  "noted-for-repair",
]);

export async function reconcile(env: Env, o: ReconcileOptions, now = Date.now()): Promise<ReconcileReport> {
  const { ids, noted, next } = await pickOrders(env.DB, o);
  const d1 = await readModel(env.DB, ids);
  const notedSet = new Set(noted);
  const results: OrderDrift[] = [];
  // A few orders at a time: bounded fan-out to Durable Objects per call.
  for (let i = 0; i < ids.length; i += 10) {
    const part = await Promise.all(
      ids.slice(i, i + 10).map((id) =>
        checkOne(env, id, d1, o, now, notedSet.has(id)).catch((err): OrderDrift => {
          log.error("reconciling an order failed", { orderId: id, correlationId: o.correlationId, error: errorName(err) });
          return {
            orderId: id,
            issues: ["unreachable"],
            repairs: [],
            detail: { doVersion: 0, d1Version: null, erpLastSeq: 0, erpAckedSeq: 0, d1AckedSeq: null },
          };
        }),
      ),
    );
    results.push(...part);
  }
  const drifted = results.filter((r) => r.issues.length > 0);
  // A noted order has had its repair issued (or needed none): if that repair fails too, it is noted again.
  const reached = new Set(results.filter((r) => !r.issues.includes("unreachable")).map((r) => r.orderId));
  const done = [...noted, ...(o.orderIds ?? [])].filter((id) => reached.has(id));
  if (done.length) await forgetNoted(env.DB, done);
  if (drifted.length) log.warn("reconciliation found drift", { correlationId: o.correlationId, checked: ids.length, drifted: drifted.length });
  return { checked: ids.length, drifted: drifted.length, orders: drifted, nextCursor: next };
}

/** The cron run: continue where the last run stopped, wrap around at the end. */
export async function reconcileOnSchedule(env: Env, correlationId: string): Promise<ReconcileReport> {
  const cursor = (await env.DB.prepare("SELECT value FROM worker_state WHERE key = 'reconcile_cursor'").first<{ value: string }>())?.value;
  const report = await reconcile(env, {
    ...(cursor ? { cursor } : {}),
    limit: Number(env.RECONCILE_BATCH) || 200,
    stallSeconds: (Number(env.ERP_RETRY_MAX_SECONDS) || 300) + 60,
    graceSeconds: 60,
    correlationId,
  });
  await env.DB.prepare("INSERT INTO worker_state (key, value) VALUES ('reconcile_cursor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
    .bind(report.nextCursor ?? "")
    .run();
  return report;
}
