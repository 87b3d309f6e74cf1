// The 3PL's books: one Durable Object instance holding every recorded request, the answers sent back, the
// stats, the fault config and the respond mode. Each RPC method is synchronous (no await), so every
// read-then-write is atomic by construction; the multi-statement ones also run in transactionSync. What it
// keeps as the ERP simulator's ledger does (stats, faults, numbering) is ../../sim-kit/ledger.ts.
import { SimLedger } from "../../sim-kit/ledger";
import { decideFault, type FaultConfig, FaultConfigSchema, type FaultDecision, type FaultInput, NO_FAULTS, toFaultConfig } from "./faults";
import type { Milestone } from "./milestones";
import { type RespondMode, RespondModeSchema } from "./mode";
import type { PartnerId } from "./partners";
import type { FulfillmentRequest, Line, Place, RequestType } from "./requests";

export interface RecordInput {
  partner: PartnerId;
  request: FulfillmentRequest;
  idempotencyKey: string;
  correlationId: string | null;
  /** The body as received (text), shown by GET /admin/requests. */
  body: string;
}

/** What a new request is answered with, and what a replay is answered with again. */
export interface Receipt {
  requestId: string;
  receivedAt: string;
  recordId: string;
}

export interface SentMilestone {
  milestone: Milestone;
  /** dockline's HTTP status; null when it could not be reached. */
  status: number | null;
  sentAt: string;
}

export interface StoredRequest extends Receipt {
  partner: PartnerId;
  type: RequestType;
  orderId: string;
  idempotencyKey: string;
  correlationId: string | null;
  /** How many times the same request (same key, same body) came again. */
  replays: number;
  lines: Line[];
  shipTo: Place;
  x12?: { group: string; set: string };
  body: string;
  responses: SentMilestone[];
}

export type RecordOutcome =
  /** `mode`: the respond mode set by PUT /admin/respond-mode; null when none is (the worker's default applies). */
  | { outcome: "recorded"; receipt: Receipt; stored: StoredRequest; mode: RespondMode | null }
  | { outcome: "replayed"; receipt: Receipt }
  | { outcome: "key-reused"; detail: string };

export interface Stats {
  /** Requests recorded (new keys). */
  received: number;
  replays: number;
  /** Same key and type, different body: answered 422. */
  keyReuses: number;
  /** Missing or wrong signature or bearer token: answered 401. */
  rejectedSignatures: number;
  /** Wrong content type, malformed or invalid body, no Idempotency-Key: answered 400, 415 or 422. */
  invalidRequests: number;
  /** Requests answered by a fault (503, 429) instead of being recorded. */
  injectedFailures: number;
  /** Milestone messages posted to dockline, and those it did not answer with a 2xx. */
  responsesSent: number;
  responseFailures: number;
}
const NO_STATS: Stats = {
  received: 0,
  replays: 0,
  keyReuses: 0,
  rejectedSignatures: 0,
  invalidRequests: 0,
  injectedFailures: 0,
  responsesSent: 0,
  responseFailures: 0,
};

type RequestRow = {
  record_no: number;
  partner: string;
  type: string;
  request_id: string;
  order_id: string;
  idempotency_key: string;
  fingerprint: string;
  body: string;
  correlation_id: string | null;
  received_at: string;
  replays: number;
  details: string;
};
type ResponseRow = { record_no: number; milestone: string; status: number | null; sent_at: string };

const COLUMNS = "record_no, partner, type, request_id, order_id, idempotency_key, fingerprint, body, correlation_id, received_at, replays, details";

// A key is unique per partner and message type: the contract gives a cancellation the request id of the
// request it cancels, so the two may arrive under the same Idempotency-Key and are still two messages.
// Record numbers come from `meta`, which a reset leaves alone: a record id is never reissued.
const TABLES = `
  CREATE TABLE IF NOT EXISTS requests (
    record_no INTEGER PRIMARY KEY,
    partner TEXT NOT NULL,
    type TEXT NOT NULL,
    request_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    body TEXT NOT NULL,
    correlation_id TEXT,
    received_at TEXT NOT NULL,
    replays INTEGER NOT NULL DEFAULT 0,
    details TEXT NOT NULL,
    UNIQUE (partner, type, idempotency_key)
  );
  CREATE INDEX IF NOT EXISTS requests_by_order ON requests (order_id, partner);
  CREATE TABLE IF NOT EXISTS responses (record_no INTEGER NOT NULL, milestone TEXT NOT NULL, status INTEGER, sent_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS milestones (
    partner TEXT NOT NULL, request_id TEXT NOT NULL, milestone TEXT NOT NULL, occurred_at TEXT NOT NULL,
    PRIMARY KEY (partner, request_id, milestone)
  );
  CREATE TABLE IF NOT EXISTS mode (id INTEGER PRIMARY KEY CHECK (id = 1), config TEXT NOT NULL);
`;

const FAULTS = { schema: FaultConfigSchema, none: NO_FAULTS, toConfig: toFaultConfig, decide: decideFault };

export class ThreePlLedger extends SimLedger<Stats, FaultConfig, FaultInput, FaultDecision> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, FAULTS, NO_STATS, TABLES);
  }

  /** Idempotency check and insert, as one transaction. A new record comes back with the respond mode. */
  record(input: RecordInput): RecordOutcome {
    return this.ctx.storage.transactionSync((): RecordOutcome => {
      const sql = this.ctx.storage.sql;
      const { partner, request } = input;
      const existing = sql
        .exec<RequestRow>(`SELECT ${COLUMNS} FROM requests WHERE partner = ? AND type = ? AND idempotency_key = ?`, partner, request.type, input.idempotencyKey)
        .toArray()[0];
      if (existing !== undefined) {
        if (existing.fingerprint === request.fingerprint) {
          sql.exec("UPDATE requests SET replays = replays + 1 WHERE record_no = ?", existing.record_no);
          this.bump("replays");
          return { outcome: "replayed", receipt: toReceipt(existing) };
        }
        this.bump("keyReuses");
        return {
          outcome: "key-reused",
          detail: `Idempotency-Key ${input.idempotencyKey} was already used for ${recordId(existing)} (${existing.type}) with a different body.`,
        };
      }
      const recordNo = this.nextNumber("last_record_no");
      const details = { lines: request.lines, shipTo: request.shipTo, ...(request.x12 ? { x12: request.x12 } : {}) };
      const row: RequestRow = {
        record_no: recordNo,
        partner,
        type: request.type,
        request_id: request.requestId,
        order_id: request.orderId,
        idempotency_key: input.idempotencyKey,
        fingerprint: request.fingerprint,
        body: input.body,
        correlation_id: input.correlationId,
        received_at: new Date().toISOString(),
        replays: 0,
        details: JSON.stringify(details),
      };
      sql.exec(
        `INSERT INTO requests (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        row.record_no,
        row.partner,
        row.type,
        row.request_id,
        row.order_id,
        row.idempotency_key,
        row.fingerprint,
        row.body,
        row.correlation_id,
        row.received_at,
        row.replays,
        row.details,
      );
      this.bump("received");
      return { outcome: "recorded", receipt: toReceipt(row), stored: toStored(row, []), mode: this.readMode() };
    });
  }

  /** A refused request: counted, never recorded. */
  countRefused(name: "rejectedSignatures" | "invalidRequests"): void {
    this.bump(name);
  }

  list(filter: { orderId?: string | undefined; partner?: string | undefined }): { requests: StoredRequest[]; stats: Stats } {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.orderId !== undefined) {
      where.push("order_id = ?");
      params.push(filter.orderId);
    }
    if (filter.partner !== undefined) {
      where.push("partner = ?");
      params.push(filter.partner);
    }
    const rows = this.ctx.storage.sql
      .exec<RequestRow>(`SELECT ${COLUMNS} FROM requests ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY record_no`, ...params)
      .toArray();
    return { requests: this.withResponses(rows), stats: this.readStats() };
  }

  /**
   * The requests of one order and partner (one, when `requestId` is given) to answer: the first
   * fulfillment.requested recorded for each request id (a request sent again under another key is still
   * one order to the warehouse).
   */
  requestsFor(orderId: string, partner: PartnerId, requestId?: string): StoredRequest[] {
    const seen = new Set<string>();
    const rows = this.ctx.storage.sql
      .exec<RequestRow>(
        `SELECT ${COLUMNS} FROM requests WHERE order_id = ? AND partner = ? AND type = 'fulfillment.requested' ORDER BY record_no`,
        orderId,
        partner,
      )
      .toArray()
      .filter((r) => (requestId === undefined || r.request_id === requestId) && !seen.has(r.request_id) && seen.add(r.request_id));
    return this.withResponses(rows);
  }

  /**
   * When a milestone of a request happened: `proposed` the first time it is told, the same instant ever after.
   * A fact happens once; telling it again with another time would be a different (conflicting) event.
   */
  occurredAt(partner: PartnerId, requestId: string, milestone: Milestone, proposed: string): string {
    return this.ctx.storage.sql
      .exec<{ occurred_at: string }>(
        `INSERT INTO milestones (partner, request_id, milestone, occurred_at) VALUES (?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET occurred_at = occurred_at RETURNING occurred_at`,
        partner,
        requestId,
        milestone,
        proposed,
      )
      .one().occurred_at;
  }

  /** What dockline answered to the milestones sent for a record. */
  noteResponses(recordNo: number, responses: readonly SentMilestone[]): void {
    for (const r of responses) {
      this.ctx.storage.sql.exec("INSERT INTO responses (record_no, milestone, status, sent_at) VALUES (?, ?, ?, ?)", recordNo, r.milestone, r.status, r.sentAt);
      this.bump("responsesSent");
      if (r.status === null || r.status < 200 || r.status > 299) this.bump("responseFailures");
    }
  }

  /** The next X12 interchange control number (ISA13/GS06) for what we send; never reused, even after a reset. */
  nextControlNumber(): number {
    return this.nextNumber("last_control");
  }

  /** The mode set by PUT /admin/respond-mode; null when none is. */
  getRespondMode(): RespondMode | null {
    return this.readMode();
  }

  setRespondMode(mode: RespondMode): RespondMode {
    this.writeConfig("mode", mode);
    return mode;
  }

  clearRespondMode(): void {
    this.ctx.storage.sql.exec("DELETE FROM mode");
  }

  /** DELETE /admin/requests: records, answers (and their times) and stats go; faults and the respond mode stay. */
  resetRequests(): void {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("DELETE FROM requests");
      this.ctx.storage.sql.exec("DELETE FROM responses");
      this.ctx.storage.sql.exec("DELETE FROM milestones");
      this.ctx.storage.sql.exec("DELETE FROM stats");
    });
  }

  /** POST /admin/reset: everything but the numbering. */
  resetAll(): void {
    this.ctx.storage.transactionSync(() => {
      this.resetRequests();
      this.ctx.storage.sql.exec("DELETE FROM faults");
      this.ctx.storage.sql.exec("DELETE FROM mode");
    });
  }

  private withResponses(rows: RequestRow[]): StoredRequest[] {
    if (rows.length === 0) return [];
    const byRecord = new Map<number, SentMilestone[]>();
    const placeholders = rows.map(() => "?").join(", ");
    for (const r of this.ctx.storage.sql.exec<ResponseRow>(
      `SELECT record_no, milestone, status, sent_at FROM responses WHERE record_no IN (${placeholders}) ORDER BY rowid`,
      ...rows.map((r) => r.record_no),
    )) {
      const list = byRecord.get(r.record_no) ?? [];
      list.push({ milestone: r.milestone as Milestone, status: r.status, sentAt: r.sent_at });
      byRecord.set(r.record_no, list);
    }
    return rows.map((r) => toStored(r, byRecord.get(r.record_no) ?? []));
  }

  private readMode(): RespondMode | null {
    return this.readConfig("mode", RespondModeSchema);
  }
}

const recordId = (row: RequestRow): string => `3PL-${row.record_no}`;

/** The record number behind a record id ("3PL-12" → 12). */
export const recordNoOf = (id: string): number => Number(id.slice("3PL-".length));

function toReceipt(row: RequestRow): Receipt {
  return { requestId: row.request_id, receivedAt: row.received_at, recordId: recordId(row) };
}

function toStored(row: RequestRow, responses: SentMilestone[]): StoredRequest {
  const details = JSON.parse(row.details) as Pick<StoredRequest, "lines" | "shipTo" | "x12">;
  return {
    ...toReceipt(row),
    partner: row.partner as PartnerId,
    type: row.type as RequestType,
    orderId: row.order_id,
    idempotencyKey: row.idempotency_key,
    correlationId: row.correlation_id,
    replays: row.replays,
    ...details,
    body: row.body,
    responses,
  };
}
