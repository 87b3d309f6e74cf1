// Sends a payload as any configured partner would: raw bytes, signed with its module's scheme and the first of
// its secrets in the test environment. Partners and secrets come from the registry (PARTNERS) and the env.
import { env } from "cloudflare:workers";
import { partnerSecrets, partners } from "../../src/partners/registry";
import type { SignOptions } from "../../src/partners/types";
import { call } from "./http";

export async function sendAs(partnerId: string, raw: string, options: SignOptions = {}): Promise<Response> {
  const partner = partners(env.PARTNERS).get(partnerId);
  const [secret] = partnerSecrets(env, partnerId);
  if (!partner || !secret) throw new Error(`${partnerId} is not a partner with a secret in the test environment`);
  const bytes = new TextEncoder().encode(raw);
  return call(`/v1/webhooks/${partnerId}`, { method: "POST", headers: await partner.impl.sign(secret, bytes, options), body: bytes });
}

export interface WebhookAnswer {
  correlationId: string;
  results: { eventId?: string; orderId?: string; outcome: string; quarantineId?: string; reason?: string }[];
  ignored?: string;
}
