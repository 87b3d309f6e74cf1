// Bearer-token checks for machine callers (ERP inbound, ops). Customer API keys live in readmodel/.
import { createMiddleware } from "hono/factory";
import { verifyAccessJwt } from "./access";
import { timingSafeEqual } from "./crypto";
import { unauthorized } from "./problem";

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

/**
 * Whether `Authorization: Bearer` carries one of the `expected` tokens (comma-separated while a rotation
 * is in progress). Constant time per candidate; an unset secret accepts nothing.
 */
export function hasToken(header: string | undefined, expected: string | undefined): boolean {
  const got = bearerToken(header);
  if (!got || !expected) return false;
  let ok = false;
  for (const candidate of expected.split(",").map((t) => t.trim())) {
    if (candidate && timingSafeEqual(got, candidate)) ok = true;
  }
  return ok;
}

/**
 * Ops authentication: `Authorization: Bearer <OPS_TOKEN>`, or, when ACCESS_TEAM_DOMAIN and ACCESS_AUD are
 * set, a Cloudflare Access JWT in `Cf-Access-Jwt-Assertion`.
 */
export async function opsIdentity(env: Env, headers: { get(name: string): string | null | undefined }): Promise<string | null> {
  if (hasToken(headers.get("Authorization") ?? undefined, env.OPS_TOKEN)) return "ops-token";
  const jwt = headers.get("Cf-Access-Jwt-Assertion");
  if (jwt && env.ACCESS_TEAM_DOMAIN && env.ACCESS_AUD) return verifyAccessJwt(jwt, { teamDomain: env.ACCESS_TEAM_DOMAIN, audience: env.ACCESS_AUD });
  return null;
}

/** Sets `opsIdentity` (who acts, for the log lines of repairs): "ops-token", or the Access identity. */
export const requireOps = createMiddleware<{ Bindings: Env; Variables: { opsIdentity: string } }>(async (c, next) => {
  const identity = await opsIdentity(c.env, c.req.raw.headers);
  if (!identity) throw unauthorized("Ops credentials required: Bearer OPS_TOKEN or a Cloudflare Access JWT.");
  c.set("opsIdentity", identity);
  await next();
});

/** Requires `Authorization: Bearer <env[name]>`. An unset secret rejects everything (fail closed). */
export function requireToken(name: "ERP_INBOUND_TOKEN") {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    if (!hasToken(c.req.header("Authorization"), c.env[name])) throw unauthorized();
    await next();
  });
}
