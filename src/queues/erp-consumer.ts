// ERP writes consumer. Queues deliver at least once and in no order; per-order order comes from the
// OrderDO, which leases command n only after n-1 was acknowledged. The retry schedule is the order's, not
// the queue's: a failed attempt is reported to the order, whose delivery cursor answers "retry at T" (its
// alarm sends a fresh message then) or "dead" (refused, or past the retry horizon), and the message is
// acked. A message is retried by the queue only when the order itself could not be reached, so Queues'
// retry count (at most 100) never decides when a command dies (docs/decisions/0012).
import { deliveryPolicy } from "../domain/delivery";
import type { ErpMessage } from "../domain/messages";
import { erpTargetFromEnv, sendToErp } from "../erp/adapter";
import { backoffSeconds } from "../erp/backoff";
import type { PermitOutcome } from "../domain/gate";
import type { ErpClaim } from "../../durable-objects/order";
import { destinationStub } from "../destinations";
import { type OrderApi, orderStub } from "../orders";
import { errorName, log } from "../platform/log";

const ERP = "erp";

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
          // Unexpected (e.g. the Durable Object was unreachable): retry this message only. Only this path
          // leads to the dead-letter queue.
          log.error("erp message failed", { orderId: m.body.orderId, seq: m.body.seq, correlationId: m.body.correlationId, error: errorName(err) });
          m.retry({ delaySeconds: backoffSeconds(deliveryPolicy("ERP", env), m.attempts) });
        }
      }
    }),
  );
}

async function deliver(m: Message<ErpMessage>, env: Env): Promise<void> {
  const { orderId, seq } = m.body;
  const order = orderStub(env, orderId);
  const since = m.body.dueSince ?? m.timestamp.getTime();
  // The ERP's gate first: at most ERP_MAX_CONCURRENCY deliveries in flight, none while it is paused but
  // its one probe. Turned away, the order waits for its turn (the gate wakes it, oldest first), no attempt
  // counted; the message's work is done.
  const gate = destinationStub(env, ERP);
  const grant = await gate.acquire(ERP, orderId, since);
  if (grant.status === "denied") {
    const failing = grant.reason === "paused" ? "the ERP is paused: failing, and its probes have not gone through" : undefined;
    const outcome = await order.deferErp(seq, grant.retryAt, failing);
    m.ack();
    if (outcome === "expired")
      log.error("erp command expired: retry horizon passed while the ERP was paused", { orderId, seq, correlationId: m.body.correlationId });
    return;
  }
  let outcome: PermitOutcome = { kind: "none" };
  try {
    outcome = await deliverChain(m, env, order, grant.permit.probe);
  } finally {
    // Returned whatever happened (a permit not returned lapses, but holds capacity until then).
    await gate
      .release(grant.permit.id, orderId, outcome, since)
      .catch((err: unknown) => log.warn("returning the ERP permit failed; it lapses", { orderId, seq, error: errorName(err) }));
  }
}

/**
 * Claims command `seq` and delivers it, then keeps going down the order's chain while the ERP accepts:
 * each acknowledgement hands back the claim of the next command, so a backlog drains without one queue
 * delivery per command. Returns how the last request ended, for the gate.
 */
async function deliverChain(m: Message<ErpMessage>, env: Env, order: OrderApi, probe: boolean): Promise<PermitOutcome> {
  const { orderId, seq } = m.body;
  const claim = await order.claimErp(seq);
  if (claim.status !== "deliver") {
    // done, unknown; wait (the predecessor's acknowledgement sends this command's message); waiting (the
    // order's alarm sends a fresh one when its backoff ends); leased (if that delivery dies, the alarm at
    // the lease's end sends a fresh one); blocked (a dead command ahead: its replay restarts the chain).
    m.ack();
    return { kind: "none" };
  }
  const erp = erpTargetFromEnv(env);
  const chain = maxChain(env);
  let current: Extract<ErpClaim, { status: "deliver" }> = claim;
  for (let hop = 0; ; hop++) {
    const s = current.command.seq;
    const fields = { orderId, seq: s, type: current.command.type, correlationId: current.correlationId, attempt: current.attempt, chained: hop > 0, probe };
    const outcome = await sendToErp(erp, current.command, current.correlationId);
    if (outcome.kind === "done") {
      const next = await order.ackErp(s, current.lease, hop + 1 < chain);
      if (hop === 0) m.ack();
      log.info("erp command delivered", { ...fields, status: outcome.status });
      if (next?.status !== "deliver") return { kind: "delivered" };
      current = next;
      continue;
    }
    // The order records the failure and answers what happens next; either way this message's work is done.
    const result = await order.failErp(s, current.lease, outcome);
    if (hop === 0) m.ack();
    if (result.status === "retry") {
      log.warn("erp delivery failed; the order retries it", { ...fields, reason: outcome.reason, retryAt: new Date(result.at).toISOString() });
    } else if (result.status === "dead") {
      // Refused (retrying cannot help) or expired (the retry horizon passed): a dead letter, kept on the
      // order and shown in D1, until ops replay it.
      log.error(result.reason === "refused" ? "erp rejected command permanently" : "erp command expired: retry horizon passed", {
        ...fields,
        reason: outcome.reason,
        dead: result.reason,
      });
    } else {
      log.info("erp delivery failed after losing its lease; the lease holder's result counts", { ...fields, reason: outcome.reason });
    }
    return outcome.kind === "permanent" ? { kind: "refused" } : { kind: "failed", retryAfterSeconds: outcome.retryAfterSeconds };
  }
}
