// The order's events for subscribers (DESIGN §3.10): recorded in the same transaction as the change that
// implies them (the `notifications` table, numbered), then fanned out after the commit to every active
// subscription that wants them: each becomes a command on that subscription's own delivery cursor
// (`subscription:<id>`, order-deliveries.ts), so one order's events reach each subscriber in order, and a
// slow or dead subscriber holds back nobody else's events, nor the ERP's or the partners' commands.
//
// Once fanned out, an event is deleted here (each subscription's cursor holds its own copy), so an order's
// storage grows with what its subscribers still need, not with its history.
//
// Fan-out reads the subscriptions from D1, so it runs after the commit (an outbox `notify` row: retried by
// the outbox until it goes through), never on the path that answers a partner. It is cumulative: one run
// takes every event after `notified_upto`, so a run that failed is made up by the next, in order.
import type { Json } from "../src/domain/json";
import { sha256Hex } from "../src/platform/crypto";
import type { EventDraft } from "../src/subscriptions/events";
import { type SubscriptionTarget, subscriptionDestination } from "../src/subscriptions/targets";

export const NOTIFICATIONS_SCHEMA = `CREATE TABLE IF NOT EXISTS notifications (
  n INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  customer_id TEXT,
  correlation_id TEXT NOT NULL,
  created_at TEXT NOT NULL)`;

/** Events one fan-out run takes; a longer backlog (a D1 outage) goes in several runs, in order. */
const FANOUT_BATCH = 50;

/** A command on a subscription's cursor: what the consumer signs and POSTs. */
export interface SubscriptionPayload {
  webhookId: string;
  /** The event as the standard format sends it: `{ type, timestamp, data }`. */
  event: { type: string; timestamp: string; data: Record<string, Json> };
  customerId: string | null;
  version: number | null;
}

export interface NotifyHost {
  sql: SqlStorage;
  getMeta(k: string): string | undefined;
  setMeta(k: string, v: string): void;
  orderId(): string;
  /** Active subscriptions that may hear of this customer's orders (its own, and ops' for every customer). */
  subscriptionsFor(customerId: string | null): Promise<SubscriptionTarget[]>;
  /** Runs `fn` in one storage transaction. */
  transaction<T>(fn: () => T): T;
  /** Appends to the subscriptions' cursors (inside the transaction). */
  append(commands: { destination: string; key: string; type: string; payload: Record<string, Json> }[], now: number, correlationId: string): void;
  /** Asks for a fan-out after the commit (an outbox row). */
  requestFanOut(): void;
}

export class OrderNotifications {
  constructor(private readonly h: NotifyHost) {
    h.sql.exec(NOTIFICATIONS_SCHEMA);
  }

  /** Records a change's events (inside the caller's transaction) and asks for their fan-out. */
  record(drafts: readonly EventDraft[], at: string, customerId: string | null, correlationId: string): void {
    if (drafts.length === 0) return;
    for (const d of drafts) {
      const body = { type: d.type, timestamp: at, data: d.data };
      this.h.sql.exec(
        "INSERT INTO notifications (type, body, customer_id, correlation_id, created_at) VALUES (?,?,?,?,?)",
        d.type,
        JSON.stringify(body),
        customerId,
        correlationId,
        at,
      );
    }
    this.h.requestFanOut();
  }

  /** Fans the next events out to their subscriptions; asks for another run while more wait. */
  async fanOut(): Promise<void> {
    const upto = Number(this.h.getMeta("notified_upto") ?? "0");
    const rows = this.h.sql
      .exec<{ n: number; type: string; body: string; customer_id: string | null; correlation_id: string; created_at: string }>(
        "SELECT n, type, body, customer_id, correlation_id, created_at FROM notifications WHERE n > ? ORDER BY n LIMIT ?",
        upto,
        FANOUT_BATCH,
      )
      .toArray();
    const last = rows.at(-1);
    if (!last) return;
    const orderId = this.h.orderId();
    const customers = [...new Set(rows.map((r) => r.customer_id))];
    const targets = new Map(await Promise.all(customers.map(async (c) => [c, await this.h.subscriptionsFor(c)] as const)));
    // The webhook-id: stable for the event (its order and number), the same for every subscription. Only
    // computed when someone will receive it (most orders' customers subscribe to nothing).
    const wanted = rows.map((r) => (targets.get(r.customer_id) ?? []).some((t) => t.wants(r.type)));
    const ids = await Promise.all(rows.map(async (r, i) => (wanted[i] ? `msg_${(await sha256Hex(`${orderId}\n${r.n}`)).slice(0, 26)}` : "")));
    this.h.transaction(() => {
      // Another run took these meanwhile (this instance's runs interleave only at the awaits above).
      if (Number(this.h.getMeta("notified_upto") ?? "0") !== upto) return;
      for (const [i, r] of rows.entries()) {
        const webhookId = ids[i] as string;
        const event = JSON.parse(r.body) as SubscriptionPayload["event"];
        const version = typeof event.data.version === "number" ? event.data.version : null;
        const commands = (targets.get(r.customer_id) ?? [])
          .filter((t) => t.wants(r.type))
          .map((t) => ({
            destination: subscriptionDestination(t.id),
            key: `${t.id}/${webhookId}`,
            type: r.type,
            payload: { webhookId, event, customerId: r.customer_id, version } satisfies SubscriptionPayload as unknown as Record<string, Json>,
          }));
        if (commands.length > 0) this.h.append(commands, Date.parse(r.created_at) || Date.now(), r.correlation_id);
      }
      this.h.setMeta("notified_upto", String(last.n));
      // Each subscription's cursor holds its copy now: the order keeps no history of events nobody needs.
      this.h.sql.exec("DELETE FROM notifications WHERE n <= ?", last.n);
    });
    if (rows.length === FANOUT_BATCH) this.h.requestFanOut();
  }
}
