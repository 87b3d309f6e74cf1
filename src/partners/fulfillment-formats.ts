// The outbound formats of a fulfillment request (DESIGN §3.9): what goes on the wire for a partner's
// `fulfillment.format`. Canonical: `{ type, data }` as JSON, signed with Standard Webhooks under the
// partner's own (first) secret, `webhook-id` = the command's key, so a retry is the same message. X12 940:
// one interchange per request, `Authorization: Bearer <secret>`, the control number stable per command.
import type { Json } from "../domain/json";
import { signFor } from "./signers";

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
  context: { partnerId: string; controlNumber: number },
): Promise<Formatted> {
  if (format === "canonical") {
    const body = JSON.stringify({ type: request.type, data: request.data });
    const headers = await signFor("canonical", secret, new TextEncoder().encode(body), { id: request.key });
    return { headers, body };
  }
  return { headers: { "Content-Type": "application/edi-x12", Authorization: `Bearer ${secret}` }, body: x12Body(request, context) };
}

// Filled in with the 940 formatter (src/partners/x12/format-940.ts).
function x12Body(_request: FulfillmentRequest, _context: { partnerId: string; controlNumber: number }): string {
  throw new Error("x12-940 formatter not wired yet");
}
