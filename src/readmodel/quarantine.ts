// Quarantine: authentic payloads that could not be mapped, kept byte for byte with the reason, for ops
// to fix the mapping and replay. Never dropped.
import { and, desc, eq, lt } from "drizzle-orm";
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
  status: "open" | "replayed";
  replayedAt: string | null;
  replayResult: unknown;
  bodyBytes: number;
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

export async function listQuarantine(db: D1Database, opts: { status?: string; before?: string; limit: number }): Promise<QuarantineEntry[]> {
  const conds = [opts.status ? eq(quarantine.status, opts.status) : undefined, opts.before ? lt(quarantine.receivedAt, opts.before) : undefined].filter(
    (c) => c !== undefined,
  );
  const rows = await drizzle(db)
    .select()
    .from(quarantine)
    .where(conds.length ? and(...conds) : undefined)
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
    bodyBytes: Math.floor((row.body.length * 3) / 4),
  };
}
