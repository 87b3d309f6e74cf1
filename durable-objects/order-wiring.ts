// The OrderDO's parts and what connects them to its storage, its queues, D1 and the CorrelationDOs.
import { deliveryPolicy } from "../src/domain/delivery";
import type { CanonicalEvent } from "../src/domain/event";
import type { IngestResult } from "../src/domain/order-step";
import { errorName, log } from "../src/platform/log";
import { noteForReconcile } from "../src/readmodel/reconcile-queue";
import { subscriptionsFor } from "../src/subscriptions/targets";
import { type DeadDelivery, OrderDeliveries } from "./order-deliveries";
import { OrderNotifications } from "./order-notify";
import { OpsFeedRules } from "./order-feed";
import { OrderSla } from "./order-sla";
import { slaPolicies } from "../src/sla-config";
import { ErpCursor } from "./order-erp";
import { bindKey, type CorrelationApi } from "./order-keys";
import { OrderSchedule } from "./order-schedule";
import { OrderStore } from "./order-store";
import { Outbox } from "./outbox";

export type RecordEvents = (orderId: string, items: { e: CanonicalEvent; correlationId: string }[]) => Promise<IngestResult[]>;

/** `record` adds events to the order's set, as an ingest does: key binding hands it the parked events. */
export function wireOrder(ctx: DurableObjectState, env: Env, record: RecordEvents) {
  const store = new OrderStore(ctx.storage.sql);
  const now = () => new Date().toISOString();
  const keys = {
    orderId: () => store.getMeta("order_id"),
    correlation: (key: string) => env.CORRELATIONS.getByName(key) as unknown as CorrelationApi,
    record,
    markKey: (key: string, status: "bound" | "conflict") => store.markKey(key, status),
  };
  const outbox = new Outbox({
    sql: store.sql,
    sendBatch: async (queue, bodies) => {
      const q = queue === "erp" ? env.ERP_QUEUE : env.PROJECTION_QUEUE;
      await q.sendBatch(bodies.map((body) => ({ body, contentType: "json" as const })));
    },
    bind: (key) => bindKey(keys, key),
    notify: () => notifications.fanOut(),
    orderId: () => store.getMeta("order_id"),
    // Remembered on the order (reconciliation lists it first) and re-projected in full by the next
    // reconciliation, whose chunked snapshot the queue can take.
    abandoned: (reason) => {
      store.setMeta("projection_abandoned_at", now());
      const orderId = store.getMeta("order_id");
      if (orderId) {
        ctx.waitUntil(
          noteForReconcile(env.DB, [orderId], `projection given up: ${reason}`).catch((err: unknown) =>
            log.warn("noting an order for reconciliation failed; the order remembers it", { orderId, error: errorName(err) }),
          ),
        );
      }
    },
  });
  const erp = new ErpCursor({
    sql: store.sql,
    getMeta: (k) => store.getMeta(k),
    setMeta: (k, v) => store.setMeta(k, v),
    orderId: () => store.orderId(),
    policy: () => deliveryPolicy("ERP", env),
    enqueueErp: (m) => outbox.put("erp", m, now()),
    enqueueProgress: (progress, correlationId) => outbox.put("projection", { kind: "erp-progress", progress, correlationId }, now()),
    enqueueDeadLetter: (deadLetter) => {
      outbox.put("projection", { kind: "dead-letter", deadLetter, correlationId: deadLetter.correlationId }, now());
      const { id, orderId, seq, commandKey, type, reason, erpStatus, createdAt, correlationId } = deadLetter;
      const dead = { orderId, destination: "erp", seq, commandKey, type, reason, status: erpStatus, deadAt: createdAt, correlationId };
      alertDead(dead, id);
    },
  });
  const deliveries = new OrderDeliveries({
    sql: store.sql,
    getMeta: (k) => store.getMeta(k),
    setMeta: (k, v) => store.setMeta(k, v),
    orderId: () => store.orderId(),
    policy: (destination) => deliveryPolicy(destination.split(":")[0]?.toUpperCase() ?? "", env),
    enqueue: (m) => outbox.put("erp", m, now()),
    dead: (d) => alertDead(d, null),
  });
  /** `ops.dead_letter`, one shape for every destination: `deadLetterId` is the ERP's D1 record (null for a partner's). */
  const alertDead = ({ correlationId, ...d }: DeadDelivery, deadLetterId: string | null) => {
    const customerId = customerOf(store);
    notifications.record([{ type: "ops.dead_letter", data: { deadLetterId, customerId, ...d } }], now(), customerId, correlationId);
  };
  const notifications = new OrderNotifications({
    sql: store.sql,
    getMeta: (k) => store.getMeta(k),
    setMeta: (k, v) => store.setMeta(k, v),
    orderId: () => store.orderId(),
    subscriptionsFor: (customerId) => subscriptionsFor(env.DB, customerId),
    transaction: (fn) => ctx.storage.transactionSync(fn),
    append: (commands, at, correlationId) => deliveries.append(commands, [], at, correlationId),
    requestFanOut: () => outbox.put("notify", { notify: true }, now()),
  });
  const sla = new OrderSla({
    getMeta: (k) => store.getMeta(k),
    setMeta: (k, v) => store.setMeta(k, v),
    policies: () => slaPolicies(env),
    alert: (type, data, correlationId) => notifications.record([{ type, data }], now(), customerOf(store), correlationId),
    project: (breach, correlationId) => outbox.put("projection", { kind: "sla-breach", breach, correlationId }, now()),
  });
  const feed = new OpsFeedRules({
    getMeta: (k) => store.getMeta(k),
    setMeta: (k, v) => store.setMeta(k, v),
    record: ({ type, data }, at) =>
      notifications.record([{ type, data }], at, typeof data.customerId === "string" ? data.customerId : null, `ops-feed:${type}`),
  });
  const schedule = new OrderSchedule({
    storage: ctx.storage,
    outbox,
    // One alarm for every destination and the SLA: the earliest of their next due times.
    erpAlarmAt: (at) => {
      const times = [erp.alarmAt(at), deliveries.alarmAt(at), sla.alarmAt(), feed.alarmAt()].filter((t): t is number => t !== null);
      return times.length > 0 ? Math.min(...times) : null;
    },
    retrySeconds: () => Number(env.OUTBOX_RETRY_SECONDS ?? "5") || 5,
    orderId: () => store.getMeta("order_id"),
    waitUntil: (p) => ctx.waitUntil(p),
  });
  return { store, outbox, erp, schedule, deliveries, notifications, sla, feed };
}

/** The order's customer (its release's), or null before the release. */
function customerOf(store: OrderStore): string | null {
  return store.state()?.details?.customerId ?? null;
}
