// The OpenAPI document of the whole HTTP surface, generated from the routes' zod schemas (plus the
// webhook ingress, whose body is each partner's own raw format and so is documented, not validated: per
// configured partner its scheme, headers and a signed example), and the events dockline sends to
// subscribers, as OpenAPI 3.1 `webhooks` (src/subscriptions/schemas.ts). Examples: ./examples.ts.
import { z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-types";
import { MAX_JSON_DEPTH } from "../platform/json-depth";
import { MAX_BODY_BYTES } from "../routes/webhooks";
import { AfterShipWebhook, Tracking as AfterShipTracking } from "../partners/aftership/payload";
import { CanonicalWebhook } from "../partners/canonical/adapter";
import { EasyPostEvent, Tracker } from "../partners/easypost/payload";
import { type AdapterName, MODULES, partners } from "../partners/registry";
import type { SchemeDescription, SchemeHeader } from "../partners/schemes/description";
import { describeSigning } from "../partners/schemes/signing";
import { Order as ShipBobOrder, Shipment as ShipBobShipment, TrackingEvent as ShipBobTrackingEvent } from "../partners/shipbob/payload";
import { Track as ShippoTrack, ShippoWebhook } from "../partners/shippo/payload";
import {
  Fulfillment as ShopifyFulfillment,
  FulfillmentEvent as ShopifyFulfillmentEvent,
  Order as ShopifyOrder,
  Refund as ShopifyRefund,
  Return as ShopifyReturn,
} from "../partners/shopify/payload";
import { TrackAlertMessage, TrackingResponse } from "../partners/ups/payload";
import { PROBLEM_BASE } from "../platform/problem";
import { SIGNATURE_DETAIL } from "../routes/webhooks";
import { EVENT_DOCS, EVENT_EXAMPLES, EVENT_SCHEMAS, WebhookHeaders } from "../subscriptions/schemas";
import { EXAMPLE_CORRELATION_ID, MEDIA_EXAMPLES, OPERATION_PROBLEMS, PARTNER_EXAMPLES, SCHEMA_EXAMPLES } from "./examples";
import { LOGIN_FORM_MAX_BYTES, OPS_BODY_MAX_BYTES, RELEASE_BODY_MAX_BYTES } from "./limits";
import { json, Problem, problemExample, problems, SECURITY_SCHEMES } from "./openapi";

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
      correlationId: EXAMPLE_CORRELATION_ID,
      results: [{ eventId: "acme-3pl:5d41402abc4b2a76b9719d911017c592", orderId: "SO-1001", outcome: "accepted" }],
    },
  });

// Each module's body as far as dockline reads it. Vendors add fields as they go, so unknown fields are
// allowed; a module that has no entry here does not compile.
const BODIES: { readonly [A in AdapterName]: z.ZodType } = {
  canonical: CanonicalWebhook.openapi("CanonicalWebhook", {
    description: "dockline's own format, for partners without one (docs/partners.md): one milestone per webhook",
  }),
  shipbob: z.union([ShipBobOrder, ShipBobShipment, ShipBobTrackingEvent]).openapi("ShipBobWebhook", {
    description:
      "The ShipBob fields dockline reads: an Order, a Shipment or a tracking event, by the topic in x-webhook-topic. ShipBob's webhooks: https://developer.shipbob.com/logistics/webhooks",
  }),
  easypost: EasyPostEvent.extend({ result: Tracker }).openapi("EasyPostWebhook", {
    description: "The EasyPost fields dockline reads: an Event whose result is a Tracker. EasyPost's webhooks: https://docs.easypost.com/guides/webhooks-guide",
  }),
  aftership: AfterShipWebhook.extend({ msg: AfterShipTracking }).openapi("AfterShipWebhook", {
    description:
      "The AfterShip fields dockline reads: a tracking webhook whose msg is the Tracking with its checkpoints. AfterShip's webhooks: https://www.aftership.com/docs/tracking/2025-01/webhook/webhook-specifications",
  }),
  shopify: z.union([ShopifyFulfillment, ShopifyFulfillmentEvent, ShopifyOrder, ShopifyRefund, ShopifyReturn]).openapi("ShopifyWebhook", {
    description:
      "The Shopify fields dockline reads: a Fulfillment, FulfillmentEvent, Order, Refund or Return, by the topic in X-Shopify-Topic. Shopify's webhooks: https://shopify.dev/docs/api/webhooks/2026-07",
  }),
  shippo: ShippoWebhook.extend({ data: ShippoTrack }).openapi("ShippoWebhook", {
    description:
      "The Shippo fields dockline reads: a track_updated webhook whose data is the Tracking object. Shippo's webhooks: https://docs.goshippo.com/docs/tracking/webhooks/",
  }),
  ups: z.union([TrackAlertMessage, TrackingResponse]).openapi("UpsTrackAlert", {
    description:
      "The UPS fields dockline reads: a Track Alert message (one activity) or a Tracking API response (a package's history). UPS Track Alert: https://github.com/UPS-API/api-documentation/blob/main/UPSTrackAlert.yaml",
  }),
  x12: z.string().openapi("X12Interchange", {
    description:
      "One X12 interchange (ISA … IEA), its separators as its ISA declares them. Transaction sets mapped: 214 (carrier shipment status) and 945 (warehouse shipping advice). Any other set, or a defective one, is rejected in the 997 returned in the answer's acknowledgement and kept in quarantine; the other sets are processed all the same.",
  }),
};

/** Per media type, the bodies of the modules that send it: a body is one of them, the partner in the path says which. */
function bodyContent() {
  const types = [...new Set(MODULES.flatMap((m) => m.contentTypes))];
  return Object.fromEntries(
    types.map((type) => {
      const schemas = MODULES.filter((m) => (m.contentTypes as readonly string[]).includes(type)).map((m) => BODIES[m.name]);
      // anyOf, not oneOf: vendor objects allow unknown fields, so one body can match several formats.
      const schema = schemas.length === 1 ? (schemas[0] as z.ZodType) : z.union(schemas as [z.ZodType, z.ZodType, ...z.ZodType[]]);
      return [type, { schema }];
    }),
  );
}

/** The answers to a signature that does not check out, one example per reason. */
const SIGNATURE_PROBLEMS = {
  description: "The signature or token does not check out; `detail` says which of the reasons below",
  content: {
    "application/problem+json": {
      schema: Problem,
      examples: Object.fromEntries(
        Object.entries(SIGNATURE_DETAIL).map(([reason, detail]) => [
          reason,
          {
            summary: detail,
            value: { type: `${PROBLEM_BASE}invalid-signature`, title: "Invalid signature", status: 401, detail, correlationId: EXAMPLE_CORRELATION_ID },
          },
        ]),
      ),
    },
  },
};

const UNKNOWN_PARTNER = {
  description: "No partner with this id is configured",
  content: {
    "application/problem+json": {
      schema: Problem,
      example: {
        type: `${PROBLEM_BASE}not-found`,
        title: "Not Found",
        status: 404,
        detail: 'Unknown partner "acme-3p1".',
        correlationId: EXAMPLE_CORRELATION_ID,
      },
    },
  },
};

export function registerWebhookDoc(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/webhooks/{partnerId}",
    tags: ["partners"],
    summary: "Partner ingress: the partner's own payload and signature (see docs/partners.md)",
    request: {
      params: z.object({
        partnerId: z
          .string()
          .openapi({ param: { name: "partnerId", in: "path" }, example: "acme-3pl", description: "A partner of PARTNERS (the table above)" }),
      }),
      body: { description: "Raw bytes in the partner's format; the signature is verified over them as received", content: bodyContent() },
    },
    responses: {
      202: json(WebhookResult, "One result per event, plus one per part quarantined without becoming an event"),
      401: SIGNATURE_PROBLEMS,
      404: UNKNOWN_PARTNER,
      ...problems(400, 413, 415, 422, 429, 503),
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

// The security schemes and subscriber events are registered once, however many documents are built (one per
// partner list).
let registered = false;

/** The secret every ingress example is signed with: made up for the document, never any partner's. */
const EXAMPLE_SECRET = "whsec_ZG9ja2xpbmUtZXhhbXBsZS1zZWNyZXQtbm90LWluLXVzZQ==";
const EXAMPLE_MESSAGE_ID = "msg_2LJ8c5Qk3GQ0cmYb7Wv1a9Hq";
/** 2026-11-20T14:05:00Z: two minutes after the example dispatch. */
const EXAMPLE_TIME = 1_795_183_500;

/** One row of `x-dockline-partners`: how a configured partner reaches the ingress. */
export interface PartnerRow {
  partnerId: string;
  adapter: string;
  scheme: SchemeDescription | null;
  contentTypes: string[];
  /** Every header the partner sends besides Content-Type: its scheme's, then any other (a topic). */
  headers: SchemeHeader[];
}

interface Example {
  summary: string;
  description: string;
  value: unknown;
  /** The headers of the signed request, as sent. */
  "x-headers": Record<string, string>;
}

const code = (text: string) => `\`${text}\``;

/** The configured partners, each with its scheme (found by running its module's signer) and a signed example. */
async function ingressOf(source: string | undefined): Promise<{ rows: PartnerRow[]; examples: Record<string, Record<string, Example>> }> {
  const rows: PartnerRow[] = [];
  const examples: Record<string, Record<string, Example>> = {};
  for (const partner of source === undefined ? [] : partners(source).values()) {
    const signing = await describeSigning(partner.impl);
    rows.push({
      partnerId: partner.id,
      adapter: partner.adapter,
      scheme: signing.scheme ?? null,
      contentTypes: [...partner.impl.contentTypes],
      headers: [...(signing.scheme?.headers ?? []), ...signing.other],
    });
    const sample = PARTNER_EXAMPLES[partner.adapter];
    const raw = typeof sample.body === "string" ? sample.body : JSON.stringify(sample.body);
    const headers = await partner.impl.sign(EXAMPLE_SECRET, new TextEncoder().encode(raw), {
      id: EXAMPLE_MESSAGE_ID,
      timestamp: EXAMPLE_TIME,
      ...(sample.topic ? { topic: sample.topic } : {}),
    });
    const type = partner.impl.contentTypes[0] ?? "application/json";
    const bytes = typeof sample.body === "string" ? "the body as shown" : "the body as compact JSON (as JSON.stringify writes it)";
    examples[type] = examples[type] ?? {};
    examples[type][partner.id] = {
      summary: `${partner.id}: ${sample.summary}`,
      description: [
        `POST /v1/webhooks/${partner.id} with ${Object.entries(headers)
          .map(([name, value]) => code(`${name}: ${value}`))
          .join(", ")}.`,
        `Signed over ${bytes} with the example secret (see the operation's description).`,
      ].join(" "),
      value: sample.body,
      "x-headers": headers,
    };
  }
  return { rows, examples };
}

/** The ingress's description: the partner table, then each scheme in use: its headers, what it signs, its tolerance. */
function ingressDescription(rows: PartnerRow[]): string {
  const out = [
    "The body is the partner's own format, verified over the raw bytes with the partner's signature scheme. Partners configured in this deployment (PARTNERS; also in `x-dockline-partners`):",
    "",
    "| partner | adapter | signature scheme | content types | headers |",
    "|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${[r.partnerId, r.adapter, r.scheme?.name ?? "not described", r.contentTypes.join(", "), r.headers.map((h) => code(h.name)).join(", ")].join(" | ")} |`,
    ),
  ];
  const schemes = new Map<string, SchemeDescription>();
  for (const r of rows) if (r.scheme) schemes.set(`${r.scheme.name} ${r.scheme.headers.map((h) => h.name).join()}`, r.scheme);
  for (const scheme of schemes.values()) {
    out.push(
      "",
      `**${scheme.name}** (${scheme.headers.map((h) => code(h.name)).join(", ")}): ${scheme.signs}.`,
      scheme.toleranceSeconds === undefined
        ? "No timestamp is signed: a replayed request is recognised only as a duplicate event."
        : `The signed timestamp may be at most ${scheme.toleranceSeconds} s from our clock, either way.`,
      ...scheme.headers.map((h) => `${code(h.name)}: ${h.format}.`),
      ...(scheme.reference ? [`Specification: ${scheme.reference}`] : []),
    );
  }
  out.push(
    "",
    `The examples are signed with the made-up secret ${code(EXAMPLE_SECRET)} at ${new Date(EXAMPLE_TIME * 1000).toISOString()} (unix ${EXAMPLE_TIME}), so a signer can be checked against them; a real request is signed with the partner's own secret at the time of sending.`,
  );
  out.push(
    "",
    `Several secrets may be active at once (a rotation): a request signed with any of them is accepted. A 401 says why in \`detail\`: ${Object.values(SIGNATURE_DETAIL).join(" / ")}`,
  );
  return out.join("\n");
}

type Document = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;
type Media = { schema?: { $ref?: string }; example?: unknown; examples?: Record<string, unknown> };
type Operation = {
  description?: string;
  parameters?: unknown[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
  [extension: `x-${string}`]: unknown;
};

/** Fills in the ingress's partner-dependent parts: the table, the header parameters and one example per partner. */
function describeIngress(doc: Document, ingress: Awaited<ReturnType<typeof ingressOf>>): void {
  const op = doc.paths?.["/v1/webhooks/{partnerId}"]?.post as Operation | undefined;
  if (!op) return;
  op.description = ingressDescription(ingress.rows);
  op["x-dockline-partners"] = ingress.rows;
  const senders = new Map<string, { header: SchemeHeader; partners: string[] }>();
  for (const r of ingress.rows)
    for (const h of r.headers) {
      const entry = senders.get(h.name.toLowerCase()) ?? { header: h, partners: [] };
      entry.partners.push(r.partnerId);
      senders.set(h.name.toLowerCase(), entry);
    }
  op.parameters = [
    ...(op.parameters ?? []),
    ...[...senders.values()].map(({ header, partners: ids }) => ({
      name: header.name,
      in: "header",
      required: false,
      description: `${header.format}. Sent by ${ids.join(", ")}.`,
      schema: { type: "string" },
    })),
  ];
  for (const [type, examples] of Object.entries(ingress.examples)) {
    const media = op.requestBody?.content?.[type];
    if (media) media.examples = examples;
  }
}

/** Sets the examples of examples.ts wherever the routes left a schema or a medium without one. */
function addExamples(doc: Document): void {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, { example?: unknown }>;
  for (const [name, example] of Object.entries(SCHEMA_EXAMPLES)) {
    const schema = schemas[name];
    if (schema && schema.example === undefined) schema.example = example;
  }
  for (const [path, item] of Object.entries(doc.paths ?? {}))
    for (const [method, op] of Object.entries(item as Record<string, Operation>)) {
      const media = [...Object.entries(op.requestBody?.content ?? {}), ...Object.values(op.responses ?? {}).flatMap((r) => Object.entries(r.content ?? {}))];
      for (const [type, m] of media) {
        const example = MEDIA_EXAMPLES[`${method.toUpperCase()} ${path}`]?.[type];
        if (example !== undefined && m.example === undefined && m.examples === undefined) m.example = example;
      }
      for (const [status, problem] of Object.entries(OPERATION_PROBLEMS[`${method.toUpperCase()} ${path}`] ?? {})) {
        const m = op.responses?.[status]?.content?.["application/problem+json"];
        // Only over the usual example problems() put there, never over one the route wrote itself.
        if (m && JSON.stringify(m.example) === JSON.stringify(problemExample(Number(status)))) m.example = problemExample(Number(status), problem);
      }
    }
}

/**
 * The whole document, for the deployment whose PARTNERS is `partnersSource` (undefined: none, as for a tool
 * that builds the document without bindings). Throws ConfigError when PARTNERS is invalid.
 */
export async function openApiDocument(app: OpenAPIHono<AppEnv>, partnersSource: string | undefined): Promise<Document> {
  const ingress = await ingressOf(partnersSource);
  if (!registered) {
    for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
    registerSubscriberEventsDoc(app);
    registered = true;
  }
  const doc = app.getOpenAPI31Document({
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
  describeIngress(doc, ingress);
  addExamples(doc);
  return doc;
}
