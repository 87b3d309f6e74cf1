// What a subscriber or ops can do with a subscription, whichever door they come through (the API under
// /v1 or /ops, the console): create one (its URL checked, its secret shown once), rotate its secret,
// re-enable it, replay a delivery, send a test event. Scoped: a subscription outside the caller's scope
// answers 404, as a missing one does.
import { HttpProblem, notFound } from "../platform/problem";
import { orderStub } from "../orders";
import { log } from "../platform/log";
import { isOpsEvent, TEST_EVENT_TYPE } from "./events";
import { formatDelivery, newSubscriptionSecret, type SubscriptionFormat } from "./formats";
import {
  countSubscriptions,
  createSubscription,
  getDelivery,
  getSubscription,
  MAX_SUBSCRIPTIONS,
  recordAttempt,
  rotateSecret,
  type Scope,
  type SubscriptionRow,
  setStatus,
  signingSecrets,
} from "./store";
import { subscriptionDestination } from "./targets";
import { checkSubscriptionUrl } from "./url-safety";

export interface SubscriptionRequest {
  url: string;
  events: string[];
  description?: string | undefined;
  format?: SubscriptionFormat | undefined;
  routingKey?: string | undefined;
}

const invalid = (detail: string, path: string) =>
  new HttpProblem(422, "schema-violation", "Invalid subscription", detail, { errors: [{ path, code: "custom", message: detail }] });

export async function subscribe(env: Env, scope: Scope, req: SubscriptionRequest): Promise<SubscriptionRow> {
  const url = checkSubscriptionUrl(req.url, env.ALLOW_INSECURE_SUBSCRIPTION_URLS === "true");
  if (!url.ok) throw invalid(`url ${url.reason}`, "url");
  const ops = req.events.filter(isOpsEvent);
  if (scope.kind === "customer" && ops.length > 0) throw invalid(`${ops.join(", ")}: ops events are for ops subscriptions (/ops/subscriptions)`, "events");
  const format = req.format ?? "standard";
  if (format === "pagerduty" && !req.routingKey) throw invalid("routingKey: a PagerDuty subscription needs its integration's routing key", "routingKey");
  if ((await countSubscriptions(env.DB, scope)) >= MAX_SUBSCRIPTIONS)
    throw new HttpProblem(409, "too-many-subscriptions", "Too many subscriptions", `At most ${MAX_SUBSCRIPTIONS} subscriptions; delete one first.`);
  const row = await createSubscription(env.DB, scope, {
    url: url.url,
    events: [...new Set(req.events)],
    format,
    description: req.description ?? null,
    routingKey: format === "pagerduty" ? (req.routingKey ?? null) : null,
    secret: newSubscriptionSecret(),
  });
  log.info("subscription created", { subscriptionId: row.id, scope: row.scope, customerId: row.customerId, events: row.events.join(",") });
  return row;
}

export async function found(env: Env, scope: Scope, id: string): Promise<SubscriptionRow> {
  const s = await getSubscription(env.DB, scope, id);
  if (!s) throw notFound("No such subscription.");
  return s;
}

/** A new secret, shown once; the old one keeps signing beside it for SUBSCRIPTION_SECRET_GRACE_HOURS. */
export async function rotate(env: Env, scope: Scope, id: string): Promise<{ id: string; secret: string; previousSecretExpiresAt: string }> {
  const s = await found(env, scope, id);
  const hours = Number(env.SUBSCRIPTION_SECRET_GRACE_HOURS ?? "24");
  const graceUntil = new Date(Date.now() + (Number.isFinite(hours) && hours >= 0 ? hours : 24) * 3_600_000).toISOString();
  const secret = newSubscriptionSecret();
  await rotateSecret(env.DB, id, secret, s.secret, graceUntil);
  log.info("subscription secret rotated", { subscriptionId: id, previousSecretExpiresAt: graceUntil });
  return { id, secret, previousSecretExpiresAt: graceUntil };
}

/** Re-enables a disabled subscription: new events flow again; dead deliveries wait for a replay. */
export async function enable(env: Env, scope: Scope, id: string): Promise<SubscriptionRow> {
  await found(env, scope, id);
  await setStatus(env.DB, id, "active", null);
  return found(env, scope, id);
}

/**
 * Replays one delivery with the same `webhook-id`: a dead one is revived on its order's cursor (the events
 * that waited behind it follow), one that went through is sent again after what is queued. 409 while it
 * is still being delivered.
 */
export async function replay(env: Env, scope: Scope, id: string, deliveryId: string): Promise<{ deliveryId: string; how: "revived" | "resent" }> {
  const s = await found(env, scope, id);
  if (s.status !== "active")
    throw new HttpProblem(
      409,
      "subscription-disabled",
      "Subscription disabled",
      "Enable the subscription first (POST …/enable): a replay to it would be refused.",
    );
  const d = await getDelivery(env.DB, id, deliveryId);
  if (!d) throw notFound("No such delivery for this subscription.");
  if (!d.source) throw new HttpProblem(409, "not-replayable", "Not replayable", "A test event is not replayed: send another with POST …/test.");
  const r = await orderStub(env, d.source).delivery(subscriptionDestination(id), { op: "replay", key: `${id}/${deliveryId}` });
  if (r.status === "replayed") return { deliveryId, how: r.how };
  if (r.status === "pending")
    throw new HttpProblem(409, "delivery-pending", "Still being delivered", "This delivery is still being retried; it needs no replay.");
  throw notFound("The delivery is no longer held by its order.");
}

/** Sends one `webhook.test` event now and says how the endpoint answered (logged like any delivery). */
export async function sendTest(env: Env, scope: Scope, id: string) {
  const s = await found(env, scope, id);
  const url = checkSubscriptionUrl(s.url, env.ALLOW_INSECURE_SUBSCRIPTION_URLS === "true");
  if (!url.ok) throw invalid(`url ${url.reason}`, "url");
  const now = new Date();
  const event = {
    id: `msg_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
    type: TEST_EVENT_TYPE,
    timestamp: now.toISOString(),
    data: { subscriptionId: id, message: "A test event from dockline: your endpoint is reachable and can verify our signature." },
  };
  const formatted = await formatDelivery(s.format, event, {
    secrets: signingSecrets(s, now.getTime()),
    now,
    ...(s.routingKey ? { routingKey: s.routingKey } : {}),
  });
  // Logged as every delivery is, the event itself (a Slack or PagerDuty body may carry a routing key).
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
  const started = Date.now();
  let status: number | null = null;
  let response: string | null = null;
  let error: string | null = null;
  if (!formatted) error = `a ${s.format} subscription receives no test event`;
  else {
    try {
      const res = await fetch(url.url, {
        method: "POST",
        headers: formatted.headers,
        body: formatted.body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      response = (await res.text().catch(() => "")).slice(0, 500) || null;
    } catch (err) {
      error = err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error";
    }
  }
  const delivered = status !== null && status >= 200 && status < 300;
  const latencyMs = Date.now() - started;
  await recordAttempt(env.DB, {
    subscriptionId: id,
    deliveryId: event.id,
    source: null,
    customerId: s.customerId,
    orderId: null,
    eventType: event.type,
    version: null,
    body,
    createdAt: event.timestamp,
    at: event.timestamp,
    status,
    latencyMs,
    outcome: delivered ? "delivered" : "failed",
    deliveryStatus: delivered ? "delivered" : "dead",
    response,
    error: error ?? (delivered ? null : `HTTP ${status}`),
  });
  return { webhookId: event.id, delivered, status, latencyMs, response, error };
}
