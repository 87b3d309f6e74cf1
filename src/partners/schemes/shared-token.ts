// Shared-token scheme: the partner echoes an opaque token we registered with it in one header (UPS Track
// Alert `credential`; the EDI gateway's `Authorization: Bearer <token>`). There is no signature over the
// body, so the token is all there is: it is compared in constant time against each active secret.
import { sha256Hex, timingSafeEqual } from "../../platform/crypto";
import { SignatureError } from "./signature-error";
import type { SchemeDescription } from "./description";

/** A registered token shorter than this is guessable: refusing it is safer than accepting every request. */
export const MIN_TOKEN_LENGTH = 16;

export interface SharedTokenOptions {
  /** Header the partner puts the token in, e.g. "credential" or "authorization" (case-insensitive). */
  header: string;
  /** Auth scheme in front of the token, e.g. "Bearer" for `Authorization: Bearer <token>`; none by default. */
  scheme?: string;
}

/** The scheme as the API document describes it, for a partner that sends its token as `options` say. */
export function sharedTokenScheme(options: SharedTokenOptions): SchemeDescription {
  return {
    name: "Shared token",
    signs: `no signature: the header carries a token registered with the partner (at least ${MIN_TOKEN_LENGTH} characters), compared in constant time`,
    headers: [{ name: options.header, format: options.scheme ? `${options.scheme} <token>` : "the token" }],
  };
}

/** The header a partner sends with `secret` (used by the sender CLI and tests). */
export function signSharedToken(secret: string, options: SharedTokenOptions): [name: string, value: string] {
  return [options.header, options.scheme ? `${options.scheme} ${secret}` : secret];
}

function presentedToken(headers: Headers, options: SharedTokenOptions): string {
  const value = headers.get(options.header)?.trim();
  if (!value) throw new SignatureError("missing", `${options.header} header is required`);
  if (!options.scheme) return value;
  // The auth scheme is case-insensitive (RFC 9110 §11.1); the token itself is not.
  const match = /^(\S+)\s+(\S+)$/.exec(value);
  if (!match || match[1]?.toLowerCase() !== options.scheme.toLowerCase() || !match[2]) {
    throw new SignatureError("invalid", `${options.header} is not "${options.scheme} <token>"`);
  }
  return match[2];
}

/** Resolves when the header carries one of `secrets`; throws SignatureError otherwise. */
export async function verifySharedToken(secrets: readonly string[], headers: Headers, options: SharedTokenOptions): Promise<void> {
  if (secrets.length === 0 || secrets.some((s) => s.length < MIN_TOKEN_LENGTH)) {
    throw new SignatureError("misconfigured", `every partner token must have at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const presented = presentedToken(headers, options);
  // Comparing digests keeps the comparison the same length whatever was sent, so not even the token's
  // length leaks; every secret is checked so the time does not depend on which one matched.
  const offered = await sha256Hex(presented);
  let matched = false;
  for (const secret of secrets) {
    if (timingSafeEqual(offered, await sha256Hex(secret))) matched = true;
  }
  if (!matched) throw new SignatureError("invalid", "the token matches no active secret");
}
