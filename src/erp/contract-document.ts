// The ERP contract as an OpenAPI 3.1 document: what an ERP (or a façade in front of it) must serve for
// dockline to deliver to it. Built from the schemas and the answer table of contract.ts; served at
// GET /erp/openapi.json and written to docs/erp-openapi.json and docs/erp-contract.md.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { COMMAND_TYPES, type CommandType } from "../domain/commands";
import { ANSWER_CLASSES, COMMAND_BODIES, IDEMPOTENCY_KEY_PATTERN } from "./contract";

const SUMMARIES: Record<CommandType, string> = {
  ShipmentConfirmation: "Book a parcel's dispatch (goods issue)",
  DeliveryConfirmation: "Book a parcel's delivery",
  FulfillmentException: "Raise a fulfillment exception that needs action",
  ReturnReceipt: "Book a returned box received at the warehouse",
};

const Problem = z
  .object({
    type: z.string().openapi({ description: "A URI; dockline reads only how it ends (`/already-applied`, `/sequence-gap`)" }),
    title: z.string().optional(),
    status: z.int().optional(),
    detail: z.string().optional().openapi({ description: "Kept for ops with a dead letter (first 2,000 characters of the body)" }),
  })
  .openapi("ErpProblem", { description: "RFC 9457 problem details. Other fields are allowed and ignored." });

const headers = z.object({
  "Idempotency-Key": z.string().regex(IDEMPOTENCY_KEY_PATTERN).openapi({
    description:
      "`<orderId>:<seq>`. The same key always carries the same body: apply it once; a repeat must answer 2xx, or 409 `already-applied` echoing the key",
    example: "SO-1001:1",
  }),
  "X-Correlation-Id": z.string().max(128).openapi({
    description:
      "The id of the partner request that caused the fact (letters, digits and `._:-`; a UUID, or `cron-<ms>` for a scheduled repair): log it to follow a trace across systems. Do not refuse a request for its form",
    example: "3f9c2d1e-7b1a-4c1e-9d1f-2a3b4c5d6e7f",
  }),
});

const RESPONSE_TEXT = (status: string) =>
  ANSWER_CLASSES.filter((a) => a.status === status)
    .map((a) => `**${a.outcome}**: ${a.meaning}`)
    .join(" ");

function responses() {
  const out: Record<string, { description: string; headers?: Record<string, { description: string; schema: { type: "string" } }>; content?: object }> = {};
  for (const status of [...new Set(ANSWER_CLASSES.map((a) => a.status))]) {
    const entry: (typeof out)[string] = { description: RESPONSE_TEXT(status) };
    if (status === "409") {
      entry.headers = {
        "Idempotency-Key": { description: "The key of the request this answer is about (required for `already-applied`)", schema: { type: "string" } },
      };
      entry.content = { "application/problem+json": { schema: Problem } };
    }
    if (status === "429" || status === "5XX") {
      entry.headers = { "Retry-After": { description: "Seconds, or an HTTP date: dockline waits at least this long", schema: { type: "string" } } };
    }
    if (status === "4XX") entry.content = { "application/problem+json": { schema: Problem } };
    out[status] = entry;
  }
  return out;
}

const DESCRIPTION = [
  "What dockline sends to the ERP: one `POST` per business fact, in each order's sequence, until the ERP has it.",
  "Deliveries are at least once: the `Idempotency-Key` (`<orderId>:<seq>`) is what makes them exactly once in effect.",
  "Each order's commands arrive in `seq` order (1, 2, 3… no gaps), but an order's command may be retried after the ERP applied it (a lost answer); commands of different orders arrive concurrently.",
  "",
  "Bodies are JSON. dockline may add optional fields to a body: ignore fields you do not know.",
  "",
  "Every response's `x-dockline-outcome` says how dockline reads it (for a 409, by problem type): `done` (acknowledged; the order's next command follows), `transient` (retried with full-jitter backoff, never sooner than `Retry-After`, for up to the configured horizon), `permanent` (dead letter: the order's later commands wait until ops replay it).",
  "",
  "Authentication: a static bearer token (`ERP_TOKEN`), or OAuth 2.0 client credentials (`ERP_AUTH = oauth2-client-credentials`, RFC 6749 §4.4, client authentication with HTTP Basic): dockline caches the token until shortly before `expires_in`, and on a 401 fetches a new one and resends once.",
].join("\n");

export function erpContractDocument() {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    description: "`ERP_AUTH = bearer` (the default): the static token in the ERP_TOKEN secret",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "oauth2", {
    type: "oauth2",
    description: "`ERP_AUTH = oauth2-client-credentials`: a token from ERP_TOKEN_URL for ERP_CLIENT_ID / ERP_CLIENT_SECRET (and ERP_SCOPE when set)",
    flows: { clientCredentials: { tokenUrl: "https://erp.example.com/oauth/token", scopes: {} } },
  });
  for (const [type, path] of Object.entries(COMMAND_TYPES) as [CommandType, string][]) {
    app.openAPIRegistry.registerPath({
      method: "post",
      path,
      operationId: type[0]?.toLowerCase() + type.slice(1),
      tags: ["erp"],
      summary: SUMMARIES[type],
      security: [{ bearer: [] }, { oauth2: [] }],
      request: { headers, body: { required: true, content: { "application/json": { schema: COMMAND_BODIES[type] } } } },
      responses: responses(),
    });
  }
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "dockline → ERP", version: "1.0.0", description: DESCRIPTION },
    servers: [{ url: "{ERP_BASE_URL}", variables: { ERP_BASE_URL: { default: "https://erp.example.com/dockline", description: "dockline's ERP_BASE_URL" } } }],
  });
  // The outcome of each answer, machine-readable: an extension field, which OpenAPI allows on a response.
  for (const item of Object.values(doc.paths ?? {})) {
    for (const [status, res] of Object.entries(item.post?.responses ?? {})) {
      const cases = ANSWER_CLASSES.filter((a) => a.status === status);
      const outcome = cases.length === 1 ? cases[0]?.outcome : Object.fromEntries(cases.map((a) => [a.when, a.outcome]));
      Object.assign(res, { "x-dockline-outcome": outcome });
    }
  }
  return doc;
}
