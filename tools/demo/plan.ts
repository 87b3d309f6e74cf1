// The demo's day: which orders the ERP releases, who fulfils and carries each, when every milestone and scan
// happens, and the stories that make a day real (cancellations, exceptions, a return, a split shipment, a
// scan that arrives after the delivery). Pure and seeded: the same seed and window give the same plan.
import type { OrderStatus } from "../../src/domain/milestones";
import { DESTINATIONS, EDI_WAREHOUSE, HUBS, NAMES, type Place, STREETS, WAREHOUSE, local } from "./places";
import { alnum, digits, type Rng } from "./random";

export type Carrier = "ups" | "fedex" | "usps";
/** Which partner reports each carrier's scans, in that vendor's own format. */
export const TRACKED_BY: Readonly<Record<Carrier, "ups" | "easypost" | "aftership">> = { ups: "ups", fedex: "easypost", usps: "aftership" };

export type ScanKind =
  | "label"
  | "pickup"
  | "hub_arrival"
  | "hub_departure"
  | "destination"
  | "out_for_delivery"
  | "attempted"
  | "delivered"
  | "address_exception"
  | "damaged"
  | "returning";

export interface Scan {
  kind: ScanKind;
  at: number;
  place: Place;
  /** When the scan reaches us, if not when it happened (a carrier's late backfill). */
  arrivesAt?: number;
}

export interface Line {
  sku: string;
  quantity: number;
}

export interface PlannedShipment {
  /** The dispatcher's id: acme's shipment id, the Shopify fulfillment id, the EDI warehouse's W0604. */
  shipmentId: string;
  carrier: Carrier;
  trackingNumber: string;
  lines: Line[];
  dispatchAt: number;
  /** Oldest first. Only those at or before the window's end are sent. */
  scans: Scan[];
  /** EasyPost/AfterShip re-send the whole history once more, after delivery (all duplicates). */
  historyResendAt?: number;
  /** An EasyPost update whose newest scan has a status EasyPost never documented: quarantined. */
  unmappableAt?: number;
}

export type Channel = "acme" | "shopify" | "edi";
export type Story =
  | "cancel_before_dispatch"
  | "cancel_after_dispatch"
  | "address_exception"
  | "damaged"
  | "delivery_attempt"
  | "return"
  | "split_shipment"
  | "late_scan_after_delivery"
  | "history_resent_after_delivery"
  | "unmappable_scan";

export interface PlannedOrder {
  index: number;
  orderId: string;
  customerId: string;
  channel: Channel;
  lines: Line[];
  shipTo: { name: string; line1: string; place: Place };
  releasedAt: number;
  promisedDate: string;
  shopify?: { orderId: string; name: string; lineItemIds: string[] };
  /** acme-3pl's warehouse milestones (acme and Shopify orders; the EDI warehouse reports only its 945). */
  ackAt?: number;
  pickedAt?: number;
  packedAt?: number;
  cancelAt?: number;
  shipments: PlannedShipment[];
  ret?: { refundId: string; refundAt: number; rmaId: string; receivedAt: number; lines: Line[] };
  stories: Story[];
}

export interface Plan {
  prefix: string;
  start: number;
  end: number;
  orders: PlannedOrder[];
}

export const CUSTOMERS = [
  ["CUST-ACME", 5],
  ["CUST-GLOBEX", 3],
  ["CUST-INITECH", 2],
] as const;

const SKUS = ["WID-1", "GAD-2", "BOLT-9", "LAMP-4", "MUG-7", "CHAIR-3", "DESK-5", "CABLE-8"] as const;
/** What the EDI warehouse ships: the default routes send `BULK-` lines to `edi` (docs/partners.md, "Routing"). */
const BULK_SKUS = ["BULK-PALLET-1", "BULK-CRATE-2", "BULK-DRUM-3"] as const;
const MIN = 60_000;

/** The run's order-number prefix: the window's end hour (and the seed unless it is the default). */
export function runPrefix(end: number, seed: number): string {
  const d = new Date(end);
  const stamp = `${String(d.getUTCFullYear()).slice(2)}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}${String(d.getUTCHours()).padStart(2, "0")}`;
  return seed === 1 ? `SO-${stamp}` : `SO-${stamp}-${seed}`;
}

function trackingNumber(carrier: Carrier, ...parts: (string | number)[]): string {
  switch (carrier) {
    case "ups":
      // 1Z + shipper account (6) + service (03 = Ground) + package number (8)
      return `1Z${alnum(6, "ups-account")}03${digits(8, "ups", ...parts)}`;
    case "fedex":
      return `7${digits(11, "fedex", ...parts)}`;
    case "usps":
      return `9400${digits(18, "usps", ...parts)}`;
  }
}

interface Transit {
  /** Multiplies every carrier leg: < 1 for an express parcel. */
  pace: number;
}

/** A carrier's scans from pickup to delivery, with the story's twist. */
function carrierScans(r: Rng, carrier: Carrier, dispatchAt: number, labelAt: number, origin: Place, dest: Place, story: Story | undefined, t: Transit): Scan[] {
  const m = (lo: number, hi: number) => Math.round(r.int(lo, hi) * t.pace) * MIN;
  const hub = r.pick(HUBS[carrier]);
  const scans: Scan[] = [{ kind: "label", at: labelAt, place: origin }];
  const pickup = dispatchAt + m(20, 90);
  scans.push({ kind: "pickup", at: pickup, place: origin });
  const hubIn = pickup + m(180, 360);
  scans.push({ kind: "hub_arrival", at: hubIn, place: hub });
  if (story === "cancel_after_dispatch") {
    // The ERP cancelled after the dispatch; the carrier intercepts the parcel at its hub and sends it back.
    scans.push({ kind: "returning", at: hubIn + m(60, 150), place: hub });
    return scans;
  }
  const hubOut = hubIn + m(60, 180);
  scans.push({ kind: "hub_departure", at: hubOut, place: hub });
  if (story === "damaged") {
    scans.push({ kind: "damaged", at: hubOut + m(60, 150), place: hub });
    return scans;
  }
  let at = hubOut + m(180, 420);
  scans.push({ kind: "destination", at, place: dest });
  if (story === "address_exception") {
    at += m(20, 60);
    scans.push({ kind: "address_exception", at, place: dest });
    at += m(90, 180);
  }
  at += m(60, 180);
  scans.push({ kind: "out_for_delivery", at, place: dest });
  if (story === "delivery_attempt") {
    at += m(60, 180);
    scans.push({ kind: "attempted", at, place: dest });
    at += m(120, 240);
    scans.push({ kind: "out_for_delivery", at, place: dest });
  }
  at += m(60, 300);
  scans.push({ kind: "delivered", at, place: dest });
  return scans;
}

export function planDay(r: Rng, opts: { orders: number; start: number; end: number; prefix: string }): Plan {
  const { start, end, prefix } = opts;
  const n = Math.max(1, opts.orders);
  const orderIds = Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, "0")}`);

  // Channels: two orders from the EDI warehouse, a quarter through the Shopify store, the rest acme-3pl's.
  const shuffled = r.shuffle(orderIds.map((_, i) => i));
  const ediCount = n >= 10 ? 2 : n >= 5 ? 1 : 0;
  const shopifyCount = Math.round(n * 0.25);
  const channel = new Map<number, Channel>();
  shuffled.forEach((i, k) => {
    channel.set(i, k < ediCount ? "edi" : k < ediCount + shopifyCount ? "shopify" : "acme");
  });

  // Stories, one per order, on acme orders released early enough to play out within the window.
  const stories = new Map<number, Story>();
  const early = r.shuffle([...channel].filter(([i, c]) => c === "acme" && i < n * 0.6).map(([i]) => i));
  const wanted: Story[] = [
    "cancel_after_dispatch",
    "split_shipment",
    "address_exception",
    "damaged",
    "delivery_attempt",
    "unmappable_scan",
    "late_scan_after_delivery",
    "history_resent_after_delivery",
    "history_resent_after_delivery",
  ];
  for (const story of wanted) {
    const i = early.shift();
    if (i !== undefined) stories.set(i, story);
  }
  const lateAcme = [...channel].filter(([i, c]) => c === "acme" && !stories.has(i)).map(([i]) => i);
  const cancelBefore = lateAcme.at(-1);
  if (cancelBefore !== undefined) stories.set(cancelBefore, "cancel_before_dispatch");
  const firstShopify = [...channel].filter(([, c]) => c === "shopify").map(([i]) => i)[0];
  if (firstShopify !== undefined) stories.set(firstShopify, "return");

  const forced: Partial<Record<Story, Carrier>> = {
    cancel_after_dispatch: "ups",
    split_shipment: "ups",
    address_exception: "ups",
    late_scan_after_delivery: "ups",
    damaged: "fedex",
    unmappable_scan: "fedex",
    delivery_attempt: "usps",
  };
  let resent = 0;

  const orders = orderIds.map((orderId, i): PlannedOrder => {
    const ch = channel.get(i) ?? "acme";
    const story = stories.get(i);
    const customerId = r.weighted(CUSTOMERS.map(([c, w]) => [c, w] as const));
    const lineCount =
      story === "split_shipment"
        ? 2
        : r.weighted([
            [1, 5],
            [2, 3],
            [3, 1],
          ] as const);
    const skus = r.shuffle<string>(ch === "edi" ? [...BULK_SKUS] : [...SKUS]).slice(0, lineCount);
    const lines = skus.map((sku) => ({
      sku,
      quantity: r.weighted([
        [1, 6],
        [2, 3],
        [4, 1],
      ] as const),
    }));
    const dest = r.pick(DESTINATIONS);
    const name = r.pick(NAMES);
    const shipTo = { name, line1: `${r.int(1, 999)} ${r.pick(STREETS)}`, place: dest };
    // Releases through the first sixteen hours of the window (the later ones are still on their way when the
    // window ends); the return's order early, so that it can come back.
    const releasedAt = story === "return" ? start + r.int(10, 30) * MIN : start + 30 * MIN + Math.round((i / n) * 16 * 60) * MIN + r.int(0, 10) * MIN;
    const promisedDate = local(releasedAt + r.int(3, 5) * 86_400_000, dest.offset).day;
    const carrier: Carrier =
      (story ? forced[story] : undefined) ??
      (story === "history_resent_after_delivery"
        ? resent++ === 0
          ? "fedex"
          : "usps"
        : r.weighted([
            ["ups", 45],
            ["fedex", 30],
            ["usps", 25],
          ] as const));
    const transit: Transit = { pace: story === "return" ? 0.5 : 1 };

    const order: PlannedOrder = {
      index: i,
      orderId,
      customerId,
      channel: ch,
      lines,
      shipTo,
      releasedAt,
      promisedDate,
      shipments: [],
      stories: story ? [story] : [],
    };
    if (ch === "shopify") {
      order.shopify = {
        orderId: digits(13, prefix, "shopify-order", i),
        name: `#${1000 + Number(digits(4, prefix, "shopify-name", i))}`,
        lineItemIds: lines.map((_, k) => digits(13, prefix, "shopify-line", i, k)),
      };
    }

    if (ch === "edi") {
      const dispatchAt = releasedAt + r.int(90, 240) * MIN;
      const shipmentId = `SRL-${digits(6, prefix, "edi-shipment", i)}`;
      const tn = trackingNumber("ups", prefix, i, 0);
      order.shipments.push({
        shipmentId,
        carrier: "ups",
        trackingNumber: tn,
        lines,
        dispatchAt,
        scans: carrierScans(r, "ups", dispatchAt, dispatchAt - r.int(20, 60) * MIN, EDI_WAREHOUSE, dest, undefined, transit),
      });
      return order;
    }

    order.ackAt = releasedAt + r.int(5, 25) * MIN;
    if (story === "cancel_before_dispatch") {
      order.cancelAt = order.ackAt + r.int(15, 45) * MIN;
      return order;
    }
    order.pickedAt = order.ackAt + r.int(20, 80) * MIN;
    order.packedAt = order.pickedAt + r.int(10, 40) * MIN;
    const dispatchAt = order.packedAt + r.int(20, 100) * MIN;
    const parts = story === "split_shipment" ? [lines.slice(0, 1), lines.slice(1)] : [lines];
    parts.forEach((shipmentLines, k) => {
      const at = dispatchAt + k * r.int(60, 180) * MIN;
      const labelAt = k === 0 ? (order.packedAt as number) + r.int(2, 15) * MIN : at - r.int(10, 30) * MIN;
      const shipmentId = ch === "shopify" ? digits(13, prefix, "shopify-fulfillment", i, k) : `ACME-SHP-${digits(6, prefix, "acme-shipment", i, k)}`;
      const scans = carrierScans(r, carrier, at, labelAt, WAREHOUSE, dest, story, transit);
      const shipment: PlannedShipment = {
        shipmentId,
        carrier,
        trackingNumber: trackingNumber(carrier, prefix, i, k),
        lines: shipmentLines,
        dispatchAt: at,
        scans,
      };
      const delivered = scans.find((s) => s.kind === "delivered");
      if (story === "late_scan_after_delivery" && delivered) {
        // The carrier's hub departure scan never came at the time; UPS backfills it after the delivery.
        const late = scans.find((s) => s.kind === "hub_departure");
        if (late) late.arrivesAt = delivered.at + r.int(30, 120) * MIN;
      }
      if (story === "history_resent_after_delivery" && delivered) shipment.historyResendAt = delivered.at + r.int(30, 120) * MIN;
      if (story === "unmappable_scan") {
        const hubIn = scans.find((s) => s.kind === "hub_arrival");
        if (hubIn) shipment.unmappableAt = hubIn.at + r.int(10, 30) * MIN;
      }
      order.shipments.push(shipment);
    });
    if (story === "cancel_after_dispatch") {
      const pickup = order.shipments[0]?.scans.find((s) => s.kind === "pickup");
      order.cancelAt = (pickup?.at ?? dispatchAt) + r.int(30, 90) * MIN;
    }
    if (story === "return") {
      const delivered = order.shipments[0]?.scans.find((s) => s.kind === "delivered");
      if (delivered) {
        const refundAt = delivered.at + r.int(60, 120) * MIN;
        order.ret = {
          refundId: digits(13, prefix, "shopify-refund", i),
          refundAt,
          rmaId: `RMA-${digits(6, prefix, "rma", i)}`,
          receivedAt: refundAt + r.int(120, 240) * MIN,
          lines,
        };
      }
    }
    return order;
  });
  return { prefix, start, end, orders };
}

const RANK: Partial<Record<ScanKind, number>> = {
  pickup: 3,
  hub_arrival: 3,
  hub_departure: 3,
  destination: 3,
  out_for_delivery: 4,
  attempted: 4,
  delivered: 9,
  returning: 9,
};

/** What the order's status should be once everything that happened by the window's end has arrived. */
export function expectedStatus(o: PlannedOrder, end: number): OrderStatus {
  const by = (t: number | undefined) => t !== undefined && t <= end;
  const shipped = o.shipments.filter((s) => by(s.dispatchAt));
  // A cancellation counts as "before dispatch" when nothing was ever dispatched (the fold looks at the set).
  if (by(o.cancelAt) && shipped.length === 0) return "cancelled";
  if (o.ret && by(o.ret.receivedAt)) return "returned";
  // Carrier scans of a parcel nobody dispatched yet stay parked on its tracking number: only the
  // warehouse's own milestones move the order.
  if (shipped.length === 0) return [o.ackAt, o.pickedAt, o.packedAt].some(by) ? "in_fulfillment" : "released";
  const state = shipped.map((s) => {
    const happened = s.scans.filter((x) => by(x.at));
    // Sticky terminal states; otherwise the latest scan by time wins (exceptions do not move a shipment).
    const terminal = happened.find((x) => x.kind === "delivered" || x.kind === "returning");
    if (terminal) return terminal.kind;
    const moving = happened.filter((x) => RANK[x.kind] !== undefined);
    return moving.at(-1)?.kind ?? "dispatched";
  });
  const units = (ls: Line[]) => ls.reduce((n, l) => n + l.quantity, 0);
  const ordered = units(o.lines);
  if (state.every((k) => k === "returning")) return "returned";
  const delivered = shipped.filter((_, k) => state[k] === "delivered");
  if (delivered.length > 0) return units(delivered.flatMap((s) => s.lines)) >= ordered ? "delivered" : "partially_delivered";
  if (units(shipped.flatMap((s) => s.lines)) < ordered) return "partially_shipped";
  const rank = Math.min(...state.map((k) => (k === "dispatched" ? 2 : (RANK[k as ScanKind] ?? 2))));
  return rank >= 4 ? "out_for_delivery" : rank >= 3 ? "in_transit" : "shipped";
}
