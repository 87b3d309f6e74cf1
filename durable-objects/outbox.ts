// The order's transactional outbox: rows written in the same SQLite transaction as the state they come
// from, handed to Queues (or to a CorrelationDO, for key bindings) after the commit, deleted only once
// sent. It keeps Queues' limits itself (128 KB a message, 256 KB and 100 messages a batch), collapses an
// order's pending snapshots to the newest, and never lets one row that cannot be sent hold back the rest.
import type { DeliveryMessage, ErpMessage, ProjectionMessage } from "../src/domain/messages";
import type { PortalOrder } from "../src/domain/view";
import { log, platformErrorDetail } from "../src/platform/log";

export type OutboxQueue = "erp" | "projection" | "bind" | "notify";
export type BindRequest = { key: string };
/** "Fan the order's recorded events out to their subscriptions" (order-notify.ts): one pending is enough. */
export type NotifyRequest = { notify: true };
type Body<Q extends OutboxQueue> = Q extends "erp"
  ? ErpMessage | DeliveryMessage
  : Q extends "projection"
    ? ProjectionMessage
    : Q extends "bind"
      ? BindRequest
      : NotifyRequest;

// Queues refuses a message over 128 KB and a sendBatch over 256 KB or 100 messages. The margins leave room
// for the envelope Queues adds to each body.
export const MAX_MESSAGE_BYTES = 100_000;
export const MAX_BATCH_BYTES = 200_000;
export const MAX_BATCH_MESSAGES = 100;
/** Rows read per pass: the flush loops, so this only bounds one pass's memory. */
const ROWS_PER_PASS = 200;
/**
 * A projection row that failed this many sends is given up: the read model is then repaired from the
 * order itself (reconciliation re-projects it), which is cheaper than retrying a row the queue keeps
 * refusing. ERP and binding rows are never given up: they are small, and only they carry their effect.
 */
export const PROJECTION_MAX_ATTEMPTS = 25;

export interface OutboxDeps {
  sql: SqlStorage;
  sendBatch(queue: "erp" | "projection", bodies: unknown[]): Promise<void>;
  bind(key: string): Promise<void>;
  notify(): Promise<void>;
  orderId(): string | undefined;
  /** A projection row was given up: the read model needs a repair from the order's state. */
  abandoned(reason: string): void;
}

type Row = {
  id: number;
  queue: OutboxQueue;
  body: string;
  attempts: number;
};

interface Unit {
  row: Row;
  messages: { body: unknown; bytes: number }[];
}

const encoder = new TextEncoder();
const bytesOf = (v: unknown) => encoder.encode(JSON.stringify(v)).length;

export class Outbox {
  /** Rows handed to a send that has not finished: never merged into, never selected again meanwhile. */
  private readonly inFlight = new Set<number>();

  constructor(private readonly d: OutboxDeps) {}

  /**
   * Adds a row (inside the caller's transaction). A newer snapshot of the order, or of its ERP cursor,
   * replaces a pending older one instead of queueing behind it; the timeline entries the older snapshot
   * carried move into the newer one, so nothing new is lost. Repeated ERP nudges and bindings collapse too.
   */
  put<Q extends OutboxQueue>(queue: Q, body: Body<Q>, now: string): void {
    let merged: Body<OutboxQueue> = body;
    const pending = this.pendingRows(queue);
    if (queue === "projection") {
      const m = body as ProjectionMessage;
      for (const r of pending) {
        const old = JSON.parse(r.body) as ProjectionMessage;
        if (m.kind === "projection" && old.kind === "projection") merged = mergeSnapshots(old, merged as typeof m);
        else if (m.kind === "erp-progress" && old.kind === "erp-progress") {
          if (old.progress.erpVersion > (merged as typeof m).progress.erpVersion) merged = old;
        } else continue;
        this.d.sql.exec("DELETE FROM outbox WHERE id = ?", r.id);
      }
    } else if (queue === "notify" ? pending.length > 0 : pending.some((r) => sameTarget(JSON.parse(r.body) as Body<Q>, body))) {
      // A second nudge of the same ERP command, or a second binding of the same key, adds nothing.
      return;
    }
    this.d.sql.exec("INSERT INTO outbox (queue, body, created_at) VALUES (?,?,?)", queue, JSON.stringify(merged), now);
  }

  private pendingRows(queue: OutboxQueue): Row[] {
    return this.d.sql
      .exec<Row>("SELECT id, queue, body, attempts FROM outbox WHERE queue = ?", queue)
      .toArray()
      .filter((r) => !this.inFlight.has(r.id));
  }

  /** Rows waiting, and how often the most-tried one failed (the alarm backs off on it). */
  stats(): { rows: number; failedAttempts: number; maxAttempts: number } {
    const s = this.d.sql
      .exec<{ n: number; a: number | null; m: number | null }>("SELECT count(*) AS n, sum(attempts) AS a, max(attempts) AS m FROM outbox")
      .one();
    return { rows: s.n, failedAttempts: s.a ?? 0, maxAttempts: s.m ?? 0 };
  }

  list(): { id: number; queue: string; body: unknown; createdAt: string; attempts: number }[] {
    return this.d.sql
      .exec<{ id: number; queue: string; body: string; created_at: string; attempts: number }>(
        "SELECT id, queue, body, created_at, attempts FROM outbox ORDER BY id",
      )
      .toArray()
      .map((r) => ({ id: r.id, queue: r.queue, body: JSON.parse(r.body) as unknown, createdAt: r.created_at, attempts: r.attempts }));
  }

  /**
   * One pass over what is waiting. Returns "empty" when nothing was waiting, otherwise whether every row
   * sent went through. Rows written while this pass awaits are left to the next pass.
   */
  async pass(): Promise<"empty" | "sent" | "failed"> {
    const rows = this.d.sql
      .exec<Row>("SELECT id, queue, body, attempts FROM outbox ORDER BY id LIMIT ?", ROWS_PER_PASS + this.inFlight.size)
      .toArray()
      .filter((r) => !this.inFlight.has(r.id))
      .slice(0, ROWS_PER_PASS);
    if (rows.length === 0) return "empty";
    for (const r of rows) this.inFlight.add(r.id);
    let failed = false;
    try {
      for (const row of rows.filter((r) => r.queue === "bind")) {
        try {
          await this.d.bind((JSON.parse(row.body) as BindRequest).key);
          this.d.sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
        } catch (err) {
          failed = true;
          this.failed(row, err, "binding a correlation key failed");
        }
      }
      for (const queue of ["erp", "projection"] as const) {
        const units = rows.filter((r) => r.queue === queue).map((row) => ({ row, messages: messagesOf(row) }));
        for (const group of packUnits(units)) {
          if (!(await this.sendGroup(queue, group))) failed = true;
        }
      }
      // After the queues (the read model does not wait for a D1 read): a fan-out writes the subscriptions'
      // delivery messages, which the next pass sends.
      for (const row of rows.filter((r) => r.queue === "notify")) {
        try {
          await this.d.notify();
          this.d.sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
        } catch (err) {
          failed = true;
          this.failed(row, err, "fanning events out to subscriptions failed");
        }
      }
    } finally {
      for (const r of rows) this.inFlight.delete(r.id);
    }
    return failed ? "failed" : "sent";
  }

  /** Sends rows together; if that fails, each on its own, so one bad row cannot hold back the others. */
  private async sendGroup(queue: "erp" | "projection", group: Unit[]): Promise<boolean> {
    try {
      await this.sendUnits(queue, group);
      this.delete(group.map((u) => u.row.id));
      return true;
    } catch (err) {
      if (group.length === 1 && group[0]) {
        this.failed(group[0].row, err, "outbox send failed", group[0]);
        return false;
      }
    }
    let ok = true;
    for (const u of group) {
      try {
        await this.sendUnits(queue, [u]);
        this.delete([u.row.id]);
      } catch (err) {
        ok = false;
        this.failed(u.row, err, "outbox send failed", u);
      }
    }
    return ok;
  }

  private async sendUnits(queue: "erp" | "projection", units: Unit[]): Promise<void> {
    for (const batch of packMessages(units.flatMap((u) => u.messages))) {
      await this.d.sendBatch(
        queue,
        batch.map((m) => m.body),
      );
    }
  }

  private delete(ids: number[]): void {
    if (ids.length === 0) return;
    this.d.sql.exec(`DELETE FROM outbox WHERE id IN (${ids.map(() => "?").join(",")})`, ...ids);
  }

  private failed(row: Row, err: unknown, msg: string, unit?: Unit): void {
    const attempts = row.attempts + 1;
    const fields = {
      orderId: this.d.orderId(),
      queue: row.queue,
      rowId: row.id,
      attempts,
      ...(unit ? { messages: unit.messages.length, bytes: unit.messages.reduce((n, m) => n + m.bytes, 0) } : {}),
      correlationId: (JSON.parse(row.body) as { correlationId?: string }).correlationId,
      error: platformErrorDetail(err),
    };
    if (row.queue === "projection" && attempts >= PROJECTION_MAX_ATTEMPTS) {
      this.d.sql.exec("DELETE FROM outbox WHERE id = ?", row.id);
      log.error("projection row given up after repeated send failures; the order is marked for re-projection", fields);
      this.d.abandoned(fields.error);
      return;
    }
    this.d.sql.exec("UPDATE outbox SET attempts = ? WHERE id = ?", attempts, row.id);
    log.warn(`${msg}; the alarm will retry`, fields);
  }
}

type AnyBody = ErpMessage | DeliveryMessage | BindRequest | NotifyRequest | ProjectionMessage;

function sameTarget(a: AnyBody, b: AnyBody): boolean {
  const destination = (m: AnyBody) => ("destination" in m ? m.destination : "erp");
  if ("seq" in a && "seq" in b) return a.seq === b.seq && a.orderId === b.orderId && destination(a) === destination(b);
  if ("key" in a && "key" in b) return a.key === b.key;
  return false;
}

/** The newer snapshot, carrying every timeline entry either one carried. */
function mergeSnapshots(
  a: Extract<ProjectionMessage, { kind: "projection" }>,
  b: Extract<ProjectionMessage, { kind: "projection" }>,
): Extract<ProjectionMessage, { kind: "projection" }> {
  const [older, newer] = a.order.version > b.order.version ? [b, a] : [a, b];
  const seen = new Set(newer.order.timeline.map((t) => t.eventId));
  const timeline = [...older.order.timeline.filter((t) => !seen.has(t.eventId)), ...newer.order.timeline];
  return { ...newer, order: { ...newer.order, timeline } };
}

/**
 * What a row becomes on the queue: itself, or — for a snapshot too big for one message — its timeline in
 * chunks that each fit, followed by the view with an empty timeline (D1 applies both idempotently, so
 * their order of arrival does not matter).
 */
export function messagesOf(row: Pick<Row, "queue" | "body">): Unit["messages"] {
  const body = JSON.parse(row.body) as Body<OutboxQueue>;
  const bytes = encoder.encode(row.body).length;
  if (bytes <= MAX_MESSAGE_BYTES || row.queue !== "projection" || (body as ProjectionMessage).kind !== "projection") return [{ body, bytes }];
  const snapshot = body as Extract<ProjectionMessage, { kind: "projection" }>;
  const header = { ...snapshot, order: { ...snapshot.order, timeline: [] } };
  const out: Unit["messages"] = [];
  const base = bytesOf({ kind: "timeline", orderId: snapshot.order.orderId, entries: [], correlationId: snapshot.correlationId });
  let chunk: PortalOrder["timeline"] = [];
  let size = base;
  const close = () => {
    if (chunk.length === 0) return;
    const m = { kind: "timeline", orderId: snapshot.order.orderId, entries: chunk, correlationId: snapshot.correlationId } satisfies ProjectionMessage;
    out.push({ body: m, bytes: size });
    chunk = [];
    size = base;
  };
  for (const entry of snapshot.order.timeline) {
    const b = bytesOf(entry) + 1;
    if (size + b > MAX_MESSAGE_BYTES) close();
    chunk.push(entry);
    size += b;
  }
  close();
  out.push({ body: header, bytes: bytesOf(header) });
  return out;
}

/** Groups rows into sends within the batch limits; a row that alone exceeds them is a group of its own. */
function packUnits(units: Unit[]): Unit[][] {
  const groups: Unit[][] = [];
  let cur: Unit[] = [];
  let bytes = 0;
  let count = 0;
  for (const u of units) {
    const b = u.messages.reduce((n, m) => n + m.bytes, 0);
    if (cur.length > 0 && (bytes + b > MAX_BATCH_BYTES || count + u.messages.length > MAX_BATCH_MESSAGES)) {
      groups.push(cur);
      cur = [];
      bytes = 0;
      count = 0;
    }
    cur.push(u);
    bytes += b;
    count += u.messages.length;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

/** Splits messages into sendBatch calls within the limits. */
export function packMessages<M extends { bytes: number }>(messages: M[]): M[][] {
  const batches: M[][] = [];
  let cur: M[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (cur.length > 0 && (bytes + m.bytes > MAX_BATCH_BYTES || cur.length === MAX_BATCH_MESSAGES)) {
      batches.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(m);
    bytes += m.bytes;
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}
