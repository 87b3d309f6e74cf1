// Projection consumer: one D1 batch per queue batch. Safe to redeliver (version-guarded upserts), so a
// failure retries the whole batch.
import type { ProjectionMessage } from "../domain/messages";
import { project } from "../readmodel/projector";
import { errorName, log } from "../platform/log";

export async function consumeProjections(batch: MessageBatch<ProjectionMessage>, env: Env): Promise<void> {
  try {
    await project(
      env.DB,
      batch.messages.map((m) => m.body),
    );
    batch.ackAll();
  } catch (err) {
    log.error("projection batch failed", { size: batch.messages.length, error: errorName(err), correlationId: batch.messages[0]?.body.correlationId });
    batch.retryAll({ delaySeconds: 2 });
  }
}
