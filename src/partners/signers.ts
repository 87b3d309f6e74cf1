// How each adapter's partner signs a request: the headers it would send with `raw`. Used by the sender
// CLI (`npm run send`), the demo and the benchmark, and by tests — never by the ingress path.
import { signHmacBase64 } from "./schemes/hmac-base64";
import { signHmacHexNfkd } from "./schemes/hmac-hex-nfkd";
import { signSharedToken } from "./schemes/shared-token";
import { signShippo } from "./schemes/shippo-signature";
import { signStandardWebhook } from "./schemes/standard-webhooks";

export interface SignOptions {
  /** Webhook message id (Standard Webhooks); random when absent. */
  id?: string;
  /** Topic header for partners that send one (Shopify, ShipBob). */
  topic?: string;
  /** Unix seconds; now when absent. */
  timestamp?: number;
}

type Signer = (secret: string, raw: Uint8Array, o: SignOptions) => Promise<Record<string, string>>;

const now = (o: SignOptions) => o.timestamp ?? Math.floor(Date.now() / 1000);
const json = { "Content-Type": "application/json" };

async function standardWebhooks(secret: string, raw: Uint8Array, o: SignOptions): Promise<Record<string, string>> {
  const id = o.id ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const ts = now(o);
  return { ...json, "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": await signStandardWebhook(secret, id, ts, raw) };
}

export const SIGNERS: Record<string, Signer> = {
  canonical: standardWebhooks,
  shipbob: async (secret, raw, o) => ({ ...(await standardWebhooks(secret, raw, o)), "x-webhook-topic": o.topic ?? "order.shipped" }),
  easypost: async (secret, raw) => ({ ...json, "X-Hmac-Signature": await signHmacHexNfkd(secret, raw) }),
  aftership: async (secret, raw) => ({ ...json, "aftership-hmac-sha256": await signHmacBase64(secret, raw) }),
  shopify: async (secret, raw, o) => ({
    ...json,
    "X-Shopify-Hmac-Sha256": await signHmacBase64(secret, raw),
    "X-Shopify-Topic": o.topic ?? "fulfillments/create",
    "X-Shopify-Webhook-Id": o.id ?? crypto.randomUUID(),
  }),
  shippo: async (secret, raw, o) => ({ ...json, "Shippo-Auth-Signature": await signShippo(secret, raw, now(o)) }),
  ups: async (secret) => {
    const [name, value] = signSharedToken(secret, { header: "credential" });
    return { ...json, [name]: value };
  },
  x12: async (secret) => {
    const [name, value] = signSharedToken(secret, { header: "Authorization", scheme: "Bearer" });
    return { "Content-Type": "application/edi-x12", [name]: value };
  },
};

export async function signFor(adapter: string, secret: string, raw: Uint8Array, options: SignOptions = {}): Promise<Record<string, string>> {
  const signer = SIGNERS[adapter];
  if (!signer) throw new Error(`no signer for adapter ${adapter}`);
  return signer(secret, raw, options);
}
