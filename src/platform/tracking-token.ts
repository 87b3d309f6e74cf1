// Public tracking links: an unguessable, signed token per order, so the end customer can follow the
// order without an account and nobody can enumerate other orders. token = b64url(orderId) "."
// b64url(issued at, ms) "." MAC over both: the issue time is what expiry and revocation compare with, and
// the MAC keeps anyone from moving it. Legacy links (b64url(orderId) "." MAC, no issue time) still verify.
import { fromBase64, hmacSha256, timingSafeEqual, toBase64, utf8 } from "./crypto";

const b64url = (b: Uint8Array) => toBase64(b).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const fromB64url = (s: string) => fromBase64(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4));
const DAY_MS = 86_400_000;
/** Longest token we read: a 64-character order id makes a token of about 130. */
export const MAX_TOKEN_LENGTH = 400;

/** A verified link: the order, and when the link was issued (null for a legacy link, which never said). */
export interface TrackingLink {
  orderId: string;
  issuedAt: number | null;
}

async function mac(secret: string, orderId: string, issuedAt: number | null): Promise<string> {
  // The two forms sign different strings, so a legacy MAC can never pass as a dated one (or back).
  const signed = issuedAt === null ? `dockline-track:${orderId}` : `dockline-track:v2:${orderId}:${issuedAt}`;
  // 128 bits of HMAC-SHA256: far beyond guessing, short enough for a link in an SMS.
  return b64url((await hmacSha256(utf8(secret), utf8(signed))).slice(0, 16));
}

const secretsOf = (secrets: string) =>
  secrets
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Signs with the first (newest) secret; TRACKING_TOKEN_SECRET may list several during a rotation. */
export async function trackingToken(secrets: string, orderId: string, now = Date.now()): Promise<string> {
  const [newest] = secretsOf(secrets);
  const issuedAt = Math.floor(now);
  return `${b64url(utf8(orderId))}.${b64url(utf8(String(issuedAt)))}.${await mac(newest ?? "", orderId, issuedAt)}`;
}

/** The link a token stands for, or null when it is malformed or not ours (a moved issue time is not ours). */
export async function readTrackingToken(secrets: string, token: string): Promise<TrackingLink | null> {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const parts = token.split(".");
  if (parts.length !== 2 && parts.length !== 3) return null;
  const [idPart, timePart] = parts;
  const macPart = parts.at(-1);
  if (!idPart || !macPart) return null;
  const raw = fromB64url(idPart);
  if (!raw) return null;
  const orderId = new TextDecoder().decode(raw);
  let issuedAt: number | null = null;
  if (parts.length === 3) {
    const time = timePart ? fromB64url(timePart) : null;
    const text = time ? new TextDecoder().decode(time) : "";
    // Digits only: one issue time has exactly one spelling, so a token has exactly one valid form.
    if (!/^[1-9][0-9]{0,15}$/.test(text)) return null;
    issuedAt = Number(text);
  }
  for (const secret of secretsOf(secrets)) {
    if (timingSafeEqual(macPart, await mac(secret, orderId, issuedAt))) return { orderId, issuedAt };
  }
  return null;
}

/**
 * Whether a link has outlived `ttlDays` (TRACKING_LINK_TTL_DAYS; 0 = links never expire). A legacy link
 * cannot say how old it is, so it works only while links never expire.
 */
export function linkExpired(link: TrackingLink, ttlDays: number, now = Date.now()): boolean {
  if (ttlDays === 0) return false;
  return link.issuedAt === null || now - link.issuedAt > ttlDays * DAY_MS;
}

/** Whether ops revoked the order's links after this one was issued (a legacy link is older than any revocation). */
export function linkRevoked(link: TrackingLink, revokedBefore: string | null): boolean {
  if (revokedBefore === null) return false;
  return link.issuedAt === null || link.issuedAt < Date.parse(revokedBefore);
}
