import { describe, expect, it } from "vitest";
import { HttpProblem } from "../../platform/problem";
import { SignatureError } from "../schemes/signature-error";
import { signShippo, TOLERANCE_SECONDS } from "../schemes/shippo-signature";
import { bytes, canonicalOnceResolved, inbound, only, thrown } from "../test-helpers";
import { type InboundWebhook, type MappedEvent, Unmappable } from "../types";
import { SHIPPO_SIGNATURE_HEADER, shippo } from "./adapter";
import trackUpdated from "./fixtures/track-updated.json?raw";

const SECRET = "shippo-webhook-secret";
const now = () => Math.floor(Date.now() / 1000);

function webhook(raw: string, signature?: string): InboundWebhook {
  return inbound("shippo", raw, signature ? { [SHIPPO_SIGNATURE_HEADER]: signature } : {});
}

async function signed(raw: string, secret = SECRET, at = now()): Promise<InboundWebhook> {
  return webhook(raw, await signShippo(secret, bytes(raw), at));
}

type Json = Record<string, unknown>;
const location = { city: "Las Vegas", country: "US", state: "NV", zip: "89101" };
const status = (status: string, code: string | null, status_date: string | null, details = "carrier text"): Json => ({
  status,
  substatus: code === null ? null : { code, text: "substatus text", action_required: false },
  status_date,
  status_details: details,
  location,
});

/** The published sample with its tracking data replaced, for cases Shippo publishes no sample of. */
function track(patch: Json): string {
  const body = JSON.parse(trackUpdated) as { data: Json };
  return JSON.stringify({ ...body, data: { ...body.data, ...patch } });
}

const HISTORY = [
  status("PRE_TRANSIT", "information_received", "2024-03-01T15:00:00Z"),
  status("TRANSIT", "package_accepted", "2024-03-01T22:10:00Z"),
  status("TRANSIT", "package_departed", "2024-03-02T04:00:00Z"),
  status("TRANSIT", "out_for_delivery", "2024-03-03T13:05:00Z"),
];

async function mapOne(raw: string): Promise<MappedEvent> {
  return only(await shippo.map(webhook(raw)));
}

describe("shippo: verification", () => {
  it("verifies a fresh signature over the raw bytes of the published sample", async () => {
    await expect(shippo.verify(await signed(trackUpdated), [SECRET])).resolves.toBeUndefined();
  });

  it("rejects the same payload re-serialised", async () => {
    const header = await signShippo(SECRET, bytes(trackUpdated), now());
    const err = await thrown(shippo.verify(webhook(JSON.stringify(JSON.parse(trackUpdated)), header), [SECRET]));
    expect((err as SignatureError).reason).toBe("invalid");
  });

  it("rejects a signature older than the tolerance (a replay)", async () => {
    const err = await thrown(shippo.verify(await signed(trackUpdated, SECRET, now() - TOLERANCE_SECONDS - 60), [SECRET]));
    expect((err as SignatureError).reason).toBe("stale");
  });

  it("accepts the new secret while the old one is still active (rotation)", async () => {
    await expect(shippo.verify(await signed(trackUpdated, "rotated"), [SECRET, "rotated"])).resolves.toBeUndefined();
  });

  it("rejects a request without Shippo-Auth-Signature", async () => {
    const err = await thrown(shippo.verify(webhook(trackUpdated), [SECRET]));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).reason).toBe("missing");
  });
});

describe("shippo: mapping the published track_updated sample", () => {
  it("maps the delivered status, which appears both as current status and in the history, to one event", async () => {
    const e = await mapOne(trackUpdated);
    expect(e).toMatchObject({
      code: "shipment.delivered",
      occurredAt: "2016-07-23T00:00:00.000Z",
      source: "shippo",
      trackingNumber: "9205590164917312751089",
      carrier: "usps",
      location: { city: "Las Vegas", region: "NV", postalCode: "89101", country: "US" },
      description: "Your shipment has been delivered at the destination mailbox.",
      eta: "2019-08-24T14:15:22.000Z",
    });
    expect(e.eventId).toMatch(/^shippo:[0-9a-f]{32}$/);
  });

  it("correlates by tracking number only, not by metadata or transaction", async () => {
    const e = await mapOne(trackUpdated);
    expect(e.orderId).toBeUndefined();
    expect(e.orderRef).toBeUndefined();
    expect(e.shipmentId).toBeUndefined();
  });

  it("produces an event that is canonical once the order is resolved", async () => {
    expect(canonicalOnceResolved(await mapOne(trackUpdated))).toBe(true);
  });

  it("normalises a tracking number printed with spaces and in lower case", async () => {
    expect((await mapOne(track({ tracking_number: "9205 5901 6491 7312 7510 89" }))).trackingNumber).toBe("9205590164917312751089");
    expect((await mapOne(track({ tracking_number: "1z999aa10123456784" }))).trackingNumber).toBe("1Z999AA10123456784");
  });
});

describe("shippo: a whole history", () => {
  const current = HISTORY[3] as Json;
  const raw = track({ tracking_history: HISTORY, tracking_status: current });

  it("maps each status once, oldest first", async () => {
    const { events } = await shippo.map(webhook(raw));
    expect(events.map((e) => [e.code, e.occurredAt])).toEqual([
      ["shipment.label_created", "2024-03-01T15:00:00.000Z"],
      ["shipment.in_transit", "2024-03-01T22:10:00.000Z"],
      ["shipment.in_transit", "2024-03-02T04:00:00.000Z"],
      ["shipment.out_for_delivery", "2024-03-03T13:05:00.000Z"],
    ]);
  });

  it("gives the same ids when the same history is sent again, in any order", async () => {
    const first = (await shippo.map(webhook(raw))).events.map((e) => e.eventId);
    const reversed = track({ tracking_history: [...HISTORY].reverse(), tracking_status: current });
    expect((await shippo.map(webhook(reversed))).events.map((e) => e.eventId)).toEqual(first);
  });

  it("gives the old ids plus one when the history grows by one status", async () => {
    const old = (await shippo.map(webhook(raw))).events.map((e) => e.eventId);
    const delivered = status("DELIVERED", "delivered", "2024-03-03T17:40:00Z");
    const { events } = await shippo.map(webhook(track({ tracking_history: [...HISTORY, delivered], tracking_status: delivered })));
    expect(events.map((e) => e.eventId).slice(0, 4)).toEqual(old);
    expect(events).toHaveLength(5);
    expect(events.at(-1)).toMatchObject({ code: "shipment.delivered", occurredAt: "2024-03-03T17:40:00.000Z" });
  });
});

describe("shippo: statuses and substatuses", () => {
  const one = (s: string, code: string | null) => track({ tracking_history: [], tracking_status: status(s, code, "2024-03-03T12:00:00Z") });

  it.each([
    ["PRE_TRANSIT", "information_received", "shipment.label_created"],
    ["TRANSIT", "package_departed", "shipment.in_transit"],
    ["TRANSIT", null, "shipment.in_transit"],
    ["TRANSIT", "out_for_delivery", "shipment.out_for_delivery"],
    ["TRANSIT", "delivery_attempted", "shipment.delivery_attempted"],
    ["TRANSIT", "notice_left", "shipment.delivery_attempted"],
    ["TRANSIT", "pickup_available", "shipment.available_for_pickup"],
    ["DELIVERED", "delivered", "shipment.delivered"],
    ["RETURNED", "return_to_sender", "shipment.returned_to_sender"],
    ["RETURNED", "package_unclaimed", "shipment.returned_to_sender"],
  ])("maps %s (%s) to %s", async (s, code, expected) => {
    const e = await mapOne(one(s, code));
    expect(e.code).toBe(expected);
    expect(e.reason).toBeUndefined();
  });

  it.each([
    ["TRANSIT", "address_issue", "address_issue"],
    ["TRANSIT", "package_damaged", "damaged"],
    ["TRANSIT", "delayed", "delayed"],
    ["TRANSIT", "package_held", "other"],
    ["FAILURE", "package_lost", "lost"],
    ["FAILURE", "package_disposed", "lost"],
    ["FAILURE", "package_undeliverable", "other"],
    ["FAILURE", null, "other"],
  ])("maps %s (%s) to an exception with reason %s", async (s, code, reason) => {
    expect(await mapOne(one(s, code))).toMatchObject({ code: "shipment.exception", reason });
  });

  it("accepts a substatus sent as a bare string (older API versions)", async () => {
    const raw = track({ tracking_history: [], tracking_status: { ...status("TRANSIT", null, "2024-03-03T12:00:00Z"), substatus: "out_for_delivery" } });
    expect((await mapOne(raw)).code).toBe("shipment.out_for_delivery");
  });

  it("acknowledges an UNKNOWN tracking with no event", async () => {
    const { events, ignored } = await shippo.map(webhook(track({ tracking_history: [], tracking_status: status("UNKNOWN", "other", null) })));
    expect(events).toEqual([]);
    expect(ignored).toMatch(/no dated status/);
  });

  it("leaves out a status Shippo has not dated yet", async () => {
    const raw = track({
      tracking_history: [status("TRANSIT", "package_accepted", null)],
      tracking_status: status("TRANSIT", "package_departed", "2024-03-02T04:00:00Z"),
    });
    expect((await mapOne(raw)).occurredAt).toBe("2024-03-02T04:00:00.000Z");
  });

  it("converts a status_date with an offset to UTC", async () => {
    const raw = track({ tracking_history: [], tracking_status: status("TRANSIT", null, "2024-03-02T06:00:00+02:00") });
    expect((await mapOne(raw)).occurredAt).toBe("2024-03-02T04:00:00.000Z");
  });

  it("quarantines a status Shippo does not document", async () => {
    const err = await thrown(shippo.map(webhook(one("TELEPORTED", null))));
    expect((err as Unmappable).reason).toMatch(/TELEPORTED/);
  });

  it("quarantines a status_date it cannot read", async () => {
    const raw = track({ tracking_history: [], tracking_status: status("TRANSIT", null, "last Tuesday") });
    expect(await thrown(shippo.map(webhook(raw)))).toBeInstanceOf(Unmappable);
  });
});

describe("shippo: other events and other shapes", () => {
  it("acknowledges a transaction_created event without an event", async () => {
    const { events, ignored } = await shippo.map(webhook(JSON.stringify({ event: "transaction_created", test: true, data: {} })));
    expect(events).toEqual([]);
    expect(ignored).toMatch(/transaction_created/);
  });

  it("quarantines an event it does not know", async () => {
    const err = await thrown(shippo.map(webhook(JSON.stringify({ event: "parcel_teleported", data: {} }))));
    expect((err as Unmappable).reason).toMatch(/parcel_teleported/);
  });

  it("quarantines a track_updated whose data has no tracking number", async () => {
    expect(await thrown(shippo.map(webhook(JSON.stringify({ event: "track_updated", data: { carrier: "usps" } }))))).toBeInstanceOf(Unmappable);
  });

  it("answers 400 for bytes that are not JSON", async () => {
    const err = await thrown(shippo.map(webhook("<xml/>")));
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(400);
  });
});
