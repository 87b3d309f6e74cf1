// EasyPost's webhook signature: `X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256(key, raw body)>`, where the
// key is the webhook secret NFKD-normalised and encoded as UTF-8 (EasyPost's client libraries normalise it, so a
// secret typed with a precomposed "é" and one with "e" + combining accent sign identically).
import { hmacSha256, timingSafeEqual, toHex, utf8 } from "../../platform/crypto";
import { SignatureError } from "./signature-error";
import type { SchemeDescription } from "./description";

export const HMAC_HEX_PREFIX = "hmac-sha256-hex=";

/** The scheme as the API document describes it. */
export const HMAC_HEX_NFKD: SchemeDescription = {
  name: "HMAC-SHA256, hex (EasyPost)",
  signs: "HMAC-SHA256 over the raw body, keyed with the secret NFKD-normalised and encoded as UTF-8",
  headers: [{ name: "X-Hmac-Signature", format: `${HMAC_HEX_PREFIX}<hex HMAC-SHA256 digest>` }],
  reference: "https://docs.easypost.com/guides/webhooks-guide",
};

function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  const normalised = secret.normalize("NFKD");
  if (normalised.length === 0) throw new SignatureError("misconfigured", "partner secret is empty");
  return utf8(normalised);
}

/** The header value EasyPost would send for `body` signed with `secret` (used by the sender CLI and tests). */
export async function signHmacHexNfkd(secret: string, body: Uint8Array): Promise<string> {
  // Copied so that a view on any buffer (shared, sliced) can be signed: WebCrypto wants a plain ArrayBuffer.
  return `${HMAC_HEX_PREFIX}${toHex(await hmacSha256(keyOf(secret), new Uint8Array(body)))}`;
}

/** Resolves when one of `secrets` produced `signature` over the raw `body`; throws SignatureError otherwise. */
export async function verifyHmacHexNfkd(secrets: readonly string[], signature: string | null, body: Uint8Array): Promise<void> {
  if (secrets.length === 0) throw new SignatureError("misconfigured", "no partner secret is configured");
  const offered = signature?.trim();
  if (!offered) throw new SignatureError("missing", "X-Hmac-Signature header is required");
  if (!offered.startsWith(HMAC_HEX_PREFIX)) throw new SignatureError("invalid", `X-Hmac-Signature is not "${HMAC_HEX_PREFIX}<hex>"`);
  // Hex digits carry no meaning in their case; we produce lower case, so compare lower case.
  const presented = `${HMAC_HEX_PREFIX}${offered.slice(HMAC_HEX_PREFIX.length).toLowerCase()}`;
  let matched = false;
  // Every secret is tried (no early exit), so the time taken does not tell which secret is active.
  for (const secret of secrets) {
    if (timingSafeEqual(presented, await signHmacHexNfkd(secret, body))) matched = true;
  }
  if (!matched) throw new SignatureError("invalid", "no signature matches");
}
