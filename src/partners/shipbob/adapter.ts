// The `shipbob` adapter: ShipBob's Standard Webhooks deliveries, the topic in `x-webhook-topic`. ShipBob is
// the 3PL: its shipped topic is the dispatch fact (lines + tracking), exceptions and holds are problems
// before dispatch, delivered and the tracking topics are the carrier's progress as ShipBob relays it.
//
// Correlation: `orderId` = the order's `reference_id`, the merchant's own reference, which our integration
// sets to our order id when it creates the ShipBob order; plus `orderRef: { system: "shipbob", id: <ShipBob
// order id> }` so that an order created in ShipBob by another channel still correlates once its ref is known.
import type { z } from "zod";
import type { Line } from "../../domain/event";
import { signStandardWebhookRequest } from "../canonical/adapter";
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber, present } from "../normalize";
import { parseJson, readVendor } from "../parse";
import { standardWebhookHeaders, verifyStandardWebhook } from "../schemes/standard-webhooks";
import { type InboundWebhook, type MapResult, type MappedEvent, type PartnerModule, Unmappable } from "../types";
import { Order, Shipment, type ShipmentProduct, TrackingEvent } from "./payload";
import { holdReason, trackingStatus } from "./status";

export const SHIPBOB_TOPIC_HEADER = "x-webhook-topic";
const SYSTEM = "shipbob";

type Topic = (partnerId: string, body: unknown, topic: string) => Promise<MapResult>;
type Correlation = Pick<MappedEvent, "orderId" | "orderRef">;

function parse<T extends z.ZodType>(schema: T, body: unknown, topic: string): z.infer<T> {
  return readVendor(schema, body, `${topic} body is not ShipBob's`);
}

function correlation(orderId: string, referenceId: string | null | undefined): Correlation {
  const ref = present(referenceId);
  return { ...(ref ? { orderId: ref } : {}), orderRef: { system: SYSTEM, id: orderId } };
}

/** Order topics carry the order with its shipments; shipment topics carry one shipment. */
function shipmentsOf(body: unknown, topic: string): { shipment: Shipment; reference?: string | null }[] {
  if (typeof body === "object" && body !== null && "shipments" in body) {
    const order = parse(Order, body, topic);
    return order.shipments.map((shipment) => ({ shipment, reference: order.reference_id }));
  }
  return [{ shipment: parse(Shipment, body, topic) }];
}

/**
 * Shipped quantities per SKU. ShipBob counts units on the inventory items of a product; a product made of
 * several inventory items (a bundle) has no single unit count, and a product without a SKU cannot be
 * matched to the order: then no lines at all (the shipment is taken to carry the rest of the order) rather
 * than a partial list that would under-report what left.
 */
function linesOf(products: readonly ShipmentProduct[] | null | undefined): Line[] | undefined {
  if (!products || products.length === 0) return undefined;
  const bySku = new Map<string, number>();
  for (const p of products) {
    const sku = present(p.sku) ?? present(p.reference_id);
    const items = p.inventory_items ?? [];
    const quantity = items.length === 1 ? items[0]?.quantity : undefined;
    if (!sku || !quantity || quantity <= 0) return undefined;
    bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  }
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

function shipmentBase(partnerId: string, s: Shipment, reference?: string | null) {
  const trackingNumber = normalizeTrackingNumber(s.tracking?.tracking_number);
  const carrier = present(s.tracking?.carrier)?.toLowerCase();
  return {
    source: partnerId,
    ...correlation(s.order_id, present(s.reference_id) ?? reference),
    shipmentId: s.id,
    ...(trackingNumber ? { trackingNumber } : {}),
    ...(carrier ? { carrier } : {}),
  };
}

function required(at: string | undefined, what: string, s: Shipment): string {
  if (!at) throw new Unmappable(`ShipBob shipment ${s.id} has no ${what}`);
  return at;
}

// ShipBob statuses of shipments that did not (or will not) leave: an order-level topic skips them.
const NOT_LEFT = new Set(["cancelled", "exception", "onhold", "none", "importreview", "cleansweeped"]);

const shipped: Topic = async (partnerId, body, topic) => {
  const events: MappedEvent[] = [];
  for (const { shipment: s, reference } of shipmentsOf(body, topic)) {
    if (NOT_LEFT.has((s.status ?? "").toLowerCase())) continue;
    const lines = linesOf(s.products);
    events.push({
      ...shipmentBase(partnerId, s, reference),
      // One dispatch per shipment, however often ShipBob restates it.
      eventId: await contentEventId(partnerId, [s.order_id, s.id, "shipment.dispatched"]),
      code: "shipment.dispatched",
      // When ShipBob completed the fulfilment (label printed, per ShipBob), else when the carrier got it.
      occurredAt: required(s.actual_fulfillment_date ?? s.tracking?.shipping_date ?? s.last_update_at, "fulfilment date", s),
      ...(lines ? { lines } : {}),
    });
  }
  return events.length > 0 ? { events } : { events: [], ignored: `${topic}: no shipment has left` };
};

const delivered: Topic = async (partnerId, body, topic) => {
  const events: MappedEvent[] = [];
  for (const { shipment: s, reference } of shipmentsOf(body, topic)) {
    if (NOT_LEFT.has((s.status ?? "").toLowerCase())) continue;
    events.push({
      ...shipmentBase(partnerId, s, reference),
      // order.delivered restates each shipment's delivery: the same id as order.shipment.delivered.
      eventId: await contentEventId(partnerId, [s.order_id, s.id, "shipment.delivered"]),
      code: "shipment.delivered",
      occurredAt: required(s.delivery_date ?? s.last_tracking_update_at ?? s.last_update_at, "delivery date", s),
    });
  }
  return events.length > 0 ? { events } : { events: [], ignored: `${topic}: no delivered shipment` };
};

/** On hold, in exception, cancelled: the shipment cannot leave until someone acts. */
function problem(kind: "exception" | "on_hold" | "cancelled"): Topic {
  return async (partnerId, body, topic) => {
    const events: MappedEvent[] = [];
    for (const { shipment: s, reference } of shipmentsOf(body, topic)) {
      const details = s.status_details ?? [];
      const reason = kind === "cancelled" ? "other" : holdReason(details);
      const said = details.map((d) => present(d.description) ?? present(d.name)).filter((d): d is string => !!d);
      const description = (said.length > 0 ? said.join("; ") : `ShipBob shipment ${kind.replace("_", " ")}`).slice(0, 500);
      const occurredAt = required(s.last_update_at ?? s.created_date, "update date", s);
      events.push({
        ...shipmentBase(partnerId, s, reference),
        // A shipment can be held twice for different causes: what and when are part of the identity.
        eventId: await contentEventId(partnerId, [s.order_id, s.id, "shipment.exception", kind, description, occurredAt]),
        code: "shipment.exception",
        reason,
        occurredAt,
        description,
      });
    }
    return { events };
  };
}

const tracking: Topic = async (partnerId, body, topic) => {
  const t = parse(TrackingEvent, body, topic);
  const m = trackingStatus(t.status);
  if (!m) throw new Unmappable(`ShipBob tracking status "${t.status}" is not mapped`);
  const trackingNumber = normalizeTrackingNumber(t.tracking?.tracking_id ?? t.tracking?.tracking_number);
  const carrier = present(t.tracking?.carrier)?.toLowerCase();
  return {
    events: [
      {
        eventId: await contentEventId(partnerId, [t.order_id, t.shipment_id ?? undefined, trackingNumber, m.code, t.event_time]),
        source: partnerId,
        ...correlation(t.order_id, t.reference_id),
        code: m.code,
        ...(m.reason ? { reason: m.reason } : {}),
        occurredAt: t.event_time,
        ...(t.shipment_id ? { shipmentId: t.shipment_id } : {}),
        ...(trackingNumber ? { trackingNumber } : {}),
        ...(carrier ? { carrier } : {}),
      },
    ],
  };
};

// Returned goods processed at ShipBob are a ReturnReceipt for the ERP; until their body is mapped they are
// quarantined (kept, replayable), never silently ignored.
const notYetMapped: Topic = async (_partnerId, _body, topic) => {
  throw new Unmappable(`${topic} is not mapped yet`);
};

const TOPICS: Readonly<Record<string, Topic>> = {
  "order.shipped": shipped,
  "order.shipment.delivered": delivered,
  "order.delivered": delivered,
  "order.shipment.exception": problem("exception"),
  "order.shipment.on_hold": problem("on_hold"),
  "order.shipment.cancelled": problem("cancelled"),
  "order.shipment.tracking_received": tracking,
  "order.shipment.tracking.updated": tracking,
  "return.completed": notYetMapped,
};

export const shipbob: PartnerModule<"shipbob"> = {
  name: "shipbob",
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyStandardWebhook(secrets, standardWebhookHeaders(req.headers), req.raw);
  },

  // ShipBob signs as Standard Webhooks do, like our canonical format, and names the topic in a header.
  async sign(secret, raw, o) {
    return { ...(await signStandardWebhookRequest(secret, raw, o)), [SHIPBOB_TOPIC_HEADER]: o.topic ?? "order.shipped" };
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const body = parseJson(req.raw);
    const topic = present(req.headers.get(SHIPBOB_TOPIC_HEADER))?.toLowerCase();
    if (!topic) throw new Unmappable("x-webhook-topic header is missing");
    const handler = TOPICS[topic];
    if (!handler) return { events: [], ignored: `ShipBob topic "${topic}" carries no milestone` };
    return handler(req.partnerId, body, topic);
  },
};
