// X12 945 (warehouse shipping advice) → one `shipment.dispatched` per transaction set: the 3PL's fact that
// the order left the warehouse, with the lines shipped, the carrier and a tracking/BOL number.
import type { Line } from "../../domain/event";
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber, present } from "../normalize";
import type { MappedEvent } from "../types";
import { Unmappable } from "../types";
import { el, type Segment, type TransactionSet } from "./parse";
import { x12Instant } from "./time";

/** N9 qualifiers that identify the shipment to the carrier, best first: tracking number, PRO, bill of lading. */
const TRACKING_QUALIFIERS = ["2I", "CN", "BM"] as const;

/**
 * A party's place as far as we use it: city, region and country. Names (N1/N2), streets (N3), postal codes
 * and contacts are never read: what reaches an event is shown on the customer's pages, and a person's name or
 * address from a partner's file must not reach anyone else's order (a misaddressed 945 would show it there).
 */
interface Place {
  city?: string;
  region?: string;
  country?: string;
}

/** N1 loops of the header: entity code (ST ship-to, SF ship-from, WH warehouse…) → the N4 place. */
function places(header: readonly Segment[]): Map<string, Place> {
  const out = new Map<string, Place>();
  let current: Place | undefined;
  for (const s of header) {
    if (s.id === "N1") {
      current = {};
      const code = el(s, 1).toUpperCase();
      if (!out.has(code)) out.set(code, current);
    } else if (s.id === "N4" && current) {
      Object.assign(current, { city: present(el(s, 1)), region: present(el(s, 2)), country: present(el(s, 4)) });
    } else if (s.id !== "N2" && s.id !== "N3" && s.id !== "PER") current = undefined;
  }
  return out;
}

/** W1203 (units shipped) as a whole number; a fractional quantity cannot be a canonical line. */
function unitsShipped(w12: Segment): number {
  const raw = el(w12, 3);
  if (!/^\d+(\.0*)?$/.test(raw)) throw new Unmappable(`W12 at segment ${w12.position}: units shipped (W1203) "${raw}" is not a whole number`);
  return Number.parseInt(raw, 10);
}

/**
 * The lines shipped, one per SKU (a SKU shipped from two lots arrives in two W12s). The SKU is W1208,
 * whatever its W1207 qualifier (VN, SK, BP, IN…): it echoes the item id of the 940 we sent, which is our
 * SKU. Without one, the UPC case code (W1206). Lines with nothing shipped are left out.
 */
function lines(segments: readonly Segment[]): { lines: Line[]; w12s: number } {
  const bySku = new Map<string, number>();
  let w12s = 0;
  for (const s of segments) {
    if (s.id !== "W12") continue;
    w12s++;
    const sku = present(el(s, 8)) ?? present(el(s, 6));
    if (!sku) throw new Unmappable(`W12 at segment ${s.position} has neither a product id (W1208) nor a UPC (W1206)`);
    const quantity = unitsShipped(s);
    if (quantity > 0) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  }
  return { lines: [...bySku].map(([sku, quantity]) => ({ sku, quantity })), w12s };
}

export type Map945Result = { event: MappedEvent } | { skipped: string };

interface Identity {
  shipmentId: string | undefined;
  orderId: string | undefined;
  occurredAt: string;
  trackingNumber: string | undefined;
  bol: string | undefined;
  agentShipmentId: string | undefined;
  lines: readonly Line[];
}

/**
 * The fact's id. The warehouse's shipment id (W0604) identifies it: a re-sent (or corrected) 945 is the same
 * fact. Without one, the order id alone would make the second shipment of a split order a duplicate of the
 * first, so the shipment is told apart by what the 945 says about it: ship time, tracking number, bill of
 * lading and W0605 — and, only when it names none of those three, by its lines. A re-sent 945 says the same
 * and keeps its id; a corrected one without a shipment id is a new fact for ops to notice (the order shows two
 * shipments), which beats losing a real one.
 */
async function identity(partnerId: string, f: Identity): Promise<string> {
  if (f.shipmentId) return `${partnerId}:945:${f.shipmentId}`;
  const named = f.trackingNumber ?? f.bol ?? f.agentShipmentId;
  const lines = named ? "" : f.lines.map((l) => `${l.sku}=${l.quantity}`).join(",");
  const digest = (await contentEventId(partnerId, [f.occurredAt, f.trackingNumber, f.bol, f.agentShipmentId, lines])).slice(partnerId.length + 1);
  return `${partnerId}:945:${f.orderId}:${digest}`;
}

export async function map945(set: TransactionSet, partnerId: string): Promise<Map945Result> {
  const firstLx = set.segments.findIndex((s) => s.id === "LX" || s.id === "W12");
  const header = firstLx < 0 ? set.segments : set.segments.slice(0, firstLx);
  const w06 = header.find((s) => s.id === "W06");
  if (!w06) throw new Unmappable(`945 transaction set ${set.control} has no W06 segment`);

  // W0602, the depositor order number, is the order number we gave the warehouse in our 940: our order id.
  // W0604 is the warehouse's own shipment id — the identity of this fact, and its order reference.
  const orderId = present(el(w06, 2));
  const shipmentId = present(el(w06, 4));
  if (!orderId && !shipmentId)
    throw new Unmappable(`945 transaction set ${set.control} has neither a depositor order number (W0602) nor a shipment id (W0604)`);

  const parties = places(header);
  const shipFrom = parties.get("SF") ?? parties.get("WH");

  // When it shipped: G62 qualifier 11 ("shipped on this date") carries a time; W0603 only the day. A G62
  // without a time code is taken as UTC (X12 would say "local", but a warehouse's 945 rarely says where
  // its clock is); LT is resolved from the ship-from state. G62 qualifier 10 is the REQUESTED ship date.
  const shipped = header.find((s) => s.id === "G62" && el(s, 1) === "11" && present(el(s, 2)));
  const fromPlace = { region: shipFrom?.region, country: shipFrom?.country };
  let occurredAt: string;
  if (shipped) occurredAt = x12Instant(el(shipped, 2), el(shipped, 4), el(shipped, 5) || "UT", fromPlace);
  else if (present(el(w06, 3))) occurredAt = x12Instant(el(w06, 3));
  else throw new Unmappable(`945 transaction set ${set.control} has no ship date (W0603 or G62 qualifier 11)`);
  const estimated = header.find((s) => s.id === "G62" && el(s, 1) === "17" && present(el(s, 2)));
  const eta = estimated ? x12Instant(el(estimated, 2), el(estimated, 4), el(estimated, 5) || "UT", fromPlace) : undefined;

  const n9 = (q: string) => present(header.find((s) => s.id === "N9" && el(s, 1).toUpperCase() === q)?.elements[1]);
  // W0605 (agent shipment id, often the master BOL) is the last resort.
  const agentShipmentId = present(el(w06, 5));
  const trackingNumber = normalizeTrackingNumber(TRACKING_QUALIFIERS.map(n9).find((v) => v !== undefined) ?? agentShipmentId);
  const w27 = header.find((s) => s.id === "W27");
  const carrier = present(w27 ? el(w27, 2) : undefined) ?? present(w27 ? el(w27, 3) : undefined);

  const { lines: shippedLines, w12s } = lines(set.segments);
  if (w12s > 0 && shippedLines.length === 0) return { skipped: `945 ${shipmentId ?? orderId} reports no units shipped` };

  const units = shippedLines.reduce((n, l) => n + l.quantity, 0);
  // Our own words for the fact; who it went to is the ERP's to know, not the partner's to tell the portal.
  const description = `Shipped ${w12s > 0 ? `${units} units` : "order"}`;
  const location = {
    ...(shipFrom?.city ? { city: shipFrom.city } : {}),
    ...(shipFrom?.region ? { region: shipFrom.region } : {}),
    ...(shipFrom?.country ? { country: shipFrom.country } : {}),
  };

  return {
    event: {
      eventId: await identity(partnerId, { shipmentId, orderId, occurredAt, trackingNumber, bol: n9("BM"), agentShipmentId, lines: shippedLines }),
      source: partnerId,
      code: "shipment.dispatched",
      occurredAt,
      ...(orderId ? { orderId } : {}),
      ...(shipmentId ? { shipmentId, orderRef: { system: partnerId, id: shipmentId } } : {}),
      ...(trackingNumber ? { trackingNumber } : {}),
      ...(carrier ? { carrier } : {}),
      ...(shippedLines.length > 0 ? { lines: shippedLines } : {}),
      ...(Object.keys(location).length > 0 ? { location } : {}),
      ...(eta ? { eta } : {}),
      description,
    },
  };
}
