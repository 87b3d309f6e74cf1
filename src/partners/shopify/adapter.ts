// The `shopify` adapter: Admin webhooks signed with X-Shopify-Hmac-Sha256, the topic in X-Shopify-Topic.
// Fulfillments are the shop's dispatch facts (with lines and tracking); fulfillment events and the
// fulfillment's shipment_status are tracking scans; a refund that takes goods back is a return authorisation.
//
// Correlation: `orderRef: { system: "shopify", id: <order id> }`, the numeric order id as exact digits —
// the id our ERP records in the order's refs when it releases a Shopify order. The order `name` ("#1001")
// is NOT used: merchants configure its prefix and suffix, it is unique only within one shop, and a
// fulfillment's `name` ("#9999.1") names the fulfillment, not the order. Shopify never sees our order id.
import type { z } from "zod";
import type { Line } from "../../domain/event";
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber, present } from "../normalize";
import { readVendor } from "../parse";
import { signHmacBase64, verifyHmacBase64 } from "../schemes/hmac-base64";
import { type InboundWebhook, type MapResult, type MappedEvent, type PartnerModule, Unmappable } from "../types";
import { parseShopifyJson } from "./json";
import { Fulfillment, FulfillmentEvent, Order, Refund, Return } from "./payload";
import { FULFILLMENT_STATUS, SHIPMENT_STATUS } from "./status";

export const SHOPIFY_SIGNATURE_HEADER = "x-shopify-hmac-sha256";
export const SHOPIFY_TOPIC_HEADER = "x-shopify-topic";
/** The system name our ERP uses for Shopify order ids in an order's refs. */
const SYSTEM = "shopify";

type Topic = (req: InboundWebhook, body: unknown, topic: string) => Promise<MapResult>;

function parse<T extends z.ZodType>(schema: T, body: unknown, topic: string): z.infer<T> {
  return readVendor(schema, body, `${topic} body is not Shopify's`);
}

/** Lines by SKU. A line without a SKU makes the list unusable: none is better than a partial one (a shipment
 * without lines is taken to carry the rest of the order; one with some lines, to carry only those). */
function linesOf(items: readonly { sku?: string | null; quantity: number }[] | null | undefined): Line[] | undefined {
  if (!items || items.length === 0) return undefined;
  const bySku = new Map<string, number>();
  for (const item of items) {
    const sku = present(item.sku);
    if (!sku || item.quantity <= 0) return undefined;
    bySku.set(sku, (bySku.get(sku) ?? 0) + item.quantity);
  }
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

/** The dispatch fact and the shipment status one fulfillment states, whichever topic carried it. */
async function fulfillmentEvents(partnerId: string, f: Fulfillment): Promise<MappedEvent[]> {
  const state = FULFILLMENT_STATUS[f.status];
  if (!state) throw new Unmappable(`Shopify fulfillment status "${f.status}" is not one Shopify documents`);
  const trackingNumber = normalizeTrackingNumber(f.tracking_numbers?.find((t) => present(t)) ?? f.tracking_number);
  const carrier = present(f.tracking_company)?.toLowerCase();
  const base = {
    source: partnerId,
    orderRef: { system: SYSTEM, id: f.order_id },
    shipmentId: f.id,
    ...(trackingNumber ? { trackingNumber } : {}),
    ...(carrier ? { carrier } : {}),
  };
  const changedAt = f.updated_at ?? f.created_at;
  if (state === "withdrawn") {
    return [
      {
        ...base,
        eventId: await contentEventId(partnerId, [f.order_id, f.id, "withdrawn", f.status]),
        code: "shipment.exception",
        reason: "other",
        occurredAt: changedAt,
        description: `Shopify fulfillment ${f.status}`,
      },
    ];
  }
  const lines = linesOf(f.line_items);
  // One id per fulfillment: fulfillments/create, fulfillments/update and orders/fulfilled all restate the
  // same dispatch, and it happened when the fulfillment was created.
  const events: MappedEvent[] = [
    {
      ...base,
      eventId: await contentEventId(partnerId, [f.order_id, f.id, "shipment.dispatched"]),
      code: "shipment.dispatched",
      occurredAt: f.created_at,
      ...(lines ? { lines } : {}),
    },
  ];
  const status = present(f.shipment_status);
  if (status) {
    const m = SHIPMENT_STATUS[status];
    if (!m) throw new Unmappable(`Shopify shipment_status "${status}" is not one Shopify documents`);
    // Shopify restates the status on every fulfillment update: one event per status per fulfillment.
    events.push({
      ...base,
      eventId: await contentEventId(partnerId, [f.order_id, f.id, m.code, status]),
      code: m.code,
      ...(m.reason ? { reason: m.reason } : {}),
      occurredAt: changedAt,
    });
  }
  return events;
}

const fulfillmentTopic: Topic = async (req, body, topic) => ({ events: await fulfillmentEvents(req.partnerId, parse(Fulfillment, body, topic)) });

const orderFulfillmentsTopic: Topic = async (req, body, topic) => {
  const order = parse(Order, body, topic);
  const events: MappedEvent[] = [];
  for (const f of order.fulfillments ?? []) {
    if (f.order_id !== order.id) throw new Unmappable(`${topic}: fulfillment ${f.id} belongs to order ${f.order_id}, not ${order.id}`);
    events.push(...(await fulfillmentEvents(req.partnerId, f)));
  }
  return events.length > 0 ? { events } : { events: [], ignored: `${topic} without fulfillments` };
};

const fulfillmentEventTopic: Topic = async (req, body, topic) => {
  const e = parse(FulfillmentEvent, body, topic);
  const m = SHIPMENT_STATUS[e.status];
  if (!m) throw new Unmappable(`Shopify fulfillment event status "${e.status}" is not one Shopify documents`);
  const location = Object.fromEntries(
    Object.entries({ city: present(e.city), region: present(e.province), postalCode: present(e.zip), country: present(e.country) }).filter(([, v]) => v),
  );
  const description = present(e.message)?.slice(0, 500);
  return {
    events: [
      {
        // Shopify gives each fulfillment event an id of its own.
        eventId: `${req.partnerId}:fulfillment-event:${e.id}`,
        source: req.partnerId,
        orderRef: { system: SYSTEM, id: e.order_id },
        shipmentId: e.fulfillment_id,
        code: m.code,
        ...(m.reason ? { reason: m.reason } : {}),
        occurredAt: e.happened_at,
        ...(Object.keys(location).length > 0 ? { location } : {}),
        ...(description ? { description } : {}),
        ...(e.estimated_delivery_at ? { eta: e.estimated_delivery_at } : {}),
      },
    ],
  };
};

// Shopify's cancellation is the shop's view; the ERP owns the order and sends order.cancelled itself.
const cancelledTopic: Topic = async (_req, body, topic) => {
  parse(Order, body, topic);
  return { events: [], ignored: "orders/cancelled: order cancellations come from the ERP, not the shop" };
};

// Only a refund that takes goods back (restock_type "return": delivered items to be returned) is a logistics
// fact; a refund of money alone is the ERP's business.
const refundTopic: Topic = async (req, body, topic) => {
  const refund = parse(Refund, body, topic);
  const returned = (refund.refund_line_items ?? []).filter((l) => l.restock_type === "return");
  if (returned.length === 0) return { events: [], ignored: 'refunds/create without returned goods (no restock_type "return")' };
  const lines = linesOf(returned.map((l) => ({ sku: l.line_item?.sku, quantity: l.quantity })));
  return {
    events: [
      {
        eventId: await contentEventId(req.partnerId, [refund.order_id, refund.id, "return.authorized"]),
        source: req.partnerId,
        orderRef: { system: SYSTEM, id: refund.order_id },
        code: "return.authorized",
        occurredAt: refund.created_at,
        returnId: refund.id,
        ...(lines ? { lines } : {}),
      },
    ],
  };
};

/** When Shopify triggered the delivery, for bodies without a timestamp; our receipt time otherwise. */
function triggeredAt(req: InboundWebhook): string {
  const header = present(req.headers.get("x-shopify-triggered-at"));
  const at = header ? Date.parse(header) : Number.NaN;
  return Number.isNaN(at) ? req.receivedAt : new Date(at).toISOString();
}

const returnTopic: Topic = async (req, body, topic) => {
  const ret = parse(Return, body, topic);
  return {
    events: [
      {
        // The approval of one return happens once: its id does not depend on when the webhook came.
        eventId: await contentEventId(req.partnerId, [ret.order.id, ret.id, "return.authorized"]),
        source: req.partnerId,
        orderRef: { system: SYSTEM, id: ret.order.id },
        code: "return.authorized",
        occurredAt: triggeredAt(req),
        returnId: ret.id,
      },
    ],
  };
};

const TOPICS: Readonly<Record<string, Topic>> = {
  "fulfillments/create": fulfillmentTopic,
  "fulfillments/update": fulfillmentTopic,
  "fulfillment_events/create": fulfillmentEventTopic,
  "orders/fulfilled": orderFulfillmentsTopic,
  "orders/partially_fulfilled": orderFulfillmentsTopic,
  "orders/cancelled": cancelledTopic,
  "refunds/create": refundTopic,
  "returns/approve": returnTopic,
};

export const shopify: PartnerModule<"shopify"> = {
  name: "shopify",
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyHmacBase64(secrets, req.headers, SHOPIFY_SIGNATURE_HEADER, req.raw);
  },

  async sign(secret, raw, o) {
    return {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": await signHmacBase64(secret, raw),
      "X-Shopify-Topic": o.topic ?? "fulfillments/create",
      "X-Shopify-Webhook-Id": o.id ?? crypto.randomUUID(),
    };
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const body = parseShopifyJson(req.raw);
    const topic = present(req.headers.get(SHOPIFY_TOPIC_HEADER))?.toLowerCase();
    if (!topic) throw new Unmappable("X-Shopify-Topic header is missing");
    const handler = TOPICS[topic];
    if (!handler) return { events: [], ignored: `Shopify topic "${topic}" carries no milestone` };
    return handler(req, body, topic);
  },
};
