// Bearer-token checks for machine callers (ERP inbound, ops). Customer API keys live in readmodel/.
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "./crypto";
import { unauthorized } from "./problem";

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

/** Requires `Authorization: Bearer <env[name]>`. An unset secret rejects everything (fail closed). */
export function requireToken(name: "ERP_INBOUND_TOKEN" | "OPS_TOKEN") {
  return createMiddleware<{ Bindings: Env }>(async (c, next) => {
    const expected = c.env[name];
    const got = bearerToken(c.req.header("Authorization"));
    if (!expected || !got || !timingSafeEqual(got, expected)) throw unauthorized();
    await next();
  });
}
