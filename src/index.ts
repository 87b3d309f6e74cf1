// The dockline worker: HTTP (Hono), queue consumers, and the Durable Object classes it hosts.
import { app } from "./app";
import type { DeliveryMessage, ErpMessage, ProjectionMessage } from "./domain/messages";
import { consumeErpDeadLetters, consumeProjectionDeadLetters } from "./queues/dead-letter-consumer";
import { consumeErp } from "./queues/erp-consumer";
import { consumeProjections } from "./queues/projection-consumer";
import { reconcileOnSchedule } from "./ops/reconcile";
import { errorName, errorSite, log } from "./platform/log";
import { purgeSubscriptionLog } from "./subscriptions/store";
import { purgeDeliveryAttempts } from "./readmodel/delivery-attempts";
import { purgeInboundLog } from "./readmodel/inbound-log";
import { sampleGauges } from "./ops/gauges";

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
  // Cron (wrangler.toml [triggers], every 10 min): reconcile the next batch of orders; purge the logs past
  // their retention (subscription deliveries, delivery attempts, inbound requests); sample the backlog's
  // levels for the console's charts. Each job runs on its own: one failing does not stop the others.
  async scheduled(controller, env, ctx) {
    const correlationId = `cron-${controller.scheduledTime}`;
    const now = controller.scheduledTime;
    const jobs: [string, () => Promise<Record<string, unknown>>][] = [
      ["scheduled reconciliation", async () => reconcileOnSchedule(env, correlationId).then((r) => ({ checked: r.checked, drifted: r.drifted }))],
      ["subscription delivery log purged", async () => ({ before: await purgeSubscriptionLog(env, now) })],
      ["delivery attempts purged", async () => ({ before: await purgeDeliveryAttempts(env, now) })],
      ["inbound request log purged", async () => ({ ...(await purgeInboundLog(env, now)) })],
      [
        "backlog levels sampled",
        async () => {
          await sampleGauges(env, now);
          return {};
        },
      ],
    ];
    for (const [done, run] of jobs) {
      ctx.waitUntil(
        run().then(
          (fields) => log.info(done, { correlationId, ...fields }),
          (err: unknown) => log.error(`cron job failed: ${done}`, { correlationId, error: errorName(err), at: errorSite(err) }),
        ),
      );
    }
  },
} satisfies ExportedHandler<Env, ErpMessage | DeliveryMessage | ProjectionMessage>;
