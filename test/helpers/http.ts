// Test helpers: real HTTP requests into the worker under test (its default export), signed like a partner.
import { exports } from "cloudflare:workers";
import { signStandardWebhook } from "../../src/partners/schemes/standard-webhooks";

export const SECRETS = {
  erpInbound: "test-erp-inbound-token",
  ops: "test-ops-token",
  acme: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
};

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`http://dockline.test${path}`, init));
}

export function releaseOrder(orderId: string, customerId = "CUST-1", extra: Record<string, unknown> = {}): Promise<Response> {
  return call("/v1/orders", {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.erpInbound}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      orderId,
      customerId,
      lines: [{ sku: "WID-1", quantity: 2 }],
      shipTo: { name: "Ada", city: "Memphis", country: "US" },
      releasedAt: "2026-11-20T09:00:00Z",
      ...extra,
    }),
  });
}

/** Ship-to outside the US and Canada: the default routes (DESIGN §3.9) assign such an order to `edi`. */
export const EDI_SHIP_TO = { shipTo: { name: "Ada", city: "Hamburg", country: "DE" } } as const;

let counter = 0;
export interface SignedOptions {
  id?: string;
  timestamp?: number;
  secret?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** POSTs `body` (string, sent byte for byte) as the acme-3pl partner, signed with Standard Webhooks. */
export async function sendAcme(body: string | object, opts: SignedOptions = {}): Promise<Response> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const id = opts.id ?? `msg_test_${Date.now()}_${++counter}`;
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = await signStandardWebhook(opts.secret ?? SECRETS.acme, id, ts, new TextEncoder().encode(raw));
  return call("/v1/webhooks/acme-3pl", {
    method: "POST",
    headers: {
      "Content-Type": opts.contentType ?? "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(ts),
      "webhook-signature": signature,
      ...opts.headers,
    },
    body: raw,
  });
}

export function milestone(data: Record<string, unknown>): object {
  return { type: "milestone", data };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
}

export async function issueKey(customerId: string): Promise<string> {
  const res = await call("/ops/api-keys", {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" },
    body: JSON.stringify({ customerId }),
  });
  if (res.status !== 201) throw new Error(`issuing a key failed: ${res.status}`);
  return ((await res.json()) as { key: string }).key;
}

export async function erpRecords(
  orderId: string,
): Promise<{ orderId: string; seq: number; kind: string; body: Record<string, unknown>; correlationId: string | null; idempotencyKey: string }[]> {
  const res = await fetch(`http://erp.test/admin/records?orderId=${encodeURIComponent(orderId)}`);
  return ((await res.json()) as { records: never[] }).records;
}

/** Waits until the ERP simulator holds `count` records of the order, and returns them. */
export function erpRecordsEventually(orderId: string, count: number, timeoutMs = 10_000): ReturnType<typeof erpRecords> {
  return eventually(
    async () => {
      const r = await erpRecords(orderId);
      return r.length === count ? r : undefined;
    },
    timeoutMs,
    `${count} ERP records of ${orderId}`,
  );
}

/** The console's own origin in tests: its forms are refused from any other. */
export const CONSOLE_ORIGIN = "http://dockline.test";

/** Signs in to the ops console with the ops token, as the sign-in form would. */
export function consoleLogin(): Promise<Response> {
  return call("/ops/login", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: CONSOLE_ORIGIN },
    body: `token=${SECRETS.ops}`,
    redirect: "manual",
  });
}
