// The OpenAPI document of the whole HTTP surface, generated from the routes' zod schemas (plus the
// webhook ingress, whose body is each partner's own raw format and so is documented, not validated).
import { z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-types";
import { json, problems, SECURITY_SCHEMES } from "./openapi";

const WebhookResult = z
  .object({
    correlationId: z.string(),
    results: z.array(
      z.object({
        eventId: z.string().optional(),
        orderId: z.string().optional(),
        outcome: z.enum(["accepted", "duplicate", "parked", "quarantined"]),
        quarantineId: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
    ignored: z.string().optional().openapi({ description: "Set when an authentic payload carries no milestone" }),
  })
  .openapi("WebhookResult");

export function registerWebhookDoc(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/webhooks/{partnerId}",
    tags: ["partners"],
    summary: "Partner ingress: the partner's own payload and signature (see docs/partners.md)",
    request: {
      params: z.object({ partnerId: z.string().openapi({ param: { name: "partnerId", in: "path" }, example: "acme-3pl" }) }),
      body: {
        description: "Raw bytes in the partner's format; the signature is verified over them as received",
        content: { "application/json": { schema: z.object({}).passthrough() }, "application/edi-x12": { schema: z.string() } },
      },
    },
    responses: { 202: json(WebhookResult, "One result per event"), ...problems(400, 401, 404, 413, 415, 422, 429) },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/health",
    tags: ["meta"],
    summary: "Liveness",
    responses: { 200: json(z.object({ ok: z.boolean() }), "Alive") },
  });
}

export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "dockline",
      version: "1.0.0",
      description: "Integration layer between ERP, 3PLs, carriers and the customer portal. Errors are RFC 9457 problem+json.",
    },
  });
}
