// The OpenAPI document of the whole HTTP surface, generated from the routes' zod schemas (plus the
// webhook ingress, whose body is each partner's own raw format and so is documented, not validated), and
// the events dockline sends to subscribers, as OpenAPI 3.1 `webhooks` (src/subscriptions/schemas.ts).
import { z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-types";
import { MAX_JSON_DEPTH } from "../platform/json-depth";
import { MAX_BODY_BYTES } from "../routes/webhooks";
import { EVENT_DOCS, EVENT_EXAMPLES, EVENT_SCHEMAS, WebhookHeaders } from "../subscriptions/schemas";
import { LOGIN_FORM_MAX_BYTES, OPS_BODY_MAX_BYTES, RELEASE_BODY_MAX_BYTES } from "./limits";
import { json, problems, SECURITY_SCHEMES } from "./openapi";

const WebhookResult = z
  .object({
    correlationId: z.string(),
    results: z.array(
      z.object({
        eventId: z.string().optional(),
        orderId: z.string().optional(),
        outcome: z.enum(["accepted", "duplicate", "parked", "quarantined"]).openapi({
          description: "quarantined also when a fulfilment partner reports on an order not routed to it (reason: not assigned: …)",
        }),
        quarantineId: z.string().optional(),
        reason: z.string().optional().openapi({
          description: "Why it was quarantined: unmappable, a part that could not be processed, or a conflicting duplicate (the recorded version stands)",
        }),
      }),
    ),
    ignored: z.string().optional().openapi({ description: "Set when an authentic payload carries no milestone" }),
    warnings: z
      .array(z.string())
      .optional()
      .openapi({ description: "Problems the partner should fix that did not stop processing (e.g. an X12 trailer that miscounts its sets)" }),
    acknowledgement: z
      .object({ format: z.string().openapi({ example: "x12-997" }), body: z.string() })
      .optional()
      .openapi({
        description:
          "The functional acknowledgement the sender's format expects (X12: a 997 for the interchange: each set accepted, accepted with errors, or rejected)",
      }),
  })
  .openapi("WebhookResult", {
    example: {
      correlationId: "0b6c9e4e-5d1f-4c8a-9a57-2f1e7d3c8b10",
      results: [{ eventId: "acme-3pl:5d41402abc4b2a76b9719d911017c592", orderId: "SO-1001", outcome: "accepted" }],
    },
  });

/** acme-3pl's dispatch (examples/acme-dispatched.json): dockline's canonical format, one milestone per webhook. */
const CANONICAL_EXAMPLE = {
  type: "milestone",
  data: {
    orderId: "SO-1001",
    code: "shipment.dispatched",
    occurredAt: "2026-11-20T14:03:00Z",
    shipmentId: "SHP-1",
    carrier: "ups",
    trackingNumber: "1Z999AA10123456784",
    lines: [{ sku: "WID-1", quantity: 2 }],
    location: { city: "Memphis", country: "US" },
  },
};

/** A carrier's X12 214 (shipment status) for the same parcel: departed the pick-up location in Memphis (AT7 AF). */
const X12_EXAMPLE = [
  "ISA*00*          *00*          *02*SCAC           *ZZ*DOCKLINE       *261120*1403*U*00401*000000001*0*P*>~",
  "GS*QM*SCAC*DOCKLINE*20261120*1403*1*X*004010~",
  "ST*214*0001~",
  "B10*1Z999AA10123456784*SO-1001*SCAC~",
  "LX*1~",
  "AT7*AF*NS***20261120*1403*LT~",
  "MS1*MEMPHIS*TN*US~",
  "SE*6*0001~",
  "GE*1*1~",
  "IEA*1*000000001~",
].join("\n");

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
        content: {
          "application/json": { schema: z.object({}).passthrough(), example: CANONICAL_EXAMPLE },
          "application/edi-x12": { schema: z.string(), example: X12_EXAMPLE },
        },
      },
    },
    responses: {
      202: json(WebhookResult, "One result per event, plus one per part quarantined without becoming an event"),
      ...problems(400, 401, 404, 413, 415, 422, 429, 503),
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/health",
    tags: ["meta"],
    summary: "Liveness",
    responses: { 200: json(z.object({ ok: z.boolean() }).openapi({ example: { ok: true } }), "Alive") },
  });
}

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);
/** What every caller should know before hitting a limit (the rate limits' figures are in wrangler.toml). */
const LIMITS = [
  "**Limits.**",
  `Bodies (413 \`payload-too-large\`): partner webhooks ${size(MAX_BODY_BYTES)}, ERP release and cancellation ${size(RELEASE_BODY_MAX_BYTES)},`,
  `ops JSON and console forms ${size(OPS_BODY_MAX_BYTES)}, console sign-in form ${size(LOGIN_FORM_MAX_BYTES)}.`,
  `JSON bodies nest at most ${MAX_JSON_DEPTH} levels (400 \`malformed-body\`).`,
  "Rate limits (429 `rate-limited`, with `Retry-After`): webhooks per partner (authentic requests only), webhooks failing the",
  "signature check per client address, console sign-in attempts per client address, portal reads per API key, tracking",
  "pages per client address.",
].join(" ");

/**
 * One webhook per event type, keyed by the type: what dockline POSTs to a subscription's URL in the standard
 * format, and what the endpoint's answer means. (Slack and PagerDuty subscriptions get those services' own
 * bodies: docs/subscribers.md.)
 */
export function registerSubscriberEventsDoc(app: OpenAPIHono<AppEnv>): void {
  for (const doc of EVENT_DOCS) {
    app.openAPIRegistry.registerWebhook({
      method: "post",
      path: doc.type,
      tags: ["subscriber events"],
      summary: doc.summary,
      description: `${doc.when}\n\nSubscribers: ${doc.audience}. Signed with Standard Webhooks under the subscription's secret; the body is exactly what is signed. See docs/subscribers.md.`,
      request: {
        headers: WebhookHeaders,
        body: { required: true, content: { "application/json": { schema: EVENT_SCHEMAS[doc.type], example: EVENT_EXAMPLES[doc.type] } } },
      },
      responses: {
        "2XX": { description: "Delivered: dockline does not send this event to the subscription again, unless someone replays it" },
        "410": { description: "Stop: this event is refused for good and the subscription is disabled; nothing more is sent until it is re-enabled" },
        default: {
          description:
            "Any other status, a redirect, a timeout or a network error: a failed attempt, retried with backoff (honouring Retry-After) until the retry horizon",
        },
      },
    });
  }
}

export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  registerSubscriberEventsDoc(app);
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "dockline",
      version: "1.0.0",
      description: `Integration layer between ERP, 3PLs, carriers and the customer portal. Errors are RFC 9457 problem+json.\n\n${LIMITS}`,
    },
    servers: [
      { url: "/", description: "The deployment serving this document (its own origin)" },
      { url: "http://127.0.0.1:8787", description: "Local stack (npm start)" },
    ],
  });
}
