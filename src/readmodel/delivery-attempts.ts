// The delivery log of orders' commands to the ERP and to fulfilment partners: one row per attempt (when,
// the answer's status, how long it took, how it ended, the start of the answer), for the console's order
// page. The consumers write it after the order took the outcome, so a failed write never changes a
// delivery. It shares the subscription log's retention, SUBSCRIPTION_LOG_RETENTION_DAYS (default 30 days):
// one setting for every delivery log.
import type { DeliveryFailure } from "../domain/delivery";
import type { deliveryAttempts } from "./schema";

export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;
export type NewDeliveryAttempt = typeof deliveryAttempts.$inferInsert;

/** How much of an answer is kept: enough to read an error, bounded so an HTML error page cannot bloat D1. */
export const RESPONSE_EXCERPT_CHARS = 1024;
/** Attempts read per command: the newest; the older ones are only counted. */
export const ATTEMPTS_PER_COMMAND = 20;
/** Rows per INSERT: 10 bound values each, under D1's 100 per statement. */
const ROWS_PER_INSERT = 9;
const REDACTED = "[redacted]";

/** One attempt as a consumer saw it, before it is made fit to keep. */
export interface AttemptReport {
  destination: string;
  orderId: string;
  seq: number;
  commandKey: string;
  /** When the attempt started (epoch ms). */
  startedAt: number;
  latencyMs: number;
  outcome: { kind: "done"; status: number } | DeliveryFailure;
  /** The start of the answer's body; null when no answer came. */
  response: string | null;
  /** Credentials the answer must never carry into the log (the ERP token, the partner's secrets). */
  secrets: readonly string[];
}

/** The row for one attempt: the answer scrubbed of credentials and bounded, the failure in words. */
export function attemptRow(r: AttemptReport): NewDeliveryAttempt {
  const { outcome } = r;
  const status = outcome.status ?? null;
  // A refusal's reason repeats the answer ("HTTP 422: {…}"), which is kept once, in `response`.
  const error = outcome.kind === "done" ? null : status !== null && outcome.reason.startsWith(`HTTP ${status}: `) ? `HTTP ${status}` : outcome.reason;
  return {
    destination: r.destination,
    orderId: r.orderId,
    seq: r.seq,
    commandKey: r.commandKey,
    at: new Date(r.startedAt).toISOString(),
    // 0 is what a sender that never got as far as the network reports (a request it cannot format).
    status: status === 0 ? null : status,
    latencyMs: Math.max(0, Math.round(r.latencyMs)),
    outcome: outcome.kind === "done" ? "delivered" : outcome.kind === "permanent" ? "refused" : "failed",
    response: r.response ? scrub(r.response, r.secrets).slice(0, RESPONSE_EXCERPT_CHARS) || null : null,
    error: error === null ? null : scrub(error, r.secrets).slice(0, RESPONSE_EXCERPT_CHARS),
  };
}

/** Credential-shaped text an answer may echo: an Authorization header, OAuth token fields, webhook secrets. */
const CREDENTIALS: [RegExp, string][] = [
  // At least 12 characters: "bearer token missing" is prose, not a credential.
  [/\b(bearer|basic)\s+[\w.~+/=-]{12,}/gi, `$1 ${REDACTED}`],
  [/("?\b(?:access_token|refresh_token|id_token|client_secret|password|api_?key|secret|token)"?\s*[:=]\s*"?)[^"&,;\s}]+/gi, `$1${REDACTED}`],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, REDACTED],
];

/**
 * `text` without the known secrets and anything shaped like a credential. Run before the text is cut to
 * size, so that no cut leaves the start of a secret that no longer matches.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  // Short values are left alone: an empty or tiny "secret" would blank out ordinary words.
  const known = secrets.flatMap((s) => (s.startsWith("whsec_") ? [s, s.slice(6)] : [s])).filter((s) => s.length >= 8);
  const plain = known.reduce((out, s) => out.replaceAll(s, REDACTED), text);
  return CREDENTIALS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), plain);
}

/** Writes attempts in one D1 batch (one statement per 9 rows). */
export async function recordAttempts(db: D1Database, rows: readonly NewDeliveryAttempt[]): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const part = rows.slice(i, i + ROWS_PER_INSERT);
    statements.push(
      db
        .prepare(
          `INSERT INTO delivery_attempts (destination, order_id, seq, command_key, at, status, latency_ms, outcome, response, error) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        )
        .bind(
          ...part.flatMap((r) => [
            r.destination,
            r.orderId,
            r.seq,
            r.commandKey,
            r.at,
            r.status ?? null,
            r.latencyMs,
            r.outcome,
            r.response ?? null,
            r.error ?? null,
          ]),
        ),
    );
  }
  if (statements.length > 0) await db.batch(statements);
}

/** One command's attempts, oldest first: the newest ATTEMPTS_PER_COMMAND, and how many older ones are not shown. */
export interface CommandAttempts {
  destination: string;
  seq: number;
  attempts: DeliveryAttempt[];
  older: number;
}

interface AttemptSqlRow {
  id: number;
  destination: string;
  order_id: string;
  seq: number;
  command_key: string;
  at: string;
  status: number | null;
  latency_ms: number;
  outcome: DeliveryAttempt["outcome"];
  response: string | null;
  error: string | null;
  total: number;
}

/** An order's attempts grouped by destination and seq (in that order), each group bounded. */
export async function attemptsFor(db: D1Database, orderId: string): Promise<CommandAttempts[]> {
  const { results } = await db
    .prepare(
      `SELECT * FROM (
         SELECT *, ROW_NUMBER() OVER (PARTITION BY destination, seq ORDER BY id DESC) AS rn,
                COUNT(*) OVER (PARTITION BY destination, seq) AS total
         FROM delivery_attempts WHERE order_id = ?
       ) WHERE rn <= ? ORDER BY destination, seq, id`,
    )
    .bind(orderId, ATTEMPTS_PER_COMMAND)
    .all<AttemptSqlRow>();
  const groups: CommandAttempts[] = [];
  for (const r of results) {
    let group = groups.at(-1);
    if (!group || group.destination !== r.destination || group.seq !== r.seq) {
      group = { destination: r.destination, seq: r.seq, attempts: [], older: Math.max(0, r.total - ATTEMPTS_PER_COMMAND) };
      groups.push(group);
    }
    group.attempts.push({
      id: r.id,
      destination: r.destination,
      orderId: r.order_id,
      seq: r.seq,
      commandKey: r.command_key,
      at: r.at,
      status: r.status,
      latencyMs: r.latency_ms,
      outcome: r.outcome,
      response: r.response,
      error: r.error,
    });
  }
  return groups;
}

/** The cron's purge: attempts older than SUBSCRIPTION_LOG_RETENTION_DAYS (default 30). Returns the cut-off. */
export async function purgeDeliveryAttempts(env: Pick<Env, "DB" | "SUBSCRIPTION_LOG_RETENTION_DAYS">, now: number): Promise<string> {
  const days = Number(env.SUBSCRIPTION_LOG_RETENTION_DAYS ?? "30");
  const before = new Date(now - (Number.isFinite(days) && days > 0 ? days : 30) * 86_400_000).toISOString();
  await env.DB.prepare("DELETE FROM delivery_attempts WHERE at < ?").bind(before).run();
  return before;
}
