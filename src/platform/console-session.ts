// The ops console's browser session and CSRF tokens. A browser cannot send a bearer token, so signing in
// with OPS_TOKEN sets an HttpOnly, SameSite=Strict cookie holding an expiry and its MAC (never the token
// itself); behind Cloudflare Access the Access JWT identifies the user instead. Every console form carries
// a CSRF token bound to that session, and state-changing requests must also come from our own origin.
import { hmacSha256, timingSafeEqual, toBase64, utf8 } from "./crypto";

export const SESSION_COOKIE = "dockline_ops";
export const SESSION_HOURS = 8;

const b64url = (b: Uint8Array) => toBase64(b).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const mac = async (secret: string, what: string) => b64url(await hmacSha256(utf8(secret), utf8(what)));

export async function newSession(secret: string, now = Date.now()): Promise<{ value: string; maxAge: number }> {
  const expires = now + SESSION_HOURS * 3_600_000;
  return { value: `${expires}.${await mac(secret, `console-session:${expires}`)}`, maxAge: SESSION_HOURS * 3600 };
}

export async function validSession(secret: string, value: string | undefined, now = Date.now()): Promise<boolean> {
  if (!value || !secret) return false;
  const [expires, tag] = value.split(".");
  if (!expires || !tag || !/^\d+$/.test(expires) || Number(expires) < now) return false;
  return timingSafeEqual(tag, await mac(secret, `console-session:${expires}`));
}

/** The CSRF token for a session (cookie value, or the Access identity). */
export function csrfToken(secret: string, session: string): Promise<string> {
  return mac(secret, `console-csrf:${session}`);
}

export async function validCsrf(secret: string, session: string, token: string | undefined): Promise<boolean> {
  return Boolean(token) && timingSafeEqual(token ?? "", await csrfToken(secret, session));
}
