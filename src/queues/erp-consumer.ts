// ERP writes consumer. Queues deliver at least once and in no order; per-order order comes from the
// OrderDO, which leases command n only after n-1 was acknowledged. The retry schedule is the order's, not
// the queue's: a failed attempt is reported to the order, whose delivery cursor answers "retry at T" (its
// alarm sends a fresh message then) or "dead" (refused, or past the retry horizon), and the message is
// acked. A message is retried by the queue only when the order itself could not be reached, so Queues'
// retry count (at most 100) never decides when a command dies (docs/decisions/0012). Every attempt, to the
// ERP or a fulfilment partner, goes into the delivery log in D1, written once for the whole batch after the
// orders took their outcomes: the log is for people, and failing to write it changes no delivery.
import { deliveryPolicy } from "../domain/delivery";
import type { DeliveryMessage, ErpMessage } from "../domain/messages";
import { attemptErp, erpTargetFromEnv } from "../erp/adapter";
import type { ErpAuthEnv } from "../erp/auth";
import { backoffSeconds } from "../erp/backoff";
import type { Permit, PermitOutcome } from "../domain/gate";
import type { ErpClaim } from "../../durable-objects/order";
import { type DestinationApi, destinationStub, type Handoff } from "../destinations";
import { orderStub } from "../orders";
import { errorName, errorSite, log } from "../platform/log";
import { attemptRow, type NewDeliveryAttempt, recordAttempts } from "../readmodel/delivery-attempts";
import { isSubscriptionDestination } from "../subscriptions/targets";
import { deliverFulfillment } from "./fulfillment-consumer";
import { deliverToSubscription } from "./subscription-consumer";

const ERP = "erp";

/** Commands one invocation delivers for one order before leaving the rest to their own messages. */
const maxChain = (env: Env) => Math.max(1, Number(env.ERP_MAX_CHAIN ?? "10") || 10);

export async function consumeErp(batch: MessageBatch<ErpMessage | DeliveryMessage>, env: Env): Promise<void> {
  // Different orders in parallel, one order's messages one after another. The queue carries the ERP's
  // messages and every other destination's (fulfillment requests, subscriptions' events): one engine, one consumer.
  const byOrder = new Map<string, Message<ErpMessage | DeliveryMessage>[]>();
  const attempts: NewDeliveryAttempt[] = [];
  for (const m of batch.messages) byOrder.set(m.body.orderId, [...(byOrder.get(m.body.orderId) ?? []), m]);
  await Promise.all(
    [...byOrder.values()].map(async (msgs) => {
      for (const m of msgs.sort((a, b) => a.body.seq - b.body.seq)) {
        try {
          if (m.body.kind === "delivery") {
            const delivery = m as Message<DeliveryMessage>;
            await (isSubscriptionDestination(m.body.destination) ? deliverToSubscription(delivery, env) : deliverFulfillment(delivery, env, attempts));
          } else await deliver(m as Message<ErpMessage>, env, attempts);
        } catch (err) {
          // Unexpected (e.g. the Durable Object was unreachable): retry this message only. Only this path
          // leads to the dead-letter queue.
          log.error("erp message failed", {
            orderId: m.body.orderId,
            seq: m.body.seq,
            correlationId: m.body.correlationId,
            error: errorName(err),
            at: errorSite(err),
          });
          m.retry({ delaySeconds: backoffSeconds(deliveryPolicy("ERP", env), m.attempts) });
        }
      }
    }),
  );
  await recordAttempts(env.DB, attempts).catch((err: unknown) =>
    log.warn("recording delivery attempts failed; the deliveries themselves stand", { attempts: attempts.length, error: errorName(err) }),
  );
}

/** Delivers the message's command; each attempt made is added to `attempts`. */
async function deliver(m: Message<ErpMessage>, env: Env, attempts: NewDeliveryAttempt[]): Promise<void> {
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
  // Deliver; then, while orders wait for the ERP and it answers, the gate hands this permit on to the one
  // that has waited longest, delivered here at once: a backlog drains at the cap without a queue hop per
  // order. The first order's outcome settles its message; a handed-on order has none (the gate woke it).
  let turn: Turn = { orderId, since, permit: grant.permit, first: true, claim: () => order.claimErp(seq), settle: () => m.ack(), attempts };
  for (let handoffs = 0; ; handoffs++) {
    const next = await deliverTurn(env, gate, turn, handoffs < MAX_HANDOFFS);
    if (!next) return;
    const stub = orderStub(env, next.orderId);
    turn = { orderId: next.orderId, since: next.since, permit: next.permit, first: false, claim: () => stub.claimErp("head"), settle: () => {}, attempts };
  }
}

/** Hand-offs one message may carry on to: bounds an invocation's duration (each is at most a chain). */
const MAX_HANDOFFS = 20;

interface Turn {
  orderId: string;
  since: number;
  permit: Permit;
  /** The message's own order (not one the gate handed the permit on to). */
  first: boolean;
  claim: () => Promise<ErpClaim>;
  /** Called once the first command's outcome is recorded on the order (or there was nothing to deliver). */
  settle: () => void;
  /** The batch's delivery log, written once every order took its outcomes. */
  attempts: NewDeliveryAttempt[];
}

/** Delivers one order's chain under a permit and returns the permit; answers the next order handed the permit, if any. */
async function deliverTurn(env: Env, gate: DestinationApi, turn: Turn, handOn: boolean): Promise<Handoff | null> {
  let outcome: PermitOutcome = { kind: "none" };
  let failure: unknown = null;
  try {
    outcome = await deliverChain(env, turn);
  } catch (err) {
    failure = err ?? new Error("unknown failure");
  }
  // Returned whatever happened (a permit not returned lapses, but holds capacity until then).
  const next = await gate.release(turn.permit.id, turn.orderId, outcome, turn.since, handOn && failure === null).catch((err: unknown) => {
    log.warn("returning the ERP permit failed; it lapses", { orderId: turn.orderId, error: errorName(err) });
    return null;
  });
  if (failure !== null) {
    // The message's own order: rethrown, so the queue retries the message. A handed-on order (it has no
    // message) is logged; its own safety-net alarm retries it.
    if (turn.first) throw failure;
    log.warn("erp delivery of a handed-on order failed; its own alarm retries it", { orderId: turn.orderId, error: errorName(failure) });
  }
  return next;
}

/**
 * Claims the turn's command and delivers it, then keeps going down the order's chain while the ERP
 * accepts: each acknowledgement hands back the claim of the next command, so a backlog drains without one
 * queue delivery per command. Returns how the last request ended, for the gate.
 */
async function deliverChain(env: Env, turn: Turn): Promise<PermitOutcome> {
  const { orderId } = turn;
  const order = orderStub(env, orderId);
  const claim = await turn.claim();
  if (claim.status !== "deliver") {
    // done, unknown; wait (the predecessor's acknowledgement sends this command's message); waiting (the
    // order's alarm sends a fresh one when its backoff ends); leased (if that delivery dies, the alarm at
    // the lease's end sends a fresh one); blocked (a dead command ahead: its replay restarts the chain).
    turn.settle();
    return { kind: "none" };
  }
  const erp = erpTargetFromEnv(env);
  const chain = maxChain(env);
  const probe = turn.permit.probe;
  const secrets = [env.ERP_TOKEN, (env as ErpAuthEnv).ERP_CLIENT_SECRET ?? ""];
  let current: Extract<ErpClaim, { status: "deliver" }> = claim;
  for (let hop = 0; ; hop++) {
    const s = current.command.seq;
    const fields = { orderId, seq: s, type: current.command.type, correlationId: current.correlationId, attempt: current.attempt, chained: hop > 0, probe };
    const startedAt = Date.now();
    const { outcome, response } = await attemptErp(erp, current.command, current.correlationId);
    const attempt = {
      destination: ERP,
      orderId,
      seq: s,
      commandKey: current.command.key,
      startedAt,
      latencyMs: Date.now() - startedAt,
      outcome,
      response,
      secrets,
    };
    if (outcome.kind === "done") {
      const next = await order.ackErp(s, current.lease, hop + 1 < chain);
      turn.attempts.push(attemptRow(attempt));
      if (hop === 0) turn.settle();
      log.info("erp command delivered", { ...fields, status: outcome.status });
      if (next?.status !== "deliver") return { kind: "delivered" };
      current = next;
      continue;
    }
    // The order records the failure and answers what happens next; either way this message's work is done.
    const result = await order.failErp(s, current.lease, outcome);
    turn.attempts.push(attemptRow(attempt));
    if (hop === 0) turn.settle();
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
