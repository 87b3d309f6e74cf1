// The outbound formats of a fulfillment request (DESIGN §3.9): what goes on the wire for a partner's
// `fulfillment.format`. Canonical: `{ type, data }` as JSON, signed with Standard Webhooks under the
// partner's own (first) secret, `webhook-id` = the command's key, so a retry is the same message. X12 940:
// one interchange per request, `Authorization: Bearer <secret>`, the control number stable per command.
import type { Json } from "../domain/json";
import { signFor } from "./signers";
import { type FulfillmentRequest as Request940, format940 } from "./x12/format-940";

export interface FulfillmentRequest {
  type: "fulfillment.requested" | "fulfillment.cancelled";
  /** The order's command key: stable across retries. */
  key: string;
  data: Record<string, Json>;
}

export interface Formatted {
  headers: Record<string, string>;
  body: string;
}

export async function formatRequest(
  format: "canonical" | "x12-940",
  request: FulfillmentRequest,
  secret: string,
  context: { partnerId: string; controlNumber: number; senderId: string; at: Date },
): Promise<Formatted> {
  if (format === "canonical") {
    const { request: _asked, ...data } = request.data;
    const body = JSON.stringify({ type: request.type, data });
    const headers = await signFor("canonical", secret, new TextEncoder().encode(body), { id: request.key });
    return { headers, body };
  }
  const cancel = request.type === "fulfillment.cancelled";
  const asked = (cancel ? request.data.request : request.data) as unknown as Request940;
  const body = format940(
    asked,
    { senderId: context.senderId, receiverId: context.partnerId.toUpperCase(), controlNumber: context.controlNumber, at: context.at },
    cancel ? "cancel" : "original",
  );
  return { headers: { "Content-Type": "application/edi-x12", Authorization: `Bearer ${secret}` }, body };
}
