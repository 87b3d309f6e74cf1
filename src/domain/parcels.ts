// Which parcel a shipment event is about, and the parcel's names. Partners name one parcel differently
// (the 3PL's shipment id, Shopify's fulfillment id, the carrier's tracking number alone), and the ERP
// must hear of each parcel once, under a name that never changes once a command has used it.
import { normalizeTrackingNumber } from "./correlation";
import type { CanonicalEvent, Line } from "./event";

/**
 * A name the ERP has already heard: read back from an emitted Shipment- or DeliveryConfirmation (its key
 * holds the name, its payload the shipment id and tracking number it was about), so binding a name
 * needs no storage beyond the commands themselves.
 */
export interface ShipmentPin {
  name: string;
  shipmentId?: string;
  trackingNumber?: string;
  /** A ShipmentConfirmation went out under this name: the ERP booked the parcel under it. */
  confirmed: boolean;
  /** The lines that confirmation booked (what the ERP has; the line check counts them first). */
  lines?: Line[];
}

export interface Parcel {
  /** The stable name, used in command keys (see `parcelsOf`). */
  ref: string;
  /** What customers and the ERP call the parcel: the shipment id of its earliest dispatch report. */
  shipmentId: string;
  /** Names under which the ERP booked this parcel, sorted; two mean it was booked twice. */
  confirmedAs: string[];
}

/** The parcel of shipment events that name neither a shipment nor a tracking number. */
export const DEFAULT_PARCEL: Parcel = { ref: "default", shipmentId: "default", confirmedAs: [] };

/** Tracking-number names are prefixed so they can never collide with a partner's shipment id. */
const TRACKING_NAME = "trk:";

/**
 * Groups shipment events into parcels and names them. `events` must be in fold order.
 *
 * Grouping: shipment ids and (normalised) tracking numbers seen together on any event are the same
 * parcel — a union-find over the whole set, so the grouping does not depend on arrival order. Groups only
 * ever merge as events arrive, never split, which is what makes a name safe to bind.
 *
 * Naming (`ref`): commands exist only once a parcel has a dispatch report, so the name comes from its
 * dispatch reports: the tracking number they give (the physical parcel's identity, the same whichever
 * partner reports it), else the dispatching partner's shipment id. A parcel confirmed as SHP-9 + T, then
 * reported by Shopify as 5555 + T, is `trk:T` whichever report came first. Without a dispatch (no command
 * can name it yet) the parcel is named after any tracking number, else any shipment id.
 *
 * Binding: a name the ERP has heard (`pins`) is the parcel's name forever. This only matters where the
 * first dispatch report lacked a tracking number and a later one supplied it: the parcel keeps the name
 * it was confirmed under. Where two parcels, each already confirmed, turn out to be one, both names stay
 * as they are (the ERP has both bookings and a third name would make it three): `ref` is the smaller
 * name, `confirmedAs` lists both, each booking keeps following the parcel (its delivery), and ops
 * reverse one of them at the ERP.
 */
export function parcelsOf(events: readonly CanonicalEvent[], pins: readonly ShipmentPin[] = []): (e: CanonicalEvent) => Parcel {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    for (let up = parent.get(root); up !== undefined && up !== root; up = parent.get(root)) root = up;
    if (root === x) {
      if (!parent.has(x)) parent.set(x, x);
      return x;
    }
    for (let n = x; n !== root; ) {
      const next = parent.get(n) as string;
      parent.set(n, root);
      n = next;
    }
    return root;
  };
  const union = (nodes: string[]) => {
    for (const n of nodes.slice(1)) {
      const [a, b] = [find(nodes[0] as string), find(n)];
      // The smaller root wins, so the roots do not depend on the order of unions.
      const [low, high] = a < b ? [a, b] : [b, a];
      if (low !== high) parent.set(high, low);
    }
    for (const n of nodes) find(n);
  };

  const shipmentEvents = events.filter((e) => e.code.startsWith("shipment."));
  for (const e of shipmentEvents) union(nodesOf(e.shipmentId, e.trackingNumber));
  // A pin's shipment id and tracking number were one parcel when the command went out; they still are.
  for (const p of pins) union(nodesOf(p.shipmentId, p.trackingNumber));

  interface Names {
    dispatchTracking?: string;
    dispatchId?: string;
    firstDispatchId?: string;
    tracking?: string;
    id?: string;
    pinned: string[];
    confirmed: string[];
  }
  const groups = new Map<string, Names>();
  const group = (root: string): Names => {
    const g = groups.get(root) ?? { pinned: [], confirmed: [] };
    groups.set(root, g);
    return g;
  };
  const min = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);
  for (const e of shipmentEvents) {
    const [first] = nodesOf(e.shipmentId, e.trackingNumber);
    if (!first) continue;
    const g = group(find(first));
    const t = normalizeTrackingNumber(e.trackingNumber);
    if (e.code === "shipment.dispatched") {
      if (t) g.dispatchTracking = min(g.dispatchTracking, t);
      if (e.shipmentId) {
        g.dispatchId = min(g.dispatchId, e.shipmentId);
        // Fold order: the earliest dispatch report names the parcel for people (usually the 3PL's).
        g.firstDispatchId ??= e.shipmentId;
      }
    }
    if (t) g.tracking = min(g.tracking, t);
    if (e.shipmentId) g.id = min(g.id, e.shipmentId);
  }
  for (const p of pins) {
    const [first] = nodesOf(p.shipmentId, p.trackingNumber);
    if (!first) continue;
    const g = group(find(first));
    g.pinned.push(p.name);
    if (p.confirmed) g.confirmed.push(p.name);
  }

  const parcels = new Map<string, Parcel>();
  return (e) => {
    const [first] = nodesOf(e.shipmentId, e.trackingNumber);
    if (!first) return DEFAULT_PARCEL;
    const root = find(first);
    let parcel = parcels.get(root);
    if (!parcel) {
      const g = group(root);
      const natural = g.dispatchTracking
        ? TRACKING_NAME + g.dispatchTracking
        : (g.dispatchId ?? (g.tracking ? TRACKING_NAME + g.tracking : (g.id ?? DEFAULT_PARCEL.ref)));
      const pinned = [...new Set(g.pinned)].sort();
      parcel = {
        ref: pinned[0] ?? natural,
        shipmentId: g.firstDispatchId ?? g.id ?? g.tracking ?? DEFAULT_PARCEL.shipmentId,
        confirmedAs: [...new Set(g.confirmed)].sort(),
      };
      parcels.set(root, parcel);
    }
    return parcel;
  };
}

function nodesOf(shipmentId: string | undefined, trackingNumber: string | undefined): string[] {
  const t = normalizeTrackingNumber(trackingNumber);
  return [shipmentId ? `s:${shipmentId}` : null, t ? `t:${t}` : null].filter((n): n is string => n !== null);
}
