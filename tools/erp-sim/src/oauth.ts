// OAuth 2.0 client credentials (RFC 6749 §4.4), as the simulator's token endpoint plays it: what
// PUT /admin/oauth accepts, how a client authenticates (HTTP Basic, §2.3.1), and tokens as opaque random
// strings with a lifetime. Pure: the ledger stores the tokens and the config.
import { z } from "zod";

/** Body of PUT /admin/oauth. Replaces the whole configuration; omitted fields take their defaults. */
export const OAuthConfigSchema = z.strictObject({
  /** `expires_in` of the tokens issued from now on. */
  tokenTtlSeconds: z.int().min(1).max(86_400).default(3600),
  /** Answer every token request with this status (an outage or a refusal of the token endpoint), issuing nothing. */
  failWith: z.int().min(400).max(599).nullable().default(null),
  /** Retry-After on a failing token request, in seconds. */
  retryAfterSeconds: z.int().min(0).max(3600).nullable().default(null),
});
export type OAuthConfig = z.infer<typeof OAuthConfigSchema>;
export const DEFAULT_OAUTH: OAuthConfig = OAuthConfigSchema.parse({});

/** The client id and secret of an `Authorization: Basic` header, form-decoded (RFC 6749 §2.3.1). */
export function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | null {
  const encoded = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header ?? "")?.[1];
  if (encoded === undefined) return null;
  let decoded: string;
  try {
    decoded = atob(encoded);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const form = (s: string) => decodeURIComponent(s.replaceAll("+", " "));
  try {
    return { clientId: form(decoded.slice(0, colon)), clientSecret: form(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/** An opaque access token: 32 random bytes, base64url. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `sim_${btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "")}`;
}

/** Constant-time comparison of two strings. */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y);
}
