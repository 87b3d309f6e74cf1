// Fulfillment requests to the partners (DESIGN §3.9): the same delivery engine as the ERP's — the
// partner's gate first (durable-objects/destination.ts: a cap, a pause with one probe, resume oldest first),
// then the order's claim, one POST in the partner's own format, the answer classified like the ERP's (2xx
// done; 408/429/5xx, a redirect or a network failure retried on the order's schedule; any other 4xx
// refused), and the outcome reported to the order. Exactly once in effect: `Idempotency-Key: <requestId>`.
// Every attempt goes into the batch's delivery log (src/readmodel/delivery-attempts.ts) once the order has
// its outcome.
import { deliveryPolicy } from "../domain/delivery";
import { partnerOf } from "../domain/fulfillment";
import type { DeliveryMessage } from "../domain/messages";
import { classify, type ErpOutcome, readDetail } from "../erp/adapter";
import { parseRetryAfter } from "../erp/backoff";
import { type FulfillmentRequest, formatRequest } from "../partners/fulfillment-formats";
import { fulfilmentPartners, partnerSecrets } from "../partners/registry";
import { CORRELATION_HEADER } from "../platform/correlation";
import { log } from "../platform/log";
import { type AttemptReport, attemptRow, type NewDeliveryAttempt } from "../readmodel/delivery-attempts";
import { runDelivery } from "./delivery-run";

/** Delivers the message's request; the attempt made, if any, is added to `attempts`. */
export async function deliverFulfillment(m: Message<DeliveryMessage>, env: Env, attempts: NewDeliveryAttempt[]): Promise<void> {
  const { orderId, seq, destination, correlationId } = m.body;
  const partnerId = partnerOf(destination);
  const partner = fulfilmentPartners(env.PARTNERS).get(partnerId);
  if (!partner) {
    // The command stays pending on its order (ops see it there); a configuration that brings the partner
    // back lets the order's alarm send it again.
    log.error("fulfillment request for a partner that is no longer a fulfilment partner in PARTNERS", { orderId, seq, destination, correlationId });
    m.ack();
    return;
  }
  let answer: Answer | null = null;
  await runDelivery(m, env, {
    label: partnerId,
    send: async (claim) => {
      answer = await send(
        env,
        partner.id,
        partner.fulfillment,
        { type: claim.type as FulfillmentRequest["type"], key: claim.key, data: claim.payload },
        claim.correlationId,
        claim.createdAt,
      );
      return answer.outcome;
    },
    after: async (claim) => {
      if (answer)
        attempts.push(attemptRow({ ...answer, destination, orderId, seq: claim.seq, commandKey: claim.key, secrets: partnerSecrets(env, partnerId) }));
    },
  });
}

/** One request as sent and answered: what the delivery log keeps of it. */
type Answer = Pick<AttemptReport, "startedAt" | "latencyMs" | "response"> & { outcome: ErpOutcome };

/** One POST in the partner's format; never follows a redirect (a 3xx is a failure, DESIGN §3.8). */
async function send(
  env: Env,
  partnerId: string,
  target: { url: string; format: "canonical" | "x12-940" },
  request: FulfillmentRequest,
  correlationId: string,
  createdAt: string,
): Promise<Answer> {
  const startedAt = Date.now();
  const unsent = (outcome: ErpOutcome): Answer => ({ outcome, startedAt, latencyMs: 0, response: null });
  const [secret] = partnerSecrets(env, partnerId);
  if (!secret) return unsent({ kind: "transient", status: null, reason: `no secret configured for ${partnerId}` });
  const requestId = String(request.data.requestId);
  let formatted: Awaited<ReturnType<typeof formatRequest>>;
  try {
    // The interchange's time is the command's, not the attempt's: a retry re-sends the same bytes.
    formatted = await formatRequest(target.format, request, secret, {
      partnerId,
      controlNumber: controlNumber(request.key),
      senderId: "DOCKLINE",
      at: new Date(createdAt),
    });
  } catch (err) {
    // A request the format cannot express (an id with an X12 delimiter): refusing is all a retry could do.
    return unsent({ kind: "permanent", status: 0, reason: `cannot be formatted as ${target.format}: ${err instanceof Error ? err.message : String(err)}` });
  }
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: "POST",
      headers: { ...formatted.headers, "Idempotency-Key": requestId, [CORRELATION_HEADER]: correlationId },
      body: formatted.body,
      redirect: "manual",
      signal: AbortSignal.timeout(deliveryPolicy("FULFILLMENT", env).leaseMs - 30_000),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error";
    return { outcome: { kind: "transient", status: null, reason }, startedAt, latencyMs: Date.now() - startedAt, response: null };
  }
  const detail = await readDetail(res);
  const latencyMs = Date.now() - startedAt;
  const outcome = classify(
    { status: res.status, ...detail, retryAfterSeconds: parseRetryAfter(res.headers.get("Retry-After")), idempotencyKey: res.headers.get("Idempotency-Key") },
    requestId,
  );
  return { outcome, startedAt, latencyMs, response: detail.text || null };
}

/** A stable interchange control number per command (1..999,999,999): a retry re-sends the same interchange. */
function controlNumber(key: string): number {
  let h = 0;
  for (const ch of key) h = (Math.imul(h, 31) + (ch.codePointAt(0) ?? 0)) >>> 0;
  return (h % 999_999_999) + 1;
}
