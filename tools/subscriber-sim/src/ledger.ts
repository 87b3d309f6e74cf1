// The subscribers' books: one Durable Object instance holding every inbox's secrets and faults, the requests
// it received and its PagerDuty incidents. Each RPC method is synchronous (no await), so every read-then-write
// (a fault run counted down, a repeat counted, an incident moved) is atomic by construction. Not sim-kit's
// SimLedger: its one fault configuration for the whole simulator does not fit faults per inbox.
import { DurableObject } from "cloudflare:workers";
import { parseJson } from "../../sim-kit/json";
import { decideFault, type FaultConfig, FaultConfigSchema, type FaultDecision, type FaultInput, NO_FAULTS, toFaultConfig } from "./faults";
import { evolveIncident, type Incident, type IncidentEvent } from "./pagerduty";

export const KINDS = ["hooks", "slack", "pagerduty"] as const;
export type Kind = (typeof KINDS)[number];

/** One request as the worker hands it over: what came, and the status it was answered with. */
export interface Received {
  inbox: string;
  kind: Kind;
  status: number;
  /** null: nothing to verify (no secret registered, or a kind that is not signed). */
  verified: boolean | null;
  /** The headers of interest that came (lower-case names). */
  headers: Record<string, string>;
  /** The body as received, as text. */
  body: string;
  /** A PagerDuty event that passed the checks; it moves its incident only when the answer was 2xx. */
  event: IncidentEvent | null;
}

/** A request as GET /admin/inboxes/<inbox> shows it. */
export interface StoredRequest {
  seq: number;
  kind: Kind;
  receivedAt: string;
  status: number;
  verified: boolean | null;
  webhookId: string | null;
  /** The webhook-timestamp header, as sent. */
  timestamp: string | null;
  /** How many earlier requests with this webhook-id the inbox accepted (2xx): 0 for the first delivery. */
  repeat: number;
  /** PagerDuty: the incident key the event named (or was given). */
  dedupKey: string | null;
  headers: Record<string, string>;
  /** The body parsed as JSON; null when it is not JSON (rawBody has it). */
  body: unknown;
  rawBody: string;
}

export interface InboxView {
  inbox: string;
  /** How many secrets are registered (the secrets themselves are not shown back). */
  secrets: number;
  faults: FaultConfig;
  requests: StoredRequest[];
  incidents: Incident[];
}

type RequestRow = {
  seq: number;
  kind: string;
  received_at: string;
  status: number;
  verified: number | null;
  webhook_id: string | null;
  webhook_timestamp: string | null;
  repeat_count: number;
  dedup_key: string | null;
  headers: string;
  body: string;
};

// AUTOINCREMENT: a sequence number is never reissued, even after an inbox is reset.
const TABLES = `
  CREATE TABLE IF NOT EXISTS inboxes (inbox TEXT PRIMARY KEY, secrets TEXT NOT NULL DEFAULT '[]', faults TEXT);
  CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status INTEGER NOT NULL,
    verified INTEGER,
    webhook_id TEXT,
    webhook_timestamp TEXT,
    repeat_count INTEGER NOT NULL,
    dedup_key TEXT,
    headers TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS requests_by_webhook_id ON requests (inbox, webhook_id);
  CREATE TABLE IF NOT EXISTS incidents (
    inbox TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    status TEXT NOT NULL,
    triggers INTEGER NOT NULL,
    acknowledges INTEGER NOT NULL,
    resolves INTEGER NOT NULL,
    PRIMARY KEY (inbox, dedup_key)
  );
`;

const accepted = (status: number) => status >= 200 && status <= 299;

export class SubscriberLedger extends DurableObject<unknown> {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.ctx.storage.sql.exec(TABLES);
  }

  /** What the next request of `inbox` needs before it is answered: the secrets, and its fault (a run counted down here). */
  admit(inbox: string): { secrets: string[]; fault: FaultDecision } {
    const config = this.readFaults(inbox);
    const { decision, next } = decideFault(config);
    if (next !== config) this.writeFaults(inbox, next);
    return { secrets: this.readSecrets(inbox), fault: decision };
  }

  record(received: Received): void {
    const { inbox, event, headers } = received;
    const webhookId = headers["webhook-id"] ?? null;
    this.ctx.storage.transactionSync(() => {
      const sql = this.ctx.storage.sql;
      const repeat =
        webhookId === null
          ? 0
          : sql
              .exec<{ n: number }>("SELECT COUNT(*) AS n FROM requests WHERE inbox = ? AND webhook_id = ? AND status BETWEEN 200 AND 299", inbox, webhookId)
              .one().n;
      sql.exec(
        `INSERT INTO requests (inbox, kind, received_at, status, verified, webhook_id, webhook_timestamp, repeat_count, dedup_key, headers, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        inbox,
        received.kind,
        new Date().toISOString(),
        received.status,
        received.verified === null ? null : Number(received.verified),
        webhookId,
        headers["webhook-timestamp"] ?? null,
        repeat,
        event?.dedupKey ?? null,
        JSON.stringify(headers),
        received.body,
      );
      // An event the sender was not told was processed (a fault) did not happen: it will come again.
      if (event !== null && accepted(received.status)) this.moveIncident(inbox, event);
    });
  }

  view(inbox: string): InboxView {
    const sql = this.ctx.storage.sql;
    const requests = sql.exec<RequestRow>("SELECT * FROM requests WHERE inbox = ? ORDER BY seq", inbox).toArray().map(toStored);
    const incidents = sql
      .exec<Incident>("SELECT dedup_key, status, triggers, acknowledges, resolves FROM incidents WHERE inbox = ? ORDER BY rowid", inbox)
      .toArray();
    return { inbox, secrets: this.readSecrets(inbox).length, faults: this.readFaults(inbox), requests, incidents };
  }

  setSecrets(inbox: string, secrets: string[]): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO inboxes (inbox, secrets) VALUES (?, ?) ON CONFLICT (inbox) DO UPDATE SET secrets = excluded.secrets",
      inbox,
      JSON.stringify(secrets),
    );
  }

  getFaults(inbox: string): FaultConfig {
    return this.readFaults(inbox);
  }

  setFaults(inbox: string, input: FaultInput): FaultConfig {
    const config = toFaultConfig(input);
    this.writeFaults(inbox, config);
    return config;
  }

  clearFaults(inbox: string): FaultConfig {
    this.ctx.storage.sql.exec("UPDATE inboxes SET faults = NULL WHERE inbox = ?", inbox);
    return NO_FAULTS;
  }

  /** DELETE /admin/inboxes/<inbox>: its requests, incidents, secrets and faults go. */
  reset(inbox: string): void {
    this.ctx.storage.transactionSync(() => {
      for (const table of ["requests", "incidents", "inboxes"]) this.ctx.storage.sql.exec(`DELETE FROM ${table} WHERE inbox = ?`, inbox);
    });
  }

  private moveIncident(inbox: string, event: IncidentEvent): void {
    const sql = this.ctx.storage.sql;
    const current = sql
      .exec<Incident>("SELECT dedup_key, status, triggers, acknowledges, resolves FROM incidents WHERE inbox = ? AND dedup_key = ?", inbox, event.dedupKey)
      .toArray()[0];
    const next = evolveIncident(current, event);
    if (next === undefined) return;
    sql.exec(
      `INSERT INTO incidents (inbox, dedup_key, status, triggers, acknowledges, resolves) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (inbox, dedup_key) DO UPDATE SET status = excluded.status, triggers = excluded.triggers,
         acknowledges = excluded.acknowledges, resolves = excluded.resolves`,
      inbox,
      next.dedup_key,
      next.status,
      next.triggers,
      next.acknowledges,
      next.resolves,
    );
  }

  private readSecrets(inbox: string): string[] {
    const row = this.ctx.storage.sql.exec<{ secrets: string }>("SELECT secrets FROM inboxes WHERE inbox = ?", inbox).toArray()[0];
    return row === undefined ? [] : (JSON.parse(row.secrets) as string[]);
  }

  private readFaults(inbox: string): FaultConfig {
    const row = this.ctx.storage.sql.exec<{ faults: string | null }>("SELECT faults FROM inboxes WHERE inbox = ?", inbox).toArray()[0];
    return row?.faults ? FaultConfigSchema.parse(JSON.parse(row.faults)) : NO_FAULTS;
  }

  private writeFaults(inbox: string, config: FaultConfig): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO inboxes (inbox, faults) VALUES (?, ?) ON CONFLICT (inbox) DO UPDATE SET faults = excluded.faults",
      inbox,
      JSON.stringify(config),
    );
  }
}

function toStored(row: RequestRow): StoredRequest {
  const parsed = parseJson(row.body);
  return {
    seq: row.seq,
    kind: row.kind as Kind,
    receivedAt: row.received_at,
    status: row.status,
    verified: row.verified === null ? null : row.verified === 1,
    webhookId: row.webhook_id,
    timestamp: row.webhook_timestamp,
    repeat: row.repeat_count,
    dedupKey: row.dedup_key,
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: parsed.ok ? parsed.value : null,
    rawBody: row.body,
  };
}
