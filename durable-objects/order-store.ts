// The OrderDO's own tables: the event set, the meta values (the order's id, its state, its clocks) and
// the correlation keys it owns; and the in-memory copy of what a step reads. The `commands` table is the
// ERP cursor's (order-erp.ts), the `outbox` the outbox's (outbox.ts).
import type { EmittedCommand } from "../src/domain/commands";
import type { CanonicalEvent } from "../src/domain/event";
import type { Json } from "../src/domain/json";
import type { HeldEvent, OrderStep, OrderStepInput } from "../src/domain/order-step";
import type { OrderState } from "../src/domain/state";
import { migrateOrderSchema } from "./order-schema";

/** The order's id as stored, and what a step reads, kept in step with every commit. */
interface OrderMemory {
  orderId: string | undefined;
  /** The state as stored (null before the first event). */
  state: OrderState | null;
  held: Map<string, HeldEvent>;
  emitted: EmittedCommand[];
  lastSeq: number;
  keys: Set<string>;
}

export class OrderStore {
  /**
   * Read from storage once per instance and then kept in step with every commit. Safe because this
   * instance is the only writer of its storage, and each request runs alone between awaits.
   */
  private memo: OrderMemory | null = null;

  constructor(readonly sql: SqlStorage) {
    migrateOrderSchema(sql);
  }

  getMeta(k: string): string | undefined {
    return this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v;
  }

  setMeta(k: string, v: string): void {
    this.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v);
  }

  /** The meta keys that start with `prefix`. */
  metaKeys(prefix: string): string[] {
    return this.sql
      .exec<{ k: string }>("SELECT k FROM meta WHERE substr(k, 1, ?) = ?", prefix.length, prefix)
      .toArray()
      .map((r) => r.k);
  }

  deleteMeta(k: string): void {
    this.sql.exec("DELETE FROM meta WHERE k = ?", k);
  }

  orderId(): string {
    return this.getMeta("order_id") ?? "";
  }

  /** The state as last committed: read once per instance, then kept by `remember`. */
  state(): OrderState | null {
    return this.memory().state;
  }

  /** What a step reads besides its arrivals. */
  holding(): Pick<OrderStepInput, "held" | "lastArrival" | "emitted" | "lastSeq" | "keys"> {
    const { held, emitted, lastSeq, keys } = this.memory();
    return { held, lastArrival: Number(this.getMeta("arrivals") ?? "0"), emitted, lastSeq, keys };
  }

  private memory(): OrderMemory {
    const stateJson = this.memo ? undefined : this.getMeta("state");
    this.memo ??= {
      orderId: this.getMeta("order_id"),
      state: stateJson ? (JSON.parse(stateJson) as OrderState) : null,
      held: new Map(
        this.sql
          .exec<{ hash: string; body: string }>("SELECT hash, body FROM events")
          .toArray()
          .map((r) => {
            const event = JSON.parse(r.body) as CanonicalEvent;
            return [event.eventId, { event, hash: r.hash }];
          }),
      ),
      emitted: this.sql
        .exec<{ key: string; type: string; payload: string }>("SELECT key, type, payload FROM commands ORDER BY seq")
        .toArray()
        .map((r) => ({ key: r.key, type: r.type, payload: JSON.parse(r.payload) as Record<string, Json> })),
      lastSeq: this.sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM commands").one().s ?? 0,
      keys: new Set(
        this.sql
          .exec<{ key: string }>("SELECT key FROM keys")
          .toArray()
          .map((r) => r.key),
      ),
    };
    return this.memo;
  }

  /**
   * Writes a step's events, state and keys (inside the caller's transaction); its commands are the ERP
   * cursor's to store, its messages the outbox's.
   */
  write(orderId: string, step: OrderStep, now: string): void {
    // Written once: a duplicate-only request then writes nothing at all.
    if (this.memory().orderId !== orderId) this.setMeta("order_id", orderId);
    for (const { event: e, hash, correlationId, arrival } of step.accepted) {
      this.sql.exec(
        "INSERT INTO events (event_id, arrival, code, occurred_at, hash, body, correlation_id, received_at) VALUES (?,?,?,?,?,?,?,?)",
        e.eventId,
        arrival,
        e.code,
        e.occurredAt,
        hash,
        JSON.stringify(e),
        correlationId,
        now,
      );
    }
    const change = step.change;
    const last = step.accepted.at(-1);
    if (!change || !last) return;
    this.setMeta("arrivals", String(last.arrival));
    this.setMeta("state", JSON.stringify(change.state));
    this.setMeta("updated_at", now);
    for (const key of change.keys) this.sql.exec("INSERT INTO keys (key, learned_at) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", key, now);
  }

  /** What the memory learns from a step; call only once its transaction committed. */
  remember(orderId: string, step: OrderStep): void {
    const m = this.memory();
    for (const { event, hash } of step.accepted) m.held.set(event.eventId, { event, hash });
    const commands = step.change?.commands ?? [];
    m.emitted.push(...commands.map(({ key, type, payload }) => ({ key, type, payload })));
    m.lastSeq = commands.at(-1)?.seq ?? m.lastSeq;
    for (const k of step.change?.keys ?? []) m.keys.add(k);
    if (step.change) m.state = step.change.state;
    m.orderId = orderId;
  }

  /** The CorrelationDO's answer for a key the order owns. */
  markKey(key: string, status: "bound" | "conflict"): void {
    this.sql.exec("UPDATE keys SET status = ? WHERE key = ?", status, key);
  }
}
