// Public tracking links: an unguessable, signed token per order, so the end customer can follow the
// order without an account and nobody can enumerate other orders. token = b64url(orderId) "." MAC.
import { fromBase64, hmacSha256, timingSafeEqual, toBase64, utf8 } from "./crypto";

const b64url = (b: Uint8Array) => toBase64(b).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const fromB64url = (s: string) => fromBase64(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4));

async function mac(secret: string, orderId: string): Promise<string> {
  // 128 bits of HMAC-SHA256: far beyond guessing, short enough for a link in an SMS.
  return b64url((await hmacSha256(utf8(secret), utf8(`dockline-track:${orderId}`))).slice(0, 16));
}

/** Signs with the first (newest) secret; TRACKING_TOKEN_SECRET may list several during a rotation. */
export async function trackingToken(secrets: string, orderId: string): Promise<string> {
  const [newest] = secrets.split(",").map((s) => s.trim());
  return `${b64url(utf8(orderId))}.${await mac(newest ?? "", orderId)}`;
}

/** The order a token stands for, or null when it is malformed or not ours. */
export async function orderIdFromToken(secrets: string, token: string): Promise<string | null> {
  const [idPart, macPart, extra] = token.split(".");
  if (!idPart || !macPart || extra !== undefined || token.length > 400) return null;
  const raw = fromB64url(idPart);
  if (!raw) return null;
  const orderId = new TextDecoder().decode(raw);
  for (const secret of secrets
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (timingSafeEqual(macPart, await mac(secret, orderId))) return orderId;
  }
  return null;
}
