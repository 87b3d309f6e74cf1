import { describe, expect, it } from "vitest";
import { CanonicalEvent } from "../../domain/event";
import { inbound } from "../test-helpers";
import type { InboundWebhook, MappedEvent } from "../types";
import { Unmappable } from "../types";
import { x12 } from "./adapter";
import canadaPost from "./fixtures/canadapost-214.edi?raw";
import multistop from "./fixtures/multistop-214.edi?raw";
import resent from "./fixtures/multistop-214-resent.edi?raw";

const req = (body: string): InboundWebhook => inbound("edi", body, { "content-type": "application/edi-x12" }, "2026-11-20T18:00:00Z");
const map = async (body: string) => x12.map(req(body));
const summary = (e: MappedEvent) => [e.code, e.occurredAt, e.trackingNumber, e.location?.city];

describe("X12 214: multi-stop status (hand-made, several LX/AT7 loops)", () => {
  it("maps each AT7 status to one event, sorted by when it happened", async () => {
    const { events, ignored } = await map(multistop);
    expect(ignored).toBeUndefined();
    expect(events.map(summary)).toEqual(
      [
        ["shipment.in_transit", "2026-11-18T16:15:00.000Z", "PRO77889901", "MEMPHIS"], // AF 10:15 CT
        ["shipment.in_transit", "2026-11-19T12:15:30.000Z", "PRO77889901", "NASHVILLE"], // X6 06:15:30 LT, Tennessee
        ["shipment.exception", "2026-11-19T12:00:00.000Z", "PRO77889901", "KNOXVILLE"], // SD 12:00 UT
        ["shipment.out_for_delivery", "2026-11-20T14:30:00.000Z", "PRO77889901", "ASHEVILLE"], // X1 09:30 ET
        ["shipment.delivered", "2026-11-20T15:03:00.000Z", "PRO77889901", "ASHEVILLE"], // D1 10:03 ES
        ["shipment.delivery_attempted", "2026-11-20T21:45:00.000Z", "PRO2002", "GREENVILLE"], // AP, second set
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    );
  });

  it("correlates by the normalised B1001 tracking number and takes our order id from B1002", async () => {
    const { events } = await map(multistop);
    const delivered = events.find((e) => e.code === "shipment.delivered");
    expect(multistop).toContain("B10*pro 7788-9901*SO-1001*ODFL~");
    expect(delivered).toMatchObject({ trackingNumber: "PRO77889901", orderId: "SO-1001", carrier: "ODFL", source: "edi" });
    expect(delivered?.location).toEqual({ city: "ASHEVILLE", region: "NC", country: "US" });
    expect(events.find((e) => e.code === "shipment.delivery_attempted")?.orderId).toBe("SO-1002");
  });

  it("takes the reason from AT702: a weather delay is an exception with reason weather", async () => {
    const { events } = await map(multistop);
    expect(events.find((e) => e.code === "shipment.exception")).toMatchObject({
      reason: "weather",
      description: "Shipment Delayed - Weather or Natural Disaster Related",
    });
    expect(events.find((e) => e.code === "shipment.delivery_attempted")?.description).toBe("Delivery Not Completed - Missed Delivery");
  });

  it("uses the estimated delivery (AG) as the ETA of the set's events, not as an event", async () => {
    const { events } = await map(multistop);
    const first = events.filter((e) => e.trackingNumber === "PRO77889901");
    expect(first.every((e) => e.eta === "2026-11-20T22:00:00.000Z")).toBe(true);
    expect(events.find((e) => e.trackingNumber === "PRO2002")?.eta).toBeUndefined();
  });

  it("skips the carrier's arrival at the pickup (X3) and appointment-only AT7s", async () => {
    const { events } = await map(multistop);
    expect(multistop).toContain("AT7*X3*NS***20261118*0800*CT~");
    expect(multistop).toContain("AT7***AA*NS*20261120*0900*ET~");
    expect(events.some((e) => e.occurredAt === "2026-11-18T14:00:00.000Z")).toBe(false);
    expect(events).toHaveLength(6);
  });

  it("gives the same ids when the same 214 is mapped twice", async () => {
    const a = (await map(multistop)).events.map((e) => e.eventId);
    const b = (await map(multistop)).events.map((e) => e.eventId);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    expect(a.every((id) => /^edi:[0-9a-f]{32}$/.test(id))).toBe(true);
  });

  it("gives the old ids plus one when the carrier re-sends the history with one more stop (new control numbers)", async () => {
    const before = (await map(multistop)).events.map((e) => e.eventId);
    const after = await map(resent);
    expect(resent).not.toContain("000000701");
    expect(after.events.map((e) => e.eventId)).toEqual(expect.arrayContaining(before));
    expect(after.events).toHaveLength(before.length + 1);
    const added = after.events.filter((e) => !before.includes(e.eventId));
    expect(added.map(summary)).toEqual([["shipment.in_transit", "2026-11-19T08:00:00.000Z", "PRO77889901", "NASHVILLE"]]);
  });

  it("produces events that pass the canonical schema once the order is resolved", async () => {
    for (const e of (await map(multistop)).events) {
      expect(CanonicalEvent.safeParse({ orderId: "SO-1001", ...e }).success).toBe(true);
    }
  });
});

describe("X12 214: Canada Post's published sample (19 sets, newline terminator)", () => {
  it("maps one event per transaction set with the codes and zones of each AT7", async () => {
    const { events } = await map(canadaPost);
    expect(events).toHaveLength(19);
    const byTracking = (t: string) => events.filter((e) => e.trackingNumber === t).map((e) => [e.code, e.occurredAt]);
    // XB with no time code: local time in Ontario, on the day daylight saving ended.
    expect(byTracking("4343638097845589")).toEqual([["shipment.label_created", "2019-11-03T20:34:00.000Z"]]);
    expect(byTracking("4343638098050296")).toEqual([["shipment.delivery_attempted", "2019-11-02T23:25:00.000Z"]]);
    expect(byTracking("4343638098146166")).toEqual([["shipment.delivered", "2019-11-02T22:48:00.000Z"]]);
    expect(byTracking("4343638098181877")).toEqual([["shipment.in_transit", "2019-11-03T21:09:00.000Z"]]);
    // One parcel reported in three sets: three events, in the order they happened.
    expect(byTracking("4343638316026577")).toEqual([
      ["shipment.in_transit", "2019-11-02T22:55:00.000Z"],
      ["shipment.delivery_attempted", "2019-11-03T15:15:00.000Z"],
      ["shipment.in_transit", "2019-11-03T15:37:00.000Z"],
    ]);
  });

  it("trims the padded B10 and does not take B1002 (the tracking number again) as our order id", async () => {
    const { events } = await map(canadaPost);
    expect(events.every((e) => e.orderId === undefined && e.carrier === "CPCC")).toBe(true);
    expect(events.every((e) => /^\d{16}$/.test(e.trackingNumber ?? ""))).toBe(true);
  });

  it("maps a cancellation to an exception and keeps the MS1 place", async () => {
    const { events } = await map(canadaPost);
    expect(events.find((e) => e.trackingNumber === "4343638931638575")).toMatchObject({
      code: "shipment.exception",
      reason: "other",
      description: "Shipment Cancelled - Returned to Shipper",
      location: { city: "SAW", region: "BC", country: "CA" },
    });
  });

  it("is sorted by occurredAt", async () => {
    const at = (await map(canadaPost)).events.map((e) => e.occurredAt);
    expect(at).toEqual([...at].sort());
  });
});

describe("X12 214: what is not mapped", () => {
  const only = (at7: string, b10 = "B10*PRO1*SO-9*ODFL") => {
    const body = [b10, "LX*1", at7, "MS1*MEMPHIS*TN*US"];
    const isa = canadaPost.slice(0, 106).replaceAll("\n", "~");
    return `${isa}GS*QM*CPC*00602679321*20191103*1800*1*X*004010~ST*214*0001~${body.join("~")}~SE*${body.length + 2}*0001~GE*1*1~IEA*1*000001644~`;
  };

  it("ignores a 214 whose only status is not a milestone, saying why", async () => {
    expect(await map(only("AT7*X3*NS***20261118*0800*CT"))).toEqual({
      events: [],
      ignored: "214 0001: no mapped status (X3 (the carrier is at the pickup; nothing has moved yet))",
    });
  });

  it("ignores an unknown status code", async () => {
    expect((await map(only("AT7*ZZ*NS***20261118*0800*CT"))).ignored).toContain("ZZ (not a status we map)");
  });

  it("reads status codes in any case", async () => {
    expect((await map(only("AT7*d1*ns***20261118*0800*ct"))).events[0]?.code).toBe("shipment.delivered");
  });

  it("is Unmappable without a B10", async () => {
    await expect(map(only("AT7*D1*NS***20261118*0800*CT", "K1*NO B10 HERE"))).rejects.toThrow(Unmappable);
  });

  it("is Unmappable without a tracking number or an order reference", async () => {
    await expect(map(only("AT7*D1*NS***20261118*0800*CT", "B10***ODFL"))).rejects.toThrow(/neither a tracking number/);
  });

  it("correlates by the order reference alone when there is no tracking number", async () => {
    const [e] = (await map(only("AT7*D1*NS***20261118*0800*CT", "B10**SO-77*ODFL"))).events;
    expect(e).toMatchObject({ orderId: "SO-77", code: "shipment.delivered" });
    expect(e?.trackingNumber).toBeUndefined();
  });

  it("is Unmappable when a status has no date or an impossible one", async () => {
    await expect(map(only("AT7*D1*NS***"))).rejects.toThrow(/has no date/);
    await expect(map(only("AT7*D1*NS***20261131*0800*CT"))).rejects.toThrow(/not a real day/);
  });
});
