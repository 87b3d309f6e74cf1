// One delivery to a destination besides the ERP (a fulfilment partner, a subscription), the engine's steps
// that do not depend on what is sent: the destination's gate first (durable-objects/destination.ts: a cap,
// a pause with one probe, resume oldest first), then the order's claim, the send, and the outcome reported
// to the order's cursor (which owns the retry schedule) and to the gate. The queue message is acked once
// the order has the outcome; only an unreachable order or gate makes the queue retry it.
import type { DeliveryFailure } from "../domain/delivery";
import type { PermitOutcome } from "../domain/gate";
import type { DeliveryMessage } from "../domain/messages";
import type { DeliveryClaim } from "../../durable-objects/order-deliveries";
import { destinationStub } from "../destinations";
import { orderStub } from "../orders";
import { errorName, log } from "../platform/log";

export type Claimed = Extract<DeliveryClaim, { status: "deliver" }>;

/** How one send ended: done, failed (retried on the order's schedule, or refused), or nothing to send. */
export type SendOutcome = { kind: "done"; status: number } | { kind: "skipped"; reason: string } | DeliveryFailure;

export interface Destination {
  /** Who it is in log lines and the pause reason ("acme-3pl", "subscription sub_…"). */
  label: string;
  send(claim: Claimed): Promise<SendOutcome>;
  /** After the order took the outcome: bookkeeping of the destination's own (a subscription's log). */
  after?(claim: Claimed, outcome: SendOutcome, result: string): Promise<void>;
}

export async function runDelivery(m: Message<DeliveryMessage>, env: Env, target: Destination): Promise<void> {
  const { orderId, seq, destination, correlationId } = m.body;
  const order = orderStub(env, orderId);
  const since = m.body.dueSince ?? m.timestamp.getTime();
  const gate = destinationStub(env, destination);
  const grant = await gate.acquire(destination, orderId, since);
  if (grant.status === "denied") {
    const failing = grant.reason === "paused" ? `${target.label} is paused: failing, and its probes have not gone through` : undefined;
    await order.delivery(destination, { op: "defer", seq, until: grant.retryAt, ...(failing ? { failing } : {}) });
    m.ack();
    return;
  }
  let outcome: PermitOutcome = { kind: "none" };
  try {
    const claim = await order.delivery(destination, { op: "claim", seq });
    if (claim.status !== "deliver" || !("lease" in claim)) {
      m.ack();
      return;
    }
    const sent = await target.send(claim);
    const fields = { orderId, seq, destination, type: claim.type, key: claim.key, attempt: claim.attempt, correlationId: claim.correlationId };
    let result: string;
    if (sent.kind === "done" || sent.kind === "skipped") {
      result = (await order.delivery(destination, { op: "ack", seq, lease: claim.lease })).status;
      log.info(sent.kind === "done" ? "delivered" : "nothing to send in this format", { ...fields, ...(sent.kind === "done" ? { status: sent.status } : {}) });
      outcome = { kind: "delivered" };
    } else {
      result = (await order.delivery(destination, { op: "fail", seq, lease: claim.lease, failure: sent })).status;
      (sent.kind === "permanent" ? log.error : log.warn)("delivery failed", { ...fields, reason: sent.reason, result });
      outcome = sent.kind === "permanent" ? { kind: "refused" } : { kind: "failed", retryAfterSeconds: sent.retryAfterSeconds };
    }
    await target
      .after?.(claim, sent, result)
      .catch((err: unknown) => log.warn("recording the delivery failed; the delivery itself stands", { ...fields, error: errorName(err) }));
    m.ack();
  } finally {
    await gate
      .release(grant.permit.id, orderId, outcome, since)
      .catch((err: unknown) => log.warn("returning the permit failed; it lapses", { orderId, destination, correlationId, error: errorName(err) }));
  }
}
