// A fulfillment request as an X12 940 (DESIGN §3.9): W0501 N for a request, F for its cancellation (which
// restates what was asked, so the warehouse can match it), `Authorization: Bearer <secret>`. The interchange
// is dated and numbered by the command, so a retry sends the same bytes.
import type { FormatFulfillment } from "../types";
import { type FulfillmentRequest as Request940, format940 } from "./format-940";

export const formatX12Request: FormatFulfillment = async (request, secret, context) => {
  const cancel = request.type === "fulfillment.cancelled";
  const asked = (cancel ? request.data.request : request.data) as unknown as Request940;
  const envelope = { senderId: context.senderId, receiverId: context.partnerId.toUpperCase(), controlNumber: context.controlNumber, at: context.at };
  return {
    headers: { "Content-Type": "application/edi-x12", Authorization: `Bearer ${secret}` },
    body: format940(asked, envelope, cancel ? "cancel" : "original"),
  };
};
