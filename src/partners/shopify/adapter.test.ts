import { describe, expect, it } from "vitest";
import { HttpProblem } from "../../platform/problem";
import { signHmacBase64 } from "../schemes/hmac-base64";
import { SignatureError } from "../schemes/signature-error";
import { bytes, canonicalOnceResolved, inbound, thrown, withField } from "../test-helpers";
import { type InboundWebhook, type MappedEvent, Unmappable } from "../types";
import { SHOPIFY_SIGNATURE_HEADER, shopify } from "./adapter";
import fulfillmentEvent from "./fixtures/fulfillment-events-create.json?raw";
import fulfillmentCreate from "./fixtures/fulfillments-create.json?raw";
import fulfillmentUpdate from "./fixtures/fulfillments-update.json?raw";
import returnApprove from "./fixtures/returns-approve.json?raw";
import { parseShopifyJson, shopifyId } from "./json";

const SECRET = "shpss_test_webhook_secret_0001";
const ROTATED = "shpss_test_webhook_secret_0000";

async function webhook(topic: string | null, raw: string, extra: Record<string, string> = {}, secret = SECRET): Promise<InboundWebhook> {
  const req = inbound("shopify", raw, { [SHOPIFY_SIGNATURE_HEADER]: await signHmacBase64(secret, bytes(raw)), ...extra }, "2026-11-20T14:00:00.000Z");
  if (topic) req.headers.set("X-Shopify-Topic", topic);
  return req;
}

async function map(topic: string, raw: string, extra: Record<string, string> = {}) {
  return shopify.map(await webhook(topic, raw, extra));
}

/** The digits of `"key": 123…` in the raw text: what the id must be, whatever JSON.parse makes of it. */
function rawDigits(raw: string, key: string): string {
  const m = new RegExp(`"${key}":\\s*(\\d+)`).exec(raw);
  if (!m?.[1]) throw new Error(`no ${key} in fixture`);
  return m[1];
}

// Variants (withField) keep the published bytes (and their 64-bit ids) and change one field in the text.

describe("shopify: verification", () => {
  it("accepts the published sample signed over its exact bytes", async () => {
    await expect(shopify.verify(await webhook("fulfillments/create", fulfillmentCreate), [SECRET])).resolves.toBeUndefined();
  });

  it("accepts the newer secret during a rotation", async () => {
    await expect(shopify.verify(await webhook("fulfillments/create", fulfillmentCreate, {}, SECRET), [ROTATED, SECRET])).resolves.toBeUndefined();
  });

  it("rejects the same payload re-serialised (the signature covers the raw bytes)", async () => {
    const req = await webhook("fulfillments/create", fulfillmentCreate);
    const reserialised = { ...req, raw: bytes(JSON.stringify(JSON.parse(fulfillmentCreate))) };
    expect(((await thrown(shopify.verify(reserialised, [SECRET]))) as SignatureError).reason).toBe("invalid");
  });

  it("rejects a signature made with a secret that is not active", async () => {
    const err = await thrown(shopify.verify(await webhook("fulfillments/create", fulfillmentCreate, {}, ROTATED), [SECRET]));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).reason).toBe("invalid");
  });

  it("rejects a request without X-Shopify-Hmac-Sha256", async () => {
    const req = await webhook("fulfillments/create", fulfillmentCreate);
    req.headers.delete(SHOPIFY_SIGNATURE_HEADER);
    expect(((await thrown(shopify.verify(req, [SECRET]))) as SignatureError).reason).toBe("missing");
  });
});

describe("shopify: ids beyond 2^53", () => {
  it("keeps the order id's exact digits where JSON.parse would round them", async () => {
    const digits = rawDigits(fulfillmentCreate, "order_id");
    expect(digits).toBe("820982911946154508");
    expect(String((JSON.parse(fulfillmentCreate) as { order_id: number }).order_id)).not.toBe(digits);
    const [e] = (await map("fulfillments/create", fulfillmentCreate)).events;
    expect(e?.orderRef).toEqual({ system: "shopify", id: digits });
  });

  it("reads big integers as digits and leaves small numbers and prices alone", () => {
    expect(parseShopifyJson(bytes('{"a": 9007199254740993, "b": 123456, "c": 89.99, "d": [315789986012684393]}'))).toEqual({
      a: "9007199254740993",
      b: 123456,
      c: 89.99,
      d: ["315789986012684393"],
    });
  });

  it("reads ids from numbers, digit strings and GraphQL ids", () => {
    expect(shopifyId(123456)).toBe("123456");
    expect(shopifyId("820982911946154508")).toBe("820982911946154508");
    expect(shopifyId("gid://shopify/Order/820982911946154508")).toBe("820982911946154508");
    expect(shopifyId(2 ** 60)).toBeUndefined();
    expect(shopifyId("#1001")).toBeUndefined();
  });
});

describe("shopify: fulfillments", () => {
  it("maps fulfillments/create onto shipment.dispatched with lines and the tracking number", async () => {
    const { events, ignored } = await map("fulfillments/create", fulfillmentCreate);
    expect(ignored).toBeUndefined();
    expect(events).toHaveLength(1);
    const [e] = events as [MappedEvent];
    expect(e).toMatchObject({
      code: "shipment.dispatched",
      source: "shopify",
      occurredAt: "2022-01-01T00:00:00.000Z",
      orderRef: { system: "shopify", id: "820982911946154508" },
      shipmentId: "123456",
      trackingNumber: "1Z827WK74630",
      carrier: "ups",
      lines: [
        { sku: "SKU2006-001", quantity: 1 },
        { sku: "LENS-PROTECT-2YR", quantity: 1 },
        { sku: "CASE-LEATHER-PREM", quantity: 1 },
        { sku: "SKU2006-020", quantity: 1 },
        { sku: "SKU2006-035", quantity: 1 },
      ],
    });
    expect(e.orderId).toBeUndefined();
    expect(e.eventId).toMatch(/^shopify:[0-9a-f]{32}$/);
    expect(canonicalOnceResolved(e)).toBe(true);
  });

  it("recognises the dispatch restated by fulfillments/update as the same event", async () => {
    const created = (await map("fulfillments/create", fulfillmentCreate)).events;
    const updated = (await map("fulfillments/update", fulfillmentUpdate)).events;
    expect(updated.map((e) => e.eventId)).toEqual(created.map((e) => e.eventId));
  });

  it.each([
    ["label_printed", "shipment.label_created", undefined],
    ["label_purchased", "shipment.label_created", undefined],
    ["confirmed", "shipment.label_created", undefined],
    ["in_transit", "shipment.in_transit", undefined],
    ["out_for_delivery", "shipment.out_for_delivery", undefined],
    ["attempted_delivery", "shipment.delivery_attempted", undefined],
    ["ready_for_pickup", "shipment.available_for_pickup", undefined],
    ["delivered", "shipment.delivered", undefined],
    ["failure", "shipment.exception", "other"],
  ])("maps shipment_status %s onto %s beside the dispatch", async (status, code, reason) => {
    const raw = withField(
      withField(fulfillmentUpdate, '"shipment_status": null', `"shipment_status": "${status}"`),
      '"updated_at": "2021-12-31T19:00:00-05:00"',
      '"updated_at": "2022-01-03T10:30:00-05:00"',
    );
    const { events } = await map("fulfillments/update", raw);
    expect(events.map((e) => e.code)).toEqual(["shipment.dispatched", code]);
    expect(events[1]).toMatchObject({ occurredAt: "2022-01-03T15:30:00.000Z", shipmentId: "123456", trackingNumber: "1Z827WK74630" });
    expect(events[1]?.reason).toBe(reason);
    expect(events.every((e) => canonicalOnceResolved(e))).toBe(true);
  });

  it("gives a shipment status restated by a later update the same id", async () => {
    const at = (t: string) =>
      withField(
        withField(fulfillmentUpdate, '"shipment_status": null', '"shipment_status": "in_transit"'),
        '"updated_at": "2021-12-31T19:00:00-05:00"',
        `"updated_at": "${t}"`,
      );
    const first = (await map("fulfillments/update", at("2022-01-02T08:00:00-05:00"))).events.map((e) => e.eventId);
    const again = (await map("fulfillments/update", at("2022-01-02T09:00:00-05:00"))).events.map((e) => e.eventId);
    expect(again).toEqual(first);
  });

  it("maps a cancelled fulfillment onto an exception, never a silent un-dispatch", async () => {
    const { events } = await map("fulfillments/update", withField(fulfillmentUpdate, '"status": "pending"', '"status": "cancelled"'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ code: "shipment.exception", reason: "other", shipmentId: "123456" });
  });

  it("leaves the lines out when one line has no SKU", async () => {
    const { events } = await map("fulfillments/create", withField(fulfillmentCreate, '"sku": "SKU2006-035"', '"sku": null'));
    expect(events[0]?.lines).toBeUndefined();
  });

  it("maps orders/fulfilled onto each fulfillment's dispatch, with the same ids as fulfillments/create", async () => {
    const order = `{"id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508", "name": "#9999", "fulfillments": [${fulfillmentCreate}]}`;
    const fromOrder = (await map("orders/fulfilled", order)).events;
    const fromFulfillment = (await map("fulfillments/create", fulfillmentCreate)).events;
    expect(fromOrder.map((e) => e.eventId)).toEqual(fromFulfillment.map((e) => e.eventId));
  });

  it("ignores orders/fulfilled without fulfillments", async () => {
    expect(await map("orders/fulfilled", '{"id": 820982911946154508, "fulfillments": []}')).toEqual({
      events: [],
      ignored: "orders/fulfilled without fulfillments",
    });
  });

  it("quarantines an order whose fulfillment belongs to another order", async () => {
    const order = `{"id": 820982911946154509, "fulfillments": [${fulfillmentCreate}]}`;
    expect(await thrown(map("orders/fulfilled", order))).toBeInstanceOf(Unmappable);
  });
});

describe("shopify: fulfillment events", () => {
  it("maps the fulfillment_events/create sample onto an in-transit scan with Shopify's own event id", async () => {
    const { events } = await map("fulfillment_events/create", fulfillmentEvent);
    expect(events).toHaveLength(1);
    const [e] = events as [MappedEvent];
    expect(e).toMatchObject({
      eventId: "shopify:fulfillment-event:1234567",
      code: "shipment.in_transit",
      occurredAt: "2022-01-01T00:00:00.000Z",
      orderRef: { system: "shopify", id: rawDigits(fulfillmentEvent, "order_id") },
      shipmentId: "123456",
      location: { country: "CA" },
      description: "Item is now in transit",
    });
    expect(e.eta).toBeUndefined();
    expect(canonicalOnceResolved(e)).toBe(true);
  });

  it("maps a delay onto a self-resolving exception and carries the estimated delivery", async () => {
    const raw = withField(
      withField(fulfillmentEvent, '"status": "in_transit"', '"status": "delayed"'),
      '"estimated_delivery_at": null',
      '"estimated_delivery_at": "2022-01-05T12:00:00-05:00"',
    );
    const [e] = (await map("fulfillment_events/create", raw)).events;
    expect(e).toMatchObject({ code: "shipment.exception", reason: "delayed", eta: "2022-01-05T17:00:00.000Z" });
  });

  it("quarantines a status Shopify does not document", async () => {
    const raw = withField(fulfillmentEvent, '"status": "in_transit"', '"status": "teleported"');
    expect(await thrown(map("fulfillment_events/create", raw))).toBeInstanceOf(Unmappable);
  });
});

describe("shopify: orders, refunds and returns", () => {
  it("ignores orders/cancelled: the ERP owns cancellations", async () => {
    const result = await map("orders/cancelled", '{"id": 820982911946154508, "cancel_reason": "customer", "fulfillments": []}');
    expect(result.events).toEqual([]);
    expect(result.ignored).toMatch(/ERP/);
  });

  const refund = (restock: string) =>
    `{"id": 509562969, "order_id": 820982911946154508, "created_at": "2022-01-04T09:00:00-05:00", "refund_line_items": [` +
    `{"id": 104689539, "quantity": 2, "line_item_id": 703073504, "restock_type": "${restock}", "line_item": {"id": 703073504, "sku": "SKU2006-001"}}]}`;

  it("ignores a refund that returns no goods", async () => {
    const result = await map("refunds/create", refund("no_restock"));
    expect(result.events).toEqual([]);
    expect(result.ignored).toMatch(/returned goods/);
  });

  it("maps a refund of items to be returned onto return.authorized", async () => {
    const [e] = (await map("refunds/create", refund("return"))).events;
    expect(e).toMatchObject({
      code: "return.authorized",
      occurredAt: "2022-01-04T14:00:00.000Z",
      orderRef: { system: "shopify", id: "820982911946154508" },
      returnId: "509562969",
      lines: [{ sku: "SKU2006-001", quantity: 2 }],
    });
  });

  it("maps returns/approve onto return.authorized at the time Shopify triggered it", async () => {
    const [e] = (await map("returns/approve", returnApprove, { "X-Shopify-Triggered-At": "2025-07-10T16:15:47.000000Z" })).events;
    expect(e).toMatchObject({
      code: "return.authorized",
      occurredAt: "2025-07-10T16:15:47.000Z",
      orderRef: { system: "shopify", id: "4783296544821" },
      returnId: "123134564567890",
    });
    expect(canonicalOnceResolved(e as MappedEvent)).toBe(true);
  });
});

describe("shopify: topics and shapes", () => {
  it("ignores a topic that carries no milestone, naming it", async () => {
    expect(await map("products/update", '{"id": 788032119674292922}')).toEqual({ events: [], ignored: 'Shopify topic "products/update" carries no milestone' });
  });

  it("quarantines a body without X-Shopify-Topic", async () => {
    expect(await thrown(shopify.map(await webhook(null, fulfillmentCreate)))).toBeInstanceOf(Unmappable);
  });

  it.each([
    ["an empty object", "{}"],
    ["a fulfillment without order_id", withField(fulfillmentCreate, '"order_id": 820982911946154508,', "")],
    ["a timestamp without an offset", withField(fulfillmentCreate, '"created_at": "2021-12-31T19:00:00-05:00"', '"created_at": "2021-12-31 19:00:00"')],
    ["a fulfillment status Shopify does not document", withField(fulfillmentCreate, '"status": "pending"', '"status": "shipped"')],
    ["an unknown shipment_status", withField(fulfillmentCreate, '"shipment_status": null', '"shipment_status": "lost_in_space"')],
    ["an order id that is not a number", withField(fulfillmentCreate, '"order_id": 820982911946154508', '"order_id": "#9999"')],
  ])("quarantines %s on fulfillments/create", async (_name, raw) => {
    expect(await thrown(map("fulfillments/create", raw))).toBeInstanceOf(Unmappable);
  });

  it("refuses bytes that are not JSON with 400", async () => {
    const err = await thrown(map("fulfillments/create", "{not json"));
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(400);
  });
});
