// The ERP outbound contract, as pure functions: endpoints, Idempotency-Key syntax, body checks, canonical JSON
// (../../sim-kit/json.ts, shared with the 3PL simulator).

export { canonicalJson } from "../../sim-kit/json";

/** Business endpoints (POST /<kind>). The endpoint name is the record's `kind`. */
export const ENDPOINTS = ["shipment-confirmations", "delivery-confirmations", "fulfillment-exceptions", "return-receipts"] as const;
export type Kind = (typeof ENDPOINTS)[number];

export interface ParsedKey {
  key: string;
  orderId: string;
  seq: number;
}

type Checked<T> = { ok: true; value: T } | { ok: false; detail: string };

const KEY_PATTERN = /^(.+):(\d+)$/;
const MAX_KEY_LENGTH = 512;

/** `Idempotency-Key: <orderId>:<seq>`; the orderId may itself contain colons (the last one separates). */
export function parseIdempotencyKey(header: string | undefined): Checked<ParsedKey> {
  if (header === undefined || header === "") return { ok: false, detail: "The Idempotency-Key header is required." };
  if (header.length > MAX_KEY_LENGTH) return { ok: false, detail: `Idempotency-Key is longer than ${MAX_KEY_LENGTH}.` };
  const m = KEY_PATTERN.exec(header);
  const orderId = m?.[1];
  const digits = m?.[2];
  if (orderId === undefined || digits === undefined) {
    return { ok: false, detail: "Idempotency-Key must have the form <orderId>:<seq>." };
  }
  // One spelling per (orderId, seq): "o:01" and "o:1" would otherwise be two keys for the same command.
  const seq = Number(digits);
  if (!Number.isSafeInteger(seq) || seq < 1 || String(seq) !== digits) {
    return { ok: false, detail: "The seq in Idempotency-Key must be an integer >= 1 without leading zeros." };
  }
  return { ok: true, value: { key: header, orderId, seq } };
}

/** The body must be a JSON object whose orderId and seq repeat the Idempotency-Key's. */
export function checkBody(body: unknown, key: ParsedKey): Checked<Record<string, unknown>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, detail: "The body must be a JSON object." };
  }
  const record: Record<string, unknown> = Object.fromEntries(Object.entries(body));
  const { orderId, seq } = record;
  if (typeof orderId !== "string") return { ok: false, detail: "body.orderId must be a string." };
  if (typeof seq !== "number" || !Number.isInteger(seq)) return { ok: false, detail: "body.seq must be an integer." };
  if (orderId !== key.orderId || seq !== key.seq) {
    return {
      ok: false,
      detail: `body.orderId/body.seq (${orderId}/${seq}) do not match the Idempotency-Key (${key.orderId}/${key.seq}).`,
    };
  }
  return { ok: true, value: record };
}
