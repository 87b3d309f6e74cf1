// The order's deliveries to destinations other than the ERP (the fulfilment partners,
// `fulfillment:<partnerId>`, and the subscriptions, `subscription:<id>`): one pure delivery cursor (src/domain/delivery.ts) per destination, kept as
// meta `delivery:<destination>`, the payloads in the `deliveries` table. The same engine as the ERP's
// (order-erp.ts): per-destination sequence, retries bounded by time, dead only when refused or expired,
// each destination's gate in front; a destination's outage never holds back another's commands.
import {
  ack,
  append,
  claim,
  type DeliveryFailure,
  type DeliveryPolicy,
  type DeliveryState,
  defer,
  emptyDelivery,
  type FailOutcome,
  fail,
  head,
  nextDueAt,
  revive,
  wake,
} from "../src/domain/delivery";
import type { FulfillmentCommand } from "../src/domain/fulfillment";
import type { Json } from "../src/domain/json";
import type { DeliveryMessage } from "../src/domain/messages";
import type { CommandView } from "./order-ops";

export type DeliveryClaim =
  | {
      status: "deliver";
      lease: string;
      seq: number;
      key: string;
      type: string;
      payload: Record<string, Json>;
      correlationId: string;
      attempt: number;
      /** When the command was emitted (ISO): a format that dates its message uses it, so a retry is the same message. */
      createdAt: string;
    }
  | { status: "done" | "wait" | "waiting" | "leased" | "blocked" | "unknown" };

type Row = {
  destination: string;
  seq: number;
  key: string;
  type: string;
  payload: string;
  correlation_id: string;
  created_at: string;
};

export const DELIVERIES_SCHEMA = `CREATE TABLE IF NOT EXISTS deliveries (
  destination TEXT NOT NULL,
  seq INTEGER NOT NULL,
  key TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (destination, seq))`;

/** A command for a destination besides the ERP: a fulfillment request, or an event for a subscription. */
export interface OutboundCommand {
  destination: string;
  key: string;
  type: string;
  payload: Record<string, Json>;
}

const FULFILLMENT = "fulfillment:";

/** A due head whose message nobody claimed for this long gets a fresh one from the alarm (as the ERP's). */
const RESEND_AFTER_MS = 300_000;

/** One step of the delivery protocol, as the consumer asks it of the order (OrderDO.delivery). */
export type DeliveryOp =
  | { op: "claim"; seq: number | "head" }
  | { op: "ack"; seq: number; lease: string }
  | { op: "fail"; seq: number; lease: string; failure: DeliveryFailure }
  | { op: "defer"; seq: number; until: number; failing?: string }
  | { op: "wake" }
  | { op: "replay"; key: string };

export type DeliveryResult =
  | DeliveryClaim
  | FailOutcome
  | { status: "acked" | "stale" | "deferred" | "expired" | "unchanged" }
  | { status: "woken"; seq: number | null }
  | { status: "replayed"; how: "revived" | "resent"; seq: number }
  | { status: "pending" | "unknown" };

export interface DeliveriesHost {
  sql: SqlStorage;
  getMeta(k: string): string | undefined;
  setMeta(k: string, v: string): void;
  orderId(): string;
  policy(destination: string): DeliveryPolicy;
  enqueue(m: DeliveryMessage): void;
  /** A command died (refused, or expired): ops hear of it (`ops.dead_letter`), except of subscribers' own. */
  dead(d: DeadDelivery): void;
}

export interface DeadDelivery {
  orderId: string;
  destination: string;
  seq: number;
  commandKey: string;
  type: string;
  reason: string;
  status: number | null;
  deadAt: string;
  correlationId: string;
}

export class OrderDeliveries {
  constructor(private readonly h: DeliveriesHost) {
    h.sql.exec(DELIVERIES_SCHEMA);
  }

  destinations(): string[] {
    return this.h.sql
      .exec<{ destination: string }>("SELECT DISTINCT destination FROM deliveries ORDER BY destination")
      .toArray()
      .map((r) => r.destination);
  }

  /** Kept between ingests (this object is its storage's only writer); dropped by every append. */
  private memo: Pick<FulfillmentCommand, "destination" | "key" | "type" | "payload">[] | null = null;

  /** Every command emitted so far, for the order step (what it must not emit again): read once, not per webhook. */
  emitted(): Pick<FulfillmentCommand, "destination" | "key" | "type" | "payload">[] {
    this.memo ??= this.read();
    return this.memo;
  }

  private read(): Pick<FulfillmentCommand, "destination" | "key" | "type" | "payload">[] {
    return this.h.sql
      .exec<Row>(
        "SELECT destination, seq, key, type, payload, correlation_id, created_at FROM deliveries WHERE destination LIKE 'fulfillment:%' ORDER BY destination, seq",
      )
      .toArray()
      .map((r) => ({
        destination: r.destination,
        key: r.key,
        type: r.type as FulfillmentCommand["type"],
        payload: JSON.parse(r.payload) as Record<string, Json>,
      }));
  }

  private state(destination: string): DeliveryState {
    const v = this.h.getMeta(`delivery:${destination}`);
    return v ? (JSON.parse(v) as DeliveryState) : emptyDelivery();
  }

  private save(destination: string, state: DeliveryState): void {
    this.h.setMeta(`delivery:${destination}`, JSON.stringify(state));
  }

  private row(destination: string, seq: number): Row | undefined {
    return this.h.sql
      .exec<Row>("SELECT destination, seq, key, type, payload, correlation_id, created_at FROM deliveries WHERE destination = ? AND seq = ?", destination, seq)
      .toArray()[0];
  }

  /**
   * New commands (inside the caller's transaction): stored, appended to their destination's cursor, the due
   * heads sent; and the lines routing left unroutable, kept for ops (`inspect`, the stuck list).
   */
  append(
    commands: readonly OutboundCommand[],
    unroutable: readonly { index: number; sku: string; quantity: number }[],
    now: number,
    correlationId: string,
  ): void {
    // Re-read after the commit rather than patched: a transaction that throws must not leave it ahead.
    if (commands.some((c) => c.destination.startsWith(FULFILLMENT))) this.memo = null;
    if (unroutable.length > 0) this.h.setMeta("unroutable", JSON.stringify(unroutable));
    const by = new Map<string, OutboundCommand[]>();
    for (const c of commands) by.set(c.destination, [...(by.get(c.destination) ?? []), c]);
    for (const [destination, list] of by) {
      let state = this.state(destination);
      let seq = state.commands.at(-1)?.seq ?? 0;
      const numbered = list.map((c) => ({ ...c, seq: ++seq }));
      for (const c of numbered) {
        this.h.sql.exec(
          "INSERT INTO deliveries (destination, seq, key, type, payload, correlation_id, created_at) VALUES (?,?,?,?,?,?,?)",
          destination,
          c.seq,
          c.key,
          c.type,
          JSON.stringify(c.payload),
          correlationId,
          new Date(now).toISOString(),
        );
      }
      state = append(state, numbered, now).state;
      this.save(destination, state);
      this.sendDue(destination, state, now);
    }
  }

  claim(destination: string, seq: number | "head", now: number): DeliveryClaim {
    let before = this.state(destination);
    if (seq === "head") {
      // The destination's gate handed this order its turn: a head parked for it is due now.
      before = wake(before, now);
    }
    const h = head(before);
    const target = seq === "head" ? h?.seq : seq;
    if (!h || target === undefined || target < h.seq) return target !== undefined && this.row(destination, target) ? { status: "done" } : { status: "unknown" };
    const row = this.row(destination, target);
    if (!row) return { status: "unknown" };
    if (target > h.seq) return h.deadAt !== null ? { status: "blocked" } : { status: "wait" };
    const r = claim(before, now, this.h.policy(destination));
    this.save(destination, r.state);
    if (r.claim.status !== "deliver") return { status: r.claim.status };
    this.h.setMeta(`delivery_sent:${destination}`, "");
    return {
      status: "deliver",
      lease: r.claim.token,
      seq: target,
      key: row.key,
      type: row.type,
      payload: JSON.parse(row.payload) as Record<string, Json>,
      correlationId: row.correlation_id,
      attempt: r.claim.attempt,
      createdAt: row.created_at,
    };
  }

  ack(destination: string, seq: number, token: string, now: number): boolean {
    const r = ack(this.state(destination), { seq, token }, now);
    if (r.outcome !== "acked") return r.outcome === "already-acked";
    this.save(destination, r.state);
    this.sendDue(destination, r.state, now);
    return true;
  }

  fail(destination: string, seq: number, token: string, failure: DeliveryFailure, now: number, random: () => number): FailOutcome {
    const r = fail(this.state(destination), { seq, token, failure }, now, this.h.policy(destination), random);
    if (r.outcome.status !== "stale") this.save(destination, r.state);
    if (r.outcome.status === "dead") this.died(destination, seq, r.state, now);
    return r.outcome;
  }

  defer(destination: string, seq: number, until: number, failing: string | undefined, now: number): "deferred" | "expired" | "unchanged" {
    const r = defer(this.state(destination), { seq, until, ...(failing !== undefined ? { failing } : {}) }, now, this.h.policy(destination));
    if (r.outcome !== "unchanged") this.save(destination, r.state);
    if (r.outcome === "expired") this.died(destination, seq, r.state, now);
    return r.outcome;
  }

  /**
   * Tells ops of a dead command. Not of a subscriber's: an ops subscription whose endpoint is down would
   * otherwise be told of its own failures; a subscriber failing for days is disabled, with its own notice.
   */
  private died(destination: string, seq: number, state: DeliveryState, now: number): void {
    if (destination.startsWith("subscription:")) return;
    const row = this.row(destination, seq);
    const c = state.commands.find((x) => x.seq === seq);
    if (!row || !c) return;
    this.h.dead({
      orderId: this.h.orderId(),
      destination,
      seq,
      commandKey: row.key,
      type: row.type,
      reason: c.lastError ?? c.deadReason ?? "dead",
      // 0 is "never answered" (a request no format could express): not an HTTP status.
      status: c.lastStatus || null,
      deadAt: new Date(now).toISOString(),
      correlationId: row.correlation_id,
    });
  }

  /** The destination answers again: its waiting head is due now and its message is sent. */
  wake(destination: string, now: number): number | null {
    const state = wake(this.state(destination), now);
    this.save(destination, state);
    return this.sendDue(destination, state, now, true);
  }

  /**
   * Ops or a subscriber ask for a command again. A dead one is revived: it is delivered again, and the
   * commands that waited behind it follow. One that went through is appended again, as a copy under its
   * own key with the same payload (so the same `webhook-id`), after whatever is queued for the destination.
   * One still being delivered is left alone: it is about to arrive anyway.
   */
  replay(destination: string, key: string, now: number): DeliveryResult {
    const row = this.h.sql
      .exec<Row>("SELECT destination, seq, key, type, payload, correlation_id, created_at FROM deliveries WHERE destination = ? AND key = ?", destination, key)
      .toArray()[0];
    if (!row) return { status: "unknown" };
    const state = this.state(destination);
    const c = state.commands.find((x) => x.seq === row.seq);
    if (c?.deadAt != null) {
      const r = revive(state, [row.seq], now);
      this.save(destination, r.state);
      this.sendDue(destination, r.state, now, true);
      return { status: "replayed", how: "revived", seq: row.seq };
    }
    if (!c || c.ackedAt === null) return { status: "pending" };
    const copies = this.h.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM deliveries WHERE destination = ? AND instr(key, ?) = 1", destination, `${key}#`)
      .one().n;
    const copy = { destination, key: `${key}#replay-${copies + 1}`, type: row.type, payload: JSON.parse(row.payload) as Record<string, Json> };
    this.append([copy], [], now, row.correlation_id);
    const seq = this.state(destination).commands.at(-1)?.seq ?? 0;
    return { status: "replayed", how: "resent", seq };
  }

  /** Every destination's due head gets its message (the order's alarm). Returns how many were sent. */
  sendAllDue(now: number): number {
    return this.destinations().filter((d) => this.sendDue(d, this.state(d), now) !== null).length;
  }

  private sendDue(destination: string, state: DeliveryState, now: number, force = false): number | null {
    const h = head(state);
    if (!h || h.deadAt !== null || h.nextAttemptAt === null || h.nextAttemptAt > now) return null;
    if (state.lease && state.lease.until > now) return null;
    const sentAt = Number(this.h.getMeta(`delivery_sent:${destination}`) || "0");
    if (!force && sentAt && now - sentAt < RESEND_AFTER_MS) return null;
    const row = this.row(destination, h.seq);
    if (!row) return null;
    this.h.enqueue({ kind: "delivery", destination, orderId: this.h.orderId(), seq: h.seq, correlationId: row.correlation_id, dueSince: h.firstDueAt ?? now });
    this.h.setMeta(`delivery_sent:${destination}`, String(now));
    return h.seq;
  }

  /** The earliest time the order's alarm must look at any destination (a retry, a lease's end, a lost message). */
  alarmAt(now: number): number | null {
    let earliest: number | null = null;
    for (const d of this.destinations()) {
      const state = this.state(d);
      let at = nextDueAt(state);
      if (at !== null && at <= now) {
        const sentAt = Number(this.h.getMeta(`delivery_sent:${d}`) || "0");
        at = sentAt ? Math.max(now, sentAt + RESEND_AFTER_MS) : now;
      }
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    }
    return earliest;
  }

  /** Applies one protocol step (inside the caller's transaction). */
  apply(destination: string, op: DeliveryOp, now: number, random: () => number): DeliveryResult {
    switch (op.op) {
      case "claim":
        return this.claim(destination, op.seq, now);
      case "ack":
        return { status: this.ack(destination, op.seq, op.lease, now) ? "acked" : "stale" };
      case "fail":
        return this.fail(destination, op.seq, op.lease, op.failure, now, random);
      case "defer":
        return { status: this.defer(destination, op.seq, op.until, op.failing, now) };
      case "wake":
        return { status: "woken", seq: this.wake(destination, now) };
      case "replay":
        return this.replay(destination, op.key, now);
    }
  }

  /** What ops see: each request, its destination, type, payload, attempts, acknowledgement and death. */
  list(): (CommandView & { destination: string })[] {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return this.h.sql
      .exec<Row>("SELECT destination, seq, key, type, payload, correlation_id, created_at FROM deliveries ORDER BY destination, seq")
      .toArray()
      .map((r) => {
        const c = this.state(r.destination).commands.find((x) => x.seq === r.seq);
        return {
          destination: r.destination,
          seq: r.seq,
          key: r.key,
          type: r.type,
          payload: JSON.parse(r.payload) as Json,
          createdAt: r.created_at,
          attempts: c?.attempts ?? 0,
          lastError: c?.lastError ?? null,
          ackedAt: iso(c?.ackedAt ?? null),
          deadAt: iso(c?.deadAt ?? null),
        };
      });
  }
}
