// Ops API for tracking links: revoke an order's public tracking links (a link forwarded to the wrong
// person, a customer asking for it). Links issued afterwards, by the portal's next read, work again.
import { createRoute, z } from "@hono/zod-openapi";
import { OrderIdParams } from "../http/params";
import { BEARER, json, problems, router } from "../http/openapi";
import { requireOps } from "../platform/auth";
import { notFound } from "../platform/problem";
import { revokeTrackingLinks } from "../readmodel/queries";

const Revoked = z
  .object({
    orderId: z.string(),
    revokedBefore: z.string().openapi({ description: "Every link of the order issued before this instant answers 410" }),
    revokedBy: z.string().openapi({ description: "Who revoked them: the Access identity, or ops-token" }),
  })
  .openapi("TrackingLinksRevoked", {
    description: "The order's tracking links issued until now no longer work; the portal's next trackingUrl does",
    example: { orderId: "SO-1001", revokedBefore: "2026-12-03T22:31:05.112Z", revokedBy: "ops@example.com" },
  });

export const opsTracking = router();

opsTracking.openapi(
  createRoute({
    method: "post",
    path: "/ops/orders/{orderId}/tracking-links/revoke",
    tags: ["ops"],
    security: BEARER.ops,
    middleware: [requireOps] as const,
    summary: "Revoke every tracking link of the order issued until now (the page answers 410 for them)",
    request: { params: z.object(OrderIdParams) },
    responses: { 200: json(Revoked, "Revoked"), ...problems(401, 404) },
  }),
  async (c) => {
    const { orderId } = c.req.valid("param");
    const revoked = await revokeTrackingLinks(c.env.DB, orderId, c.get("opsIdentity"), new Date().toISOString());
    if (!revoked) throw notFound(`Order ${orderId} is not in the read model.`);
    return c.json(revoked, 200);
  },
);
