import { describe, expect, it } from "vitest";
import { HttpProblem } from "../../platform/problem";
import { signHmacBase64 } from "../schemes/hmac-base64";
import { SignatureError } from "../schemes/signature-error";
import { bytes, canonicalOnceResolved, inbound, only, patched, thrown } from "../test-helpers";
import { type InboundWebhook, type MappedEvent, Unmappable } from "../types";
import { AFTERSHIP_SIGNATURE_HEADER, aftership } from "./adapter";
import sdkResult from "./fixtures/get-tracking-result.json?raw";

const SECRET = "aftership-webhook-secret";

// The webhook's `msg` is the Tracking object. AfterShip's published Tracking (the SDK fixture) is spliced in
// byte for byte, inside the envelope its Webhook Specifications page documents.
const TRACKING_START = sdkResult.indexOf('"tracking": ') + '"tracking": '.length;
const TRACKING = sdkResult.slice(TRACKING_START, sdkResult.lastIndexOf("\n  }\n}"));
const envelope = (msg: string, event = "tracking_update") =>
  `{"event":"${event}","event_id":"94dadd60-ed26-46d0-aa52-3ced925a50ff","is_tracking_first_tag":false,"msg":${msg},"ts":1532481000}`;
const TRACKING_UPDATE = envelope(TRACKING);

function webhook(raw: string, signature?: string): InboundWebhook {
  return inbound("aftership", raw, signature ? { [AFTERSHIP_SIGNATURE_HEADER]: signature } : {}, "2018-07-25T01:30:00.000Z");
}

async function signed(raw: string, secret = SECRET): Promise<InboundWebhook> {
  return webhook(raw, await signHmacBase64(secret, bytes(raw)));
}

type Json = Record<string, unknown>;
/** The published Tracking with some fields replaced, for cases AfterShip publishes no sample of. */
function tracking(patch: Json): string {
  return envelope(patched(TRACKING, patch));
}
function publishedCheckpoints(): Json[] {
  return (JSON.parse(TRACKING) as { checkpoints: Json[] }).checkpoints;
}
const checkpoint = (patch: Json): Json => ({ slug: "usps", tag: "InTransit", subtag: "InTransit_001", message: "In transit", ...patch });

async function mapOne(raw: string): Promise<MappedEvent> {
  return only(await aftership.map(webhook(raw)));
}

describe("aftership: verification", () => {
  it("keeps the published Tracking byte for byte inside the envelope", () => {
    expect(JSON.parse(TRACKING)).toEqual((JSON.parse(sdkResult) as { data: { tracking: unknown } }).data.tracking);
  });

  it("verifies a signature over the raw bytes", async () => {
    await expect(aftership.verify(await signed(TRACKING_UPDATE), [SECRET])).resolves.toBeUndefined();
  });

  it("rejects the same payload re-serialised", async () => {
    const signature = await signHmacBase64(SECRET, bytes(TRACKING_UPDATE));
    const err = await thrown(aftership.verify(webhook(JSON.stringify(JSON.parse(TRACKING_UPDATE)), signature), [SECRET]));
    expect((err as SignatureError).reason).toBe("invalid");
  });

  it("accepts the new secret while the old one is still active (rotation)", async () => {
    await expect(aftership.verify(await signed(TRACKING_UPDATE, "rotated"), [SECRET, "rotated"])).resolves.toBeUndefined();
  });

  it("rejects a request without the aftership-hmac-sha256 header", async () => {
    const err = await thrown(aftership.verify(webhook(TRACKING_UPDATE), [SECRET]));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as SignatureError).reason).toBe("missing");
  });
});

describe("aftership: mapping the published Tracking", () => {
  it("maps each of the 14 checkpoints to one event, ordered by instant across offsets", async () => {
    const { events, ignored } = await aftership.map(webhook(TRACKING_UPDATE));
    expect(ignored).toBeUndefined();
    expect(events).toHaveLength(14);
    expect(events[0]).toMatchObject({ code: "shipment.label_created", occurredAt: "2018-07-23T06:21:39.000Z" });
    expect(events[1]).toMatchObject({ code: "shipment.in_transit", occurredAt: "2018-07-23T08:58:00.000Z" });
    expect(events.at(-2)).toMatchObject({ code: "shipment.out_for_delivery", occurredAt: "2018-07-24T04:02:00.000Z" });
    expect(events.at(-1)).toMatchObject({ code: "shipment.delivered", occurredAt: "2018-07-25T01:10:00.000Z" });
    const instants = events.map((e) => e.occurredAt);
    expect([...instants].sort()).toEqual(instants);
  });

  it("correlates by the normalised tracking number only, with carrier, country and message", async () => {
    const { events } = await aftership.map(webhook(TRACKING_UPDATE));
    for (const e of events) {
      expect(e).toMatchObject({ source: "aftership", trackingNumber: "111111111111", carrier: "fedex" });
      expect(e.orderId).toBeUndefined();
      expect(e.orderRef).toBeUndefined();
      expect(e.eventId).toMatch(/^aftership:[0-9a-f]{32}$/);
    }
    expect(events[0]?.location).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ location: { country: "JPN" }, description: "Delivered" });
  });

  it("produces events that are canonical once the order is resolved", async () => {
    const { events } = await aftership.map(webhook(TRACKING_UPDATE));
    for (const e of events) expect(canonicalOnceResolved(e)).toBe(true);
  });

  it("tells apart two checkpoints at the same instant by their subtag", async () => {
    const { events } = await aftership.map(webhook(TRACKING_UPDATE));
    const same = events.filter((e) => e.occurredAt === "2018-07-23T15:14:00.000Z");
    expect(same).toHaveLength(2);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(14);
  });

  it("gives the same ids when the same checkpoints are sent again", async () => {
    const first = (await aftership.map(webhook(TRACKING_UPDATE))).events.map((e) => e.eventId);
    expect((await aftership.map(webhook(TRACKING_UPDATE))).events.map((e) => e.eventId)).toEqual(first);
  });

  it("gives the old ids plus one when a checkpoint is added", async () => {
    const old = (await aftership.map(webhook(TRACKING_UPDATE))).events.map((e) => e.eventId);
    const extra = checkpoint({ tag: "Exception", subtag: "Exception_012", checkpoint_time: "2018-07-26T09:00:00+09:00", message: "Damaged" });
    const { events } = await aftership.map(webhook(tracking({ checkpoints: [...publishedCheckpoints(), extra] })));
    expect(events).toHaveLength(15);
    expect(events.map((e) => e.eventId).filter((id) => !old.includes(id))).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ code: "shipment.exception", reason: "damaged" });
  });

  it("orders checkpoints by instant whatever order AfterShip lists them in", async () => {
    const inOrder = (await aftership.map(webhook(TRACKING_UPDATE))).events.map((e) => e.eventId);
    const reversed = (await aftership.map(webhook(tracking({ checkpoints: publishedCheckpoints().reverse() })))).events;
    expect(reversed.map((e) => e.eventId)).toEqual(inOrder);
  });
});

describe("aftership: checkpoint_time, with and without an offset", () => {
  const at = (checkpoint_time: string) => tracking({ checkpoints: [checkpoint({ checkpoint_time })] });

  it("converts a checkpoint_time with an offset to UTC", async () => {
    expect((await mapOne(at("2018-07-23T01:21:39-05:00"))).occurredAt).toBe("2018-07-23T06:21:39.000Z");
  });

  it("reads a local checkpoint_time without an offset as UTC wall-clock time (documented assumption)", async () => {
    expect((await mapOne(at("2021-01-14T00:52:00"))).occurredAt).toBe("2021-01-14T00:52:00.000Z");
  });

  it("reads a date alone as midnight UTC", async () => {
    expect((await mapOne(at("2021-01-14"))).occurredAt).toBe("2021-01-14T00:00:00.000Z");
  });

  it("leaves out a checkpoint with an empty checkpoint_time, which cannot be placed", async () => {
    const { events, ignored } = await aftership.map(webhook(at("")));
    expect(events).toEqual([]);
    expect(ignored).toMatch(/no checkpoint to report/);
  });

  it("quarantines a checkpoint_time it cannot read", async () => {
    expect(await thrown(aftership.map(webhook(at("14/01/2021 00:52"))))).toBeInstanceOf(Unmappable);
  });
});

describe("aftership: tags and subtags", () => {
  const one = (tag: string, subtag: string) =>
    tracking({ tag, subtag, checkpoints: [checkpoint({ tag, subtag, checkpoint_time: "2024-03-01T10:00:00+01:00" })] });

  it.each([
    ["InfoReceived", "InfoReceived_001", "shipment.label_created"],
    ["InTransit", "InTransit_007", "shipment.in_transit"],
    ["OutForDelivery", "OutForDelivery_001", "shipment.out_for_delivery"],
    ["AttemptFail", "AttemptFail_001", "shipment.delivery_attempted"],
    ["Delivered", "Delivered_001", "shipment.delivered"],
    ["AvailableForPickup", "AvailableForPickup_001", "shipment.available_for_pickup"],
    ["Exception", "Exception_010", "shipment.returned_to_sender"],
    ["Exception", "Exception_011", "shipment.returned_to_sender"],
  ])("maps %s (%s) to %s", async (tag, subtag, code) => {
    const e = await mapOne(one(tag, subtag));
    expect(e.code).toBe(code);
    expect(e.reason).toBeUndefined();
  });

  it.each([
    ["Exception_001", "other"],
    ["Exception_002", "address_issue"],
    ["Exception_003", "refused"],
    ["Exception_004", "customs_hold"],
    ["Exception_005", "delayed"],
    ["Exception_007", "address_issue"],
    ["Exception_012", "damaged"],
    ["Exception_013", "lost"],
    ["Exception_017", "weather"],
    ["Exception_099", "other"],
  ])("maps Exception %s to reason %s", async (subtag, reason) => {
    expect(await mapOne(one("Exception", subtag))).toMatchObject({ code: "shipment.exception", reason });
  });

  it("maps an Expired checkpoint to an exception needing a look", async () => {
    expect(await mapOne(one("Expired", "Expired_001"))).toMatchObject({ code: "shipment.exception", reason: "other" });
  });

  it("turns an Expired tracking without checkpoints into one exception dated by the webhook", async () => {
    const raw = tracking({ tag: "Expired", subtag: "Expired_001", checkpoints: [] });
    const e = await mapOne(raw);
    expect(e).toMatchObject({ code: "shipment.exception", reason: "other", occurredAt: "2018-07-25T01:10:00.000Z" });
    expect((await mapOne(raw)).eventId).toBe(e.eventId);
  });

  it("acknowledges a Pending tracking with no event", async () => {
    const { events, ignored } = await aftership.map(webhook(tracking({ tag: "Pending", subtag: "Pending_001", checkpoints: [] })));
    expect(events).toEqual([]);
    expect(ignored).toBeDefined();
  });

  it("skips Pending checkpoints among others", async () => {
    const cps = [
      checkpoint({ tag: "Pending", subtag: "Pending_001", checkpoint_time: "2024-03-01T08:00:00Z" }),
      checkpoint({ checkpoint_time: "2024-03-01T09:00:00Z" }),
    ];
    expect((await mapOne(tracking({ checkpoints: cps }))).code).toBe("shipment.in_transit");
  });

  it("quarantines a tag AfterShip does not document", async () => {
    const err = await thrown(aftership.map(webhook(one("Teleported", "Teleported_001"))));
    expect((err as Unmappable).reason).toMatch(/Teleported/);
  });

  it("puts a delivery estimate on the latest event only", async () => {
    const cps = [checkpoint({ checkpoint_time: "2024-03-01T08:00:00Z" }), checkpoint({ checkpoint_time: "2024-03-02T08:00:00Z", subtag: "InTransit_007" })];
    const { events } = await aftership.map(webhook(tracking({ checkpoints: cps, expected_delivery: "2024-03-05" })));
    expect(events.map((e) => e.eta)).toEqual([undefined, "2024-03-05T00:00:00.000Z"]);
  });
});

describe("aftership: other events and other shapes", () => {
  it("acknowledges an estimated-delivery revision without an event", async () => {
    const { events, ignored } = await aftership.map(webhook(envelope(TRACKING, "edd_revise")));
    expect(events).toEqual([]);
    expect(ignored).toMatch(/edd_revise/);
  });

  it("quarantines an event it does not know", async () => {
    expect(((await thrown(aftership.map(webhook(envelope(TRACKING, "tracking_teleported"))))) as Unmappable).reason).toMatch(/tracking_teleported/);
  });

  it("quarantines a tracking_update whose msg has no tracking number", async () => {
    expect(await thrown(aftership.map(webhook(envelope('{"tag":"InTransit"}'))))).toBeInstanceOf(Unmappable);
  });

  it("quarantines JSON that is not an AfterShip webhook", async () => {
    expect(await thrown(aftership.map(webhook('{"tracking_number":"1Z"}')))).toBeInstanceOf(Unmappable);
  });

  it("answers 400 for bytes that are not JSON", async () => {
    const err = await thrown(aftership.map(webhook("not json")));
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).status).toBe(400);
  });
});
