// Standard Webhooks signature scheme (standardwebhooks.com): HMAC-SHA256 over "id.timestamp.body" with
// the base64 key inside `whsec_…`, sent as space-separated `v1,<b64>` entries in `webhook-signature`.
// Verified over the raw body bytes; several secrets (rotation) and several signatures accepted.
import { fromBase64, hmacSha256, timingSafeEqual, toBase64, utf8 } from "../../platform/crypto";
import { SignatureError } from "./signature-error";
import type { SchemeDescription } from "./description";

/** How far a webhook's timestamp may be from our clock, either way (replay protection). */
export const TOLERANCE_SECONDS = 300;

/** The scheme as the API document describes it. */
export const STANDARD_WEBHOOKS: SchemeDescription = {
  name: "Standard Webhooks",
  signs: 'HMAC-SHA256 over "<webhook-id>.<webhook-timestamp>.<raw body>", keyed with the base64-decoded part of the whsec_… secret',
  headers: [
    { name: "webhook-id", format: "the message id, the same on every retry of the message" },
    { name: "webhook-timestamp", format: "unix seconds when the message was signed" },
    { name: "webhook-signature", format: "space-separated v1,<base64 signature> entries (several while a secret is rotated)" },
  ],
  toleranceSeconds: TOLERANCE_SECONDS,
  reference: "https://www.standardwebhooks.com/",
};

export interface StandardWebhookHeaders {
  id: string | null;
  timestamp: string | null;
  signature: string | null;
}

/** The three headers as a request carries them: what every adapter on this scheme hands to the verifier. */
export function standardWebhookHeaders(headers: Headers): StandardWebhookHeaders {
  return { id: headers.get("webhook-id"), timestamp: headers.get("webhook-timestamp"), signature: headers.get("webhook-signature") };
}

function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const key = fromBase64(b64);
  if (!key || key.length === 0) throw new SignatureError("misconfigured", "partner secret is not valid base64");
  return key;
}

function concat(prefix: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const p = utf8(prefix);
  const out = new Uint8Array(p.length + body.length);
  out.set(p, 0);
  out.set(body, p.length);
  return out;
}

export async function signStandardWebhook(secret: string, id: string, timestamp: number, body: Uint8Array): Promise<string> {
  return `v1,${toBase64(await hmacSha256(keyOf(secret), concat(`${id}.${timestamp}.`, body)))}`;
}

/** Resolves with the webhook id when one of `secrets` produced one of the signatures; throws SignatureError otherwise. */
export async function verifyStandardWebhook(
  secrets: readonly string[],
  headers: StandardWebhookHeaders,
  body: Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) throw new SignatureError("missing", "webhook-id, webhook-timestamp and webhook-signature are required");
  if (!/^\d{1,12}$/.test(timestamp)) throw new SignatureError("invalid", "webhook-timestamp is not a unix time");
  const ts = Number(timestamp);
  if (ts < nowSeconds - TOLERANCE_SECONDS) throw new SignatureError("stale", "webhook-timestamp is too old");
  if (ts > nowSeconds + TOLERANCE_SECONDS) throw new SignatureError("future", "webhook-timestamp is in the future");
  const offered = signature
    .split(" ")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1,"));
  if (offered.length === 0) throw new SignatureError("invalid", "no v1 signature offered");
  const signed = concat(`${id}.${timestamp}.`, body);
  for (const secret of secrets) {
    const expected = `v1,${toBase64(await hmacSha256(keyOf(secret), signed))}`;
    // Check every offered signature (no early exit on the first mismatch reveals nothing useful either way).
    if (offered.some((o) => timingSafeEqual(o, expected))) return id;
  }
  throw new SignatureError("invalid", "no signature matches");
}
