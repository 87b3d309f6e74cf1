// The `canonical` adapter: dockline's own published format, signed with Standard Webhooks. For partners
// without a format of their own (acme-3pl). One webhook carries one milestone.
import { z } from "zod";
import { CanonicalEvent, OrderRef } from "../../domain/event";
import { isTrackingNumber, OrderId, SafeId, TRACKING_NUMBER_RULE } from "../../domain/identifiers";
import { MILESTONE_CODES } from "../../domain/milestones";
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber } from "../normalize";
import { parseJson, schemaProblem } from "../parse";
import { signStandardWebhook, standardWebhookHeaders, verifyStandardWebhook } from "../schemes/standard-webhooks";
import type { InboundWebhook, MapResult, MappedEvent, PartnerModule, SignOptions } from "../types";
import { formatCanonicalRequest } from "./fulfillment";

// Orders are released and cancelled by the ERP, never by a partner.
const PARTNER_CODES = MILESTONE_CODES.filter((c) => !c.startsWith("order."));

// The published format is the canonical event itself, minus what only dockline sets (source, the ERP's
// order details), with the event id optional, the order named in any of three ways, and the tracking
// number as printed (spaces and dashes allowed; letters and digits only once they are removed).
export const CanonicalWebhook = z.object({
  type: z.literal("milestone"),
  data: CanonicalEvent.omit({ source: true, order: true })
    .extend({
      eventId: SafeId.optional(),
      orderId: OrderId.optional(),
      trackingNumber: z.string().refine(isTrackingNumber, TRACKING_NUMBER_RULE).optional(),
      orderRef: OrderRef.optional(),
      code: z.enum(PARTNER_CODES as [string, ...string[]]),
    })
    // The order may be named directly, by the partner's own reference, or only by the parcel.
    .refine((d) => d.orderId || d.orderRef || d.trackingNumber, { message: "one of orderId, orderRef or trackingNumber is required", path: ["orderId"] }),
});

/** A Standard Webhooks request's headers: a random message id and the current time unless `o` pins them. */
export async function signStandardWebhookRequest(secret: string, raw: Uint8Array, o: SignOptions = {}): Promise<Record<string, string>> {
  const id = o.id ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    "Content-Type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(ts),
    "webhook-signature": await signStandardWebhook(secret, id, ts, raw),
  };
}

export const canonical: PartnerModule<"canonical"> = {
  name: "canonical",
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyStandardWebhook(secrets, standardWebhookHeaders(req.headers), req.raw);
  },

  sign: signStandardWebhookRequest,
  fulfillment: { format: "canonical", request: formatCanonicalRequest },

  async map(req: InboundWebhook): Promise<MapResult> {
    const parsed = CanonicalWebhook.safeParse(parseJson(req.raw));
    if (!parsed.success) throw schemaProblem(parsed.error);
    const { eventId, code, trackingNumber, ...rest } = parsed.data.data;
    const data = { ...rest, trackingNumber: normalizeTrackingNumber(trackingNumber) };
    // The partner's own event id when it sends one; otherwise what the event says, so the same milestone
    // re-sent under a new webhook message id is still recognised as a duplicate.
    const id = eventId
      ? `${req.partnerId}:${eventId}`
      : await contentEventId(req.partnerId, [
          data.orderId ?? (data.orderRef ? `${data.orderRef.system}:${data.orderRef.id}` : undefined),
          data.shipmentId,
          data.trackingNumber,
          code,
          data.occurredAt,
          data.returnId,
        ]);
    const event: MappedEvent = { ...data, code: code as MappedEvent["code"], eventId: id, source: req.partnerId };
    if (event.trackingNumber === undefined) delete event.trackingNumber;
    return { events: [event] };
  },
};
