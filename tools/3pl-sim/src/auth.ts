// How the simulated partners authenticate, both ways. Standard Webhooks (acme-3pl): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<raw body>", keyed with the base64 bytes after `whsec_`, sent as
// `webhook-signature: v1,<base64>` (several space-separated). A shared bearer token (edi): the AS2/SFTP
// gateway's `Authorization: Bearer <token>`. Written apart from dockline's own schemes on purpose: a test
// double that shared the code under test would share its bugs.

/** How far a webhook's timestamp may be from our clock, either way (replay protection), as dockline allows. */
export const TOLERANCE_SECONDS = 300;

/** The secret a partner uses: the first of a comma-separated list (the rotation format of dockline's secrets). */
export function firstSecret(value: string | undefined): string | null {
  const first = value?.split(",")[0]?.trim();
  return first ? first : null;
}

function keyOf(secret: string): Uint8Array<ArrayBuffer> {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  const key = fromBase64(b64);
  if (key === null || key.length === 0) throw new Error("the partner secret is not whsec_<base64>");
  return key;
}

async function mac(secret: string, id: string, timestamp: string, body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const prefix = new TextEncoder().encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix, 0);
  signed.set(body, prefix.length);
  const key = await crypto.subtle.importKey("raw", keyOf(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, signed));
}

/** The three headers that sign `body`, as the partner sends them. */
export async function signStandardWebhook(secret: string, id: string, timestamp: number, body: Uint8Array): Promise<Record<string, string>> {
  const signature = toBase64(await mac(secret, id, String(timestamp), body));
  return { "webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": `v1,${signature}` };
}

export type Verdict = { ok: true } | { ok: false; detail: string };

/** Checks the Standard Webhooks headers of `headers` against `body` (the raw bytes, never re-serialised). */
export async function verifyStandardWebhook(secret: string, headers: Headers, body: Uint8Array, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Verdict> {
  const id = headers.get("webhook-id");
  const timestamp = headers.get("webhook-timestamp");
  const signature = headers.get("webhook-signature");
  if (!id || !timestamp || !signature) return { ok: false, detail: "webhook-id, webhook-timestamp and webhook-signature are required." };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, detail: "webhook-timestamp is not a unix time." };
  if (Math.abs(Number(timestamp) - nowSeconds) > TOLERANCE_SECONDS) {
    return { ok: false, detail: `webhook-timestamp is more than ${TOLERANCE_SECONDS} s away from our clock.` };
  }
  const expected = await mac(secret, id, timestamp, body);
  // Every offered v1 signature is compared; an unparsable one simply matches nothing.
  let matched = false;
  for (const entry of signature.split(" ")) {
    if (!entry.startsWith("v1,")) continue;
    const offered = fromBase64(entry.slice(3));
    if (offered !== null && sameBytes(offered, expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, detail: "No v1 signature matches." };
}

/** `Authorization: Bearer <secret>`, compared by digest so neither the token nor its length leaks through timing. */
export async function verifyBearer(secret: string, authorization: string | null): Promise<Verdict> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];
  if (token === undefined) return { ok: false, detail: 'Authorization must be "Bearer <token>".' };
  const [a, b] = await Promise.all([sha256(token), sha256(secret)]);
  return sameBytes(a, b) ? { ok: true } : { ok: false, detail: "The bearer token is not the partner's." };
}

async function sha256(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(s: string): Uint8Array<ArrayBuffer> | null {
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
