// Per-client rate limits on the Workers Rate Limiting binding. It counts per Cloudflare location and is
// eventually consistent: abuse control (token guessing, floods, scraping), not an exact quota. Each
// limiter is a `[[ratelimits]]` binding in wrangler.toml, in every environment.
import { HttpProblem } from "./problem";

/** Set by Cloudflare's edge on every request that reaches the worker: the caller's address. */
export const CLIENT_ADDRESS_HEADER = "CF-Connecting-IP";
/**
 * Where nothing sets CF-Connecting-IP (`wrangler dev`, `npm start`, tests) every caller shares this one key,
 * so the per-address limits apply to all local callers together. Behind Cloudflare the header is always set.
 */
export const NO_CLIENT_ADDRESS = "no-client-address";

/**
 * Each limiter's window in seconds: `simple.period` in wrangler.toml (the binding offers 10 or 60), also
 * what a throttled caller is told to wait (Retry-After). test/node/rate-limits.test.ts keeps the two equal.
 */
export const RATE_LIMIT_PERIODS = {
  /** Verified webhooks per partner. */
  PARTNER_RATE_LIMITER: 10,
  /** Webhooks failing the signature check, per client address. */
  UNVERIFIED_RATE_LIMITER: 60,
  /** Ops console sign-in attempts, per client address. */
  LOGIN_RATE_LIMITER: 60,
  /** Portal API reads, per API key. */
  PORTAL_RATE_LIMITER: 10,
  /** Public tracking pages, per client address. */
  TRACK_RATE_LIMITER: 60,
} as const;
export type Limiter = keyof typeof RATE_LIMIT_PERIODS;

export function clientAddress(headers: Headers): string {
  return headers.get(CLIENT_ADDRESS_HEADER)?.trim() || NO_CLIENT_ADDRESS;
}

/** Counts one request against `key`; over the limit, throws 429 rate-limited with Retry-After. */
export async function enforceRateLimit(env: Env, limiter: Limiter, key: string, detail: string): Promise<void> {
  const { success } = await env[limiter].limit({ key });
  if (!success) {
    throw new HttpProblem(429, "rate-limited", "Too many requests", detail, {}, { "Retry-After": String(RATE_LIMIT_PERIODS[limiter]) });
  }
}
