import { describe, expect, it } from "vitest";
import { HttpProblem } from "../../platform/problem";
import { signSharedToken } from "../schemes/shared-token";
import { SignatureError } from "../schemes/signature-error";
import { canonicalOnceResolved, inbound, only, patched, thrown } from "../test-helpers";
import { type InboundWebhook, type MappedEvent, Unmappable } from "../types";
import { UPS_TOKEN_HEADER, ups } from "./adapter";
import delivered from "./fixtures/track-alert-delivered.json?raw";
import departure from "./fixtures/track-alert-departure-scan.json?raw";
import loaded from "./fixtures/track-alert-loaded-on-vehicle.json?raw";
import manifest from "./fixtures/track-alert-manifest.json?raw";
import origin from "./fixtures/track-alert-origin-scan.json?raw";
import outForDelivery from "./fixtures/track-alert-out-for-delivery.json?raw";
import preparing from "./fixtures/track-alert-preparing-for-delivery.json?raw";
import history from "./fixtures/tracking-history.json?raw";
import historyPlusOne from "./fixtures/tracking-history-plus-one.json?raw";

const TOKEN = "ups-track-alert-token-0001";
const ROTATED = "ups-track-alert-token-0000";

function webhook(raw: string, token = TOKEN): InboundWebhook {
  const [name, value] = signSharedToken(token, UPS_TOKEN_HEADER);
  return inbound("ups", raw, { "user-agent": "UPSPubSubTrackingService", [name]: value }, "2024-04-23T14:00:00.000Z");
}

async function mapOne(raw: string): Promise<MappedEvent> {
  return only(await ups.map(webhook(raw)));
}

describe("ups: verification", () => {
  it("accepts a published sample carrying the registered token in the credential header", async () => {
    await expect(ups.verify(webhook(delivered), [TOKEN])).resolves.toBeUndefined();
  });

  it("accepts the new token while the old one is still active (rotation)", async () => {
    await expect(ups.verify(webhook(delivered, TOKEN), [ROTATED, TOKEN])).resolves.toBeUndefined();
  });

  it("rejects a token that is not registered", async () => {
    const err = await thrown(ups.verify(webhook(delivered, ROTATED), [TOKEN]));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).reason).toBe("invalid");
  });

  it("rejects a request without the credential header", async () => {
    const req = webhook(delivered);
    req.headers.delete("credential");
    expect(((await thrown(ups.verify(req, [TOKEN]))) as SignatureError).reason).toBe("missing");
  });
});

describe("ups: Track Alert messages", () => {
  it.each([
    ["manifest", manifest, "shipment.label_created", "2024-04-22T04:12:30.000Z", "1ZABCXYZ0112346789"],
    ["origin scan", origin, "shipment.in_transit", "2024-04-23T01:29:01.000Z", "1ZABCXYZ0112346789"],
    ["departure scan", departure, "shipment.in_transit", "2024-04-23T02:54:00.000Z", "1ZABCXYZ0112346789"],
    ["preparing for delivery", preparing, "shipment.in_transit", "2024-04-23T04:30:52.000Z", "1ZABCXYZ0112346789"],
    ["loaded on vehicle", loaded, "shipment.in_transit", "2024-04-23T10:39:36.000Z", "1ZABCXYZ0112346789"],
    ["out for delivery", outForDelivery, "shipment.out_for_delivery", "2024-04-23T13:15:19.000Z", "1Z204W4R0308071865"],
    ["delivered", delivered, "shipment.delivered", "2024-04-23T13:50:04.000Z", "1Z204W4R0308071865"],
  ])("maps the %s sample onto %s at the GMT instant", async (_name, raw, code, occurredAt, trackingNumber) => {
    const e = await mapOne(raw);
    expect(e).toMatchObject({ code, occurredAt, trackingNumber, carrier: "ups", source: "ups" });
    expect(e.eventId).toMatch(/^ups:[0-9a-f]{32}$/);
    // UPS knows nothing of our orders: the tracking number is the only correlation key.
    expect(e.orderId).toBeUndefined();
    expect(e.orderRef).toBeUndefined();
    expect(canonicalOnceResolved(e)).toBe(true);
  });

  it("prefers the GMT pair over the zone-less local date and time", async () => {
    // The manifest sample's local time (09:12:30) and GMT time (04:12:30) differ: GMT is the instant.
    expect((await mapOne(manifest)).occurredAt).toBe("2024-04-22T04:12:30.000Z");
  });

  it("reads local time as UTC only when UPS sends no GMT pair (documented assumption)", async () => {
    const e = await mapOne(patched(origin, { gmtActivityDate: "", gmtActivityTime: "" }));
    expect(e.occurredAt).toBe("2024-04-22T21:29:01.000Z");
  });

  it("strips the whitespace UPS leaves around and inside tracking numbers", async () => {
    expect((await mapOne(manifest)).trackingNumber).toBe("1ZABCXYZ0112346789");
    expect((await mapOne(patched(origin, { trackingNumber: "1Z 999 AA1 01 2345 6784" }))).trackingNumber).toBe("1Z999AA10123456784");
  });

  it("keeps only the non-empty parts of the activity location", async () => {
    expect((await mapOne(manifest)).location).toEqual({ country: "US" });
    expect((await mapOne(delivered)).location).toEqual({ city: "CHARLOTTE", region: "NC", postalCode: "28209", country: "US" });
  });

  it("carries the status description and the scheduled delivery day as ETA", async () => {
    const e = await mapOne(origin);
    expect(e.description).toBe("On the Way");
    expect(e.eta).toBe("2024-04-23T12:00:00.000Z");
    expect((await mapOne(delivered)).eta).toBeUndefined();
  });

  it("gives a re-sent message the same event id", async () => {
    expect((await mapOne(origin)).eventId).toBe((await mapOne(origin)).eventId);
  });

  it("tells apart two scans of the same milestone", async () => {
    const ids = new Set([await mapOne(origin), await mapOne(departure), await mapOne(preparing), await mapOne(loaded)].map((e) => e.eventId));
    expect(ids.size).toBe(4);
  });
});

describe("ups: status types UPS publishes no sample of", () => {
  const withStatus = (type: string, description: string, code = "XX") => patched(origin, { activityStatus: { type, code, description } });

  it.each([
    ["The receiver was not available for delivery. We'll make a second attempt the next business day.", "shipment.delivery_attempted", undefined],
    ["Adverse weather conditions caused this delay.", "shipment.exception", "weather"],
    ["The address is incorrect.", "shipment.exception", "address_issue"],
    ["Damage reported. / Damage reported.", "shipment.exception", "damaged"],
    ["The receiver refused the delivery.", "shipment.exception", "refused"],
    ["Your package is being held for customs clearance.", "shipment.exception", "customs_hold"],
    ["Returned to shipper.", "shipment.returned_to_sender", undefined],
    ["A mechanical failure has delayed delivery.", "shipment.exception", "delayed"],
    ["Something unusual happened.", "shipment.exception", "other"],
  ])("maps exception %j onto %s (%s)", async (description, code, reason) => {
    const e = await mapOne(withStatus("X", description));
    expect(e.code).toBe(code);
    expect(e.reason).toBe(reason);
  });

  it("maps a delivery to a UPS Access Point onto available_for_pickup, not delivered", async () => {
    expect((await mapOne(withStatus("D", "Delivered to UPS Access Point™ Awaiting Customer Pickup", "KB"))).code).toBe("shipment.available_for_pickup");
  });

  it("maps a pickup scan onto in_transit and a returned-to-shipper type onto returned_to_sender", async () => {
    expect((await mapOne(withStatus("P", "Pickup Scan"))).code).toBe("shipment.in_transit");
    expect((await mapOne(withStatus("RS", "Returned to shipper"))).code).toBe("shipment.returned_to_sender");
  });

  it("maps a voided manifest onto an exception someone should look at", async () => {
    expect(await mapOne(withStatus("MV", "Shipment information voided"))).toMatchObject({ code: "shipment.exception", reason: "other" });
  });

  it("ignores an updated delivery date (type U): no milestone happened", async () => {
    const result = await ups.map(webhook(withStatus("U", "Delivery date updated")));
    expect(result.events).toEqual([]);
    expect(result.ignored).toMatch(/type U/);
  });

  it("quarantines a status type UPS does not document", async () => {
    expect(await thrown(ups.map(webhook(withStatus("Z", "?"))))).toBeInstanceOf(Unmappable);
  });
});

describe("ups: Tracking API history", () => {
  it("maps each activity onto one event, oldest first, whatever order UPS lists them in", async () => {
    const { events } = await ups.map(webhook(history));
    expect(events.map((e) => [e.code, e.occurredAt])).toEqual([
      ["shipment.label_created", "2024-04-22T04:12:30.000Z"],
      ["shipment.in_transit", "2024-04-23T01:29:01.000Z"],
      ["shipment.in_transit", "2024-04-23T02:54:00.000Z"],
      ["shipment.in_transit", "2024-04-23T04:30:52.000Z"],
      ["shipment.in_transit", "2024-04-23T10:39:36.000Z"],
    ]);
    for (const e of events) expect(canonicalOnceResolved(e)).toBe(true);
  });

  it("pads the unpadded GMT times the Tracking API sends", async () => {
    const { events } = await ups.map(webhook(history));
    expect(events[0]?.occurredAt).toBe("2024-04-22T04:12:30.000Z"); // gmtTime "41230"
  });

  it("puts the package's ETA on the latest scan only", async () => {
    const { events } = await ups.map(webhook(history));
    expect(events.filter((e) => e.eta).map((e) => e.occurredAt)).toEqual(["2024-04-23T10:39:36.000Z"]);
    expect(events.at(-1)?.eta).toBe("2024-04-23T12:00:00.000Z");
  });

  it("maps a re-sent history onto the same ids", async () => {
    const first = (await ups.map(webhook(history))).events.map((e) => e.eventId);
    const again = (await ups.map(webhook(history))).events.map((e) => e.eventId);
    expect(again).toEqual(first);
  });

  it("maps a history with one more scan onto the old ids plus one", async () => {
    const before = (await ups.map(webhook(history))).events.map((e) => e.eventId);
    const after = (await ups.map(webhook(historyPlusOne))).events;
    expect(after).toHaveLength(before.length + 1);
    expect(after.map((e) => e.eventId).filter((id) => !before.includes(id))).toHaveLength(1);
    expect(after.at(-1)?.code).toBe("shipment.out_for_delivery");
  });

  it("recognises a Track Alert scan seen again in a Tracking API backfill as the same event", async () => {
    const ids = (await ups.map(webhook(history))).events.map((e) => e.eventId);
    expect(ids).toContain((await mapOne(origin)).eventId);
    expect(ids).toContain((await mapOne(manifest)).eventId);
  });

  it("ignores a package UPS has no activity for yet", async () => {
    const empty = JSON.stringify({ trackResponse: { shipment: [{ package: [{ trackingNumber: "1ZABCXYZ0112346789", activity: [] }] }] } });
    expect(await ups.map(webhook(empty))).toEqual({ events: [], ignored: "UPS tracking response has no activity" });
  });
});

describe("ups: payloads that are not UPS's", () => {
  it("refuses bytes that are not JSON with 400", async () => {
    const err = await thrown(ups.map(webhook("trackingNumber=1Z")));
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(400);
  });

  it.each([
    ["an empty object", "{}"],
    ["a message without activityStatus", JSON.stringify({ trackingNumber: "1ZABCXYZ0112346789" })],
    ["a message without trackingNumber", patched(origin, { trackingNumber: undefined })],
    ["a blank trackingNumber", patched(origin, { trackingNumber: "  " })],
    ["an impossible date", patched(origin, { gmtActivityDate: "20240231" })],
    ["a time that is not HHMMSS", patched(origin, { gmtActivityTime: "25:00" })],
    ["no date or time at all", patched(origin, { gmtActivityDate: "", localActivityDate: "" })],
    ["a tracking response without shipments", JSON.stringify({ trackResponse: {} })],
  ])("quarantines %s as Unmappable", async (_name, raw) => {
    expect(await thrown(ups.map(webhook(raw)))).toBeInstanceOf(Unmappable);
  });
});
