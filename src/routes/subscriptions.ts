// Push subscriptions (DESIGN §3.10): the same API twice. Under /v1/subscriptions a customer (its API key)
// manages its own: its orders' events only. Under /ops/subscriptions ops manage theirs, for one customer
// (`customerId`) or all of them, and may subscribe to the ops alerts (`ops.*`); ops also see every
// customer's subscriptions there (`?customerId=` narrows the list).
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-types";
import { BEARER, json, problems, router } from "../http/openapi";
import { requireOps } from "../platform/auth";
import { decodeJsonCursor, encodeCursor, invalidCursor } from "../http/cursor";
import { notFound } from "../platform/problem";
import { EVENT_TYPES, ORDER_EVENT_TYPES } from "../subscriptions/events";
import { SUBSCRIPTION_FORMATS } from "../subscriptions/formats";
import { enable, found, replay, rotate, sendTest, subscribe } from "../subscriptions/service";
import {
  type DeliveryRow,
  deleteSubscription,
  listDeliveries,
  listSubscriptions,
  MAX_DELIVERY_PAGE,
  type Scope,
  type SubscriptionRow,
} from "../subscriptions/store";
import { customerAuth, session } from "./portal";

const Subscription = z
  .object({
    id: z.string().openapi({ example: "sub_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b" }),
    scope: z.enum(["customer", "ops"]),
    customerId: z.string().nullable().openapi({ description: "The customer whose orders it hears of; null: every customer (ops only)" }),
    url: z.string().openapi({ example: "https://hooks.example.com/dockline" }),
    events: z.array(z.string()).openapi({ example: ["order.status_changed"] }),
    format: z.enum(SUBSCRIPTION_FORMATS),
    description: z.string().nullable(),
    status: z.enum(["active", "disabled"]),
    disabledReason: z.string().nullable(),
    disabledAt: z.string().nullable(),
    failingSince: z.string().nullable().openapi({ description: "Every delivery has failed since then; SUBSCRIPTION_DISABLE_AFTER_HOURS later it is disabled" }),
    previousSecretExpiresAt: z.string().nullable().openapi({ description: "After a rotation: until then the previous secret signs too" }),
    createdAt: z.string(),
  })
  .openapi("Subscription");

const Created = Subscription.extend({
  secret: z.string().openapi({ description: "The signing secret (Standard Webhooks): shown once", example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }),
}).openapi("CreatedSubscription");

const eventsFor = (types: readonly string[]) =>
  z
    .array(z.enum(types as [string, ...string[]]))
    .min(1)
    .max(types.length)
    .openapi({ description: `Event types: ${types.join(", ")}`, example: ["order.status_changed"] });

const newSubscription = (types: readonly string[], ops: boolean) =>
  z
    .object({
      url: z
        .string()
        .min(1)
        .max(2048)
        .openapi({ description: "https, and not a private, loopback or link-local address", example: "https://hooks.example.com/dockline" }),
      events: eventsFor(types),
      description: z.string().max(500).optional(),
      format: z
        .enum(SUBSCRIPTION_FORMATS)
        .optional()
        .openapi({ description: "standard (default): the event as JSON; slack: an incoming-webhook message; pagerduty: an Events API v2 event" }),
      routingKey: z.string().min(1).max(64).optional().openapi({ description: "format pagerduty: the integration's routing key" }),
      ...(ops
        ? { customerId: z.string().trim().min(1).max(200).optional().openapi({ description: "Only this customer's orders; absent: every customer" }) }
        : {}),
    })
    .strict();

const CustomerNew = newSubscription(ORDER_EVENT_TYPES, false).openapi("NewSubscription");
const OpsNew = newSubscription(EVENT_TYPES, true).openapi("NewOpsSubscription");

const Attempt = z.object({
  at: z.string(),
  status: z.number().int().nullable().openapi({ description: "The endpoint's HTTP status; null: no answer (timeout, network)" }),
  latencyMs: z.number().int(),
  outcome: z.enum(["delivered", "failed", "refused"]),
  response: z.string().nullable().openapi({ description: "The start of the endpoint's answer (500 characters)" }),
  error: z.string().nullable(),
});
const Delivery = z
  .object({
    id: z.string().openapi({ description: "The event's webhook-id: the same on every retry and replay" }),
    eventType: z.string(),
    orderId: z.string().nullable(),
    version: z.number().int().nullable(),
    status: z.enum(["pending", "delivered", "dead", "skipped"]),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    deliveredAt: z.string().nullable(),
    event: z.record(z.string(), z.unknown()).openapi({ description: "The event as sent: { type, timestamp, data }" }),
    attemptLog: z.array(Attempt),
  })
  .openapi("SubscriptionDelivery");
const DeliveryPage = z
  .object({
    items: z.array(Delivery),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next (older) page; null at the end" }),
  })
  .openapi("SubscriptionDeliveryPage");

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" }, example: "sub_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b" }),
});
const DeliveryParams = IdParams.extend({
  deliveryId: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "deliveryId", in: "path" } }),
});
const DeliveryQuery = z.object({
  status: z.enum(["pending", "delivered", "dead", "skipped"]).optional(),
  cursor: z.string().max(500).optional().openapi({ description: "The `nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(MAX_DELIVERY_PAGE).default(25),
});

/** The page cursor: the last delivery's creation time and id (one change's events share the time). */
const deliveryCursor = {
  encode: (d: { createdAt: string; id: string }) => encodeCursor(JSON.stringify([d.createdAt, d.id])),
  decode(cursor: string): { createdAt: string; id: string } {
    const v = decodeJsonCursor(cursor);
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return { createdAt: v[0], id: v[1] };
    throw invalidCursor();
  },
};

const view = (s: SubscriptionRow): z.infer<typeof Subscription> => ({
  id: s.id,
  scope: s.scope,
  customerId: s.customerId,
  url: s.url,
  events: s.events,
  format: s.format,
  description: s.description,
  status: s.status,
  disabledReason: s.disabledReason,
  disabledAt: s.disabledAt,
  failingSince: s.failingSince,
  previousSecretExpiresAt: s.previousSecretExpiresAt,
  createdAt: s.createdAt,
});

const deliveryView = (
  d: DeliveryRow & { attemptLog: { at: string; status: number | null; latencyMs: number; outcome: string; response: string | null; error: string | null }[] },
) => ({
  id: d.id,
  eventType: d.eventType,
  orderId: d.orderId,
  version: d.version,
  status: d.status,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
  deliveredAt: d.deliveredAt,
  event: JSON.parse(d.body) as Record<string, unknown>,
  attemptLog: d.attemptLog.map((a) => ({
    at: a.at,
    status: a.status,
    latencyMs: a.latencyMs,
    outcome: a.outcome as "delivered" | "failed" | "refused",
    response: a.response,
    error: a.error,
  })),
});

export const subscriptionsApi = router();

/** The routes of one door: its path prefix, its authentication, how it finds the caller's scope. */
function door(
  prefix: "/v1/subscriptions" | "/ops/subscriptions",
  tag: string,
  security: { [k: string]: string[] }[],
  middleware: MiddlewareHandler<AppEnv>[],
  scopeOf: (c: { get(k: "customerId"): string; req: { query(k: string): string | undefined } }) => Scope,
) {
  for (const path of [prefix, `${prefix}/*`]) subscriptionsApi.use(path, ...middleware);
  const route = <R extends Parameters<typeof createRoute>[0]>(r: R) => createRoute({ ...r, tags: [tag], security });
  const isOps = prefix.startsWith("/ops");
  const listQuery = isOps
    ? z.object({ customerId: z.string().min(1).max(200).optional().openapi({ description: "Only this customer's subscriptions" }) })
    : z.object({});

  subscriptionsApi.openapi(
    route({
      method: "post",
      path: prefix,
      summary: "Subscribe a URL to events; the answer carries the signing secret, shown once",
      request: { body: { content: { "application/json": { schema: isOps ? OpsNew : CustomerNew } }, required: true } },
      responses: { 201: json(Created, "The subscription, with its secret"), ...problems(400, 401, 409, 422) },
    }),
    async (c) => {
      const body = c.req.valid("json") as z.infer<typeof CustomerNew> & { customerId?: string };
      const scope: Scope = isOps ? { kind: "ops", ...(body.customerId ? { customerId: body.customerId } : {}) } : scopeOf(c as never);
      const row = await subscribe(c.env, scope, body);
      return c.json({ ...view(row), secret: row.secret }, 201);
    },
  );

  subscriptionsApi.openapi(
    route({
      method: "get",
      path: prefix,
      summary: isOps ? "Every subscription (ops' and customers'), or one customer's" : "The customer's subscriptions",
      request: { query: listQuery },
      responses: { 200: json(z.object({ items: z.array(Subscription) }).openapi("SubscriptionList"), "The subscriptions"), ...problems(401, 422) },
    }),
    async (c) => c.json({ items: (await listSubscriptions(c.env.DB, scopeOf(c as never))).map(view) }, 200),
  );

  subscriptionsApi.openapi(
    route({
      method: "get",
      path: `${prefix}/{id}`,
      summary: "One subscription",
      request: { params: IdParams },
      responses: { 200: json(Subscription, "The subscription"), ...problems(401, 404) },
    }),
    async (c) => c.json(view(await found(c.env, scopeOf(c as never), c.req.valid("param").id)), 200),
  );

  subscriptionsApi.openapi(
    route({
      method: "delete",
      path: `${prefix}/{id}`,
      summary: "Delete a subscription and its log; events on their way to it are dropped",
      request: { params: IdParams },
      responses: { 204: { description: "Deleted" }, ...problems(401, 404) },
    }),
    async (c) => {
      if (!(await deleteSubscription(c.env.DB, scopeOf(c as never), c.req.valid("param").id))) throw notFound("No such subscription.");
      return c.body(null, 204);
    },
  );

  subscriptionsApi.openapi(
    route({
      method: "post",
      path: `${prefix}/{id}/rotate-secret`,
      summary: "A new signing secret (shown once); the previous one keeps signing beside it for SUBSCRIPTION_SECRET_GRACE_HOURS",
      request: { params: IdParams },
      responses: {
        200: json(z.object({ id: z.string(), secret: z.string(), previousSecretExpiresAt: z.string() }).openapi("RotatedSecret"), "The new secret"),
        ...problems(401, 404),
      },
    }),
    async (c) => c.json(await rotate(c.env, scopeOf(c as never), c.req.valid("param").id), 200),
  );

  subscriptionsApi.openapi(
    route({
      method: "post",
      path: `${prefix}/{id}/enable`,
      summary: "Re-enable a disabled subscription (new events flow again; replay the dead deliveries you need)",
      request: { params: IdParams },
      responses: { 200: json(Subscription, "The subscription"), ...problems(401, 404) },
    }),
    async (c) => c.json(view(await enable(c.env, scopeOf(c as never), c.req.valid("param").id)), 200),
  );

  subscriptionsApi.openapi(
    route({
      method: "post",
      path: `${prefix}/{id}/test`,
      summary: "Send a webhook.test event now and see how the endpoint answered",
      request: { params: IdParams },
      responses: {
        200: json(
          z
            .object({
              webhookId: z.string(),
              delivered: z.boolean(),
              status: z.number().int().nullable(),
              latencyMs: z.number().int(),
              response: z.string().nullable(),
              error: z.string().nullable(),
            })
            .openapi("TestDelivery"),
          "How the endpoint answered",
        ),
        ...problems(401, 404, 422),
      },
    }),
    async (c) => c.json(await sendTest(c.env, scopeOf(c as never), c.req.valid("param").id), 200),
  );

  subscriptionsApi.openapi(
    route({
      method: "get",
      path: `${prefix}/{id}/deliveries`,
      summary: "The subscription's deliveries, newest first, each with every attempt",
      request: { params: IdParams, query: DeliveryQuery },
      responses: { 200: json(DeliveryPage, "A page of deliveries"), ...problems(401, 404, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      await found(c.env, scopeOf(c as never), id);
      const items = await listDeliveries(c.env.DB, id, {
        limit: q.limit,
        ...(q.cursor ? { before: deliveryCursor.decode(q.cursor) } : {}),
        ...(q.status ? { status: q.status } : {}),
      });
      const last = items.at(-1);
      return c.json({ items: items.map(deliveryView), nextCursor: items.length === q.limit && last ? deliveryCursor.encode(last) : null }, 200);
    },
  );

  subscriptionsApi.openapi(
    route({
      method: "post",
      path: `${prefix}/{id}/deliveries/{deliveryId}/replay`,
      summary: "Deliver an event again, with the same webhook-id (a dead one resumes its order's queue)",
      request: { params: DeliveryParams },
      responses: {
        202: json(z.object({ deliveryId: z.string(), how: z.enum(["revived", "resent"]) }).openapi("ReplayedDelivery"), "Queued for delivery"),
        ...problems(401, 404, 409),
      },
    }),
    async (c) => {
      const { id, deliveryId } = c.req.valid("param");
      return c.json(await replay(c.env, scopeOf(c as never), id, deliveryId), 202);
    },
  );
}

door("/v1/subscriptions", "subscriptions", BEARER.customer, [session, customerAuth], (c) => ({ kind: "customer", customerId: c.get("customerId") }));
door("/ops/subscriptions", "ops", BEARER.ops, [requireOps as unknown as MiddlewareHandler<AppEnv>], (c) => {
  const customerId = c.req.query("customerId");
  return { kind: "ops", ...(customerId ? { customerId } : {}) };
});
