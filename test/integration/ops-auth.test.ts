// Ops authentication: OPS_TOKEN, or a Cloudflare Access JWT verified against the team's JWKS (served
// locally by test-peers at access.test). One test per way a token can be wrong.
import { env } from "cloudflare:workers";
import { sign } from "hono/utils/jwt/jwt";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

const privateJwk = JSON.parse(env.TEST_ACCESS_PRIVATE_JWK) as JsonWebKey & { kid: string };
const now = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  iss: "https://access.test",
  aud: ["test-ops-aud"],
  email: "oncall@example.com",
  iat: now(),
  exp: now() + 300,
  ...over,
});
const asOps = (jwt: string) => call("/ops/metrics", { headers: { "Cf-Access-Jwt-Assertion": jwt } });

describe("ops authentication", () => {
  it("accepts the ops bearer token", async () => {
    expect((await call("/ops/metrics", { headers: { Authorization: "Bearer test-ops-token" } })).status).toBe(200);
  });

  it("rejects no credentials and a wrong token with 401 problem+json", async () => {
    for (const headers of [{}, { Authorization: "Bearer nope" }] as Record<string, string>[]) {
      const res = await call("/ops/metrics", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    }
  });

  it("accepts a valid Access JWT", async () => {
    expect((await asOps(await sign(claims(), privateJwk, "RS256"))).status).toBe(200);
  });

  it("rejects an expired Access JWT", async () => {
    expect((await asOps(await sign(claims({ iat: now() - 3600, exp: now() - 60 }), privateJwk, "RS256"))).status).toBe(401);
  });

  it("rejects a JWT for another Access application (wrong audience)", async () => {
    expect((await asOps(await sign(claims({ aud: ["someone-elses-app"] }), privateJwk, "RS256"))).status).toBe(401);
  });

  it("rejects a JWT from another issuer", async () => {
    expect((await asOps(await sign(claims({ iss: "https://evil.cloudflareaccess.com" }), privateJwk, "RS256"))).status).toBe(401);
  });

  it("rejects a JWT signed with a key that is not in the team's JWKS", async () => {
    const other = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const jwk = { ...((await crypto.subtle.exportKey("jwk", other.privateKey)) as JsonWebKey), kid: privateJwk.kid };
    expect((await asOps(await sign(claims(), jwk, "RS256"))).status).toBe(401);
  });

  it("rejects an unsigned JWT (alg: none)", async () => {
    const b64 = (o: object) => btoa(JSON.stringify(o)).replaceAll("=", "").replaceAll("+", "-").replaceAll("/", "_");
    const unsigned = `${b64({ alg: "none", typ: "JWT", kid: privateJwk.kid })}.${b64(claims())}.`;
    expect((await asOps(unsigned)).status).toBe(401);
  });

  it("rejects a JWT with a symmetric algorithm (HS256 keyed with a public value)", async () => {
    const forged = await sign(claims(), "public-key-material-as-hmac-secret", "HS256");
    expect((await asOps(forged)).status).toBe(401);
  });
});
