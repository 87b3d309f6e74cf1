// X12 date/time → ISO instant. Dates are CCYYMMDD, times HHMM[SS[D[D]]], and the zone is a time code
// (data element 623): fixed offsets (ES = UTC−5, 01…12 = UTC+1…+12, 13…24 = UTC−12…−1, UT/GM = UTC),
// zone names that follow daylight saving (ET, CT, MT, PT, AT, HT, NT, TT), or LT = local time of the place.
// X12 says a time without a code is local time too. Local time is resolved from the state/province
// (zones.ts); a place we cannot resolve is taken as UTC — an assumption, stated here and in docs/partners.md.
import { Unmappable } from "../types";
import { zoneOfRegion } from "./zones";

const HOUR = 60;
const FIXED: Readonly<Record<string, number>> = {
  UT: 0,
  GM: 0,
  ES: -5 * HOUR,
  ED: -4 * HOUR,
  CS: -6 * HOUR,
  CD: -5 * HOUR,
  MS: -7 * HOUR,
  MD: -6 * HOUR,
  PS: -8 * HOUR,
  PD: -7 * HOUR,
  AS: -9 * HOUR,
  AD: -8 * HOUR,
  HS: -10 * HOUR,
  HD: -9 * HOUR,
  NS: -3.5 * HOUR,
  ND: -2.5 * HOUR,
  TS: -4 * HOUR,
  TD: -3 * HOUR,
};

/** Zone names without "standard"/"daylight": the offset depends on the date. */
const NAMED: Readonly<Record<string, string>> = {
  ET: "America/New_York",
  CT: "America/Chicago",
  MT: "America/Denver",
  PT: "America/Los_Angeles",
  AT: "America/Anchorage",
  HT: "Pacific/Honolulu",
  NT: "America/St_Johns",
  TT: "America/Halifax",
};

export interface Place {
  region?: string;
  country?: string;
}

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^(\d{2})(\d{2})(?:(\d{2})(\d{1,2})?)?$/;

const formats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC, in minutes, at the instant `utcMs`. */
function offsetAt(zone: string, utcMs: number): number {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute), Number(parts.second));
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** The UTC instant of a wall-clock time in `zone` (the offset re-checked at the result, for DST edges). */
function zonedToUtc(wallMs: number, zone: string): number {
  const first = wallMs - offsetAt(zone, wallMs) * 60_000;
  return wallMs - offsetAt(zone, first) * 60_000;
}

/** Which zone a time code (or its absence) means at `place`; for error messages and docs/partners.md. */
export function zoneOf(timeCode: string, place: Place = {}): { offsetMinutes: number } | { zone: string } {
  const code = timeCode.toUpperCase();
  const fixed = FIXED[code];
  if (fixed !== undefined) return { offsetMinutes: fixed };
  if (/^\d{2}$/.test(code)) {
    const n = Number(code);
    if (n >= 1 && n <= 12) return { offsetMinutes: n * HOUR };
    if (n >= 13 && n <= 24) return { offsetMinutes: (n - 25) * HOUR };
  }
  const named = NAMED[code];
  if (named) return { zone: named };
  if (code === "LT" || code === "") {
    const local = zoneOfRegion(place.region, place.country);
    return local ? { zone: local } : { offsetMinutes: 0 };
  }
  throw new Unmappable(`X12 time code "${timeCode}" is not one we know`);
}

/**
 * The ISO instant (UTC, `toISOString()` form) of an X12 date, optional time and time code. A date without
 * a time is a calendar day: it becomes noon UTC, which keeps the same calendar day for every reader from
 * UTC−11 to UTC+11. Malformed or impossible values are Unmappable: guessing would misplace the event.
 */
export function x12Instant(date: string, time = "", timeCode = "", place: Place = {}): string {
  const d = DATE.exec(date);
  if (!d) throw new Unmappable(`X12 date "${date}" is not CCYYMMDD`);
  const [, y, mo, da] = d.map(Number) as [number, number, number, number];
  const dayMs = Date.UTC(y, mo - 1, da);
  if (new Date(dayMs).toISOString().slice(0, 10) !== `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`) {
    throw new Unmappable(`X12 date "${date}" is not a real day`);
  }
  if (time === "") return new Date(dayMs + 12 * 3_600_000).toISOString();
  const t = TIME.exec(time);
  if (!t) throw new Unmappable(`X12 time "${time}" is not HHMM[SS[D[D]]]`);
  const h = Number(t[1]);
  const mi = Number(t[2]);
  const s = Number(t[3] ?? "0");
  const fraction = t[4] ?? "";
  if (h > 23 || mi > 59 || s > 59) throw new Unmappable(`X12 time "${time}" is not a real time of day`);
  const ms = fraction === "" ? 0 : Math.round(Number(`0.${fraction}`) * 1000);
  const wallMs = dayMs + ((h * 60 + mi) * 60 + s) * 1000 + ms;
  const zone = zoneOf(timeCode, place);
  const utc = "zone" in zone ? zonedToUtc(wallMs, zone.zone) : wallMs - zone.offsetMinutes * 60_000;
  return new Date(utc).toISOString();
}
