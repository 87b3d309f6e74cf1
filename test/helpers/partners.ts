// Sends a payload as any configured partner would: raw bytes, signed with that partner's scheme.
import { call } from "./http";
import { type SignOptions, signFor } from "../../src/partners/signers";

// The partners' secrets in vitest.config.ts (TEST_SECRETS), by partner id.
export const PARTNER_SECRETS: Record<string, [adapter: string, secret: string]> = {
  "acme-3pl": ["canonical", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
  shipbob: ["shipbob", "whsec_dGVzdC1zaGlwYm9iLXdlYmhvb2stc2VjcmV0"],
  easypost: ["easypost", "test-easypost-webhook-secret"],
  aftership: ["aftership", "test-aftership-webhook-secret"],
  shopify: ["shopify", "test-shopify-app-secret"],
  shippo: ["shippo", "test-shippo-webhook-secret"],
  ups: ["ups", "test-ups-track-alert-credential"],
  edi: ["x12", "test-edi-gateway-bearer-token"],
};

export async function sendAs(partnerId: string, raw: string, options: SignOptions = {}): Promise<Response> {
  const entry = PARTNER_SECRETS[partnerId];
  if (!entry) throw new Error(`no test secret for ${partnerId}`);
  const bytes = new TextEncoder().encode(raw);
  const headers = await signFor(entry[0], entry[1], bytes, options);
  return call(`/v1/webhooks/${partnerId}`, { method: "POST", headers, body: bytes });
}

export interface WebhookAnswer {
  correlationId: string;
  results: { eventId?: string; orderId?: string; outcome: string; quarantineId?: string; reason?: string }[];
  ignored?: string;
}
