// Correlation ids: honoured from X-Correlation-Id when well-formed, generated otherwise, echoed on every
// response and carried into every queue message, ERP call and log line caused by the request.
import { createMiddleware } from "hono/factory";

export const CORRELATION_HEADER = "X-Correlation-Id";
// Narrow on purpose: the id lands in logs and headers downstream, so no spaces, quotes or control bytes.
const VALID = /^[A-Za-z0-9._:-]{8,128}$/;

export function isValidCorrelationId(v: string | undefined | null): v is string {
  return typeof v === "string" && VALID.test(v);
}

export function newCorrelationId(): string {
  return crypto.randomUUID();
}

export const correlation = createMiddleware<{ Variables: { correlationId: string } }>(async (c, next) => {
  const given = c.req.header(CORRELATION_HEADER);
  const id = isValidCorrelationId(given) ? given : newCorrelationId();
  c.set("correlationId", id);
  await next();
  c.res.headers.set(CORRELATION_HEADER, id);
});
