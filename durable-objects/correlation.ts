// CorrelationDO: one per correlation key (a tracking number or a partner's order reference). Routes
// events that do not name their order to the order that bound the key, or parks them, durably and in
// arrival order, until an order binds it. A second order claiming a bound key is a conflict for ops.
import { DurableObject } from "cloudflare:workers";
import type { CanonicalEvent } from "../src/domain/event";
import { identityText } from "../src/domain/identity";
import { log } from "../src/platform/log";
import type { MappedEvent } from "../src/partners/types";
import type { OrderApi } from "../src/orders";

export interface RouteResult {
  eventId: string;
  orderId?: string;
  outcome: "accepted" | "duplicate" | "parked" | "not-assigned";
  /** The id is already taken by an event with different content (parked here, or in the order): that one stands. */
  conflict?: boolean;
}

export interface ParkedEvent {
  id: number;
  event: MappedEvent;
  correlationId: string;
}

export type BindResult = { status: "bound"; parked: ParkedEvent[] } | { status: "conflict"; boundTo: string };

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)",
  `CREATE TABLE IF NOT EXISTS parked (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     event_id TEXT NOT NULL UNIQUE,
     body TEXT NOT NULL,
     correlation_id TEXT NOT NULL,
     parked_at TEXT NOT NULL)`,
  // Orders that tried to bind this key after another order had it.
  "CREATE TABLE IF NOT EXISTS conflicts (order_id TEXT PRIMARY KEY, at TEXT NOT NULL)",
];

export class CorrelationDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const s of SCHEMA) this.sql.exec(s);
  }

  /** Hands events to the bound order, or parks them. */
  async route(key: string, events: MappedEvent[], correlationId: string): Promise<RouteResult[]> {
    this.rememberKey(key);
    const orderId = this.getMeta("order_id");
    if (!orderId) {
      // No await between the check above and these inserts: a concurrent bind cannot slip in between.
      const now = new Date().toISOString();
      const results: RouteResult[] = [];
      for (const e of events) {
        // A re-sent parked event is parked already; one that reuses the id with other content is a conflict
        // (the parked version stands, as the order's first version would).
        const parked = this.sql.exec<{ body: string }>("SELECT body FROM parked WHERE event_id = ?", e.eventId).toArray()[0];
        if (parked) {
          const same = identityText(JSON.parse(parked.body) as MappedEvent) === identityText(e);
          results.push({ eventId: e.eventId, outcome: "parked", ...(same ? {} : { conflict: true }) });
          continue;
        }
        this.sql.exec("INSERT INTO parked (event_id, body, correlation_id, parked_at) VALUES (?,?,?,?)", e.eventId, JSON.stringify(e), correlationId, now);
        results.push({ eventId: e.eventId, outcome: "parked" });
      }
      log.info("events parked until their key is bound", { key, correlationId, events: events.length });
      return results;
    }
    const withOrder = events.map((e) => ({ ...e, orderId }) as CanonicalEvent);
    const results = await this.order(orderId).ingest(orderId, withOrder, correlationId);
    return results.map((r) => ({ eventId: r.eventId, orderId, outcome: r.outcome, ...(r.conflict ? { conflict: true } : {}) }));
  }

  /**
   * An order claims this key. The first claim wins and receives every parked event (in arrival order);
   * the order acknowledges them with `release` once they are in its own log, so a crash in between
   * re-delivers rather than loses them.
   */
  async bind(key: string, orderId: string): Promise<BindResult> {
    this.rememberKey(key);
    const current = this.getMeta("order_id");
    if (current && current !== orderId) {
      const now = new Date().toISOString();
      this.sql.exec("INSERT INTO conflicts (order_id, at) VALUES (?, ?) ON CONFLICT(order_id) DO NOTHING", orderId, now);
      await this.env.DB.prepare(
        "INSERT INTO correlation_conflicts (key, bound_order_id, claimant_order_id, detected_at) VALUES (?,?,?,?) ON CONFLICT(key, claimant_order_id) DO NOTHING",
      )
        .bind(key, current, orderId, now)
        .run();
      log.warn("correlation key claimed by a second order", { key, boundTo: current, claimant: orderId });
      return { status: "conflict", boundTo: current };
    }
    if (!current) {
      this.setMeta("order_id", orderId);
      this.setMeta("bound_at", new Date().toISOString());
    }
    const parked = this.sql
      .exec<{ id: number; body: string; correlation_id: string }>("SELECT id, body, correlation_id FROM parked ORDER BY id")
      .toArray()
      .map((r) => ({ id: r.id, event: JSON.parse(r.body) as MappedEvent, correlationId: r.correlation_id }));
    return { status: "bound", parked };
  }

  /** The bound order has these parked events in its own log now. */
  async release(ids: number[]): Promise<void> {
    for (const id of ids) this.sql.exec("DELETE FROM parked WHERE id = ?", id);
  }

  async inspect(): Promise<{ key: string | null; orderId: string | null; boundAt: string | null; parked: number; conflicts: string[] }> {
    return {
      key: this.getMeta("key") ?? null,
      orderId: this.getMeta("order_id") ?? null,
      boundAt: this.getMeta("bound_at") ?? null,
      parked: this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM parked").one().n,
      conflicts: this.sql
        .exec<{ order_id: string }>("SELECT order_id FROM conflicts ORDER BY at")
        .toArray()
        .map((r) => r.order_id),
    };
  }

  private order(orderId: string): OrderApi {
    return this.env.ORDERS.getByName(orderId) as unknown as OrderApi;
  }

  /** Whether this object's own name is stored (for ops); known in memory after the first call. */
  private keyStored = false;

  /**
   * Stores the key once. Every carrier scan of a bound parcel the isolate does not know passes through
   * `route`; rewriting the same value each time was a statement per scan for nothing (SQLite flushes
   * nothing for it, so no commit was saved: docs/performance.md).
   */
  private rememberKey(key: string): void {
    if (this.keyStored) return;
    if (this.getMeta("key") !== key) this.setMeta("key", key);
    this.keyStored = true;
  }

  private getMeta(k: string): string | undefined {
    return this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v;
  }

  private setMeta(k: string, v: string): void {
    this.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v);
  }
}
