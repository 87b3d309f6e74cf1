// The plain "base64 HMAC-SHA256 of the raw body in header H" scheme: AfterShip (`aftership-hmac-sha256`) and
// Shopify (`X-Shopify-Hmac-Sha256`) both sign this way, with the secret's UTF-8 bytes as the key. No timestamp
// is signed, so this scheme cannot refuse a replay; the event ids downstream make a replay a duplicate.
import { hmacSha256, timingSafeEqual, toBase64, utf8 } from "../../platform/crypto";
import { SignatureError } from "./signature-error";
import type { SchemeDescription } from "./description";

/** The scheme as the API document describes it, for a partner that sends the signature in `header`. */
export function hmacBase64Scheme(header: string): SchemeDescription {
  return {
    name: "HMAC-SHA256, base64",
    signs: "HMAC-SHA256 over the raw body, keyed with the secret's UTF-8 bytes",
    headers: [{ name: header, format: "base64 of the 32-byte HMAC-SHA256 digest" }],
  };
}

function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  if (secret.length === 0) throw new SignatureError("misconfigured", "partner secret is empty");
  return utf8(secret);
}

/** The base64 signature of `body` with `secret` (used by the sender CLI and tests). */
export async function signHmacBase64(secret: string, body: Uint8Array): Promise<string> {
  // Copied so that a view on any buffer (shared, sliced) can be signed: WebCrypto wants a plain ArrayBuffer.
  return toBase64(await hmacSha256(keyOf(secret), new Uint8Array(body)));
}

/**
 * Resolves when header `headerName` carries the signature one of `secrets` makes over the raw `body`;
 * throws SignatureError otherwise. Header names are case-insensitive (Headers handles that).
 */
export async function verifyHmacBase64(secrets: readonly string[], headers: Headers, headerName: string, body: Uint8Array): Promise<void> {
  if (secrets.length === 0) throw new SignatureError("misconfigured", "no partner secret is configured");
  const offered = headers.get(headerName)?.trim();
  if (!offered) throw new SignatureError("missing", `${headerName} header is required`);
  // Anything but standard base64 of a 32-byte digest (44 characters) cannot match: say so plainly.
  if (!/^[A-Za-z0-9+/]{43}=$/.test(offered)) throw new SignatureError("invalid", `${headerName} is not a base64 HMAC-SHA256`);
  let matched = false;
  // Every secret is tried (no early exit), so the time taken does not tell which secret is active.
  for (const secret of secrets) {
    if (timingSafeEqual(offered, await signHmacBase64(secret, body))) matched = true;
  }
  if (!matched) throw new SignatureError("invalid", "no signature matches");
}
