// Cloudflare Access for ops: the JWT Access puts in Cf-Access-Jwt-Assertion, verified against the team's
// JWKS (RS256 only, `kid` matched, `iss` and `aud` checked, `exp`/`nbf` enforced). Keys are cached per
// isolate and refetched when a token names a key we have not seen (Access rotates its keys).
import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import { decodeHeader, verifyWithJwks } from "hono/utils/jwt/jwt";

const CACHE_MS = 10 * 60_000;
// A token with an unknown kid may refetch, but not more than this often (no amplification by forgers).
const REFETCH_MIN_MS = 60_000;

let cache: { url: string; keys: HonoJsonWebKey[]; fetchedAt: number } | undefined;

async function keysFor(url: string, kid: string | undefined, now: number): Promise<HonoJsonWebKey[]> {
  const fresh = cache && cache.url === url && now - cache.fetchedAt < CACHE_MS;
  const known = cache?.keys.some((k) => k.kid === kid);
  if (cache && fresh && (known || now - cache.fetchedAt < REFETCH_MIN_MS)) return cache.keys;
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`JWKS fetch failed with ${res.status}`);
  const body = (await res.json()) as { keys?: HonoJsonWebKey[] };
  if (!Array.isArray(body.keys)) throw new Error("JWKS without keys");
  cache = { url, keys: body.keys, fetchedAt: now };
  return body.keys;
}

export interface AccessConfig {
  teamDomain: string;
  audience: string;
}

/** The verified identity (email or service token client id), or null for any invalid token. */
export async function verifyAccessJwt(token: string, cfg: AccessConfig, now = Date.now()): Promise<string | null> {
  try {
    const header = decodeHeader(token);
    // Only RS256: never `none`, never a symmetric algorithm an attacker could sign with a public key.
    if (header.alg !== "RS256") return null;
    const keys = await keysFor(`https://${cfg.teamDomain}/cdn-cgi/access/certs`, header.kid, now);
    const payload = await verifyWithJwks(token, {
      keys,
      allowedAlgorithms: ["RS256"],
      verification: { iss: `https://${cfg.teamDomain}`, aud: cfg.audience },
    });
    const who = payload.email ?? payload.common_name ?? payload.sub;
    return typeof who === "string" ? who : "access";
  } catch {
    return null;
  }
}

/** For tests: forget cached keys. */
export function resetAccessCache(): void {
  cache = undefined;
}
