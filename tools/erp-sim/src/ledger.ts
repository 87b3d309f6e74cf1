// The ERP's books: one Durable Object instance holding every applied record, the stats and the fault config.
// Each RPC method is synchronous (no await), so every read-then-write is atomic by construction; the
// multi-statement ones also run in transactionSync so they commit (or roll back) as one.
import { DurableObject } from "cloudflare:workers";
import type { Kind } from "./contract";
import { decideFault, type FaultConfig, FaultConfigSchema, type FaultDecision, type FaultInput, NO_FAULTS, toFaultConfig } from "./faults";
import { DEFAULT_OAUTH, newToken, type OAuthConfig, OAuthConfigSchema } from "./oauth";

export interface ApplyInput {
  kind: Kind;
  idempotencyKey: string;
  orderId: string;
  seq: number;
  /** Canonical JSON of the request body (see contract.canonicalJson). */
  body: string;
  correlationId: string | null;
}

/** What a successful apply answers with, and what a replay answers with again. */
export interface Receipt {
  recordId: string;
  orderId: string;
  seq: number;
  kind: string;
}

export interface LedgerRecord extends Receipt {
  /** Canonical JSON of the body as applied. */
  body: string;
  correlationId: string | null;
  idempotencyKey: string;
  appliedAt: string;
}

export type ApplyOutcome =
  | { outcome: "applied"; receipt: Receipt }
  | { outcome: "replayed"; receipt: Receipt }
  | { outcome: "key-reused"; detail: string }
  | { outcome: "sequence-gap"; expectedSeq: number };

export interface Stats {
  applied: number;
  replays: number;
  rejectedGaps: number;
  injectedFailures: number;
  keyReuses: number;
  loginPageVisits: number;
  /** OAuth access tokens issued by POST /oauth/token. */
  tokensIssued: number;
  /** Token requests answered with `failWith` (see PUT /admin/oauth). */
  tokenFailures: number;
  /** Business requests refused with 401: no bearer, a wrong one, or an expired or unknown issued token. */
  unauthorized: number;
}

/** What POST /oauth/token answers, once the client has authenticated. */
export type TokenDecision = { kind: "issue"; token: string; expiresIn: number } | { kind: "fail"; status: number; retryAfterSeconds: number | null };
type StatName = keyof Stats;

type RecordRow = {
  record_no: number;
  order_id: string;
  seq: number;
  kind: string;
  body: string;
  correlation_id: string | null;
  idempotency_key: string;
  applied_at: string;
};

const RECORD_COLUMNS = "record_no, order_id, seq, kind, body, correlation_id, idempotency_key, applied_at";

export class ErpLedger extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    // Record numbers come from `meta`, which reset leaves alone: like a real ERP, document numbers are never
    // reissued, so a dockline database that outlives a simulator reset never sees the same recordId twice.
    this.ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS records (
        record_no INTEGER PRIMARY KEY,
        order_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        correlation_id TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        applied_at TEXT NOT NULL,
        UNIQUE (order_id, seq)
      );
      CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS faults (id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS oauth (id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL);
    `);
  }

  /** Decide the fault for one business request, counting injected failures. Never touches the records. */
  admit(orderId: string): FaultDecision {
    const decision = decideFault(this.readFaults(), { now: Date.now(), orderId, random: Math.random });
    if (decision.kind !== "pass") this.bump("injectedFailures");
    return decision;
  }

  /** Idempotency check, sequence check and insert, as one transaction. */
  applyCommand(input: ApplyInput): ApplyOutcome {
    return this.ctx.storage.transactionSync((): ApplyOutcome => {
      const sql = this.ctx.storage.sql;
      const existing = sql.exec<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE idempotency_key = ?`, input.idempotencyKey).toArray()[0];
      if (existing !== undefined) {
        if (existing.kind === input.kind && existing.body === input.body) {
          this.bump("replays");
          return { outcome: "replayed", receipt: toReceipt(existing) };
        }
        this.bump("keyReuses");
        const what = existing.kind === input.kind ? "with a different body" : `to /${existing.kind}`;
        return {
          outcome: "key-reused",
          detail: `Idempotency-Key ${input.idempotencyKey} was already applied (${recordId(existing)}) ${what}.`,
        };
      }
      const expectedSeq = this.lastSeq(input.orderId) + 1;
      if (input.seq !== expectedSeq) {
        this.bump("rejectedGaps");
        return { outcome: "sequence-gap", expectedSeq };
      }
      const recordNo = sql
        .exec<{ value: number }>(
          `INSERT INTO meta (name, value) VALUES ('last_record_no', 1)
           ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
        )
        .one().value;
      const row: RecordRow = {
        record_no: recordNo,
        order_id: input.orderId,
        seq: input.seq,
        kind: input.kind,
        body: input.body,
        correlation_id: input.correlationId,
        idempotency_key: input.idempotencyKey,
        applied_at: new Date().toISOString(),
      };
      sql.exec(
        `INSERT INTO records (${RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        row.record_no,
        row.order_id,
        row.seq,
        row.kind,
        row.body,
        row.correlation_id,
        row.idempotency_key,
        row.applied_at,
      );
      this.bump("applied");
      return { outcome: "applied", receipt: toReceipt(row) };
    });
  }

  /** A token request from an authenticated client: a new token, or the configured failure. */
  tokenRequest(): TokenDecision {
    const config = this.readOAuth();
    if (config.failWith !== null) {
      this.bump("tokenFailures");
      return { kind: "fail", status: config.failWith, retryAfterSeconds: config.retryAfterSeconds };
    }
    const token = newToken();
    const now = Date.now();
    // Expired tokens are forgotten as new ones are issued, so the table stays small.
    this.ctx.storage.sql.exec("DELETE FROM tokens WHERE expires_at <= ?", now);
    this.ctx.storage.sql.exec("INSERT INTO tokens (token, expires_at) VALUES (?, ?)", token, now + config.tokenTtlSeconds * 1000);
    this.bump("tokensIssued");
    return { kind: "issue", token, expiresIn: config.tokenTtlSeconds };
  }

  /** Whether `token` is an issued token still within its lifetime; a refusal is counted. */
  authorizeIssued(token: string): boolean {
    const row = this.ctx.storage.sql.exec<{ expires_at: number }>("SELECT expires_at FROM tokens WHERE token = ?", token).toArray()[0];
    if (row !== undefined && Date.now() < row.expires_at) return true;
    this.bump("unauthorized");
    return false;
  }

  /** A refused business request that never got as far as an issued-token lookup. */
  countUnauthorized(): void {
    this.bump("unauthorized");
  }

  getOAuth(): OAuthConfig {
    return this.readOAuth();
  }

  setOAuth(config: OAuthConfig): OAuthConfig {
    this.ctx.storage.sql.exec("INSERT INTO oauth (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config", JSON.stringify(config));
    return config;
  }

  /** Every issued token expires now, as if its lifetime had passed: the next use of one answers 401. */
  expireTokens(): number {
    return this.ctx.storage.sql.exec("UPDATE tokens SET expires_at = 0 WHERE expires_at > 0").rowsWritten;
  }

  /** A visit to the sign-in page the `redirect` fault points at (see index.ts). */
  countLoginPageVisit(): void {
    this.bump("loginPageVisits");
  }

  listRecords(orderId: string | null): { records: LedgerRecord[]; stats: Stats } {
    const rows =
      orderId === null
        ? this.ctx.storage.sql.exec<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records ORDER BY order_id, seq`)
        : this.ctx.storage.sql.exec<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM records WHERE order_id = ? ORDER BY seq`, orderId);
    return { records: rows.toArray().map(toRecord), stats: this.readStats() };
  }

  getOrder(orderId: string): { orderId: string; lastSeq: number; records: LedgerRecord[] } {
    const { records } = this.listRecords(orderId);
    return { orderId, lastSeq: this.lastSeq(orderId), records };
  }

  getFaults(): FaultConfig {
    return this.readFaults();
  }

  setFaults(input: FaultInput): FaultConfig {
    const config = toFaultConfig(input, Date.now());
    this.ctx.storage.sql.exec("INSERT INTO faults (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config", JSON.stringify(config));
    return config;
  }

  clearFaults(): FaultConfig {
    this.ctx.storage.sql.exec("DELETE FROM faults");
    return NO_FAULTS;
  }

  /** Wipe records, stats, faults, issued tokens and the OAuth config (record numbering continues, see the constructor). */
  resetAll(): void {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("DELETE FROM records");
      this.ctx.storage.sql.exec("DELETE FROM stats");
      this.ctx.storage.sql.exec("DELETE FROM faults");
      this.ctx.storage.sql.exec("DELETE FROM tokens");
      this.ctx.storage.sql.exec("DELETE FROM oauth");
    });
  }

  private lastSeq(orderId: string): number {
    return this.ctx.storage.sql.exec<{ last: number }>("SELECT COALESCE(MAX(seq), 0) AS last FROM records WHERE order_id = ?", orderId).one().last;
  }

  private readFaults(): FaultConfig {
    const row = this.ctx.storage.sql.exec<{ config: string }>("SELECT config FROM faults WHERE id = 1").toArray()[0];
    return row === undefined ? NO_FAULTS : FaultConfigSchema.parse(JSON.parse(row.config));
  }

  private readOAuth(): OAuthConfig {
    const row = this.ctx.storage.sql.exec<{ config: string }>("SELECT config FROM oauth WHERE id = 1").toArray()[0];
    return row === undefined ? DEFAULT_OAUTH : OAuthConfigSchema.parse(JSON.parse(row.config));
  }

  private readStats(): Stats {
    const stats: Stats = {
      applied: 0,
      replays: 0,
      rejectedGaps: 0,
      injectedFailures: 0,
      keyReuses: 0,
      loginPageVisits: 0,
      tokensIssued: 0,
      tokenFailures: 0,
      unauthorized: 0,
    };
    for (const { name, value } of this.ctx.storage.sql.exec<{ name: string; value: number }>("SELECT name, value FROM stats")) {
      if (isStatName(name, stats)) stats[name] = value;
    }
    return stats;
  }

  private bump(name: StatName): void {
    this.ctx.storage.sql.exec("INSERT INTO stats (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1", name);
  }
}

function isStatName(name: string, stats: Stats): name is StatName {
  return Object.hasOwn(stats, name);
}

const recordId = (row: RecordRow): string => `ERP-${row.record_no}`;

function toReceipt(row: RecordRow): Receipt {
  return { recordId: recordId(row), orderId: row.order_id, seq: row.seq, kind: row.kind };
}

function toRecord(row: RecordRow): LedgerRecord {
  return {
    ...toReceipt(row),
    body: row.body,
    correlationId: row.correlation_id,
    idempotencyKey: row.idempotency_key,
    appliedAt: row.applied_at,
  };
}
