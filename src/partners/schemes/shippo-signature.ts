// Shippo's webhook signature: `Shippo-Auth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
// The timestamp is signed, so a replay outside the tolerance is refused; several `v1` entries may be offered
// (Shippo rotating its side), and several secrets may be active (us rotating ours).
import { hmacSha256, timingSafeEqual, toHex, utf8 } from "../../platform/crypto";
import { SignatureError } from "./signature-error";
import type { SchemeDescription } from "./description";

/** How far the signed timestamp may be from our clock, either way (replay protection). */
export const TOLERANCE_SECONDS = 300;

/** The scheme as the API document describes it. */
export const SHIPPO_SIGNATURE: SchemeDescription = {
  name: "Shippo-Auth-Signature",
  signs: 'HMAC-SHA256 over "<t>.<raw body>", keyed with the secret\'s UTF-8 bytes',
  headers: [{ name: "Shippo-Auth-Signature", format: "t=<unix seconds>,v1=<hex HMAC-SHA256 digest> (several v1 entries while Shippo rotates)" }],
  toleranceSeconds: TOLERANCE_SECONDS,
  reference: "https://docs.goshippo.com/docs/tracking/webhooks/",
};

function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  if (secret.length === 0) throw new SignatureError("misconfigured", "partner secret is empty");
  return utf8(secret);
}

function signedBytes(timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = utf8(`${timestamp}.`);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

async function digest(secret: string, timestamp: string, body: Uint8Array): Promise<string> {
  return toHex(await hmacSha256(keyOf(secret), signedBytes(timestamp, body)));
}

/** The header value Shippo would send for `body` at `timestamp` (used by the sender CLI and tests). */
export async function signShippo(secret: string, body: Uint8Array, timestamp: number = Math.floor(Date.now() / 1000)): Promise<string> {
  return `t=${timestamp},v1=${await digest(secret, String(timestamp), body)}`;
}

interface ParsedHeader {
  timestamp: string | undefined;
  signatures: string[];
}

// "t=1688493073,v1=abc…,v1=def…": comma-separated key=value pairs; keys we do not know (a future v2) are skipped.
function parse(header: string): ParsedHeader {
  const parsed: ParsedHeader = { timestamp: undefined, signatures: [] };
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") parsed.timestamp = value;
    else if (key === "v1" && value) parsed.signatures.push(value.toLowerCase());
  }
  return parsed;
}

/** Resolves with the signed timestamp when one of `secrets` produced one of the offered signatures; throws SignatureError otherwise. */
export async function verifyShippoSignature(
  secrets: readonly string[],
  header: string | null,
  body: Uint8Array,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<number> {
  if (secrets.length === 0) throw new SignatureError("misconfigured", "no partner secret is configured");
  if (!header?.trim()) throw new SignatureError("missing", "Shippo-Auth-Signature header is required");
  const { timestamp, signatures } = parse(header);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw new SignatureError("invalid", "Shippo-Auth-Signature has no unix timestamp t=");
  const ts = Number(timestamp);
  if (ts < nowSeconds - TOLERANCE_SECONDS) throw new SignatureError("stale", "Shippo-Auth-Signature timestamp is too old");
  if (ts > nowSeconds + TOLERANCE_SECONDS) throw new SignatureError("future", "Shippo-Auth-Signature timestamp is in the future");
  if (signatures.length === 0) throw new SignatureError("invalid", "Shippo-Auth-Signature offers no v1 signature");
  let matched = false;
  // Every secret against every offered signature, no early exit: timing tells nothing about which matched.
  for (const secret of secrets) {
    const expected = await digest(secret, timestamp, body);
    for (const offered of signatures) if (timingSafeEqual(offered, expected)) matched = true;
  }
  if (!matched) throw new SignatureError("invalid", "no signature matches");
  return ts;
}
