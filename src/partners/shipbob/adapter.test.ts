import { describe, expect, it } from "vitest";
import { CanonicalEvent } from "../../domain/event";
import { HttpProblem } from "../../platform/problem";
import { SignatureError } from "../schemes/signature-error";
import { signStandardWebhook, TOLERANCE_SECONDS } from "../schemes/standard-webhooks";
import { bytes, inbound, only, thrown, withField } from "../test-helpers";
import { type InboundWebhook, type MappedEvent, Unmappable } from "../types";
import { SHIPBOB_TOPIC_HEADER, shipbob } from "./adapter";
import cancelled from "./fixtures/order-shipment-cancelled.json?raw";
import delivered from "./fixtures/order-shipment-delivered.json?raw";
import exception from "./fixtures/order-shipment-exception.json?raw";
import onHold from "./fixtures/order-shipment-on-hold.json?raw";
import trackingReceived from "./fixtures/order-shipment-tracking-received.json?raw";
import orderShipped from "./fixtures/order-shipped.json?raw";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ROTATED = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=";
const MSG_ID = "msg_31eW7bWRi16lL0Ajjik68kfyeUh";
const now = () => Math.floor(Date.now() / 1000);

async function webhook(topic: string | null, raw: string, { secret = SECRET, timestamp = now() } = {}): Promise<InboundWebhook> {
  const signature = await signStandardWebhook(secret, MSG_ID, timestamp, bytes(raw));
  const req = inbound(
    "shipbob",
    raw,
    { "webhook-id": MSG_ID, "webhook-timestamp": String(timestamp), "webhook-signature": signature },
    "2025-10-23T16:00:00.000Z",
  );
  if (topic) req.headers.set(SHIPBOB_TOPIC_HEADER, topic);
  return req;
}

async function map(topic: string, raw: string) {
  return shipbob.map(await webhook(topic, raw));
}

async function mapOne(topic: string, raw: string): Promise<MappedEvent> {
  return only(await map(topic, raw));
}

/** The order fixture's shipment alone: what shipment topics carry. */
const shipmentOf = (order: string) => JSON.stringify((JSON.parse(order) as { shipments: unknown[] }).shipments[0]);
const correlation = { orderId: "TEST101", orderRef: { system: "shipbob", id: "100000001" } };

describe("shipbob: verification (Standard Webhooks)", () => {
  it("accepts a delivery signed over its exact bytes", async () => {
    await expect(shipbob.verify(await webhook("order.shipped", orderShipped), [SECRET])).resolves.toBeUndefined();
  });

  it("accepts the newer secret during a rotation", async () => {
    await expect(shipbob.verify(await webhook("order.shipped", orderShipped, { secret: ROTATED }), [SECRET, ROTATED])).resolves.toBeUndefined();
  });

  it("rejects a signature made with a secret that is not active", async () => {
    const err = await thrown(shipbob.verify(await webhook("order.shipped", orderShipped, { secret: ROTATED }), [SECRET]));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).reason).toBe("invalid");
  });

  it("rejects a replay older than the tolerance", async () => {
    const req = await webhook("order.shipped", orderShipped, { timestamp: now() - TOLERANCE_SECONDS - 60 });
    expect(((await thrown(shipbob.verify(req, [SECRET]))) as SignatureError).reason).toBe("stale");
  });

  it("rejects a delivery without the signature headers", async () => {
    const req = await webhook("order.shipped", orderShipped);
    req.headers.delete("webhook-signature");
    expect(((await thrown(shipbob.verify(req, [SECRET]))) as SignatureError).reason).toBe("missing");
  });
});

describe("shipbob: shipped and delivered", () => {
  it("maps order.shipped onto shipment.dispatched with lines and tracking, correlated by reference_id", async () => {
    const e = await mapOne("order.shipped", orderShipped);
    expect(e).toMatchObject({
      ...correlation,
      code: "shipment.dispatched",
      source: "shipbob",
      occurredAt: "2025-10-23T15:54:02.000Z",
      shipmentId: "200000001",
      trackingNumber: "9261290306529427911297",
      carrier: "usps",
      lines: [
        { sku: "TShirtBlueM", quantity: 2 },
        { sku: "ToteCanvas", quantity: 1 },
      ],
    });
    expect(e.eventId).toMatch(/^shipbob:[0-9a-f]{32}$/);
    expect(CanonicalEvent.safeParse(e).success).toBe(true);
  });

  it("gives the same dispatch the same id whether the body is the order or the shipment", async () => {
    const fromOrder = await mapOne("order.shipped", orderShipped);
    const fromShipment = await mapOne("order.shipped", shipmentOf(orderShipped));
    expect(fromShipment.eventId).toBe(fromOrder.eventId);
    expect(fromShipment.orderId).toBe("TEST101");
  });

  it("skips a cancelled shipment of a shipped order", async () => {
    const raw = withField(orderShipped, '"status": "LabeledCreated"', '"status": "Cancelled"');
    expect(await map("order.shipped", raw)).toEqual({ events: [], ignored: "order.shipped: no shipment has left" });
  });

  it("leaves the lines out when a product is a bundle of several inventory items", async () => {
    const order = JSON.parse(orderShipped) as { shipments: { products: { inventory_items: unknown[] }[] }[] };
    const product = order.shipments[0]?.products[0];
    product?.inventory_items.push({ id: 5009, name: "Gift box", quantity: 1 });
    expect((await mapOne("order.shipped", JSON.stringify(order))).lines).toBeUndefined();
  });

  it("correlates by the ShipBob order id alone when the order has no reference_id", async () => {
    const raw = shipmentOf(orderShipped).replace('"reference_id":"TEST101"', '"reference_id":null');
    const e = await mapOne("order.shipped", raw);
    expect(e.orderId).toBeUndefined();
    expect(e.orderRef).toEqual({ system: "shipbob", id: "100000001" });
  });

  it("maps order.shipment.delivered onto shipment.delivered at the delivery date", async () => {
    const e = await mapOne("order.shipment.delivered", delivered);
    expect(e).toMatchObject({ ...correlation, code: "shipment.delivered", occurredAt: "2025-10-27T18:41:07.000Z", shipmentId: "200000001" });
    expect(CanonicalEvent.safeParse(e).success).toBe(true);
  });

  it("gives order.delivered the ids of the shipments' own deliveries", async () => {
    const order = `{"id": 100000001, "reference_id": "TEST101", "shipments": [${delivered}]}`;
    expect((await mapOne("order.delivered", order)).eventId).toBe((await mapOne("order.shipment.delivered", delivered)).eventId);
  });

  it("reads a datetime without a zone as UTC (ShipBob's documented zone)", async () => {
    const raw = withField(delivered, '"delivery_date": "2025-10-27T18:41:07Z"', '"delivery_date": "2025-10-27T18:41:07"');
    expect((await mapOne("order.shipment.delivered", raw)).occurredAt).toBe("2025-10-27T18:41:07.000Z");
  });

  it("maps a re-sent delivery onto the same id", async () => {
    expect((await mapOne("order.shipment.delivered", delivered)).eventId).toBe((await mapOne("order.shipment.delivered", delivered)).eventId);
  });
});

describe("shipbob: problems before dispatch", () => {
  it("maps an address hold onto an address_issue exception", async () => {
    const e = await mapOne("order.shipment.on_hold", onHold);
    expect(e).toMatchObject({
      ...correlation,
      code: "shipment.exception",
      reason: "address_issue",
      occurredAt: "2025-10-22T09:20:13.000Z",
      description: "The shipping address is invalid",
    });
    expect(e.trackingNumber).toBeUndefined();
    expect(CanonicalEvent.safeParse(e).success).toBe(true);
  });

  it("maps an out-of-stock exception onto an exception someone must act on", async () => {
    expect(await mapOne("order.shipment.exception", exception)).toMatchObject({ code: "shipment.exception", reason: "other", description: "Out of stock" });
  });

  it("maps a cancelled shipment onto an exception, never an order cancellation", async () => {
    expect(await mapOne("order.shipment.cancelled", cancelled)).toMatchObject({
      code: "shipment.exception",
      reason: "other",
      description: "ShipBob shipment cancelled",
    });
  });

  it("tells apart two holds of the same shipment at different times", async () => {
    const later = withField(onHold, '"last_update_at": "2025-10-22T09:20:13Z"', '"last_update_at": "2025-10-24T08:00:00Z"');
    expect((await mapOne("order.shipment.on_hold", later)).eventId).not.toBe((await mapOne("order.shipment.on_hold", onHold)).eventId);
  });
});

describe("shipbob: tracking events", () => {
  it("maps the published tracking_received sample onto shipment.label_created", async () => {
    const e = await mapOne("order.shipment.tracking_received", trackingReceived);
    expect(e).toMatchObject({
      ...correlation,
      code: "shipment.label_created",
      occurredAt: "2025-10-23T15:55:09.361Z",
      trackingNumber: "9261290306529427911297",
      carrier: "usps",
    });
    expect(CanonicalEvent.safeParse(e).success).toBe(true);
  });

  it.each([
    ["InTransit", "shipment.in_transit"],
    ["OutForDelivery", "shipment.out_for_delivery"],
    ["Delivered", "shipment.delivered"],
    ["DeliveryAttempted", "shipment.delivery_attempted"],
    ["ReturnToSender", "shipment.returned_to_sender"],
  ])("maps tracking status %s onto %s", async (status, code) => {
    const raw = withField(trackingReceived, '"status": "LabelCreated"', `"status": "${status}"`);
    expect((await mapOne("order.shipment.tracking.updated", raw)).code).toBe(code);
  });

  it("quarantines a tracking status we do not know", async () => {
    const raw = withField(trackingReceived, '"status": "LabelCreated"', '"status": "Teleported"');
    expect(await thrown(map("order.shipment.tracking.updated", raw))).toBeInstanceOf(Unmappable);
  });
});

describe("shipbob: topics and shapes", () => {
  it("ignores a topic that carries no milestone, naming it", async () => {
    expect(await map("wro.completed", "{}")).toEqual({ events: [], ignored: 'ShipBob topic "wro.completed" carries no milestone' });
  });

  it("quarantines return.completed until its body is mapped, rather than dropping a return", async () => {
    expect(await thrown(map("return.completed", "{}"))).toBeInstanceOf(Unmappable);
  });

  it("quarantines a delivery without x-webhook-topic", async () => {
    expect(await thrown(shipbob.map(await webhook(null, orderShipped)))).toBeInstanceOf(Unmappable);
  });

  it.each([
    ["an empty object", "order.shipped", "{}"],
    ["a shipment without id", "order.shipment.delivered", withField(delivered, '"id": 200000001,', "")],
    [
      "a delivery without any date",
      "order.shipment.delivered",
      shipmentOf(orderShipped).replace(/"(last_update_at|last_tracking_update_at)":"[^"]+"/g, '"$1":null'),
    ],
    [
      "a datetime that is not one",
      "order.shipment.delivered",
      withField(delivered, '"delivery_date": "2025-10-27T18:41:07Z"', '"delivery_date": "last Tuesday"'),
    ],
    [
      "a tracking event without event_time",
      "order.shipment.tracking_received",
      withField(trackingReceived, '"event_time": "2025-10-23T15:55:09.3614767Z",', ""),
    ],
  ])("quarantines %s", async (_name, topic, raw) => {
    expect(await thrown(map(topic, raw))).toBeInstanceOf(Unmappable);
  });

  it("refuses bytes that are not JSON with 400", async () => {
    const err = await thrown(map("order.shipped", "<xml/>"));
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(400);
  });
});
