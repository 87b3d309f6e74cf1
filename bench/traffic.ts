// The traffic a benchmark run sends: orders released by the ERP, then their 3PL milestones (acme-3pl,
// canonical format, by order id) and carrier scans (by tracking number only: canonical, or EasyPost
// trackers that re-send the parcel's whole history), interleaved across orders as they would arrive, with
// duplicates (a partner retrying) and late deliveries (out of order). Deterministic for a given seed.
import { CUSTOMERS } from "./config";

export interface Webhook {
  partnerId: "acme-3pl" | "easypost";
  /** The partner's adapter, which decides how the body is signed. */
  adapter: "canonical" | "easypost";
  body: string;
  orderId: string;
}

export interface OrderPlan {
  orderId: string;
  customerId: string;
  trackingNumber: string;
  /** POST /v1/orders body. */
  release: string;
  /** The order's webhooks in the order things happened. */
  webhooks: Webhook[];
}

export interface Send {
  webhook: Webhook;
  /** A second copy of a webhook already in the stream (a retry: new message id, same content). */
  duplicate: boolean;
  /** Delivered after milestones that happened later. */
  late: boolean;
}

export interface PlanOptions {
  /** Additional in-transit scans per order (the order-depth cost curve). */
  extraScans: number;
  /** Share of orders whose carrier scans come through EasyPost instead of the canonical format. */
  easypostShare: number;
  exceptionShare: number;
  returnShare: number;
}

export const REALISTIC: PlanOptions = { extraScans: 0, easypostShare: 0.3, exceptionShare: 0.05, returnShare: 0.03 };

/** mulberry32: small, fast, seedable; the same seed gives the same traffic. */
export function random(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = Date.UTC(2026, 10, 20, 9, 0);
const CITIES = [
  { city: "Memphis", state: "TN", zip: "38118" },
  { city: "Louisville", state: "KY", zip: "40209" },
  { city: "Indianapolis", state: "IN", zip: "46241" },
  { city: "Columbus", state: "OH", zip: "43217" },
];

type Place = (typeof CITIES)[number];
const place = (k: number): Place => CITIES[k % CITIES.length] as Place;

interface Scan {
  code: "shipment.in_transit" | "shipment.exception" | "shipment.out_for_delivery" | "shipment.delivered";
  at: string;
  place: Place;
}

export function planOrders(prefix: string, count: number, rnd: () => number, o: PlanOptions = REALISTIC): OrderPlan[] {
  return Array.from({ length: count }, (_, i) => planOrder(`BN-${prefix}-${i}`, `1Z${prefix}${String(i).padStart(6, "0")}`, i, rnd, o));
}

function planOrder(orderId: string, trackingNumber: string, i: number, rnd: () => number, o: PlanOptions): OrderPlan {
  const t0 = BASE + (i % 1440) * 60_000;
  const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
  const customerId = CUSTOMERS[i % CUSTOMERS.length] ?? "CUST-BENCH-A";
  const lines = [{ sku: "WID-1", quantity: 2 }];
  const release = JSON.stringify({
    orderId,
    customerId,
    lines,
    shipTo: { name: "Bench Customer", line1: "1 Main St", city: "Memphis", region: "TN", postalCode: "38103", country: "US" },
    promisedDate: "2026-11-25",
    releasedAt: at(0),
  });
  const acme = (code: string, minutes: number, extra: Record<string, unknown> = {}): Webhook => ({
    partnerId: "acme-3pl",
    adapter: "canonical",
    orderId,
    // A 3PL names its own events: the id survives a re-send under a new webhook message id.
    body: JSON.stringify({ type: "milestone", data: { eventId: `${orderId}:${code}`, orderId, code, occurredAt: at(minutes), ...extra } }),
  });
  const webhooks: Webhook[] = [
    acme("fulfillment.acknowledged", 5),
    acme("fulfillment.picked", 60),
    acme("fulfillment.packed", 90),
    acme("shipment.dispatched", 120, { shipmentId: "S1", carrier: "ups", trackingNumber, lines }),
  ];
  const scans: Scan[] = [{ code: "shipment.in_transit", at: at(6 * 60), place: place(0) }];
  for (let k = 0; k < o.extraScans; k++) {
    scans.push({ code: "shipment.in_transit", at: at(7 * 60 + Math.floor((k * 31 * 60) / o.extraScans)), place: place(k) });
  }
  scans.push({ code: "shipment.in_transit", at: at(38 * 60 + 30), place: place(1) });
  if (rnd() < o.exceptionShare) scans.push({ code: "shipment.exception", at: at(39 * 60), place: place(3) });
  scans.push({ code: "shipment.out_for_delivery", at: at(40 * 60), place: place(0) });
  scans.push({ code: "shipment.delivered", at: at(46 * 60), place: place(0) });
  const viaEasyPost = rnd() < o.easypostShare;
  scans.forEach((_, k) => {
    webhooks.push(viaEasyPost ? easypostTracker(orderId, trackingNumber, scans.slice(0, k + 1)) : canonicalScan(orderId, trackingNumber, scans[k] as Scan));
  });
  if (rnd() < o.returnShare) webhooks.push(acme("return.received", 100 * 60, { returnId: "RMA-1", lines }));
  return { orderId, customerId, trackingNumber, release, webhooks };
}

/** A carrier scan in the canonical format that names only the parcel. */
function canonicalScan(orderId: string, trackingNumber: string, s: Scan): Webhook {
  const data = {
    code: s.code,
    occurredAt: s.at,
    trackingNumber,
    carrier: "ups",
    location: { city: s.place.city, region: s.place.state, country: "US" },
    ...(s.code === "shipment.exception" ? { reason: "address_issue" } : {}),
  };
  return { partnerId: "acme-3pl", adapter: "canonical", orderId, body: JSON.stringify({ type: "milestone", data }) };
}

const EASYPOST_STATUS: Record<Scan["code"], [status: string, detail: string, message: string]> = {
  "shipment.in_transit": ["in_transit", "arrived_at_facility", "Arrived at UPS facility"],
  "shipment.exception": ["failure", "address_correction", "The address is incorrect"],
  "shipment.out_for_delivery": ["out_for_delivery", "out_for_delivery", "Out for delivery"],
  "shipment.delivered": ["delivered", "arrived_at_destination", "Delivered"],
};

/** An EasyPost tracker.updated Event: the tracker as it is now, with every scan so far. */
function easypostTracker(orderId: string, trackingNumber: string, history: Scan[]): Webhook {
  const last = history[history.length - 1] as Scan;
  const details = history.map((s) => {
    const [status, statusDetail, message] = EASYPOST_STATUS[s.code];
    return {
      object: "TrackingDetail",
      message,
      status,
      status_detail: statusDetail,
      datetime: s.at,
      source: "UPS",
      carrier_code: status.slice(0, 2).toUpperCase(),
      tracking_location: { object: "TrackingLocation", city: s.place.city, state: s.place.state, zip: s.place.zip, country: "US" },
    };
  });
  const body = {
    object: "Event",
    id: `evt_${trackingNumber}_${history.length}`,
    description: "tracker.updated",
    mode: "production",
    result: {
      object: "Tracker",
      id: `trk_${trackingNumber}`,
      tracking_code: trackingNumber,
      status: EASYPOST_STATUS[last.code][0],
      carrier: "UPS",
      est_delivery_date: "2026-11-23T00:00:00Z",
      tracking_details: details,
    },
  };
  return { partnerId: "easypost", adapter: "easypost", orderId, body: JSON.stringify(body) };
}

/**
 * How many sends of the stream one order's journey spans on the cost curves: the 100-order point's quarter
 * (≈ 24 orders in flight at once, an order's events ≈ 25 sends apart), so that every point from 100 orders
 * up has the same shape and differs only in size. With the span a quarter of any run, a bigger run has
 * sparser orders too: at 10,000 orders an order's events came ≈ 19 s apart, past workerd's ≈ 10-s
 * eviction, and the curve measured eviction (bench/cold.ts measures that on its own).
 */
export const CURVE_JOURNEY_SENDS = 240;

export interface ScheduleOptions {
  duplicateRate?: number;
  lateRate?: number;
  /** At most this many sends per order's journey (default: a quarter of the stream). */
  journeySends?: number;
}

/**
 * Interleaves the orders' webhooks into one arrival stream: each order's journey starts at a random point and
 * spans a quarter of the stream, or `journeySends` sends when that is less; `lateRate` of the webhooks are
 * held back past later ones of the same order, and `duplicateRate` of them arrive a second time a little later.
 */
export function schedule(orders: OrderPlan[], rnd: () => number, o: ScheduleOptions = {}): Send[] {
  const { duplicateRate = 0.05, lateRate = 0.1, journeySends = Number.POSITIVE_INFINITY } = o;
  const expected = orders.reduce((n, x) => n + x.webhooks.length, 0) * (1 + duplicateRate);
  const span = Math.min(0.25, journeySends / Math.max(expected, 1));
  const timed: { t: number; send: Send }[] = [];
  for (const order of orders) {
    const start = rnd() * (1 - span);
    const gap = span / order.webhooks.length;
    order.webhooks.forEach((webhook, k) => {
      const late = rnd() < lateRate;
      const t = start + k * gap + (late ? (1.5 + rnd() * 2.5) * gap : rnd() * 0.5 * gap);
      timed.push({ t, send: { webhook, duplicate: false, late } });
      if (rnd() < duplicateRate) timed.push({ t: t + (0.5 + rnd() * 2.5) * gap, send: { webhook, duplicate: true, late: false } });
    });
  }
  return timed.sort((a, b) => a.t - b.t).map((x) => x.send);
}

/** An order's webhooks in the order things happened, once each (the freshness prober's traffic). */
export function inOrder(order: OrderPlan): Send[] {
  return order.webhooks.map((webhook) => ({ webhook, duplicate: false, late: false }));
}
