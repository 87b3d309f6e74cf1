// UPS timestamps: a date ("YYYYMMDD") and a time ("HHMMSS") as separate compact strings, without a zone
// unless the payload gives one. Turned into an ISO instant here, deliberately, or refused as Unmappable.
import { present } from "../normalize";
import { Unmappable } from "../types";

const DATE = /^(\d{4})(\d{2})(\d{2})$/;
// UPS drops the leading zero of early hours in some fields (the Tracking API documents gmtTime "74700").
const TIME = /^(\d{1,2})(\d{2})(\d{2})$/;
const OFFSET = /^[+-]\d{2}:\d{2}$/;

/**
 * The instant of `date` + `time` at `offset` ("Z" for UTC/GMT, or "-05:00"); undefined when the date or
 * the time is blank (UPS sends "" for fields that do not apply yet). A malformed or impossible value is
 * Unmappable: guessing would put the scan at the wrong place in the order's timeline.
 */
export function upsInstant(date: string | null | undefined, time: string | null | undefined, offset = "Z"): string | undefined {
  const d = present(date);
  const t = present(time);
  if (!d || !t) return undefined;
  const dm = DATE.exec(d);
  const tm = TIME.exec(t);
  if (!dm || !tm) throw new Unmappable(`UPS date/time "${d}" "${t}" is not YYYYMMDD HHMMSS`);
  if (offset !== "Z" && !OFFSET.test(offset)) throw new Unmappable(`UPS GMT offset "${offset}" is not ±HH:MM`);
  const [, y, mo, da] = dm;
  const [, h, mi, s] = tm;
  const iso = `${y}-${mo}-${da}T${(h ?? "").padStart(2, "0")}:${mi}:${s}${offset}`;
  const instant = new Date(iso);
  // Date.parse rolls 2024-02-30 over to March; compare the fields back to catch impossible dates.
  const check = new Date(`${y}-${mo}-${da}T00:00:00Z`);
  if (Number.isNaN(instant.getTime()) || check.toISOString().slice(0, 10) !== `${y}-${mo}-${da}` || Number(h) > 23) {
    throw new Unmappable(`UPS date/time "${d}" "${t}" is not a real instant`);
  }
  return instant.toISOString();
}

/**
 * A scheduled delivery day as an instant. UPS gives only the day, in the destination's local calendar;
 * noon UTC keeps that calendar day for every reader from UTC−11 to UTC+11, which midnight would not.
 */
export function upsDay(date: string | null | undefined): string | undefined {
  return upsInstant(date, "120000");
}
