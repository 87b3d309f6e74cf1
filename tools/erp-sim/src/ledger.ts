// The ERP's books: one Durable Object instance holding every applied record, the stats and the fault config.
// Each RPC method is synchronous (no await), so every read-then-write is atomic by construction; the
// multi-statement ones also run in transactionSync so they commit (or roll back) as one. What it keeps as the
// 3PL simulator's ledger does (stats, faults, numbering) is ../../sim-kit/ledger.ts.
import { SimLedger } from "../../sim-kit/ledger";
import type { Kind } from "./contract";
import { decideFault, type FaultConfig, FaultConfigSchema, type FaultDecision, type FaultInput, NO_FAULTS, toFaultConfig } from "./faults";
import { DEFAULT_OAUTH, newToken, type OAuthConfig, OAuthConfigSchema } from "./oauth";

export interface ApplyInput {
  kind: Kind;
  idempotencyKey: string;
  orderId: string;
  seq: number;
  /** Canonical JSON of the request body (see sim-kit/json.ts canonicalJson). */
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

const NO_STATS: Stats = {
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

// Record numbers come from `meta`, which reset leaves alone: like a real ERP, document numbers are never
// reissued, so a dockline database that outlives a simulator reset never sees the same recordId twice.
const TABLES = `
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
  CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS oauth (id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL);
`;

const FAULTS = { schema: FaultConfigSchema, none: NO_FAULTS, toConfig: toFaultConfig, decide: decideFault };

export class ErpLedger extends SimLedger<Stats, FaultConfig, FaultInput, FaultDecision> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, FAULTS, NO_STATS, TABLES);
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
      const recordNo = this.nextNumber("last_record_no");
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
    this.writeConfig("oauth", config);
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

  private readOAuth(): OAuthConfig {
    return this.readConfig("oauth", OAuthConfigSchema) ?? DEFAULT_OAUTH;
  }
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
