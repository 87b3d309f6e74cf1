// What the OrderDO shows ops and reconciliation: read-outs of its tables, its ERP cursor and its outbox.
// Nothing here writes.
import type { CanonicalEvent } from "../src/domain/event";
import type { Json } from "../src/domain/json";
import type { ErpProgress } from "../src/domain/messages";
import type { OrderState } from "../src/domain/state";
import { fulfillmentRows, partnerOf } from "../src/domain/fulfillment";
import { isSubscriptionDestination, subscriptionOf } from "../src/subscriptions/targets";
import type { OrderDeliveries } from "./order-deliveries";
import type { ErpCursor } from "./order-erp";
import type { OrderStore } from "./order-store";
import type { Outbox } from "./outbox";

export interface OrderParts {
  store: OrderStore;
  erp: ErpCursor;
  outbox: Outbox;
  deliveries?: OrderDeliveries;
}

/** What reconciliation compares with D1 and the ERP cursor. */
export interface ReconcileInfo {
  orderId: string;
  version: number;
  updatedAt: string | null;
  projectable: boolean;
  erp: ErpProgress;
  headLastActivityAt: string | null;
  outbox: { rows: number; failedAttempts: number };
  /** Commands marked dead: the read model must list each as a dead letter. */
  deadCommands: number;
  /** When a projection row was last given up (the read model then needs this order re-projected). */
  projectionAbandonedAt: string | null;
}

/** Everything ops needs to see about an order. */
/** One command as ops see it: the ERP's, or (with its destination) a fulfilment partner's. */
export interface CommandView {
  seq: number;
  key: string;
  type: string;
  payload: Json;
  createdAt: string;
  attempts: number;
  lastError: string | null;
  deadAt: string | null;
  ackedAt: string | null;
}

export interface OrderInspection {
  orderId: string | null;
  state: OrderState | null;
  events: (CanonicalEvent & { arrival: number; receivedAt: string; correlationId: string })[];
  commands: CommandView[];
  outbox: { id: number; queue: string; body: unknown; createdAt: string; attempts: number }[];
  /** Each fulfillment request and cancellation: its partner's destination, lines, attempts, acknowledgement. */
  deliveries: (ReturnType<OrderDeliveries["list"]>[number] & { partner: string; acknowledgedAt: string | null })[];
  subscriptionDeliveries: (Omit<ReturnType<OrderDeliveries["list"]>[number], "payload"> & { subscriptionId: string; webhookId: string })[];
  /** Lines no fulfillment route matched when the order was released (ops must route them). */
  unroutable: { index: number; sku: string; quantity: number }[];
  erp: {
    ackedSeq: number;
    lastSeq: number;
    pending: number;
    deadSeq: number | null;
    oldestPendingAt: string | null;
    oldestPendingAgeSeconds: number | null;
    lease: { seq: number; until: string } | null;
    /** When the head's next attempt is due (the order's alarm sends it then). */
    nextAttemptAt: string | null;
  };
}

export function reconcileInfo({ store, erp, outbox }: OrderParts): ReconcileInfo {
  const state = store.state();
  const stats = outbox.stats();
  return {
    orderId: store.orderId(),
    version: state?.version ?? 0,
    // The later of the last state change and the last ERP cursor change: both are projected.
    updatedAt:
      [store.getMeta("updated_at"), store.getMeta("erp_changed_at")]
        .filter((v): v is string => Boolean(v))
        .sort()
        .at(-1) ?? null,
    projectable: Boolean(state?.details),
    erp: erp.progress(new Date().toISOString()),
    headLastActivityAt: erp.headLastActivityAt(),
    outbox: { rows: stats.rows, failedAttempts: stats.failedAttempts },
    deadCommands: erp.deadLetters().length,
    projectionAbandonedAt: store.getMeta("projection_abandoned_at") ?? null,
  };
}

export function inspection({ store, erp, outbox, deliveries }: OrderParts): OrderInspection {
  // Acknowledgement as the read model states it (src/domain/fulfillment.ts).
  const orderEvents = store.sql
    .exec<{ body: string }>("SELECT body FROM events")
    .toArray()
    .map((r) => JSON.parse(r.body) as CanonicalEvent);
  const listed = deliveries?.list() ?? [];
  const rows = fulfillmentRows(store.getMeta("order_id") ?? "", orderEvents, deliveries?.emitted() ?? [], new Date().toISOString());
  const events = store.sql
    .exec<{ body: string; arrival: number; received_at: string; correlation_id: string }>(
      "SELECT body, arrival, received_at, correlation_id FROM events ORDER BY arrival",
    )
    .toArray()
    .map((r) => ({ ...(JSON.parse(r.body) as CanonicalEvent), arrival: r.arrival, receivedAt: r.received_at, correlationId: r.correlation_id }));
  const commands = store.sql
    .exec<{
      seq: number;
      key: string;
      type: string;
      payload: string;
      created_at: string;
      attempts: number;
      last_error: string | null;
      dead_at: string | null;
      acked_at: string | null;
    }>("SELECT seq, key, type, payload, created_at, attempts, last_error, dead_at, acked_at FROM commands ORDER BY seq")
    .toArray()
    .map((r) => ({
      seq: r.seq,
      key: r.key,
      type: r.type,
      payload: JSON.parse(r.payload) as Json,
      createdAt: r.created_at,
      attempts: r.attempts,
      lastError: r.last_error,
      deadAt: r.dead_at,
      ackedAt: r.acked_at,
    }));
  const progress = erp.progress(new Date().toISOString());
  const schedule = erp.schedule(Date.now());
  return {
    orderId: store.getMeta("order_id") ?? null,
    state: store.state(),
    events,
    commands,
    outbox: outbox.list(),
    // A request is acknowledged by its partner's fulfillment.acknowledged (the event names no request: one
    // request per partner and order today, so the partner's acknowledgement is its request's).
    deliveries: listed
      .filter((d) => !isSubscriptionDestination(d.destination))
      .map((d) => {
        const row = d.type === "fulfillment.requested" ? rows.find((r) => r.requestId === (d.payload as { requestId?: string }).requestId) : undefined;
        return { ...d, partner: partnerOf(d.destination), acknowledgedAt: row?.acknowledgedAt ?? null };
      }),
    // The events on their way to subscriptions, without the bodies (each subscription's log has them).
    subscriptionDeliveries: listed
      .filter((d) => isSubscriptionDestination(d.destination))
      .map(({ payload, ...d }) => ({
        ...d,
        subscriptionId: subscriptionOf(d.destination),
        webhookId: String((payload as { webhookId?: string }).webhookId ?? ""),
      })),
    unroutable: JSON.parse(store.getMeta("unroutable") ?? "[]") as OrderInspection["unroutable"],
    erp: {
      ackedSeq: progress.ackedSeq,
      lastSeq: progress.lastSeq,
      pending: progress.lastSeq - progress.ackedSeq,
      deadSeq: progress.deadSeq,
      oldestPendingAt: progress.oldestPendingAt,
      oldestPendingAgeSeconds: progress.oldestPendingAt ? Math.round((Date.now() - Date.parse(progress.oldestPendingAt)) / 1000) : null,
      ...schedule,
    },
  };
}
