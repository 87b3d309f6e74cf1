// ERP writes consumer. Queues deliver at least once and in no order; per-order order comes from the
// OrderDO, which leases command n only after n-1 was acknowledged. A message is acked only once its
// effect is done, known to be done, or known to be carried by another message (the nudge that the
// predecessor's acknowledgement enqueues), so during an ERP outage only each order's head command retries.
import type { ErpMessage } from "../domain/messages";
import { erpTargetFromEnv, sendToErp } from "../erp/adapter";
import { backoffSeconds, policyFromEnv } from "../erp/backoff";
import { wakeWaitingOrders } from "./erp-wake";
import type { ErpClaim } from "../../durable-objects/order";
import { orderStub } from "../orders";
import { errorName, log } from "../platform/log";

/** Commands one invocation delivers for one order before leaving the rest to their own messages. */
const maxChain = (env: Env) => Math.max(1, Number(env.ERP_MAX_CHAIN ?? "10") || 10);

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
  // Deliver, then keep going down the order's chain while the ERP accepts: each acknowledgement hands back
  // the claim of the next command, so a backlog drains without one queue delivery per command.
  const erp = erpTargetFromEnv(env);
  const chain = maxChain(env);
  let current: Extract<ErpClaim, { status: "deliver" }> = claim;
  for (let hop = 0; ; hop++) {
    const s = current.command.seq;
    const fields = { orderId, seq: s, type: current.command.type, correlationId: current.correlationId, attempt: current.attempt, chained: hop > 0 };
    const outcome = await sendToErp(erp, current.command, current.correlationId);
    switch (outcome.kind) {
      case "done": {
        const next = await order.ackErp(s, current.lease, hop + 1 < chain);
        if (hop === 0) m.ack();
        log.info("erp command delivered", { ...fields, status: outcome.status });
        // This message had failed before and the ERP took it now: the ERP is back, wake the other heads.
        if (hop === 0 && m.attempts > 1) await wakeWaitingOrders(env, orderId, current.correlationId);
        if (next?.status !== "deliver") return;
        current = next;
        continue;
      }
      case "transient": {
        await order.releaseErp(s, current.lease, outcome.reason);
        // A chained command has a message of its own (sent by its predecessor's acknowledgement): it retries.
        const delaySeconds = backoffSeconds(policy, m.attempts, outcome.retryAfterSeconds);
        if (hop === 0) m.retry({ delaySeconds });
        log.warn("erp delivery failed, will retry", { ...fields, reason: outcome.reason, ...(hop === 0 ? { delaySeconds } : {}) });
        return;
      }
      case "permanent":
        // Retrying cannot help: dead-letter it with the ERP's answer (kept on the order and in D1).
        await order.failErp(s, current.lease, outcome.reason, outcome.status);
        if (hop === 0) m.ack();
        log.error("erp rejected command permanently", { ...fields, reason: outcome.reason });
        return;
    }
  }
}
