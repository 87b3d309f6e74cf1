import { describe, expect, it } from "vitest";
import { CanonicalEvent } from "../../domain/event";
import { inbound } from "../test-helpers";
import type { InboundWebhook } from "../types";
import { Unmappable } from "../types";
import { x12 } from "./adapter";
import repaired from "./fixtures/x12types-945-repaired.edi?raw";
import twoSets from "./fixtures/two-945s.edi?raw";

const req = (body: string): InboundWebhook => inbound("edi", body, { "content-type": "application/edi-x12" }, "2026-11-20T18:00:00Z");
const map = async (body: string) => x12.map(req(body));

describe("X12 945: the published sample (ISA padding and SE count repaired)", () => {
  it("maps to one shipment.dispatched with the order, shipment, carrier and lines", async () => {
    const { events } = await map(repaired);
    expect(events).toEqual([
      {
        eventId: "edi:945:BOL12345",
        source: "edi",
        code: "shipment.dispatched",
        // W0603 only (G62*10 is the REQUESTED ship date): the calendar day, as noon UTC.
        occurredAt: "2019-06-04T12:00:00.000Z",
        orderId: "IF102",
        shipmentId: "BOL12345",
        orderRef: { system: "edi", id: "BOL12345" },
        carrier: "NPLT",
        lines: [{ sku: "123456789", quantity: 3000 }],
        description: "Shipped 3000 units",
      },
    ]);
  });

  it("passes the canonical schema", async () => {
    const [e] = (await map(repaired)).events;
    expect(CanonicalEvent.safeParse({ orderId: "IF102", ...e }).success).toBe(true);
  });
});

describe("X12 945: two sets in one group (hand-made)", () => {
  it("maps one event per transaction set", async () => {
    const { events } = await map(twoSets);
    expect(events.map((e) => e.eventId)).toEqual(["edi:945:WH-SHP-5002", "edi:945:WH-SHP-5001"]);
  });

  it("takes the ship time from G62 qualifier 11 with its time code, and the tracking number from N9*2I", async () => {
    const e = (await map(twoSets)).events.find((x) => x.shipmentId === "WH-SHP-5001");
    expect(twoSets).toContain("G62*11*20261120*8*0845*CT~");
    expect(e).toMatchObject({
      occurredAt: "2026-11-20T14:45:00.000Z",
      orderId: "SO-1001",
      trackingNumber: "1Z999AA10123456784",
      carrier: "UPSN",
      location: { city: "Memphis", region: "TN", country: "US" },
      description: "Shipped 4 units",
    });
  });

  it("says what shipped in our own words, never who it went to: no ship-to name or address reaches the description or the place", async () => {
    const e = (await map(twoSets)).events.find((x) => x.shipmentId === "WH-SHP-5001");
    expect(twoSets).toContain("N1*ST*Jane Doe~");
    expect(e?.description).toBe("Shipped 4 units");
    // The place of the fact is where the parcel was when it happened: the warehouse's city, never a street or postal code.
    expect(e?.location).toEqual({ city: "Memphis", region: "TN", country: "US" });
    expect(JSON.stringify(e)).not.toMatch(/Jane|Doe|Asheville|Main St|28801|38118|Distribution Dr/);
  });

  it("sums a SKU shipped from two lots and leaves out lines with nothing shipped", async () => {
    const e = (await map(twoSets)).events.find((x) => x.shipmentId === "WH-SHP-5001");
    expect(e?.lines).toEqual([
      { sku: "WID-1", quantity: 3 },
      { sku: "GAD-2", quantity: 1 },
    ]);
  });

  it("correlates by the warehouse's shipment id when the depositor order number is empty", async () => {
    const e = (await map(twoSets)).events.find((x) => x.shipmentId === "WH-SHP-5002");
    expect(e?.orderId).toBeUndefined();
    expect(e).toMatchObject({ orderRef: { system: "edi", id: "WH-SHP-5002" }, occurredAt: "2026-11-20T12:00:00.000Z", carrier: "FDEG" });
  });

  it("takes a G62 time without a time code as UTC", async () => {
    const e = (await map(twoSets.replace("*8*0845*CT~", "*8*0845~"))).events.find((x) => x.shipmentId === "WH-SHP-5001");
    expect(e?.occurredAt).toBe("2026-11-20T08:45:00.000Z");
  });

  it("prefers the tracking number (2I), then the PRO (CN), then the bill of lading (BM)", async () => {
    const tracking = async (body: string) => (await map(body)).events.find((x) => x.shipmentId === "WH-SHP-5001")?.trackingNumber;
    const withPro = twoSets.replace("N9*BM*BOL-8812~", "N9*BM*BOL-8812~\nN9*CN*PRO-4411~").replace("SE*23*0001~", "SE*24*0001~");
    expect(await tracking(withPro)).toBe("1Z999AA10123456784");
    expect(await tracking(withPro.replace("N9*2I*1z 999 aa1 01 2345 6784~", "N9*ZZ*unrelated~"))).toBe("PRO4411");
    expect(await tracking(twoSets.replace("N9*2I*1z 999 aa1 01 2345 6784~", "N9*ZZ*unrelated~"))).toBe("BOL8812");
  });

  it("gives the same id when the 945 is re-sent", async () => {
    const a = (await map(twoSets)).events.map((e) => e.eventId);
    const b = (await map(twoSets.replace("*000000088*", "*000000089*").replace("IEA*1*000000088~", "IEA*1*000000089~"))).events.map((e) => e.eventId);
    expect(b).toEqual(a);
  });
});

describe("X12 945: a split order whose warehouse gives no shipment id (W0604)", () => {
  const sets = (bodies: string[][]) => {
    const isa = twoSets.slice(0, 106);
    const st = bodies.map((b, i) => `ST*945*000${i + 1}~${b.join("~")}~SE*${b.length + 2}*000${i + 1}~`).join("");
    return `${isa}\nGS*SW*ACME3PL*DOCKLINE*20261120*0910*9*X*004010~${st}GE*${bodies.length}*9~IEA*1*000000088~`;
  };
  const first = ["W06*F*SO-SPLIT*20261120", "N9*2I*1Z999AA10000000001", "W27*M*UPSN", "LX*1", "W12*CC*1*1**EA**VN*WID-1"];
  const second = ["W06*F*SO-SPLIT*20261121", "N9*2I*1Z999AA10000000002", "W27*M*UPSN", "LX*1", "W12*CC*1*1**EA**VN*GAD-2"];

  it("gives each shipment of the order its own event id", async () => {
    const { events } = await map(sets([first, second]));
    expect(events).toHaveLength(2);
    const [a, b] = events.map((e) => e.eventId);
    expect(a).not.toBe(b);
    expect(events.every((e) => e.eventId.startsWith("edi:945:SO-SPLIT:"))).toBe(true);
  });

  it("tells apart two shipments of one day by their tracking number, and by their bill of lading without one", async () => {
    const sameDay = second.map((s) => s.replace("20261121", "20261120"));
    const byTracking = (await map(sets([first, sameDay]))).events.map((e) => e.eventId);
    expect(new Set(byTracking).size).toBe(2);
    const bol = (n: string, sku: string) => ["W06*F*SO-SPLIT*20261120", `N9*BM*BOL-${n}`, "LX*1", `W12*CC*1*1**EA**VN*${sku}`];
    const byBol = (await map(sets([bol("1", "WID-1"), bol("2", "WID-1")]))).events.map((e) => e.eventId);
    expect(new Set(byBol).size).toBe(2);
  });

  it("gives the same ids when the same shipments are re-sent in a new interchange", async () => {
    const a = (await map(sets([first, second]))).events.map((e) => e.eventId).sort();
    const resent = sets([second, first]).replace("*000000088*", "*000000090*").replace("IEA*1*000000088~", "IEA*1*000000090~");
    expect((await map(resent)).events.map((e) => e.eventId).sort()).toEqual(a);
  });

  it("keeps the warehouse's shipment id as the identity when it has one", async () => {
    const withId = first.map((s) => (s.startsWith("W06") ? "W06*F*SO-SPLIT*20261120*WH-77" : s));
    expect((await map(sets([withId]))).events[0]?.eventId).toBe("edi:945:WH-77");
  });
});

describe("X12 945: what is not mapped", () => {
  const one = (body: string[]) => {
    const isa = twoSets.slice(0, 106);
    return `${isa}\nGS*SW*ACME3PL*DOCKLINE*20261120*0910*9*X*004010~ST*945*0001~${body.join("~")}~SE*${body.length + 2}*0001~GE*1*9~IEA*1*000000088~`;
  };

  it("ignores a 945 that reports no units shipped", async () => {
    expect(await map(one(["W06*F*SO-1*20261120*S-1", "LX*1", "W12*CP*2*0*2*EA**VN*WID-1", "W03*0"]))).toEqual({
      events: [],
      ignored: "945 S-1 reports no units shipped",
    });
  });

  it("maps a 945 without line detail as the whole order shipped", async () => {
    const [e] = (await map(one(["W06*F*SO-1*20261120*S-1", "W27*M*UPSN"]))).events;
    expect(e?.lines).toBeUndefined();
    expect(e?.description).toBe("Shipped order");
  });

  it("is Unmappable without a W06", async () => {
    await expect(map(one(["N1*ST*NOBODY"]))).rejects.toThrow(Unmappable);
  });

  it("is Unmappable without an order number or a shipment id", async () => {
    await expect(map(one(["W06*F**20261120"]))).rejects.toThrow(/neither a depositor order number/);
  });

  it("is Unmappable without a ship date", async () => {
    await expect(map(one(["W06*F*SO-1**S-1"]))).rejects.toThrow(/no ship date/);
  });

  it("is Unmappable for a fractional quantity or a line without a product id", async () => {
    await expect(map(one(["W06*F*SO-1*20261120*S-1", "LX*1", "W12*CC*2*1.5**EA**VN*WID-1"]))).rejects.toThrow(/not a whole number/);
    await expect(map(one(["W06*F*SO-1*20261120*S-1", "LX*1", "W12*CC*2*2**EA"]))).rejects.toThrow(/neither a product id/);
  });
});
