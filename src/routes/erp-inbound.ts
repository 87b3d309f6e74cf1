// ERP inbound: order release and cancellation (DESIGN §3.3). Idempotent: the same release twice is a
// duplicate; a different release under an existing order id is a conflict the ERP must resolve.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-types";
import { type CanonicalEvent, Instant, OrderDetails } from "../domain/event";
import { parseJson, schemaProblem } from "../partners/parse";
import { orderStub } from "../orders";
import { requireToken } from "../platform/auth";
import { HttpProblem } from "../platform/problem";

const OrderId = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\s/]+$/, "no whitespace or slashes");
const Release = OrderDetails.extend({ orderId: OrderId, releasedAt: Instant.optional() });
const Cancel = z.object({ reason: z.string().max(500).optional(), cancelledAt: Instant.optional() });

async function body<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
  const raw = new Uint8Array(await req.arrayBuffer());
  const parsed = schema.safeParse(raw.length === 0 ? {} : parseJson(raw));
  if (!parsed.success) throw schemaProblem(parsed.error);
  return parsed.data;
}

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
  return { orderId: e.orderId, outcome: r?.outcome ?? "duplicate", correlationId };
}

// The token guards these two POST routes only: the portal's GET routes share the /v1/orders prefix.
const erpOnly = requireToken("ERP_INBOUND_TOKEN");

export const erpInbound = new Hono<AppEnv>()
  .post("/", erpOnly, async (c) => {
    const { orderId, releasedAt, ...order } = await body(c.req.raw, Release);
    const event: CanonicalEvent = {
      eventId: `erp:release:${orderId}`,
      orderId,
      code: "order.released",
      occurredAt: releasedAt ?? new Date().toISOString(),
      source: "erp",
      order,
    };
    return c.json(await submit(c.env, event, c.get("correlationId")), 202);
  })
  .post("/:orderId/cancel", erpOnly, async (c) => {
    const orderId = OrderId.safeParse(c.req.param("orderId"));
    if (!orderId.success) throw schemaProblem(orderId.error);
    const { reason, cancelledAt } = await body(c.req.raw, Cancel);
    const event: CanonicalEvent = {
      eventId: `erp:cancel:${orderId.data}`,
      orderId: orderId.data,
      code: "order.cancelled",
      occurredAt: cancelledAt ?? new Date().toISOString(),
      source: "erp",
      ...(reason ? { description: reason } : {}),
    };
    return c.json(await submit(c.env, event, c.get("correlationId")), 202);
  });
