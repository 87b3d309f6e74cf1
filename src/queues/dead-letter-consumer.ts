// Dead-letter queues. An ERP message lands here after max_retries: its command is marked dead on the
// order (and so recorded in D1 for ops, replayable). A projection message lands here only if D1 kept
// failing; the order's next change, or ops reconciliation, re-projects it, so it is logged and dropped.
import type { ErpMessage, ProjectionMessage } from "../domain/messages";
import { orderStub } from "../orders";
import { errorName, log } from "../platform/log";

export async function consumeErpDeadLetters(batch: MessageBatch<ErpMessage>, env: Env): Promise<void> {
  for (const m of batch.messages) {
    const { orderId, seq, correlationId } = m.body;
    try {
      const killed = await orderStub(env, orderId).exhaustErp(seq, `retries exhausted after ${m.attempts} deliveries of the dead-letter message`);
      log.error("erp command out of retries", { orderId, seq, correlationId, recorded: killed });
      m.ack();
    } catch (err) {
      log.error("recording an exhausted erp command failed", { orderId, seq, correlationId, error: errorName(err) });
      m.retry();
    }
  }
}

export async function consumeProjectionDeadLetters(batch: MessageBatch<ProjectionMessage>): Promise<void> {
  for (const m of batch.messages) {
    const orderId = m.body.kind === "projection" ? m.body.order.orderId : m.body.kind === "erp-progress" ? m.body.progress.orderId : m.body.deadLetter.orderId;
    log.error("projection message out of retries; reconcile will repair the read model", { orderId, kind: m.body.kind, correlationId: m.body.correlationId });
    m.ack();
  }
}
