import { describe, expect, it } from "vitest";
import { HttpProblem } from "../../platform/problem";
import { signHmacHexNfkd } from "../schemes/hmac-hex-nfkd";
import { SignatureError } from "../schemes/signature-error";
import { bytes, canonicalOnceResolved, inbound, only, thrown } from "../test-helpers";
import { type InboundWebhook, type MappedEvent, Unmappable } from "../types";
import { easypost } from "./adapter";
import batchCreated from "./fixtures/batch-created.json?raw";
import trackerUpdated from "./fixtures/tracker-updated.json?raw";

const SECRET = "s\u00e9cret";
// EasyPost's own client-library vector for batch-created.json (see fixtures/SOURCES.md).
const PUBLISHED_SIGNATURE = "hmac-sha256-hex=e93977c8ccb20363d51a62b3fe1fc402b7829be1152da9e88cf9e8d07115a46b";

function webhook(raw: string, signature?: string): InboundWebhook {
  return inbound("easypost", raw, signature ? { "x-hmac-signature": signature } : {}, "2024-08-02T19:27:00.000Z");
}

async function signed(raw: string, secret = SECRET): Promise<InboundWebhook> {
  return webhook(raw, await signHmacHexNfkd(secret, bytes(raw)));
}

interface Detail {
  status: string;
  status_detail?: string | null;
  datetime: string;
  message?: string;
  carrier_code?: string;
  tracking_location?: Record<string, string | null>;
}

/** The published tracker.updated fixture with its scans (and optionally its status) replaced. */
function withDetails(details: Detail[], status = "in_transit"): string {
  const event = JSON.parse(trackerUpdated) as { result: Record<string, unknown> };
  event.result.tracking_details = details;
  event.result.status = status;
  return JSON.stringify(event);
}

function publishedDetails(): Detail[] {
  return (JSON.parse(trackerUpdated) as { result: { tracking_details: Detail[] } }).result.tracking_details;
}

async function mapOne(raw: string): Promise<MappedEvent> {
  return only(await easypost.map(webhook(raw)));
}

describe("easypost: verification", () => {
  it("verifies EasyPost's published signature of its batch.created sample", async () => {
    await expect(easypost.verify(webhook(batchCreated, PUBLISHED_SIGNATURE), [SECRET])).resolves.toBeUndefined();
  });

  it("verifies the raw bytes of a payload holding the float 136.0", async () => {
    expect(trackerUpdated).toContain('"weight":136.0,');
    await expect(easypost.verify(await signed(trackerUpdated), [SECRET])).resolves.toBeUndefined();
  });

  it("rejects the same payload re-serialised, where 136.0 has become 136", async () => {
    const reserialised = JSON.stringify(JSON.parse(trackerUpdated));
    expect(reserialised).toContain('"weight":136,');
    const signature = await signHmacHexNfkd(SECRET, bytes(trackerUpdated));
    const err = await thrown(easypost.verify(webhook(reserialised, signature), [SECRET]));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).reason).toBe("invalid");
  });

  it("accepts the new secret while the old one is still active (rotation)", async () => {
    await expect(easypost.verify(await signed(trackerUpdated, "new-secret"), [SECRET, "new-secret"])).resolves.toBeUndefined();
  });

  it("rejects a request without X-Hmac-Signature", async () => {
    const err = await thrown(easypost.verify(webhook(trackerUpdated), [SECRET]));
    expect((err as SignatureError).reason).toBe("missing");
  });
});

describe("easypost: mapping the published tracker.updated sample", () => {
  it("maps each of the 7 scans to one event, oldest first, with UTC instants", async () => {
    const { events, ignored } = await easypost.map(webhook(trackerUpdated));
    expect(ignored).toBeUndefined();
    expect(events.map((e) => [e.code, e.occurredAt])).toEqual([
      ["shipment.label_created", "2024-07-31T15:00:00.000Z"],
      ["shipment.in_transit", "2024-07-31T19:27:00.000Z"],
      ["shipment.in_transit", "2024-07-31T22:35:00.000Z"],
      ["shipment.in_transit", "2024-08-01T14:42:13.000Z"],
      ["shipment.in_transit", "2024-08-02T02:46:19.000Z"],
      ["shipment.in_transit", "2024-08-02T18:35:20.000Z"],
      ["shipment.in_transit", "2024-08-02T18:50:00.000Z"],
    ]);
  });

  it("correlates by the normalised tracking code only, with carrier, place and carrier message", async () => {
    const { events } = await easypost.map(webhook(trackerUpdated));
    for (const e of events) {
      expect(e).toMatchObject({ source: "easypost", trackingNumber: "1", carrier: "FedEx" });
      expect(e.orderId).toBeUndefined();
      expect(e.orderRef).toBeUndefined();
      expect(e.shipmentId).toBeUndefined();
      expect(e.eventId).toMatch(/^easypost:[0-9a-f]{32}$/);
    }
    expect(events[0]?.location).toEqual({ postalCode: "32837", country: "US" });
    expect(events[0]?.description).toBe("Shipment information sent to FedEx");
    expect(events[6]?.location).toEqual({ city: "EDISON", region: "NJ", postalCode: "08817", country: "US" });
  });

  it("puts the tracker's delivery estimate on the latest scan only", async () => {
    const { events } = await easypost.map(webhook(trackerUpdated));
    expect(events.at(-1)?.eta).toBe("2024-08-05T00:00:00.000Z");
    expect(events.slice(0, -1).every((e) => e.eta === undefined)).toBe(true);
  });

  it("produces events that are canonical once the order is resolved", async () => {
    const { events } = await easypost.map(webhook(trackerUpdated));
    for (const e of events) expect(canonicalOnceResolved(e)).toBe(true);
  });

  it("gives the same ids when the same history is sent again", async () => {
    const first = (await easypost.map(webhook(trackerUpdated))).events.map((e) => e.eventId);
    const again = (await easypost.map(webhook(trackerUpdated))).events.map((e) => e.eventId);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(7);
  });

  it("gives the old ids plus one when the history grows by one scan", async () => {
    const old = (await easypost.map(webhook(trackerUpdated))).events.map((e) => e.eventId);
    const delivered: Detail = {
      status: "delivered",
      status_detail: "arrived_at_destination",
      datetime: "2024-08-05T16:20:00Z",
      message: "Delivered",
      carrier_code: "DL",
      tracking_location: { city: "BROOKLYN", state: "NY", country: "US", zip: "11201" },
    };
    const { events } = await easypost.map(webhook(withDetails([...publishedDetails(), delivered], "delivered")));
    expect(events.map((e) => e.eventId).slice(0, 7)).toEqual(old);
    expect(events).toHaveLength(8);
    expect(events.at(-1)).toMatchObject({ code: "shipment.delivered", occurredAt: "2024-08-05T16:20:00.000Z" });
  });

  it("orders scans by when they happened whatever order EasyPost lists them in", async () => {
    const inOrder = (await easypost.map(webhook(trackerUpdated))).events;
    const reversed = (await easypost.map(webhook(withDetails(publishedDetails().reverse())))).events;
    expect(reversed.map((e) => e.eventId)).toEqual(inOrder.map((e) => e.eventId));
  });

  it("tells apart two scans at the same time and place by the carrier's event code", async () => {
    const at = { status: "in_transit", status_detail: "arrived_at_facility", datetime: "2024-08-01T10:00:00Z" };
    const { events } = await easypost.map(
      webhook(
        withDetails([
          { ...at, carrier_code: "AR" },
          { ...at, carrier_code: "DP" },
        ]),
      ),
    );
    expect(new Set(events.map((e) => e.eventId)).size).toBe(2);
  });
});

describe("easypost: statuses", () => {
  const scan = (status: string, status_detail: string | null = null): string =>
    withDetails([{ status, status_detail, datetime: "2024-08-03T12:00:00Z", message: "carrier text" }], status);

  it.each([
    ["pre_transit", "shipment.label_created"],
    ["in_transit", "shipment.in_transit"],
    ["out_for_delivery", "shipment.out_for_delivery"],
    ["delivered", "shipment.delivered"],
    ["available_for_pickup", "shipment.available_for_pickup"],
    ["return_to_sender", "shipment.returned_to_sender"],
  ])("maps %s to %s", async (status, code) => {
    const e = await mapOne(scan(status));
    expect(e.code).toBe(code);
    expect(e.reason).toBeUndefined();
  });

  it.each([
    ["failure", null, "other"],
    ["failure", "damaged", "damaged"],
    ["failure", "lost", "lost"],
    ["failure", "refused", "refused"],
    ["failure", "address_correction", "address_issue"],
    ["error", "weather_delay", "weather"],
    ["error", null, "other"],
    ["cancelled", null, "other"],
  ])("maps %s (%s) to an exception with reason %s", async (status, detail, reason) => {
    expect(await mapOne(scan(status, detail))).toMatchObject({ code: "shipment.exception", reason });
  });

  it("acknowledges a tracker whose only scans are status unknown, with no event", async () => {
    const { events, ignored } = await easypost.map(webhook(scan("unknown")));
    expect(events).toEqual([]);
    expect(ignored).toMatch(/no scan to report/);
  });

  it("acknowledges a new tracker that has no tracking details yet", async () => {
    const { events, ignored } = await easypost.map(webhook(withDetails([], "unknown")));
    expect(events).toEqual([]);
    expect(ignored).toBeDefined();
  });

  it("quarantines a status EasyPost does not document", async () => {
    const err = await thrown(easypost.map(webhook(scan("teleported"))));
    expect(err).toBeInstanceOf(Unmappable);
    expect((err as Unmappable).reason).toMatch(/teleported/);
  });
});

describe("easypost: timestamps", () => {
  const at = (datetime: string) => withDetails([{ status: "in_transit", datetime }]);

  it("converts an offset to UTC", async () => {
    expect((await mapOne(at("2024-07-31T10:00:00-05:00"))).occurredAt).toBe("2024-07-31T15:00:00.000Z");
  });

  it("reads a time without a zone as UTC, as EasyPost documents for scans without a location", async () => {
    expect((await mapOne(at("2024-07-31T15:00:00"))).occurredAt).toBe("2024-07-31T15:00:00.000Z");
  });

  it("quarantines a scan whose time cannot be read", async () => {
    expect(await thrown(easypost.map(webhook(at("yesterday"))))).toBeInstanceOf(Unmappable);
  });
});

describe("easypost: other events and other shapes", () => {
  it("acknowledges EasyPost's batch.created sample without an event", async () => {
    const { events, ignored } = await easypost.map(webhook(batchCreated));
    expect(events).toEqual([]);
    expect(ignored).toMatch(/batch\.created/);
  });

  it("quarantines an event type it does not know", async () => {
    const raw = JSON.stringify({ object: "Event", description: "parcel.teleported", result: {} });
    expect(((await thrown(easypost.map(webhook(raw)))) as Unmappable).reason).toMatch(/parcel\.teleported/);
  });

  it("quarantines a tracker event whose result is not a Tracker", async () => {
    const event = JSON.parse(trackerUpdated) as { result: Record<string, unknown> };
    event.result.object = "Shipment";
    const err = await thrown(easypost.map(webhook(JSON.stringify(event))));
    expect(err).toBeInstanceOf(Unmappable);
    expect((err as Unmappable).reason).toMatch(/Tracker/);
  });

  it("quarantines JSON that is not an EasyPost Event", async () => {
    expect(await thrown(easypost.map(webhook('{"hello":"world"}')))).toBeInstanceOf(Unmappable);
  });

  it("answers 400 for bytes that are not JSON", async () => {
    const err = await thrown(easypost.map(webhook('{"description":')));
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(400);
  });
});
