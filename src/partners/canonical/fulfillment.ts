// The canonical fulfillment request (DESIGN §3.9): `{ type, data }` as JSON, signed with Standard Webhooks
// under the partner's own secret, `webhook-id` = the command's key so a retry is the same message. A
// cancellation carries only requestId, orderId and reason (what was asked stays with the order).
import { signStandardWebhook } from "../schemes/standard-webhooks";
import type { FormatFulfillment } from "../types";

export const formatCanonicalRequest: FormatFulfillment = async (request, secret) => {
  const { request: _asked, ...data } = request.data;
  const body = JSON.stringify({ type: request.type, data });
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = await signStandardWebhook(secret, request.key, timestamp, new TextEncoder().encode(body));
  return {
    headers: { "Content-Type": "application/json", "webhook-id": request.key, "webhook-timestamp": String(timestamp), "webhook-signature": signature },
    body,
  };
};
