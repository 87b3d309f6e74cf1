// The HTTP surface: middleware, routes, the OpenAPI document, and the one error boundary that turns
// every failure into problem+json (RFC 9457) without leaking a stack trace or an unexpected error's message.
import { OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-types";
import { erpContract } from "./erp/contract-route";
import { openApiDocument, registerWebhookDoc } from "./http/document";
import { LOGIN_FORM_MAX_BYTES, limitBody, loginLimit, OPS_BODY_MAX_BYTES, portalReadLimit, RELEASE_BODY_MAX_BYTES, trackLimit } from "./http/limits";
import { auditOps } from "./ops/audit";
import { ConfigError, fulfillmentRoutes } from "./partners/registry";
import { correlation } from "./platform/correlation";
import { errorName, errorSite, log } from "./platform/log";
import { HttpProblem, notFound, problemResponse } from "./platform/problem";
import { consoleRoutes } from "./routes/console";
import { erpInbound } from "./routes/erp-inbound";
import { ops } from "./routes/ops";
import { opsAudit } from "./routes/ops-audit";
import { opsTracking } from "./routes/ops-tracking";
import { subscriptionsApi } from "./routes/subscriptions";
import { slaPolicies } from "./sla-config";
import { portal } from "./routes/portal";
import { track } from "./routes/track";
import { webhooks } from "./routes/webhooks";

export const app = new OpenAPIHono<AppEnv>();
app.use(correlation);
// The configuration every API route may depend on, checked before any runs: an invalid PARTNERS or
// FULFILLMENT_ROUTES is a 500 "configuration error" naming the variable (below), not a failure of whichever
// route reads it first. Parsed once per isolate and configuration: two string comparisons per request after.
// /health and the documents do not depend on it.
const configured = createMiddleware<AppEnv>(async (c, next) => {
  fulfillmentRoutes(c.env);
  slaPolicies(c.env);
  await next();
});
for (const path of ["/v1/*", "/ops", "/ops/*", "/track/*"]) app.use(path, configured);
app.use("/ops/*", auditOps);
app.get("/health", (c) => c.json({ ok: true }));
// Limits before any route runs (src/http/limits.ts): where a body is read, its size (413) and its JSON
// nesting (400); where a caller could hammer, a rate limit (429). The webhook ingress has its own, in order.
app.use("/v1/orders/*", limitBody(RELEASE_BODY_MAX_BYTES), portalReadLimit);
app.use("/v1/tracking/*", portalReadLimit);
for (const path of ["/v1/subscriptions", "/v1/subscriptions/*"]) app.use(path, limitBody(OPS_BODY_MAX_BYTES), portalReadLimit);
app.use("/track/*", trackLimit);
app.use("/ops/login", loginLimit);
app.use(
  "/ops/*",
  limitBody((c) => (c.req.path === "/ops/login" ? LOGIN_FORM_MAX_BYTES : OPS_BODY_MAX_BYTES)),
);
app.route("/v1/webhooks", webhooks);
app.route("/", erpInbound);
app.route("/", portal);
app.route("/", ops);
app.route("/", opsAudit);
app.route("/", opsTracking);
app.route("/", subscriptionsApi);
app.route("/", track);
app.route("/", consoleRoutes);
registerWebhookDoc(app);
// The ERP contract (what we send the ERP), public like /openapi.json.
app.route("/", erpContract);

// Built once per isolate and partner list, on first request: the routes are all registered by then. A tool
// that builds the document in Node may pass no bindings at all: then no partner is described.
let doc: { partners: string | undefined; built: ReturnType<typeof openApiDocument> } | undefined;
app.get("/openapi.json", async (c) => {
  const configured = (c.env as Partial<Env> | undefined)?.PARTNERS;
  if (!doc || doc.partners !== configured) doc = { partners: configured, built: openApiDocument(app, configured) };
  return c.json(await doc.built);
});

app.notFound((c) => problemResponse(c, notFound(`No route for ${c.req.method} ${new URL(c.req.url).pathname}.`)));

app.onError((err, c) => {
  if (err instanceof HttpProblem) return problemResponse(c, err);
  if (err instanceof ConfigError) {
    // Ours to fix, not the caller's: the answer names the variable, the log says what is wrong with it.
    log.error("configuration error", { correlationId: c.get("correlationId"), variable: err.variable, problem: err.message });
    return problemResponse(
      c,
      new HttpProblem(500, "configuration-error", "Configuration error", `${err.variable} is invalid in this deployment's configuration.`, {
        variable: err.variable,
      }),
    );
  }
  if (err instanceof HTTPException) {
    // Hono's own validators: a body that is not JSON is our "malformed-body".
    const slug = err.status === 400 ? "malformed-body" : "http-error";
    return problemResponse(
      c,
      new HttpProblem(err.status as HttpProblem["status"], slug, err.status === 400 ? "Malformed request body" : "Request failed", err.message || undefined),
    );
  }
  // Unexpected: log the class and where, answer generically. The message may carry payload data.
  log.error("unhandled error", { correlationId: c.get("correlationId"), error: errorName(err), at: errorSite(err), path: new URL(c.req.url).pathname });
  return problemResponse(c, new HttpProblem(500, "internal", "Internal error", "Something went wrong on our side; quote the correlation id."));
});
