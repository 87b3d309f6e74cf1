// ERP writes consumer. Queues deliver at least once and in no order; per-order order comes from the
// OrderDO, which leases command n only after n-1 was acknowledged. A message is acked only once its
// effect is done, known to be done, or known to be carried by another message (the nudge that the
// predecessor's acknowledgement enqueues), so during an ERP outage only each order's head command retries.
import type { ErpMessage } from "../domain/messages";
import { sendToErp } from "../erp/adapter";
import { backoffSeconds, policyFromEnv } from "../erp/backoff";
import { orderStub } from "../orders";
import { errorName, log } from "../platform/log";

export async function consumeErp(batch: MessageBatch<ErpMessage>, env: Env): Promise<void> {
  // Different orders in parallel, one order's messages one after another.
  const byOrder = new Map<string, Message<ErpMessage>[]>();
  for (const m of batch.messages) byOrder.set(m.body.orderId, [...(byOrder.get(m.body.orderId) ?? []), m]);
  await Promise.all(
    [...byOrder.values()].map(async (msgs) => {
      for (const m of msgs.sort((a, b) => a.body.seq - b.body.seq)) {
        try {
          await deliver(m, env);
        } catch (err) {
          // Unexpected (e.g. the Durable Object was unreachable): retry this message only.
          log.error("erp message failed", { orderId: m.body.orderId, seq: m.body.seq, correlationId: m.body.correlationId, error: errorName(err) });
          m.retry({ delaySeconds: backoffSeconds(policyFromEnv(env), m.attempts) });
        }
      }
    }),
  );
}

async function deliver(m: Message<ErpMessage>, env: Env): Promise<void> {
  const { orderId, seq } = m.body;
  const policy = policyFromEnv(env);
  const order = orderStub(env, orderId);
  const claim = await order.claimErp(seq);
  switch (claim.status) {
    case "done":
    case "unknown":
    case "wait": // the predecessor's acknowledgement enqueues a fresh message for this command
    case "blocked": // a dead command ahead: its replay restarts the chain
      m.ack();
      return;
    case "leased":
      // Another delivery holds the lease; if it dies, the lease expires and this retry takes over.
      m.retry({ delaySeconds: Math.max(1, Math.ceil((claim.until - Date.now()) / 1000)) });
      return;
    case "deliver":
      break;
  }
  const fields = { orderId, seq, type: claim.command.type, correlationId: claim.correlationId, attempt: claim.attempt };
  const outcome = await sendToErp(
    { baseUrl: env.ERP_BASE_URL, token: env.ERP_TOKEN, timeoutMs: Number(env.ERP_TIMEOUT_MS ?? "10000") || 10_000 },
    claim.command,
    claim.correlationId,
  );
  switch (outcome.kind) {
    case "done":
      await order.ackErp(seq, claim.lease);
      m.ack();
      log.info("erp command delivered", { ...fields, status: outcome.status });
      return;
    case "transient": {
      await order.releaseErp(seq, claim.lease, outcome.reason);
      const delaySeconds = backoffSeconds(policy, m.attempts, outcome.retryAfterSeconds);
      m.retry({ delaySeconds });
      log.warn("erp delivery failed, will retry", { ...fields, reason: outcome.reason, delaySeconds });
      return;
    }
    case "permanent":
      // Retrying cannot help: dead-letter it with the ERP's answer (kept on the order and in D1).
      await order.failErp(seq, claim.lease, outcome.reason, outcome.status);
      m.ack();
      log.error("erp rejected command permanently", { ...fields, reason: outcome.reason });
      return;
  }
}
