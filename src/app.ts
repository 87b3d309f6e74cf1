// The HTTP surface: middleware, routes, and the one error boundary that turns every failure into
// problem+json (RFC 9457) without leaking a stack trace or an unexpected error's message.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-types";
import { correlation } from "./platform/correlation";
import { errorName, log } from "./platform/log";
import { HttpProblem, notFound, problemResponse } from "./platform/problem";
import { erpInbound } from "./routes/erp-inbound";
import { ops } from "./routes/ops";
import { portal } from "./routes/portal";
import { webhooks } from "./routes/webhooks";

export const app = new Hono<AppEnv>()
  .use(correlation)
  .get("/health", (c) => c.json({ ok: true }))
  .route("/v1/webhooks", webhooks)
  .route("/v1/orders", erpInbound)
  .route("/v1/orders", portal)
  .route("/ops", ops);

app.notFound((c) => problemResponse(c, notFound(`No route for ${c.req.method} ${new URL(c.req.url).pathname}.`)));

app.onError((err, c) => {
  if (err instanceof HttpProblem) return problemResponse(c, err);
  if (err instanceof HTTPException) {
    return problemResponse(c, new HttpProblem(err.status as HttpProblem["status"], "http-error", err.message || "Request failed"));
  }
  // Unexpected: log the class and where, answer generically. The message may carry payload data.
  log.error("unhandled error", { correlationId: c.get("correlationId"), error: errorName(err), path: new URL(c.req.url).pathname });
  return problemResponse(c, new HttpProblem(500, "internal", "Internal error", "Something went wrong on our side; quote the correlation id."));
});
