// Dead-letter queues. Both consumers have retries of their own (wrangler.toml), so a record is not lost
// because D1 or a Durable Object was briefly unreachable when it arrived.
// - ERP: a message out of retries marks its command dead, "expired", on the order. The consumer acks every
//   outcome the order recorded (the order's alarm owns the retry schedule), so only a message whose order
//   could not be reached gets here. The order's Durable Object is the source of truth for dead letters; it
//   projects the record to D1 and re-sends it with every re-projection.
// - Projections: D1 kept failing. The order is noted for reconciliation (which takes noted orders first),
//   then asked to re-project itself from its own state. Noting comes first and needs D1: while D1 is still
//   down the message waits (growing delays), so the re-drive happens once D1 can take it.
import type { DeliveryMessage, ErpMessage, ProjectionMessage } from "../domain/messages";
import { projectionOrderId } from "../domain/messages";
import { orderStub } from "../orders";
import { errorName, log } from "../platform/log";
import { noteForReconcile } from "../readmodel/reconcile-queue";

/** Delay before a dead-letter message is tried again: grows to an hour, so 100 retries span days. */
export function deadLetterRetryDelay(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.min(Math.max(0, attempts - 1), 7));
}

export async function consumeErpDeadLetters(batch: MessageBatch<ErpMessage | DeliveryMessage>, env: Env): Promise<void> {
  for (const m of batch.messages) {
    const { orderId, seq, correlationId } = m.body;
    if (m.body.kind === "delivery") {
      // A fulfillment request's message whose order stayed unreachable: the command waits on its order,
      // whose alarm sends it again (it is not the ERP's to kill).
      log.error("fulfillment message out of retries; its order's alarm sends it again", { orderId, seq, destination: m.body.destination, correlationId });
      m.ack();
      continue;
    }
    try {
      const killed = await orderStub(env, orderId).exhaustErp(seq, `retries exhausted after ${m.attempts} deliveries of the dead-letter message`);
      log.error("erp command out of retries", { orderId, seq, correlationId, recorded: killed });
      m.ack();
    } catch (err) {
      log.error("recording an exhausted erp command failed; will retry", { orderId, seq, correlationId, error: errorName(err) });
      m.retry({ delaySeconds: deadLetterRetryDelay(m.attempts) });
    }
  }
}

export async function consumeProjectionDeadLetters(batch: MessageBatch<ProjectionMessage>, env: Env): Promise<void> {
  const byOrder = new Map<string, Message<ProjectionMessage>[]>();
  for (const m of batch.messages) {
    const orderId = projectionOrderId(m.body);
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), m]);
  }
  for (const [orderId, msgs] of byOrder) {
    const correlationId = msgs[0]?.body.correlationId ?? "";
    try {
      await noteForReconcile(env.DB, [orderId], "projection out of retries");
    } catch (err) {
      log.warn("projection dead letter: D1 still unavailable, will retry", { orderId, correlationId, error: errorName(err) });
      for (const m of msgs) m.retry({ delaySeconds: deadLetterRetryDelay(m.attempts) });
      continue;
    }
    for (const m of msgs) m.ack();
    try {
      await orderStub(env, orderId).reproject(correlationId);
      log.warn("projection out of retries: re-projected the order from its state", { orderId, correlationId, messages: msgs.length });
    } catch (err) {
      // Noted above: the next reconciliation takes this order first.
      log.error("projection out of retries: re-projecting failed; reconciliation will repair it", { orderId, correlationId, error: errorName(err) });
    }
  }
}
