// The outbound format of a fulfillment request is the partner module's (src/partners/<folder>/): the
// module whose `fulfillment.format` is the partner's `fulfillment.format` in PARTNERS writes it.
import { MODULES } from "./registry";
import type { FulfillmentContext, FulfillmentFormat, OutboundFulfillment, OutboundRequest } from "./types";

export type FulfillmentRequest = OutboundFulfillment;

export async function formatRequest(
  format: FulfillmentFormat,
  request: OutboundFulfillment,
  secret: string,
  context: FulfillmentContext,
): Promise<OutboundRequest> {
  const writer = MODULES.find((m) => m.fulfillment?.format === format)?.fulfillment;
  if (!writer) throw new Error(`no partner module writes the ${format} format`);
  return writer.request(request, secret, context);
}
