// RFC 9457 problem details: the one error shape every dockline endpoint answers with.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const PROBLEM_BASE = "https://dockline.dev/problems/";

/** A failure the client can act on. `slug` becomes the problem type URI; `extra` adds members. */
export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
    this.name = "HttpProblem";
  }
}

export function problemResponse(c: Context, p: HttpProblem): Response {
  const body = {
    type: PROBLEM_BASE + p.slug,
    title: p.title,
    status: p.status,
    ...(p.detail === undefined ? {} : { detail: p.detail }),
    ...p.extra,
    correlationId: c.get("correlationId"),
  };
  for (const [k, v] of Object.entries(p.headers)) c.header(k, v);
  c.header("Content-Type", "application/problem+json");
  return c.body(JSON.stringify(body), p.status);
}

// Shorthands for the problems every route shares.
export const unauthorized = (detail = "Missing or invalid credentials.") =>
  new HttpProblem(401, "unauthorized", "Unauthorized", detail, {}, { "WWW-Authenticate": "Bearer" });
export const notFound = (detail?: string) => new HttpProblem(404, "not-found", "Not Found", detail);
export const badRequest = (detail: string) => new HttpProblem(400, "malformed-body", "Malformed request body", detail);
