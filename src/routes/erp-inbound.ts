// ERP inbound: order release and cancellation (DESIGN §3.3). Idempotent: the same release twice is a
// duplicate; a different release under an existing order id is a conflict the ERP must resolve.
import { createRoute, z } from "@hono/zod-openapi";
import { type CanonicalEvent, FactInstant, OrderDetails } from "../domain/event";
import { OrderId, SafeText } from "../domain/identifiers";
import { BEARER, json, problems, router } from "../http/openapi";
import { OrderIdParams } from "../http/params";
import { orderStub } from "../orders";
import { requireToken } from "../platform/auth";
import { HttpProblem } from "../platform/problem";

// The order id grammar, text rules and the plausible time window are the domain's (identifiers.ts).
const Release = OrderDetails.extend({ orderId: OrderId.openapi({ example: "SO-1001" }), releasedAt: FactInstant.optional() }).openapi("OrderRelease");
const Cancel = z.object({ reason: SafeText(500).optional(), cancelledAt: FactInstant.optional() }).openapi("OrderCancellation");
const Accepted = z.object({ orderId: z.string(), outcome: z.enum(["accepted", "duplicate"]), correlationId: z.string() }).openapi("OrderAccepted");

async function submit(env: Env, e: CanonicalEvent, correlationId: string) {
  const [r] = await orderStub(env, e.orderId).ingest(e.orderId, [e], correlationId);
  if (r?.conflict) {
    throw new HttpProblem(
      409,
      "order-conflict",
      "Conflicting order content",
      `Order ${e.orderId} was already ${e.code === "order.released" ? "released" : "cancelled"} with different content.`,
    );
  }
  // The index reconciliation walks: written here, not by the projection it is meant to check.
  if (e.code === "order.released") {
    await env.DB.prepare("INSERT INTO order_index (order_id, released_at) VALUES (?, ?) ON CONFLICT(order_id) DO NOTHING").bind(e.orderId, e.occurredAt).run();
  }
  return { orderId: e.orderId, outcome: r?.outcome === "accepted" ? ("accepted" as const) : ("duplicate" as const), correlationId };
}

const erpOnly = requireToken("ERP_INBOUND_TOKEN");

export const erpInbound = router();

erpInbound.openapi(
  createRoute({
    method: "post",
    path: "/v1/orders",
    tags: ["erp"],
    summary: "The ERP releases an order to fulfilment (idempotent on order id and content)",
    security: BEARER.erpInbound,
    middleware: [erpOnly] as const,
    request: { body: { required: true, content: { "application/json": { schema: Release } } } },
    responses: { 202: json(Accepted, "Accepted (or a duplicate of an earlier release)"), ...problems(400, 401, 409, 413, 422) },
  }),
  async (c) => {
    const { orderId, releasedAt, ...order } = c.req.valid("json");
    const event: CanonicalEvent = {
      eventId: `erp:release:${orderId}`,
      orderId,
      code: "order.released",
      occurredAt: releasedAt ?? new Date().toISOString(),
      source: "erp",
      order,
    };
    return c.json(await submit(c.env, event, c.get("correlationId")), 202);
  },
);

erpInbound.openapi(
  createRoute({
    method: "post",
    path: "/v1/orders/{orderId}/cancel",
    tags: ["erp"],
    summary: "The ERP cancels an order (after dispatch it becomes an exception for ops)",
    security: BEARER.erpInbound,
    middleware: [erpOnly] as const,
    request: {
      params: z.object(OrderIdParams),
      body: { required: false, content: { "application/json": { schema: Cancel } } },
    },
    responses: { 202: json(Accepted, "Accepted (or a duplicate)"), ...problems(400, 401, 409, 413, 422) },
  }),
  async (c) => {
    const { orderId } = c.req.valid("param");
    const { reason, cancelledAt } = c.req.valid("json") ?? {};
    const event: CanonicalEvent = {
      eventId: `erp:cancel:${orderId}`,
      orderId,
      code: "order.cancelled",
      occurredAt: cancelledAt ?? new Date().toISOString(),
      source: "erp",
      ...(reason ? { description: reason } : {}),
    };
    return c.json(await submit(c.env, event, c.get("correlationId")), 202);
  },
);
