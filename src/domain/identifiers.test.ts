import { describe, expect, it } from "vitest";
import { CanonicalEvent } from "./event";
import { EARLIEST_PLAUSIBLE_INSTANT, isOrderId, isTrackingNumber, MAX_FUTURE_SKEW_MS, OrderId, PlausibleInstant, SafeText } from "./identifiers";
import { normalizeTrackingNumber } from "./correlation";

describe("order ids: one grammar", () => {
  it("accepts every shape our ERP, fixtures and tests use", () => {
    for (const id of ["SO-1001", "IF102", "SO-T", "ORD-1", "TEST101", "CHAOS-409-SAME-KEY", "SO-1764763200000-2", "so_1.a", "A"])
      expect(isOrderId(id), id).toBe(true);
  });

  it("refuses paths, whitespace, control characters, non-ASCII and over-long ids", () => {
    for (const id of [
      "SO/../x",
      "../SO-1",
      "SO-1\u0000\n",
      "SO 1",
      " SO-1",
      "SO-1\n",
      "ordér-1",
      "SO-1\u200b",
      "-SO-1",
      ".SO",
      "",
      "A".repeat(65),
      "SO:1",
      "SO%2F1",
    ]) {
      expect(isOrderId(id), JSON.stringify(id)).toBe(false);
    }
    expect(isOrderId("A".repeat(64))).toBe(true);
  });

  it("is the zod schema's rule too, with a message that says what an order id is", () => {
    const r = OrderId.safeParse("SO/../x");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/letters, digits/);
  });
});

describe("tracking numbers", () => {
  it("accepts letters and digits once spaces, dashes and invisible format characters are removed", () => {
    for (const t of ["1Z999AA10123456784", "1z 999 aa1 01 2345 6784", "PRO-4411", "1Z\u200b999AA1", "\ufeff1Z999"]) expect(isTrackingNumber(t), t).toBe(true);
  });

  it("refuses anything else, and does not let case folding invent letters (ß is not SS)", () => {
    for (const t of ["trkß1", "1Z/999", "1Z.999", "１Z999", "TRK\u0000", "ＴＲＫ1", "", "\u200b", "A".repeat(65)])
      expect(isTrackingNumber(t), JSON.stringify(t)).toBe(false);
  });

  it("normalises format characters away, so an invisible character cannot make a second key for one parcel", () => {
    expect(normalizeTrackingNumber("1z\u200b 999-aa1")).toBe("1Z999AA1");
    expect(normalizeTrackingNumber("\ufeff1Z999")).toBe("1Z999");
  });
});

describe("text", () => {
  const text = SafeText(500);

  it("keeps ordinary text, including tabs and line breaks, and any script", () => {
    for (const s of ["Delivered, front door", "Zugestellt an Nachbarn\nHausnummer 3", "配達完了", "Café 😀"]) expect(text.safeParse(s).success, s).toBe(true);
  });

  it("refuses C0 and C1 control characters and lone surrogates", () => {
    for (const s of ["bell\u0007", "nul\u0000", "esc\u001b[31m", "c1\u0085", "c1\u009f", "lone \ud800 high", "lone \udc00 low", "del\u007f"]) {
      expect(text.safeParse(s).success, JSON.stringify(s)).toBe(false);
    }
  });

  it("applies to every text of the canonical event: ids, description, location, ERP order details", () => {
    const base = { eventId: "e1", orderId: "SO-1", code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", source: "acme-3pl" } as const;
    expect(CanonicalEvent.safeParse(base).success).toBe(true);
    for (const bad of [
      { eventId: "e\u00001" },
      { shipmentId: "S\u00071" },
      { description: "x\ud800" },
      { location: { city: "Mem\u0000phis" } },
      { carrier: "ups\u0085" },
      { order: { customerId: "C\u00001", lines: [{ sku: "A", quantity: 1 }], shipTo: { country: "US" } } },
      { order: { customerId: "C1", lines: [{ sku: "A", quantity: 1 }], shipTo: { name: "Ada\u0000", country: "US" } } },
    ]) {
      expect(CanonicalEvent.safeParse({ ...base, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("refuses an order id outside the grammar and a tracking number that is not in its normalised form", () => {
    const base = { eventId: "e1", orderId: "SO-1", code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", source: "acme-3pl" } as const;
    expect(CanonicalEvent.safeParse({ ...base, orderId: "SO/../x" }).success).toBe(false);
    expect(CanonicalEvent.safeParse({ ...base, trackingNumber: "1Z999" }).success).toBe(true);
    expect(CanonicalEvent.safeParse({ ...base, trackingNumber: "1z 999" }).success).toBe(false);
  });
});

describe("plausible instants", () => {
  const now = Date.parse("2026-11-20T12:00:00Z");
  const instant = PlausibleInstant(() => now);

  it("accepts instants from 2000 to a day ahead of our clock, normalised to UTC", () => {
    expect(instant.parse("2026-11-20T14:03:00+02:00")).toBe("2026-11-20T12:03:00.000Z");
    expect(instant.parse(EARLIEST_PLAUSIBLE_INSTANT)).toBe("2000-01-01T00:00:00.000Z");
    expect(instant.parse(new Date(now + MAX_FUTURE_SKEW_MS).toISOString())).toBe("2026-11-21T12:00:00.000Z");
  });

  it("refuses instants before 2000 or more than a day ahead", () => {
    expect(instant.safeParse("1999-12-31T23:59:59Z").success).toBe(false);
    expect(instant.safeParse("1970-01-01T00:00:00Z").success).toBe(false);
    expect(instant.safeParse(new Date(now + MAX_FUTURE_SKEW_MS + 1000).toISOString()).success).toBe(false);
  });

  it("bounds the canonical event's occurredAt by the real clock", () => {
    const base = { eventId: "e1", orderId: "SO-1", code: "shipment.dispatched", source: "acme-3pl" } as const;
    expect(CanonicalEvent.safeParse({ ...base, occurredAt: "1999-12-31T00:00:00Z" }).success).toBe(false);
    expect(CanonicalEvent.safeParse({ ...base, occurredAt: new Date(Date.now() + 2 * MAX_FUTURE_SKEW_MS).toISOString() }).success).toBe(false);
  });
});
