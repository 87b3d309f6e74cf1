// X12 214 (carrier shipment status) → canonical events: one event per AT7 shipment status, at its MS1
// location, for the shipment B10 names. A multi-stop 214 (several LX/AT7 loops) is a history: each status
// gets a content-derived id, so a re-sent 214 (new control numbers, same statuses) maps to the same ids.
import { normalizeTrackingNumber as canonicalSpelling } from "../../domain/correlation";
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber, present } from "../normalize";
import type { MappedEvent } from "../types";
import { Unmappable } from "../types";
import { AT7_REASON, AT7_STATUS, exceptionReason } from "./codes-214";
import { el, type Segment, type TransactionSet } from "./parse";
import { x12Instant } from "./time";

export interface SetResult {
  events: MappedEvent[];
  /** Statuses that yielded no event, with why; reported when a whole payload maps to nothing. */
  skipped: string[];
}

/** The first header L11 (before the first LX) with one of the qualifiers, in the order given. */
function headerRef(header: Segment[], qualifiers: readonly string[]): string | undefined {
  for (const q of qualifiers) {
    const hit = header.find((s) => s.id === "L11" && el(s, 2).toUpperCase() === q && present(el(s, 1)));
    if (hit) return el(hit, 1);
  }
  return undefined;
}

interface Status {
  at7: Segment;
  ms1?: Segment;
}

/** AT7s with the MS1 that follows each (until the next AT7 or LX), in document order. */
function statuses(segments: readonly Segment[]): Status[] {
  const out: Status[] = [];
  let current: Status | undefined;
  for (const s of segments) {
    if (s.id === "AT7") {
      current = { at7: s };
      out.push(current);
    } else if (s.id === "LX") current = undefined;
    else if (s.id === "MS1" && current && !current.ms1) current.ms1 = s;
  }
  return out;
}

function clip(s: string): string {
  return s.length > 500 ? s.slice(0, 500) : s;
}

export async function map214(set: TransactionSet, partnerId: string): Promise<SetResult> {
  const firstLx = set.segments.findIndex((s) => s.id === "LX");
  const header = firstLx < 0 ? set.segments : set.segments.slice(0, firstLx);
  const b10 = header.find((s) => s.id === "B10");
  if (!b10) throw new Unmappable(`214 transaction set ${set.control} has no B10 segment`);

  // B1001 is the carrier's reference (PRO / tracking number); carriers correlate by it. Without one, the
  // header L11 PRO (CN), tracking number (2I) or bill of lading (BM) — the same order of preference the
  // 945 mapper uses for its N9s, so a 945 and the 214s of the same freight agree on the key.
  const trackingNumber = normalizeTrackingNumber(present(el(b10, 1)) ?? headerRef(header, ["CN", "2I", "BM"]));
  // B1002 is the shipper's Shipment Identification Number: the reference the shipper (our 3PL, on our
  // behalf) put on the bill of lading. By our partner agreement that is our order id. Some carriers echo
  // their own tracking number there (Canada Post does): a B1002 equal to the tracking number is not ours.
  // Failing B1002, an L11 with qualifier SI (shipper's identifying number) carries it. A PO (the buyer's
  // purchase order) or BM is not our order id and is never used as one.
  const b1002 = present(el(b10, 2));
  // Compared in the canonical spelling only: a B1002 need not be a valid tracking number (it is our order id).
  const shipperRef = b1002 && canonicalSpelling(b1002) !== trackingNumber ? b1002 : present(headerRef(header, ["SI"]));
  if (!trackingNumber && !shipperRef) {
    throw new Unmappable(`214 transaction set ${set.control} names neither a tracking number (B1001, L11 CN/2I/BM) nor our order (B1002, L11 SI)`);
  }
  const carrier = present(el(b10, 3));

  const events: MappedEvent[] = [];
  const skipped: string[] = [];
  let eta: string | undefined;
  for (const { at7, ms1 } of statuses(set.segments)) {
    const at701 = el(at7, 1).toUpperCase();
    const at702 = el(at7, 2).toUpperCase();
    if (at701 === "") {
      skipped.push(`appointment status ${el(at7, 3) || "(none)"}`); // AT703: an appointment, not a status
      continue;
    }
    const meaning = AT7_STATUS[at701];
    const city = present(ms1 ? el(ms1, 1) : undefined);
    const region = present(ms1 ? el(ms1, 2) : undefined);
    const country = present(ms1 ? el(ms1, 3) : undefined);
    const date = present(el(at7, 5));
    if (!meaning?.code && !meaning?.estimate) {
      skipped.push(meaning ? `${at701} (${meaning.why})` : `${at701} (not a status we map)`);
      continue;
    }
    if (!date) throw new Unmappable(`AT7 ${at701} at segment ${at7.position} has no date (AT705)`);
    const occurredAt = x12Instant(date, el(at7, 6), el(at7, 7), { region, country });
    if (meaning.estimate) {
      if (!eta || occurredAt > eta) eta = occurredAt;
      skipped.push(`${at701} (an estimate: the ETA of this set's events)`);
      continue;
    }
    const code = meaning.code;
    if (!code) continue;
    const reasonLabel = at702 && at702 !== "NS" ? (AT7_REASON[at702] ?? at702) : undefined;
    const location = { ...(city ? { city } : {}), ...(region ? { region } : {}), ...(country ? { country } : {}) };
    events.push({
      eventId: await contentEventId(partnerId, [trackingNumber ?? `order:${shipperRef}`, code, occurredAt, at701, city]),
      source: partnerId,
      code,
      occurredAt,
      ...(shipperRef ? { orderId: shipperRef } : {}),
      ...(trackingNumber ? { trackingNumber } : {}),
      ...(carrier ? { carrier } : {}),
      ...(Object.keys(location).length > 0 ? { location } : {}),
      ...(meaning.reason ? { reason: exceptionReason(meaning.reason, at702) } : {}),
      description: clip(reasonLabel ? `${meaning.label} - ${reasonLabel}` : meaning.label),
    });
  }
  if (eta) for (const e of events) e.eta = eta;
  return { events, skipped };
}
