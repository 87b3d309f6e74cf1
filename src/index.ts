// The dockline worker: HTTP (Hono), queue consumers, and the Durable Object classes it hosts.
import { app } from "./app";
import type { DeliveryMessage, ErpMessage, ProjectionMessage } from "./domain/messages";
import { consumeErpDeadLetters, consumeProjectionDeadLetters } from "./queues/dead-letter-consumer";
import { consumeErp } from "./queues/erp-consumer";
import { consumeProjections } from "./queues/projection-consumer";
import { reconcileOnSchedule } from "./ops/reconcile";
import { errorName, errorSite, log } from "./platform/log";
import { purgeSubscriptionLog } from "./subscriptions/store";

export { CorrelationDO } from "../durable-objects/correlation";
export { DestinationDO } from "../durable-objects/destination";
export { MetricsDO } from "../durable-objects/metrics";
export { OrderDO } from "../durable-objects/order";

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    // Queue names carry an environment suffix in staging/production; match on the stable part.
    // Dead-letter queues first: their names contain the main queues' names.
    if (batch.queue.includes("erp-writes-dlq")) return consumeErpDeadLetters(batch as MessageBatch<ErpMessage | DeliveryMessage>, env);
    if (batch.queue.includes("projections-dlq")) return consumeProjectionDeadLetters(batch as MessageBatch<ProjectionMessage>, env);
    if (batch.queue.includes("erp-writes")) return consumeErp(batch as MessageBatch<ErpMessage | DeliveryMessage>, env);
    if (batch.queue.includes("projections")) return consumeProjections(batch as MessageBatch<ProjectionMessage>, env);
    log.error("message from an unknown queue", { queue: batch.queue });
    batch.retryAll();
  },
  // Cron (wrangler.toml [triggers]): reconcile the next batch of orders; purge expired delivery logs.
  async scheduled(controller, env, ctx) {
    const correlationId = `cron-${controller.scheduledTime}`;
    ctx.waitUntil(
      reconcileOnSchedule(env, correlationId).then(
        (r) => log.info("scheduled reconciliation", { correlationId, checked: r.checked, drifted: r.drifted }),
        (err: unknown) => log.error("scheduled reconciliation failed", { correlationId, error: errorName(err), at: errorSite(err) }),
      ),
    );
    ctx.waitUntil(
      purgeSubscriptionLog(env, controller.scheduledTime).then(
        (before) => log.info("subscription delivery log purged", { correlationId, before }),
        (err: unknown) => log.error("purging the subscription delivery log failed", { correlationId, error: errorName(err), at: errorSite(err) }),
      ),
    );
  },
} satisfies ExportedHandler<Env, ErpMessage | DeliveryMessage | ProjectionMessage>;
