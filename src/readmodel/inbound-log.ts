// The inbound request log: one row per request to a known partner, whatever its outcome, with its headers
// (credentials redacted), its raw body and the ids a person would search for. Written off the partner's
// path; read by the console's events view; purged after INBOUND_LOG_RETENTION_DAYS.
import { and, desc, eq, gte, lt, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { toBase64 } from "../platform/crypto";
import { inboundRequests } from "./schema";

export type InboundRow = typeof inboundRequests.$inferSelect;
/** A row as listed: everything but the body, which can be 1.4 MB of base64. */
export type InboundSummary = Omit<InboundRow, "body" | "headers">;

export const INBOUND_OUTCOMES = ["accepted", "duplicate", "parked", "quarantined", "ignored", "rejected"] as const;
export type InboundOutcome = (typeof INBOUND_OUTCOMES)[number];
export const INBOUND_PAGE_MAX = 50;

// Credentials by name. Signature headers stay: a signature proves one body, it does not let anyone sign
// another, and ops need it to tell a wrong secret from a changed body. UPS echoes its token in `credential`.
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|api-key|credential|password/i;
export const REDACTED = "[redacted]";

export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((v, k) => {
    out[k] = CREDENTIAL_HEADER.test(k) ? REDACTED : v;
  });
  return out;
}

/**
 * A time-sortable id: the arrival in milliseconds (base 36, fixed width, so text order is time order) and
 * random bits against collisions within a millisecond. Paging by id is stable as rows arrive and go.
 */
export function inboundId(receivedAt: string): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${Date.parse(receivedAt).toString(36).padStart(9, "0")}-${[...random].map((n) => n.toString(36).padStart(7, "0")).join("")}`;
}

/** When a request with this id arrived, or null for a string that is not one of our ids. */
export function receivedAtOf(id: string): string | null {
  const m = /^([0-9a-z]{9})-[0-9a-z]{14}$/.exec(id);
  return m?.[1] ? new Date(Number.parseInt(m[1], 36)).toISOString() : null;
}

// Bounds on what a payload that did not map adds to `search`, so one request cannot bloat the table.
const MAX_FOUND = 50;
const MAX_TERM = 100;
const MAX_SEARCH = 4096;
// An identifier: one token of letters, digits and a few separators, with at least one digit (order ids,
// tracking numbers, event ids), and not a timestamp (every payload has several; nobody searches for one).
const IDENTIFIER = /^(?=.*\d)[A-Za-z0-9][\w.:/#-]{2,99}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}([T ]\d|$)/;

/** String values in a JSON body that look like identifiers, in document order, bounded; none if not JSON. */
export function identifiersIn(raw: Uint8Array): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    return [];
  }
  const found = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (found.size >= MAX_FOUND || depth > 32) return;
    if (typeof v === "string") {
      if (IDENTIFIER.test(v) && !TIMESTAMP.test(v)) found.add(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(doc, 0);
  return [...found];
}

/** The `search` column: lower-cased, space-separated, each term at most 100 characters, 4 KB in all. */
export function searchText(terms: readonly string[]): string {
  const seen = new Set<string>();
  let out = "";
  for (const t of terms) {
    const term = t.toLowerCase().replace(/\s+/g, "").slice(0, MAX_TERM);
    if (!term || seen.has(term)) continue;
    if (out.length + term.length + 1 > MAX_SEARCH) break;
    seen.add(term);
    out = out ? `${out} ${term}` : term;
  }
  return out;
}

export interface InboundRecord {
  partnerId: string;
  receivedAt: string;
  outcome: InboundOutcome;
  httpStatus: number;
  correlationId: string;
  reason?: string;
  headers: Headers;
  /** The body as read; undefined when it was refused unread (too large, wrong content type). */
  raw?: Uint8Array;
  /** The size when the body was not read: what Content-Length announced, else 0. */
  declaredBytes: number;
  orderIds: readonly string[];
  terms: readonly string[];
  quarantineId?: string;
  latencyMs: number;
}

export async function recordInbound(db: D1Database, r: InboundRecord): Promise<string> {
  const id = inboundId(r.receivedAt);
  await drizzle(db)
    .insert(inboundRequests)
    .values({
      id,
      partnerId: r.partnerId,
      receivedAt: r.receivedAt,
      outcome: r.outcome,
      httpStatus: r.httpStatus,
      correlationId: r.correlationId,
      reason: r.reason?.slice(0, 2000) ?? null,
      contentType: r.headers.get("content-type"),
      headers: redactHeaders(r.headers),
      body: r.raw ? toBase64(r.raw) : null,
      bodyBytes: r.raw?.byteLength ?? r.declaredBytes,
      orderIds: r.orderIds.length ? [...new Set(r.orderIds)].join(" ") : null,
      search: searchText([...r.terms, r.correlationId]),
      quarantineId: r.quarantineId ?? null,
      latencyMs: r.latencyMs,
    });
  return id;
}

export interface InboundFilter {
  partnerId?: string;
  outcome?: InboundOutcome;
  /** ISO instants, inclusive. */
  from?: string;
  to?: string;
  /** Free text, matched as a plain substring of the search terms (no wildcards), case-insensitively. */
  q?: string;
  /** The previous page's last id: the page continues with older rows. */
  cursor?: string;
  limit?: number;
}

/** Newest first; `next` is the cursor for the older rows, when there are any. */
export async function listInbound(db: D1Database, f: InboundFilter): Promise<{ items: InboundSummary[]; next: string | null }> {
  const limit = Math.min(Math.max(1, f.limit ?? INBOUND_PAGE_MAX), INBOUND_PAGE_MAX);
  const t = inboundRequests;
  const q = f.q?.trim().toLowerCase();
  const rows = await drizzle(db)
    .select({
      id: t.id,
      partnerId: t.partnerId,
      receivedAt: t.receivedAt,
      outcome: t.outcome,
      httpStatus: t.httpStatus,
      correlationId: t.correlationId,
      reason: t.reason,
      contentType: t.contentType,
      bodyBytes: t.bodyBytes,
      orderIds: t.orderIds,
      search: t.search,
      quarantineId: t.quarantineId,
      latencyMs: t.latencyMs,
    })
    .from(t)
    .where(
      and(
        f.partnerId ? eq(t.partnerId, f.partnerId) : undefined,
        f.outcome ? eq(t.outcome, f.outcome) : undefined,
        f.from ? gte(t.receivedAt, f.from) : undefined,
        f.to ? lte(t.receivedAt, f.to) : undefined,
        q ? sql`instr(${t.search}, ${q}) > 0` : undefined,
        f.cursor ? lt(t.id, f.cursor) : undefined,
      ),
    )
    .orderBy(desc(t.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function getInbound(db: D1Database, id: string): Promise<InboundRow | null> {
  return (await drizzle(db).select().from(inboundRequests).where(eq(inboundRequests.id, id)).get()) ?? null;
}

// Rows per delete and deletes per run: a row can hold 1.4 MB, so each statement's work stays small, and a
// backlog (the first run after retention was shortened) is worked off over several cron runs.
const PURGE_BATCH = 100;
const PURGE_MAX_BATCHES = 50;

/** How long rows are kept: INBOUND_LOG_RETENTION_DAYS, 14 when unset or not a positive number. */
export function retentionDays(env: Pick<Env, "INBOUND_LOG_RETENTION_DAYS">): number {
  const days = Number(env.INBOUND_LOG_RETENTION_DAYS ?? 14);
  return Number.isFinite(days) && days > 0 ? days : 14;
}

/** Deletes rows received before now − the retention, oldest first, in bounded batches. Safe to repeat. */
export async function purgeInboundLog(env: Pick<Env, "DB" | "INBOUND_LOG_RETENTION_DAYS">, now: number): Promise<{ before: string; deleted: number }> {
  const before = new Date(now - retentionDays(env) * 86_400_000).toISOString();
  // One bound cut-off and a bounded subquery: the statement never grows with the number of rows.
  const batch = env.DB.prepare(
    "DELETE FROM inbound_requests WHERE id IN (SELECT id FROM inbound_requests WHERE received_at < ?1 ORDER BY received_at LIMIT ?2)",
  ).bind(before, PURGE_BATCH);
  let deleted = 0;
  for (let i = 0; i < PURGE_MAX_BATCHES; i++) {
    const changes = (await batch.run()).meta.changes;
    deleted += changes;
    if (changes < PURGE_BATCH) break;
  }
  return { before, deleted };
}
