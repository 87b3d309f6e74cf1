// Events to subscribers (DESIGN §3.10), by the delivery engine (./delivery-run.ts): each subscription has
// its gate and, on every order, its own cursor, so a slow or dead subscriber holds back nobody else.
// One POST per attempt, in the subscription's format, signed with Standard Webhooks (`webhook-id` is the
// event's, the same on every retry and replay); 2xx is delivered, 410 Gone refuses for good (and disables
// the subscription), anything else is retried on the order's schedule until the retry horizon. Every
// attempt is logged in D1 for the subscriber and ops; a subscription failing for
// SUBSCRIPTION_DISABLE_AFTER_HOURS is disabled, and ops are told.
import type { Json } from "../domain/json";
import type { DeliveryMessage } from "../domain/messages";
import { positiveVar } from "../domain/env-vars";
import { parseRetryAfter } from "../erp/backoff";
import { errorName, log } from "../platform/log";
import type { SubscriptionPayload } from "../../durable-objects/order-notify";
import { isOpsEvent } from "../subscriptions/events";
import { formatDelivery } from "../subscriptions/formats";
import { publishOpsEvent } from "../subscriptions/ops-feed";
import { noteHealth, recordAttempt, type SubscriptionRow, signingSecrets } from "../subscriptions/store";
import { subscriptionOf } from "../subscriptions/targets";
import { checkSubscriptionUrl } from "../subscriptions/url-safety";
import { type Claimed, runDelivery, type SendOutcome } from "./delivery-run";
import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { subscriptions } from "../readmodel/schema";

/** What a subscriber said, for its log. */
interface Answer {
  at: string;
  status: number | null;
  latencyMs: number;
  response: string | null;
}

export async function deliverToSubscription(m: Message<DeliveryMessage>, env: Env): Promise<void> {
  const id = subscriptionOf(m.body.destination);
  const sub = (await drizzle(env.DB).select().from(subscriptions).where(eq(subscriptions.id, id)))[0] ?? null;
  let answer: Answer | null = null;
  await runDelivery(m, env, {
    label: `subscription ${id}`,
    send: async (claim) => {
      const r = await send(env, sub, claim);
      answer = r.answer;
      return r.outcome;
    },
    after: async (claim, outcome, result) => {
      if (!sub) return;
      await record(env, sub, m.body.orderId, claim, outcome, result, answer);
    },
  });
}

async function send(env: Env, sub: SubscriptionRow | null, claim: Claimed): Promise<{ outcome: SendOutcome; answer: Answer | null }> {
  const payload = claim.payload as unknown as SubscriptionPayload;
  const refuse = (reason: string): { outcome: SendOutcome; answer: null } => ({ outcome: { kind: "permanent", reason, status: null }, answer: null });
  // Deleted: its events are dropped (acknowledged unsent), as it asked.
  if (!sub) return { outcome: { kind: "skipped", reason: "subscription deleted" }, answer: null };
  if (sub.status !== "active") return refuse(`subscription disabled: ${sub.disabledReason ?? "by ops"}`);
  // The fan-out chose this subscription for this customer's order; checked again here, where the bytes go
  // out, so no path (a bug upstream, a replay) can send one customer's order to another's endpoint.
  if (sub.customerId !== null && payload.customerId !== sub.customerId) {
    log.error("subscription delivery refused: the event's customer is not the subscription's", {
      subscriptionId: sub.id,
      orderId: payload.event.data.orderId,
      correlationId: claim.correlationId,
    });
    return refuse("the event belongs to another customer");
  }
  if (sub.scope !== "ops" && isOpsEvent(payload.event.type)) return refuse("ops events go to ops subscriptions only");
  const url = checkSubscriptionUrl(sub.url, env.ALLOW_INSECURE_SUBSCRIPTION_URLS === "true");
  if (!url.ok) return refuse(`subscription URL refused: ${url.reason}`);
  const now = new Date();
  const formatted = await formatDelivery(
    sub.format,
    { id: payload.webhookId, ...payload.event },
    {
      secrets: signingSecrets(sub, now.getTime()),
      now,
      ...(sub.routingKey ? { routingKey: sub.routingKey } : {}),
      ...(env.CONSOLE_URL ? { consoleUrl: env.CONSOLE_URL.replace(/\/+$/, "") } : {}),
    },
  );
  if (!formatted) return { outcome: { kind: "skipped", reason: `nothing to send as ${sub.format}` }, answer: null };
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(url.url, {
      method: "POST",
      headers: formatted.headers,
      body: formatted.body,
      redirect: "manual",
      // SUBSCRIPTION_TIMEOUT_MS, as documented to subscribers; the lease (order-deliveries.ts) is longer.
      signal: AbortSignal.timeout(positiveVar(env, "SUBSCRIPTION_TIMEOUT_MS", 10_000)),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error";
    return {
      outcome: { kind: "transient", reason, status: null },
      answer: { at: now.toISOString(), status: null, latencyMs: Date.now() - started, response: null },
    };
  }
  const text = (await res.text().catch(() => "")).slice(0, 2000);
  const answer = { at: now.toISOString(), status: res.status, latencyMs: Date.now() - started, response: text || null };
  if (res.status >= 200 && res.status < 300) return { outcome: { kind: "done", status: res.status }, answer };
  if (res.status === 410) return { outcome: { kind: "permanent", status: 410, reason: "HTTP 410 Gone: the endpoint asked to stop" }, answer };
  const retryAfterSeconds = parseRetryAfter(res.headers.get("Retry-After"));
  return {
    outcome: { kind: "transient", status: res.status, reason: `HTTP ${res.status}`, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
    answer,
  };
}

async function record(
  env: Env,
  sub: SubscriptionRow,
  source: string,
  claim: Claimed,
  outcome: SendOutcome,
  result: string,
  answer: Answer | null,
): Promise<void> {
  const payload = claim.payload as unknown as SubscriptionPayload;
  const at = answer?.at ?? new Date().toISOString();
  const deliveryStatus = outcome.kind === "done" ? "delivered" : outcome.kind === "skipped" ? "skipped" : result === "dead" ? "dead" : "pending";
  await recordAttempt(env.DB, {
    subscriptionId: sub.id,
    deliveryId: payload.webhookId,
    source,
    customerId: payload.customerId,
    orderId: (payload.event.data.orderId as string | undefined) ?? null,
    eventType: payload.event.type,
    version: payload.version,
    body: JSON.stringify(payload.event),
    createdAt: claim.createdAt,
    at,
    status: answer?.status ?? (outcome.kind === "done" ? outcome.status : null),
    latencyMs: answer?.latencyMs ?? 0,
    outcome: outcome.kind === "done" ? "delivered" : outcome.kind === "skipped" ? "skipped" : outcome.kind === "permanent" ? "refused" : "failed",
    deliveryStatus,
    response: answer?.response ?? null,
    error: outcome.kind === "transient" || outcome.kind === "permanent" ? outcome.reason : null,
  });
  if (outcome.kind === "skipped" || !answer) return;
  const gone = outcome.kind === "permanent" && outcome.status === 410;
  const disableAfterMs = (Number(env.SUBSCRIPTION_DISABLE_AFTER_HOURS ?? "72") || 72) * 3_600_000;
  const reason = gone ? "its endpoint answered 410 Gone" : "its endpoint kept failing";
  const disabled = await noteHealth(env.DB, sub.id, outcome.kind === "done", Date.now(), gone ? 0 : disableAfterMs, reason);
  if (!disabled) return;
  log.error("subscription disabled: its endpoint kept failing", { subscriptionId: sub.id, customerId: sub.customerId, failingSince: disabled.failingSince });
  await publishOpsEvent(env, {
    type: "ops.subscription_disabled",
    data: {
      subscriptionId: sub.id,
      customerId: sub.customerId,
      // Its host only: a path can itself be a credential (a Slack incoming webhook's is).
      url: new URL(sub.url).origin,
      reason: gone ? reason : `${reason}: every delivery failed since ${disabled.failingSince}`,
      failingSince: disabled.failingSince,
      disabledAt: disabled.disabledAt,
    } satisfies Record<string, Json>,
  }).catch((err: unknown) => log.error("telling ops of a disabled subscription failed", { subscriptionId: sub.id, error: errorName(err) }));
}
