// `npm run docs:api`: regenerates docs/api.md from the worker's own OpenAPI document; docs/subscribers.md
// from the same document's `webhooks` (the subscriber events' schemas and examples, src/subscriptions/
// schemas.ts), the delivery formats run on those examples and the figures of wrangler.toml; and the ERP
// contract (docs/erp-openapi.json, docs/erp-contract.md) from GET /erp/openapi.json. Tests fail when any
// is stale. The hand-written parts of docs/subscribers.md live here, beside what fills them in.
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { unstable_readConfig } from "wrangler";
import { app } from "../src/app";
import { deliveryPolicy } from "../src/domain/delivery";
import { EXCEPTION_REASONS } from "../src/domain/milestones";
import { type ErpContractDoc, renderErpContractMarkdown } from "../src/erp/contract-markdown";
import { renderApiMarkdown } from "../src/http/api-markdown";
import { TOLERANCE_SECONDS } from "../src/partners/schemes/standard-webhooks";
import { EVENT_TYPES, MAX_VIEW_BYTES, ORDER_EVENT_TYPES } from "../src/subscriptions/events";
import { formatDelivery, SUBSCRIPTION_FORMATS, type SubscriptionFormat } from "../src/subscriptions/formats";
import { EVENT_DOCS, EVENT_EXAMPLES } from "../src/subscriptions/schemas";
import { MAX_DELIVERY_PAGE, MAX_SUBSCRIPTIONS } from "../src/subscriptions/store";
import { MAX_URL_LENGTH } from "../src/subscriptions/url-safety";

// ---- the figures subscribers rely on ------------------------------------------------------------------

export interface SubscriberFigures {
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  horizonHours: number;
  timeoutMs: number;
  maxConcurrency: number;
  disableAfterHours: number;
  secretGraceHours: number;
  logRetentionDays: number;
}

/** The production figures, read as the worker reads them (the retry policy through the engine's own deliveryPolicy). */
export function subscriberFigures(configPath = "wrangler.toml"): SubscriberFigures {
  const vars = unstable_readConfig({ config: configPath, env: "production" }, { hideWarnings: true }).vars as Record<string, unknown>;
  const policy = deliveryPolicy("SUBSCRIPTION", vars);
  const positive = (name: string, fallback: number) => {
    const n = Number(vars[name]);
    return Number.isFinite(n) && n > 0 ? n : fallback;
  };
  return {
    retryBaseSeconds: policy.baseSeconds,
    retryMaxSeconds: policy.maxSeconds,
    horizonHours: policy.horizonHours,
    timeoutMs: positive("SUBSCRIPTION_TIMEOUT_MS", 10_000),
    maxConcurrency: positive("SUBSCRIPTION_MAX_CONCURRENCY", 5),
    disableAfterHours: positive("SUBSCRIPTION_DISABLE_AFTER_HOURS", 72),
    secretGraceHours: positive("SUBSCRIPTION_SECRET_GRACE_HOURS", 24),
    logRetentionDays: positive("SUBSCRIPTION_LOG_RETENTION_DAYS", 30),
  };
}

// ---- the OpenAPI document, as far as it is read here --------------------------------------------------

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  description?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  allOf?: JsonSchema[];
}
interface WebhookOperation {
  summary?: string;
  parameters?: { name: string; in: string; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema; example?: unknown }> };
  responses: Record<string, { description?: string }>;
}
export interface SubscriberDoc {
  webhooks?: Record<string, { post?: WebhookOperation }>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const refName = (s: JsonSchema): string | undefined => s.$ref?.split("/").pop();
const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** A schema's own fields, following $ref and merging allOf (later parts add to earlier ones). */
function fieldsOf(doc: SubscriberDoc, schema: JsonSchema): { name: string; schema: JsonSchema; required: boolean }[] {
  const name = refName(schema);
  if (name) return fieldsOf(doc, doc.components?.schemas?.[name] ?? {});
  const parts = schema.allOf ? schema.allOf.flatMap((p) => fieldsOf(doc, p)) : [];
  const own = Object.entries(schema.properties ?? {}).map(([field, s]) => ({ name: field, schema: s, required: schema.required?.includes(field) ?? false }));
  const merged = new Map([...parts, ...own].map((f) => [f.name, f]));
  return [...merged.values()];
}

function typeOf(s: JsonSchema): string {
  const name = refName(s) ?? (s.allOf?.length ? refName(s.allOf[0] as JsonSchema) : undefined);
  if (name) return `\`${name}\``;
  const nullable = Array.isArray(s.type) && s.type.includes("null");
  const orNull = (t: string) => (nullable ? `${t} or null` : t);
  if (s.enum) {
    const values = s.enum.filter((v) => v !== null).map((v) => `\`${String(v)}\``);
    return orNull(values.length === 1 ? (values[0] as string) : `one of ${values.join(", ")}`);
  }
  const base = (Array.isArray(s.type) ? s.type.filter((t) => t !== "null") : [s.type ?? "object"]).join(" or ") || "null";
  if (base === "array" && s.items) return orNull(`array of ${typeOf(s.items)}`);
  if (s.format === "date-time") return orNull("ISO 8601 instant");
  return orNull(base);
}

function descriptionOf(s: JsonSchema): string {
  return s.description ?? s.allOf?.map((p) => p.description).find((d) => d) ?? "";
}

function fieldTable(fields: ReturnType<typeof fieldsOf>, schemaName = ""): string[] {
  const meaning = (f: (typeof fields)[number]) => descriptionOf(f.schema) || FIELD_NOTES[`${schemaName}.${f.name}`] || "";
  return [
    "| field | type | always there | meaning |",
    "|---|---|---|---|",
    ...fields.map((f) => `| \`${f.name}\` | ${cell(typeOf(f.schema))} | ${f.required ? "yes" : "no"} | ${cell(meaning(f))} |`),
  ];
}

function componentTable(doc: SubscriberDoc, name: string): string[] {
  const schema = doc.components?.schemas?.[name];
  if (!schema) throw new Error(`the OpenAPI document has no schema ${name}`);
  return [`#### \`${name}\``, "", ...(schema.description ? [`${schema.description}.`, ""] : []), ...fieldTable(fieldsOf(doc, schema), name), ""];
}

/** How the answers read in the table, in the order they are listed. */
const ANSWERS: Record<string, string> = { "2XX": "`2xx`", "410": "`410`", default: "anything else" };

/**
 * What the shared API schemas (src/http/schemas.ts, which also serve GET /v1/orders/{id}) do not say about
 * their fields: used only where the schema has no description of its own.
 */
const FIELD_NOTES: Record<string, string> = {
  "Shipment.shipmentId": "The partner's id for the parcel",
  "Shipment.carrier": "The carrier, e.g. `ups`; null when not reported",
  "Shipment.trackingNumber": "The carrier's tracking number; null until known",
  "Shipment.status": "The parcel's furthest milestone; `pending` before it has one",
  "Shipment.lastEvent": "The parcel's latest milestone, `{ code, occurredAt, location? }`; null before any",
  "Shipment.eta": "The carrier's estimated delivery (ISO 8601), when reported",
  "TimelineEntry.eventId": "The milestone's id: stable, so you can tell the entries you already have",
  "TimelineEntry.code": "The milestone code ([milestones.md](milestones.md))",
  "TimelineEntry.occurredAt": "When it happened, as reported (ISO 8601)",
  "TimelineEntry.location": "`{ city?, region?, postalCode?, country? }`, when reported",
  "TimelineEntry.description": "Plain words for the customer",
  "TimelineEntry.source": "Who reported it: `erp`, or a partner's id",
  "OpenException.id": "The exception's id: the same in `order.exception_opened` and `order.exception_resolved`",
  "OpenException.kind": "`shipment_exception` (a carrier reported a problem), `cancel_after_dispatch` or `returned_to_sender`",
  "OpenException.reason": `For a shipment exception one of ${EXCEPTION_REASONS.map((r) => `\`${r}\``).join(", ")}; otherwise null`,
  "OpenException.shipmentId": "The parcel concerned; null when it concerns the whole order",
  "OpenException.occurredAt": "When it was raised (ISO 8601)",
  "OpenException.description": "Plain words for the customer",
};

const json = (value: unknown) => ["```json", JSON.stringify(value, null, 2), "```"];
const hours = (h: number) => (h >= 48 && h % 24 === 0 ? `${h / 24} days` : `${h} hours`);
const seconds = (s: number) => (s >= 60 && s % 60 === 0 ? `${s / 60} min` : `${s} s`);

// ---- the formats, run on the examples -----------------------------------------------------------------

const EXAMPLE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const EXAMPLE_ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF";
const EXAMPLE_ID = "msg_8c1f5a0d3b7e9f2a64c0d8e1b5";

/** What `format` sends for the example of `type`, parsed; null when that format sends nothing for it. */
async function rendered(format: SubscriptionFormat, type: keyof typeof EVENT_EXAMPLES): Promise<Record<string, unknown> | null> {
  const example = EVENT_EXAMPLES[type];
  const out = await formatDelivery(
    format,
    { id: EXAMPLE_ID, ...example, data: example.data as Record<string, unknown> },
    {
      secrets: [EXAMPLE_SECRET],
      now: new Date(example.timestamp),
      routingKey: EXAMPLE_ROUTING_KEY,
    },
  );
  return out ? (JSON.parse(out.body) as Record<string, unknown>) : null;
}

// ---- docs/subscribers.md ------------------------------------------------------------------------------

const BASE = "http://127.0.0.1:8787";

export async function renderSubscribersMarkdown(doc: SubscriberDoc, f: SubscriberFigures): Promise<string> {
  const webhooks = doc.webhooks ?? {};
  const operation = (type: string): WebhookOperation => {
    const op = webhooks[type]?.post;
    if (!op) throw new Error(`the OpenAPI document has no webhook ${type}`);
    return op;
  };
  const sample = operation(EVENT_DOCS[0]?.type as string);
  const listed = (types: readonly string[]) => types.map((t) => `\`${t}\``).join(", ");
  const out: string[] = [
    "# Event subscriptions",
    "",
    "<!-- Generated by `npm run docs:api` (tools/api-docs.ts) from the OpenAPI document's `webhooks`, the delivery formats and wrangler.toml; a test fails when this file is stale. Do not edit by hand. -->",
    "",
    "dockline pushes what happens to orders to the URLs you subscribe, as signed HTTP POSTs, so you do not have to poll",
    "`GET /v1/orders`. This page is for whoever builds the receiving end. The same events are in `/openapi.json` as",
    "OpenAPI 3.1 `webhooks`, one per event type, with their schemas and examples.",
    "",
    "## Subscriptions",
    "",
    "A subscription is a URL, the event types it wants, a format (`standard` unless you choose `slack` or `pagerduty`)",
    "and a signing secret. There are two kinds:",
    "",
    `- **Customer subscriptions** (\`/v1/subscriptions\`, with a customer API key \`dk_…\`) receive the order events of that`,
    `  customer's orders: ${listed(ORDER_EVENT_TYPES)}.`,
    "- **Ops subscriptions** (`/ops/subscriptions`, with ops authentication) receive the order events of one customer",
    "  (`customerId`) or of every customer (no `customerId`), and may also subscribe to the alerts about the",
    `  integration itself: ${listed(EVENT_TYPES.filter((t) => t.startsWith("ops.")))}.`,
    "",
    "A customer's subscription only ever receives its own customer's orders. dockline chooses the subscriptions",
    "for each event by the order's customer, and checks the customer again just before it sends, so no path can",
    "deliver one customer's order to another customer's endpoint. Another customer's subscription does not exist",
    "for you: reading, changing or deleting it answers `404`, as a missing one does.",
    "",
    `Each customer, and ops, may have at most ${MAX_SUBSCRIPTIONS} subscriptions.`,
    "",
    "## Subscribing",
    "",
    `The examples run against a local dockline (\`npm start\`: the worker on ${BASE}, the subscriber simulator on`,
    "http://127.0.0.1:8790, which plays a receiving endpoint). Ops issue a customer its API key:",
    "",
    "```sh",
    `curl -s -X POST ${BASE}/ops/api-keys \\`,
    "  -H 'Authorization: Bearer dev-ops-token' -H 'Content-Type: application/json' \\",
    `  -d '{"customerId":"CUST-2041"}'`,
    '# → 201 {"id":"key_…","key":"dk_…","customerId":"CUST-2041",…}   (the key is shown once)',
    "```",
    "",
    "The customer subscribes a URL with that key:",
    "",
    "```sh",
    "export DOCKLINE_KEY=dk_…",
    `curl -s -X POST ${BASE}/v1/subscriptions \\`,
    `  -H "Authorization: Bearer $DOCKLINE_KEY" -H 'Content-Type: application/json' \\`,
    `  -d '{"url":"http://127.0.0.1:8790/hooks/cust-2041","events":["order.status_changed","order.updated"],"description":"ERP mirror"}'`,
    "```",
    "",
    "The answer is `201` with the subscription and its signing secret:",
    "",
    ...json({
      id: "sub_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b",
      scope: "customer",
      customerId: "CUST-2041",
      url: "http://127.0.0.1:8790/hooks/cust-2041",
      events: ["order.status_changed", "order.updated"],
      format: "standard",
      description: "ERP mirror",
      status: "active",
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
      previousSecretExpiresAt: null,
      createdAt: "2026-11-20T08:55:12.043Z",
      secret: EXAMPLE_SECRET,
    }),
    "",
    "**The secret is shown once, in this answer only.** Store it with the endpoint that verifies the signatures; if it",
    "is lost, rotate it (below). An invalid request answers `422` with the problem in `errors`: an event type that",
    "does not exist, an ops event on a customer subscription, a URL that breaks the [URL rules](#url-rules).",
    "",
    "The rest of the API, the same under `/ops/subscriptions` for ops (see [api.md](api.md)):",
    "",
    "```sh",
    `curl -s ${BASE}/v1/subscriptions -H "Authorization: Bearer $DOCKLINE_KEY"                     # list`,
    `curl -s ${BASE}/v1/subscriptions/sub_… -H "Authorization: Bearer $DOCKLINE_KEY"               # one`,
    `curl -s -X DELETE ${BASE}/v1/subscriptions/sub_… -H "Authorization: Bearer $DOCKLINE_KEY"     # delete (204)`,
    `curl -s -X POST ${BASE}/v1/subscriptions/sub_…/test -H "Authorization: Bearer $DOCKLINE_KEY"  # send webhook.test now`,
    `curl -s -X POST ${BASE}/v1/subscriptions/sub_…/rotate-secret -H "Authorization: Bearer $DOCKLINE_KEY"`,
    `curl -s -X POST ${BASE}/v1/subscriptions/sub_…/enable -H "Authorization: Bearer $DOCKLINE_KEY" # after it was disabled`,
    `curl -s "${BASE}/v1/subscriptions/sub_…/deliveries?status=dead" -H "Authorization: Bearer $DOCKLINE_KEY"`,
    `curl -s -X POST ${BASE}/v1/subscriptions/sub_…/deliveries/msg_…/replay -H "Authorization: Bearer $DOCKLINE_KEY"`,
    "```",
    "",
    "Ops subscribe the same way with the ops token, optionally for one customer, and may choose another format:",
    "",
    "```sh",
    `curl -s -X POST ${BASE}/ops/subscriptions \\`,
    "  -H 'Authorization: Bearer dev-ops-token' -H 'Content-Type: application/json' \\",
    `  -d '{"url":"http://127.0.0.1:8790/pagerduty/on-call","events":["ops.sla_breached","ops.dead_letter"],"format":"pagerduty","routingKey":"${EXAMPLE_ROUTING_KEY}"}'`,
    "```",
    "",
    "Deleting a subscription deletes its delivery log too; events already on their way to it are dropped.",
    "A new subscription hears of changes from the moment it is created, never of earlier ones.",
    "",
    "## What a delivery looks like",
    "",
    "Every delivery of the `standard` format is `POST <url>` with `Content-Type: application/json`,",
    "`User-Agent: dockline-webhooks/1` and a JSON body of exactly three keys:",
    "",
    "| key | meaning |",
    "|---|---|",
    "| `type` | The event type (below) |",
    "| `timestamp` | When dockline recorded the event (ISO 8601, UTC); the same on every retry and replay |",
    "| `data` | What happened; its shape depends on `type` |",
    "",
    "and the three [Standard Webhooks](https://www.standardwebhooks.com/) headers:",
    "",
    "| header | meaning |",
    "|---|---|",
    ...(sample.parameters ?? []).filter((p) => p.in === "header").map((p) => `| \`${p.name}\` | ${cell(p.description ?? "")} |`),
    "",
    "What your answer means:",
    "",
    "| your answer | what dockline does |",
    "|---|---|",
    ...["2XX", "410", "default"].map((status) => `| ${ANSWERS[status]} | ${cell(sample.responses[status]?.description ?? "")} |`),
    "",
    `Answer quickly: within ${f.timeoutMs / 1000} s (\`SUBSCRIPTION_TIMEOUT_MS\`); a slower answer may be cut off and counted as a`,
    "failure. Take the event, store it, answer `2xx`, and do the work afterwards.",
    "",
    "### Order and duplicates",
    "",
    "- **One order's events arrive in order**, per subscription: dockline sends the next event of an order only when",
    "  the previous one was delivered (or died, below). Events of different orders travel independently, in",
    "  parallel, in any order relative to each other.",
    "- Every order event carries the order's `version`, which grows with every change. One change can send several",
    "  events with the same version (`order.status_changed`, then `order.exception_opened`, then `order.updated`).",
    "  Keep the view with the highest `version` you have seen: a replayed event (below) can arrive after newer ones.",
    "  Versions can skip numbers: changes the customer does not see count too.",
    "- **Deduplicate by `webhook-id`.** It is the event's id: the same on every retry and every replay of that event.",
    `  A retry can follow a delivery you did answer \`2xx\` (when your answer was lost), so remember the ids you`,
    `  processed for at least the retry horizon (${hours(f.horizonHours)}). The same event delivered to two`,
    "  subscriptions has the same id in both.",
    "",
    "## Events",
    "",
    `Customer and ops subscriptions: ${listed(ORDER_EVENT_TYPES)}. Ops subscriptions only: ${listed(EVENT_TYPES.filter((t) => t.startsWith("ops.")))}.`,
    "`webhook.test` is sent on request only.",
    "",
    "An order event is exactly a change the customer can see in the portal: dockline compares the order view before",
    "and after each change, and sends nothing when they agree. `order.updated` is sent for every such change, as the",
    "change's last event; the other order events say what kind of change it was. What the portal does not show is",
    "never an event: ERP postings, internal discrepancies ops work on, and carrier scans that change nothing the",
    "portal displays (a repeated scan, a scan the order's status and timeline already reflect).",
    "",
  ];

  for (const d of EVENT_DOCS) {
    const op = operation(d.type);
    const content = op.requestBody?.content?.["application/json"];
    const bodySchema = content?.schema;
    if (!bodySchema) throw new Error(`webhook ${d.type} has no JSON body schema`);
    const data = fieldsOf(doc, bodySchema).find((x) => x.name === "data")?.schema;
    if (!data) throw new Error(`webhook ${d.type} has no data`);
    out.push(`### \`${d.type}\``, "", d.summary, "", `**When:** ${d.when}`, "");
    out.push(`**Who can subscribe:** ${d.audience === "test" ? "nobody; sent by `POST …/test`" : d.audience}.`, "");
    const name = refName(data);
    const schema = name ? doc.components?.schemas?.[name] : data;
    if (name === "EventOrder") out.push("**`data`:** [the order view](#the-order-view).", "");
    else if (schema?.allOf && refName(schema.allOf[0] ?? {}) === "EventOrder") {
      const extra = schema.allOf.slice(1).flatMap((p) => fieldsOf(doc, p));
      out.push("**`data`:** [the order view](#the-order-view), plus:", "", ...fieldTable(extra), "");
    } else out.push(`**\`data\`** (\`${name ?? "object"}\`):`, "", ...fieldTable(fieldsOf(doc, data)), "");
    out.push("Example:", "", ...json(content?.example), "");
  }

  out.push(
    "### The order view",
    "",
    "The order events' `data` is the order as the customer portal shows it after the change: the body of",
    "`GET /v1/orders/{id}` without `trackingUrl` (a tracking link is made for each read, never stored or sent).",
    `An order with a very long history sends its newest timeline entries only, to keep the body under`,
    `${MAX_VIEW_BYTES / 1000} kB, and says so with \`timelineTruncated: true\`.`,
    "",
    ...["EventOrder", "Shipment", "TimelineEntry", "OpenException"].flatMap((n) => componentTable(doc, n)),
  );

  out.push(
    "## Verifying a delivery",
    "",
    "Every delivery is signed the [Standard Webhooks](https://www.standardwebhooks.com/) way, whatever its format.",
    "To check one:",
    "",
    "1. Read the body as raw bytes, before any JSON parsing: the signature covers the bytes as sent.",
    `2. Refuse a \`webhook-timestamp\` more than ${TOLERANCE_SECONDS / 60} minutes from your clock, in either direction. Every attempt`,
    "   is signed afresh, so a genuine retry is never stale; an old request sent again by someone else is.",
    "3. Compute HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>` with the key that is the base64 part of",
    "   your secret (after `whsec_`), and base64 it.",
    "4. `webhook-signature` holds one or more space-separated `v1,<base64>` entries: two while a secret rotation's",
    "   grace period lasts, one made with each secret. The delivery is genuine when any entry equals yours;",
    "   compare in constant time.",
    "5. Skip a `webhook-id` you have already processed (answer `2xx` anyway).",
    "",
    "With the reference implementation, the npm package `standardwebhooks` (it does steps 2–4):",
    "",
    "```js",
    'import { createServer } from "node:http";',
    'import { Webhook } from "standardwebhooks";',
    "",
    "const webhook = new Webhook(process.env.DOCKLINE_SECRET); // whsec_…",
    "const processed = new Set(); // webhook-ids already handled: keep them in your database",
    "",
    "createServer(async (req, res) => {",
    "  const chunks = [];",
    "  for await (const chunk of req) chunks.push(chunk);",
    '  const raw = Buffer.concat(chunks).toString("utf8");',
    "  let event;",
    "  try {",
    "    event = webhook.verify(raw, req.headers); // throws on a bad signature or timestamp",
    "  } catch {",
    "    res.writeHead(401).end();",
    "    return;",
    "  }",
    '  const id = req.headers["webhook-id"];',
    "  if (!processed.has(id)) {",
    "    processed.add(id);",
    "    console.log(event.type, event.data.orderId, event.data.version); // store it; work on it later",
    "  }",
    "  res.writeHead(204).end();",
    "}).listen(3000);",
    "```",
    "",
    "With nothing but WebCrypto (Node 20 and later, Deno, Bun, Cloudflare Workers). `secrets` may hold two secrets",
    "while you move from one to the next:",
    "",
    "```js",
    `const TOLERANCE_SECONDS = ${TOLERANCE_SECONDS};`,
    "const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));",
    "",
    "/** True when the request is a genuine, fresh delivery signed with one of `secrets` (whsec_…). */",
    "export async function verifyDockline(secrets, headers, body) {",
    '  const id = headers.get("webhook-id");',
    '  const timestamp = headers.get("webhook-timestamp");',
    '  const offered = (headers.get("webhook-signature") ?? "").split(" ").filter((s) => s.startsWith("v1,"));',
    "  if (!id || !timestamp || !/^\\d+$/.test(timestamp) || offered.length === 0) return false;",
    "  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript for the guide, not a template of ours
    "  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);",
    "  const signed = new Uint8Array(prefix.length + body.length);",
    "  signed.set(prefix);",
    "  signed.set(body, prefix.length);",
    "  for (const secret of secrets) {",
    '    const key = await crypto.subtle.importKey("raw", bytes(secret.replace(/^whsec_/, "")), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);',
    "    for (const signature of offered) {",
    "      let mac;",
    "      try {",
    "        mac = bytes(signature.slice(3));",
    "      } catch {",
    "        continue; // not base64",
    "      }",
    "      // crypto.subtle.verify compares in constant time.",
    '      if (await crypto.subtle.verify("HMAC", key, mac, signed)) return true;',
    "    }",
    "  }",
    "  return false;",
    "}",
    "",
    "// In a fetch handler: the raw bytes, then the JSON.",
    "// const body = new Uint8Array(await request.arrayBuffer());",
    "// if (!(await verifyDockline([env.DOCKLINE_SECRET], request.headers, body))) return new Response(null, { status: 401 });",
    "// const event = JSON.parse(new TextDecoder().decode(body));",
    "```",
    "",
  );

  const ceilings: string[] = [];
  for (let retry = 1, ceiling = 0; ceiling < f.retryMaxSeconds && retry <= 12; retry++) {
    ceiling = Math.min(f.retryMaxSeconds, f.retryBaseSeconds * 2 ** (retry - 1));
    ceilings.push(seconds(ceiling));
  }
  out.push(
    "## Retries",
    "",
    "A delivery succeeds when your endpoint answers `2xx`; nothing else counts. Redirects are not followed: a `3xx`",
    "is a failed attempt. `410 Gone` means *stop*: the event is refused for good and the subscription is disabled",
    "at once. Any other answer, a timeout or a network error is a failed attempt, and dockline tries again:",
    "",
    `- **Backoff with full jitter.** Before retry *n* dockline waits a random time between zero and`,
    `  min(${f.retryMaxSeconds} s, ${f.retryBaseSeconds} s × 2^(n−1)): at most ${ceilings.join(", ")}, then at most ${seconds(f.retryMaxSeconds)}`,
    "  for every later retry. A `Retry-After` header (seconds or an HTTP date) is honoured as the least wait, up to",
    `  ${seconds(f.retryMaxSeconds)}.`,
    `- **Bounded by time, not by count.** An event is retried until an attempt fails more than ${hours(f.horizonHours)}`,
    "  after the event became due (`DELIVERY_RETRY_HORIZON_HOURS`); then it is *dead*. The clock starts when the event",
    "  is next in line for its order, so an event that waited behind an earlier one still gets the full time.",
    "- **A dead event holds back the order's later events** for that subscription: they wait, in order, until the dead",
    "  one is replayed (then they follow), so you never receive an order's changes with a gap.",
    `- **Failing for ${hours(f.disableAfterHours)} disables the subscription** (\`SUBSCRIPTION_DISABLE_AFTER_HOURS\`): when every`,
    "  delivery has failed for that long, dockline disables it and tells ops (`ops.subscription_disabled`). A",
    "  disabled subscription receives nothing: events that happen meanwhile are not kept for it, and each event",
    "  that was being retried is refused when its turn comes (dead), with the order's later events waiting behind",
    "  it. After fixing the endpoint, `POST …/enable`, replay the dead deliveries you need, and catch up on the rest",
    "  with `GET /v1/orders` (its `syncCursor`).",
    "- **When your endpoint answers again after an outage**, every order waiting on it resumes on its own, oldest",
    "  first; nobody needs to replay what only waited. While it keeps failing, dockline pauses the subscription after",
    "  five failures in a row and probes it with one delivery at a time, so a failing endpoint is not flooded.",
    "",
    "**A slow or failing subscriber delays nobody else.** Each subscription has its own queue per order and its own",
    `limit of ${f.maxConcurrency} deliveries in flight (\`SUBSCRIPTION_MAX_CONCURRENCY\`); other subscribers, the ERP and the`,
    "fulfilment partners are delivered on their own queues, and the partner webhooks that caused an event are",
    "answered before any subscriber is called.",
    "",
    "## The delivery log and replay",
    "",
    "`GET …/subscriptions/{id}/deliveries` lists the subscription's deliveries, newest first (`?status=`,",
    `\`?limit=\` up to ${MAX_DELIVERY_PAGE}, \`?cursor=\` with the previous page's \`nextCursor\`). Each has its \`id\` (the \`webhook-id\`), the`,
    "event as sent, its status, and every attempt with the answer's status, the time it took and the start of the",
    `answer's body. The log is kept ${f.logRetentionDays} days (\`SUBSCRIPTION_LOG_RETENTION_DAYS\`).`,
    "",
    "| status | meaning |",
    "|---|---|",
    "| `pending` | Being retried |",
    "| `delivered` | Your endpoint answered `2xx` |",
    "| `dead` | Refused (`410`, a disabled subscription) or out of time; the order's later events wait behind it |",
    "| `skipped` | Nothing to send in this subscription's format (PagerDuty: an event that is not an incident) |",
    "",
    "`POST …/subscriptions/{id}/deliveries/{deliveryId}/replay` delivers an event again, with **the same `webhook-id`**",
    "and the same body (newly signed, with a new `webhook-timestamp`); it answers `202` with `how`:",
    "",
    "- `revived`: the delivery was dead. It is retried from now with a fresh retry horizon, and the order's events",
    "  that waited behind it follow in order.",
    "- `resent`: the delivery had gone through. It is sent once more, after the events already queued for the",
    "  order, so it can arrive after newer ones: keep the highest `version`.",
    "",
    "A replay answers `409` while the subscription is disabled (enable it first), for a delivery still being retried",
    "(it needs no replay) and for a test event (send another); `404` for a delivery the subscription does not have.",
    "",
    "## Rotating the secret",
    "",
    "`POST …/subscriptions/{id}/rotate-secret` answers `200` with the new `secret` (shown once) and",
    `\`previousSecretExpiresAt\`, ${hours(f.secretGraceHours)} later (\`SUBSCRIPTION_SECRET_GRACE_HOURS\`). Until then every delivery carries two`,
    "signatures, one with each secret, so your endpoint keeps verifying with the old secret while you deploy the new",
    "one. Switch within that time; afterwards only the new secret signs. A verifier that accepts a list of secrets",
    "(the WebCrypto example above) can hold both during the switch.",
    "",
    "## Test events",
    "",
    "`POST …/subscriptions/{id}/test` sends a `webhook.test` event to the subscription's URL at once, signed like",
    "any delivery, and answers with what your endpoint did: `{ webhookId, delivered, status, latencyMs, response,",
    "error }`. It is sent once (never retried, never replayed) and appears in the delivery log. Use it to check",
    "that your endpoint is reachable and verifies the signature. A PagerDuty subscription receives no test event",
    "(it is not an incident); the answer says so.",
    "",
  );

  out.push(
    "## Slack and PagerDuty",
    "",
    `Besides \`standard\`, a subscription's \`format\` can be ${SUBSCRIPTION_FORMATS.filter((x) => x !== "standard")
      .map((x) => `\`${x}\``)
      .join(" or ")}: dockline then posts`,
    "what that service expects instead of the event, still signed with the Standard Webhooks headers (the",
    "services ignore them; a relay in front of them can check them). Retries, order and the log are the same.",
    "",
    "- **`slack`**: the URL is a Slack incoming webhook (`https://hooks.slack.com/services/…`). Every event becomes one",
    "  message: a line saying what happened, who it concerns, and when. Text from partners and customers is",
    "  escaped, so it cannot mention a channel or forge a link.",
    "- **`pagerduty`**: the URL is PagerDuty's Events API v2 (`https://events.pagerduty.com/v2/enqueue`) and the",
    "  subscription needs `routingKey`, the integration key of the PagerDuty service. Events that open an",
    "  incident send `trigger`, those that close one send `resolve` with the same `dedup_key`, so PagerDuty opens",
    "  and resolves one incident per problem. Other events send nothing (their deliveries are `skipped`). A",
    "  PagerDuty subscription to `ops.sla_breached` also receives `ops.sla_resolved`, and one to",
    "  `order.exception_opened` also receives `order.exception_resolved`: an incident it triggered always resolves.",
    "",
    "What each event becomes (for the examples above):",
    "",
    "| event | Slack message | PagerDuty |",
    "|---|---|---|",
  );
  const pagerDutyExamples: Record<string, unknown>[] = [];
  let slackExample: Record<string, unknown> | null = null;
  for (const d of EVENT_DOCS) {
    const slack = await rendered("slack", d.type);
    const pd = await rendered("pagerduty", d.type);
    if (d.type === "ops.sla_breached") slackExample = slack;
    if (pd && (d.type === "ops.sla_breached" || d.type === "ops.sla_resolved")) pagerDutyExamples.push(pd);
    const payload = pd?.payload as { severity?: string } | undefined;
    const incident = pd ? `\`${String(pd.event_action)}\` (${payload?.severity ?? ""}), \`dedup_key\` \`${String(pd.dedup_key)}\`` : "nothing sent";
    out.push(`| \`${d.type}\` | ${cell(String(slack?.text ?? ""))} | ${cell(incident)} |`);
  }
  out.push("", "The Slack message for `ops.sla_breached`:", "", ...json(slackExample), "");
  out.push(
    "PagerDuty's trigger for `ops.sla_breached` and the resolve that follows (`custom_details` is the event's `data`):",
    "",
    ...json(pagerDutyExamples[0] ?? null),
    "",
    ...json(pagerDutyExamples[1] ?? null),
    "",
  );

  out.push(
    "## URL rules",
    "",
    "A subscription's URL is checked when you subscribe (`422` when it breaks a rule) and again before every",
    "delivery:",
    "",
    "- `https` only;",
    "- no user name or password in it (dockline authenticates itself by signature);",
    `- at most ${MAX_URL_LENGTH} characters;`,
    "- its host must not be a private, loopback, link-local or otherwise non-public address (IPv4 or IPv6, including",
    "  IPv4 written inside IPv6), nor `localhost`, a single-label name, a name under a private-network suffix",
    "  (`.local`, `.internal`, `.home.arpa`, `.lan`, …) or a cloud metadata name.",
    "",
    "dockline never follows a redirect, so no answer can turn a delivery towards another host.",
    "",
    '`ALLOW_INSECURE_SUBSCRIPTION_URLS = "true"` lifts the `https` and address rules (never the one on credentials).',
    "It is set for local development only, where the subscriber simulator listens on http://127.0.0.1:8790; staging",
    'and production set it to `"false"`.',
    "",
  );

  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}

// ---- npm run docs:api ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  // The partners `npm start` runs with (wrangler.toml's top level): the ingress documented for each of them.
  const PARTNERS = String(unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true }).vars.PARTNERS);
  const doc = await (await app.request("/openapi.json", {}, { PARTNERS })).json();
  writeFileSync("docs/api.md", renderApiMarkdown(doc as Parameters<typeof renderApiMarkdown>[0]));
  console.log("docs/api.md written");

  writeFileSync("docs/subscribers.md", await renderSubscribersMarkdown(doc as SubscriberDoc, subscriberFigures()));
  console.log("docs/subscribers.md written");

  const erp = (await (await app.request("/erp/openapi.json")).json()) as ErpContractDoc;
  writeFileSync("docs/erp-openapi.json", `${JSON.stringify(erp, null, 2)}\n`);
  writeFileSync("docs/erp-contract.md", renderErpContractMarkdown(erp));
  console.log("docs/erp-openapi.json and docs/erp-contract.md written");
}

// Run as a script (`npm run docs:api`), not when a test imports the renderer.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
