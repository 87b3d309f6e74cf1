// Limits for every route that reads a body or can be hammered, as middleware that app.ts mounts by path,
// so a new route under a covered path is covered without anyone remembering to: body size (413, counted
// as the bytes stream in), JSON nesting depth (400) and per-client rate limits (429 with Retry-After).
// The webhook ingress keeps its own order of checks (routes/webhooks.ts).
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-types";
import { bearerToken } from "../platform/auth";
import { sha256Hex } from "../platform/crypto";
import { assertJsonDepth } from "../platform/json-depth";
import { HttpProblem } from "../platform/problem";
import { clientAddress, enforceRateLimit } from "../platform/rate-limit";

/** An ERP release or cancellation: an order with its lines and addresses, far below this. */
export const RELEASE_BODY_MAX_BYTES = 256 * 1024;
/** Ops API JSON bodies (reconcile, replay selections, API keys) and console forms. */
export const OPS_BODY_MAX_BYTES = 64 * 1024;
/** The console's sign-in form: a token and nothing else. Unauthenticated, so the smallest. */
export const LOGIN_FORM_MAX_BYTES = 4 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * Refuses a body over `maxBytes` with 413 (by Content-Length, or while it streams in), and a JSON body
 * nested deeper than MAX_JSON_DEPTH with 400 before any validator parses it. The text read here is what
 * the route's validator parses next (Hono caches the body).
 */
export function limitBody(maxBytes: number | ((c: Context<AppEnv>) => number)): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.req.raw.body) return next();
    const max = typeof maxBytes === "number" ? maxBytes : maxBytes(c);
    const limit = bodyLimit({
      maxSize: max,
      onError: () => {
        throw new HttpProblem(413, "payload-too-large", "Payload too large", `The body exceeds ${max} bytes.`);
      },
    });
    return limit(c, async () => {
      const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (JSON_TYPE.test(type)) assertJsonDepth(await c.req.text());
      await next();
    });
  };
}

/** Portal API reads per API key, counted before the key is looked up (a hash: the key never leaves). */
export const portalReadLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = bearerToken(c.req.header("Authorization"));
  // No key at all is answered 401 by the route without touching D1; writes under these paths are the ERP's.
  if (key && (c.req.method === "GET" || c.req.method === "HEAD")) {
    await enforceRateLimit(c.env, "PORTAL_RATE_LIMITER", await sha256Hex(key), "Too many requests with this API key; wait and retry.");
  }
  await next();
};

/** Public tracking pages per client address: the token is unguessable, this is against scraping and load. */
export const trackLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  await enforceRateLimit(c.env, "TRACK_RATE_LIMITER", clientAddress(c.req.raw.headers), "Too many tracking page requests from your address; wait and retry.");
  await next();
};

/**
 * Console sign-in attempts per client address, every attempt counted BEFORE the token is compared: over the
 * limit even the right token is refused, or guessing could go on and tell a hit by its answer.
 */
export const loginLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "POST") {
    await enforceRateLimit(c.env, "LOGIN_RATE_LIMITER", clientAddress(c.req.raw.headers), "Too many sign-in attempts from your address; wait and retry.");
  }
  await next();
};
