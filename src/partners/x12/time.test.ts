import { describe, expect, it } from "vitest";
import { Unmappable } from "../types";
import { x12Instant } from "./time";
import { zoneOfRegion } from "./zones";

describe("X12 date/time/time code → instant", () => {
  it("applies fixed offsets: UT, standard and daylight codes, and the ISO codes 01–24", () => {
    expect(x12Instant("20261120", "1003", "UT")).toBe("2026-11-20T10:03:00.000Z");
    expect(x12Instant("20261120", "1003", "ES")).toBe("2026-11-20T15:03:00.000Z");
    expect(x12Instant("20260720", "1003", "PD")).toBe("2026-07-20T17:03:00.000Z");
    expect(x12Instant("20261120", "1003", "NS")).toBe("2026-11-20T13:33:00.000Z");
    expect(x12Instant("20261120", "1003", "01")).toBe("2026-11-20T09:03:00.000Z"); // ISO P01
    expect(x12Instant("20261120", "1003", "12")).toBe("2026-11-19T22:03:00.000Z"); // ISO P12
    expect(x12Instant("20261120", "1003", "13")).toBe("2026-11-20T22:03:00.000Z"); // ISO M12
    expect(x12Instant("20261120", "1003", "24")).toBe("2026-11-20T11:03:00.000Z"); // ISO M01
  });

  it("follows daylight saving for ET/CT/MT/PT", () => {
    expect(x12Instant("20260715", "0930", "ET")).toBe("2026-07-15T13:30:00.000Z");
    expect(x12Instant("20261120", "0930", "ET")).toBe("2026-11-20T14:30:00.000Z");
    expect(x12Instant("20260715", "0930", "CT")).toBe("2026-07-15T14:30:00.000Z");
    expect(x12Instant("20260715", "0930", "PT")).toBe("2026-07-15T16:30:00.000Z");
  });

  it("gets the day daylight saving ends right (Canada Post's 2019-11-03 scans)", () => {
    expect(x12Instant("20191102", "1555", "PT")).toBe("2019-11-02T22:55:00.000Z"); // PDT
    expect(x12Instant("20191103", "0837", "MT")).toBe("2019-11-03T15:37:00.000Z"); // MST, after 02:00
  });

  it("resolves local time (LT, or no code) from the state or province", () => {
    expect(x12Instant("20261119", "061530", "LT", { region: "TN", country: "US" })).toBe("2026-11-19T12:15:30.000Z");
    expect(x12Instant("20191103", "1534", "", { region: "ON", country: "CA" })).toBe("2019-11-03T20:34:00.000Z");
    expect(x12Instant("20260715", "1200", "LT", { region: "AZ" })).toBe("2026-07-15T19:00:00.000Z"); // no DST in Arizona
  });

  it("takes local time as UTC when the place cannot be resolved (documented assumption)", () => {
    expect(x12Instant("20261119", "0615", "LT")).toBe("2026-11-19T06:15:00.000Z");
    expect(x12Instant("20261119", "0615", "LT", { region: "JAL", country: "MX" })).toBe("2026-11-19T06:15:00.000Z");
    expect(zoneOfRegion("QC", "CAN")).toBe("America/Toronto");
  });

  it("reads seconds and decimal seconds", () => {
    expect(x12Instant("20261120", "10031525", "UT")).toBe("2026-11-20T10:03:15.250Z");
  });

  it("turns a date without a time into noon UTC, keeping the calendar day", () => {
    expect(x12Instant("20190604")).toBe("2019-06-04T12:00:00.000Z");
  });

  it("refuses malformed or impossible values as Unmappable", () => {
    expect(() => x12Instant("191103", "1534")).toThrow(Unmappable);
    expect(() => x12Instant("20260230", "1200")).toThrow(/not a real day/);
    expect(() => x12Instant("20261120", "2460")).toThrow(/not a real time/);
    expect(() => x12Instant("20261120", "10:03")).toThrow(/HHMM/);
    expect(() => x12Instant("20261120", "1003", "XX")).toThrow(/time code "XX"/);
  });
});
