// Turns planned traffic into ready-to-send requests. Partner webhooks are signed with the partner's own
// scheme by the project's signers (the ones `npm run send` uses); Standard Webhooks signatures carry a
// timestamp the worker accepts for ±300 s, so callers sign right before sending (see load.ts segments).
import type { RequestParams } from "autocannon";
import { signFor } from "../src/partners/signers";
import { signingSecret } from "./config";
import type { OrderPlan, Send } from "./traffic";

export interface Prepared extends RequestParams {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const encoder = new TextEncoder();

export async function signSends(sends: readonly Send[], secrets: Record<string, string>): Promise<Prepared[]> {
  return Promise.all(
    sends.map(async ({ webhook }) => {
      // A fresh webhook message id per send: a duplicate is a retry, not the same HTTP message.
      const headers = await signFor(webhook.adapter, signingSecret(secrets, webhook.partnerId), encoder.encode(webhook.body));
      return { method: "POST", path: `/v1/webhooks/${webhook.partnerId}`, headers, body: webhook.body };
    }),
  );
}

export function releases(orders: readonly OrderPlan[], secrets: Record<string, string>): Prepared[] {
  const headers = { Authorization: `Bearer ${secrets.ERP_INBOUND_TOKEN ?? ""}`, "Content-Type": "application/json" };
  return orders.map((o) => ({ method: "POST", path: "/v1/orders", headers, body: o.release }));
}
