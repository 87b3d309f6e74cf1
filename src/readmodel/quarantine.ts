// Quarantine: authentic payloads that could not be mapped, kept byte for byte with the reason, for ops
// to fix the mapping and replay, or to close (discarded, resolved elsewhere). Never dropped.
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { InboundWebhook } from "../partners/types";
import { fromBase64, toBase64 } from "../platform/crypto";
import { quarantine } from "./schema";

// Credentials never go to storage: the payload was verified on arrival and replay does not re-verify.
const SECRET_HEADER = /authorization|credential|signature|hmac|cookie|secret|token/i;

export interface QuarantineEntry {
  id: string;
  partnerId: string;
  reason: string;
  contentType: string;
  headers: Record<string, string>;
  correlationId: string;
  receivedAt: string;
  status: QuarantineStatus;
  replayedAt: string | null;
  replayResult: unknown;
  /** Who closed it without a replay (discarded or resolved), when, and their note. */
  closedBy: string | null;
  closedAt: string | null;
  closeNote: string | null;
  bodyBytes: number;
}

export const QUARANTINE_STATUSES = ["open", "replayed", "discarded", "resolved"] as const;
export type QuarantineStatus = (typeof QUARANTINE_STATUSES)[number];

/** Which entries a list or a bulk action takes: all of the given filters. */
export interface QuarantineFilter {
  status?: QuarantineStatus;
  partnerId?: string;
  /** A piece of the reason, matched as plain text, case-insensitively (no wildcards). */
  reasonContains?: string;
}

export async function putInQuarantine(db: D1Database, req: InboundWebhook, reason: string, correlationId: string): Promise<string> {
  const id = `q_${crypto.randomUUID()}`;
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    if (!SECRET_HEADER.test(k)) headers[k] = v;
  });
  await drizzle(db)
    .insert(quarantine)
    .values({
      id,
      partnerId: req.partnerId,
      reason: reason.slice(0, 1000),
      contentType: req.headers.get("content-type") ?? "",
      headers,
      body: toBase64(req.raw),
      correlationId,
      receivedAt: req.receivedAt,
      status: "open",
    });
  return id;
}

/** Newest first, at most `limit`; `before` is the previous page's last receivedAt. */
export async function listQuarantine(db: D1Database, opts: QuarantineFilter & { before?: string; limit: number }): Promise<QuarantineEntry[]> {
  const rows = await drizzle(db)
    .select()
    .from(quarantine)
    .where(
      and(
        opts.status ? eq(quarantine.status, opts.status) : undefined,
        opts.partnerId ? eq(quarantine.partnerId, opts.partnerId) : undefined,
        opts.reasonContains ? sql`instr(lower(${quarantine.reason}), lower(${opts.reasonContains})) > 0` : undefined,
        opts.before ? lt(quarantine.receivedAt, opts.before) : undefined,
      ),
    )
    .orderBy(desc(quarantine.receivedAt))
    .limit(opts.limit);
  return rows.map(toEntry);
}

export async function getQuarantined(db: D1Database, id: string): Promise<{ entry: QuarantineEntry; request: InboundWebhook } | null> {
  const row = (await drizzle(db).select().from(quarantine).where(eq(quarantine.id, id)))[0];
  if (!row) return null;
  const raw = fromBase64(row.body) ?? new Uint8Array();
  return {
    entry: toEntry(row),
    request: { partnerId: row.partnerId, headers: new Headers(row.headers as Record<string, string>), raw, receivedAt: row.receivedAt },
  };
}

export async function markReplayed(db: D1Database, id: string, result: unknown): Promise<void> {
  await drizzle(db).update(quarantine).set({ status: "replayed", replayedAt: new Date().toISOString(), replayResult: result }).where(eq(quarantine.id, id));
}

/**
 * Closes an open entry without replaying it. The status check is in the UPDATE itself, so of two closes
 * racing only one succeeds; false means it was no longer open.
 */
export async function closeQuarantined(
  db: D1Database,
  id: string,
  close: { status: "discarded" | "resolved"; by: string; note: string | null },
  now = new Date().toISOString(),
): Promise<boolean> {
  const r = await db
    .prepare("UPDATE quarantine SET status = ?, closed_by = ?, closed_at = ?, close_note = ? WHERE id = ? AND status = 'open'")
    .bind(close.status, close.by, now, close.note, id)
    .run();
  return r.meta.changes > 0;
}

export async function countOpenQuarantine(db: D1Database): Promise<number> {
  const r = await db.prepare("SELECT count(*) AS n FROM quarantine WHERE status = 'open'").first<{ n: number }>();
  return r?.n ?? 0;
}

function toEntry(row: typeof quarantine.$inferSelect): QuarantineEntry {
  return {
    id: row.id,
    partnerId: row.partnerId,
    reason: row.reason,
    contentType: row.contentType,
    headers: row.headers as Record<string, string>,
    correlationId: row.correlationId,
    receivedAt: row.receivedAt,
    status: row.status as QuarantineEntry["status"],
    replayedAt: row.replayedAt,
    replayResult: row.replayResult,
    closedBy: row.closedBy,
    closedAt: row.closedAt,
    closeNote: row.closeNote,
    bodyBytes: Math.floor((row.body.length * 3) / 4),
  };
}
