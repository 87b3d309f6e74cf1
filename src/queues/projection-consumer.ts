// Projection consumer: one D1 batch per queue batch. Safe to redeliver (version-guarded upserts), so a
// failure retries the whole batch.
import type { ProjectionMessage } from "../domain/messages";
import { project } from "../readmodel/projector";
import { log, platformErrorDetail } from "../platform/log";
import { recordMetric } from "../platform/metrics";

export async function consumeProjections(batch: MessageBatch<ProjectionMessage>, env: Env): Promise<void> {
  try {
    await project(
      env.DB,
      batch.messages.map((m) => m.body),
    );
    batch.ackAll();
    // Projection lag: from the order's change in its Durable Object to its row in D1.
    const now = Date.now();
    const lags = batch.messages.flatMap((m) => (m.body.kind === "projection" ? [Math.max(0, now - Date.parse(m.body.order.updatedAt))] : []));
    if (lags.length) await recordMetric(env, "projection", { counts: { projected: lags.length }, latenciesMs: lags });
  } catch (err) {
    log.error("projection batch failed", {
      size: batch.messages.length,
      error: platformErrorDetail(err),
      correlationId: batch.messages[0]?.body.correlationId,
    });
    batch.retryAll({ delaySeconds: 2 });
  }
}
