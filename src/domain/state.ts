// The order's state as a pure fold over the deduplicated SET of its events. Events are ordered by when
// they happened (occurredAt, then code rank, then eventId as a tie-break), never by arrival, so every
// permutation of the same set folds to the same state.
import type { CanonicalEvent, Line, OrderDetails } from "./event";
import {
  DESCRIPTIONS,
  type ExceptionReason,
  MILESTONE_CODES,
  type MilestoneCode,
  type OrderStatus,
  SHIPMENT_PROGRESS,
  type ShipmentStatus,
  TERMINAL,
} from "./milestones";

export interface ShipmentState {
  shipmentId: string;
  carrier?: string;
  trackingNumber?: string;
  status: ShipmentStatus | "pending";
  rank: number;
  /** The dispatch event (the 3PL's fact); ERP confirmations wait for it. */
  dispatchedBy?: string;
  dispatchedAt?: string;
  deliveredBy?: string;
  deliveredAt?: string;
  lines?: Line[];
  lastEvent?: { code: MilestoneCode; occurredAt: string; location?: CanonicalEvent["location"] };
  eta?: string;
}

export interface RaisedException {
  /** Stable id: the event that raised it. */
  id: string;
  /** Still open (shown in the portal) or resolved by later progress. */
  open: boolean;
  kind: "shipment_exception" | "cancel_after_dispatch" | "returned_to_sender";
  reason?: ExceptionReason;
  shipmentId?: string;
  occurredAt: string;
  description: string;
}

export interface TimelineEntry {
  eventId: string;
  code: MilestoneCode;
  occurredAt: string;
  shipmentId?: string;
  location?: CanonicalEvent["location"];
  description: string;
  source: string;
}

export interface OrderState {
  orderId: string;
  details?: OrderDetails;
  status: OrderStatus;
  statusAt?: string;
  cancelled: boolean;
  shipments: ShipmentState[];
  /** Every exception ever raised (ERP commands derive from these); `open` marks the unresolved ones. */
  exceptions: RaisedException[];
  returns: { returnId: string; eventId: string; occurredAt: string; lines?: Line[] }[];
  timeline: TimelineEntry[];
  /** Number of distinct events folded: grows by one per new event, so it orders snapshots. */
  version: number;
}

const CODE_RANK = new Map<MilestoneCode, number>(MILESTONE_CODES.map((c, i) => [c, i]));

/** The total order every fold uses. */
export function compareEvents(a: CanonicalEvent, b: CanonicalEvent): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  const r = (CODE_RANK.get(a.code) ?? 0) - (CODE_RANK.get(b.code) ?? 0);
  if (r !== 0) return r;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

const units = (lines: Line[] | undefined): number => (lines ?? []).reduce((n, l) => n + l.quantity, 0);

export function fold(orderId: string, input: readonly CanonicalEvent[]): OrderState {
  const seen = new Set<string>();
  const events = [...input].sort(compareEvents).filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  const shipmentIdOf = shipmentIdentity(events);

  let details: OrderDetails | undefined;
  let cancelledAt: string | undefined;
  let cancelEventId: string | undefined;
  let fulfillmentStarted = false;
  const shipments = new Map<string, ShipmentState>();
  const exceptions: RaisedException[] = [];
  const returns: OrderState["returns"] = [];
  const timeline: TimelineEntry[] = [];

  for (const e of events) {
    timeline.push({
      eventId: e.eventId,
      code: e.code,
      occurredAt: e.occurredAt,
      ...(e.shipmentId ? { shipmentId: e.shipmentId } : {}),
      ...(e.location ? { location: e.location } : {}),
      description: e.description ?? DESCRIPTIONS[e.code],
      source: e.source,
    });
    switch (e.code) {
      case "order.released":
        // The first release wins; a different re-release is refused at the door (POST /v1/orders).
        details ??= e.order;
        break;
      case "order.cancelled":
        if (!cancelledAt) {
          cancelledAt = e.occurredAt;
          cancelEventId = e.eventId;
        }
        break;
      case "fulfillment.acknowledged":
      case "fulfillment.picked":
      case "fulfillment.packed":
        fulfillmentStarted = true;
        break;
      case "return.authorized":
        break;
      case "return.received":
        returns.push({
          returnId: e.returnId ?? e.eventId,
          eventId: e.eventId,
          occurredAt: e.occurredAt,
          ...(e.lines ? { lines: e.lines } : {}),
        });
        break;
      default:
        applyShipmentEvent(shipmentOf(shipments, shipmentIdOf(e), e), e, exceptions);
    }
  }

  const list = [...shipments.values()];
  const shipped = list.filter((s) => s.rank >= 2);
  if (cancelledAt && cancelEventId && shipped.length > 0) {
    exceptions.push({
      id: cancelEventId,
      kind: "cancel_after_dispatch",
      open: true,
      occurredAt: cancelledAt,
      description: "Cancelled after the goods were dispatched: intercept or recover them.",
    });
  }
  const { status, statusAt } = deriveStatus(details, list, returns, Boolean(cancelledAt) && shipped.length === 0, fulfillmentStarted, events);
  return {
    orderId,
    ...(details ? { details } : {}),
    status,
    ...(statusAt ? { statusAt } : {}),
    cancelled: Boolean(cancelledAt),
    shipments: list,
    exceptions,
    returns,
    timeline,
    version: events.length,
  };
}

/**
 * Which shipment an event is about. The 3PL names a shipment and its tracking number; a carrier knows only
 * the tracking number (or its own shipment id). Ids and tracking numbers seen together on any event are
 * the same parcel (union-find over the whole set, so the answer does not depend on arrival order); the
 * group is named after the 3PL's dispatch if there is one.
 */
function shipmentIdentity(events: readonly CanonicalEvent[]): (e: CanonicalEvent) => string {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    // The smaller name becomes the root, so the grouping does not depend on the order of unions.
    const [low, high] = ra < rb ? [ra, rb] : [rb, ra];
    if (low !== high) parent.set(high, low);
  };
  const nodes = (e: CanonicalEvent) =>
    [e.shipmentId ? `s:${e.shipmentId}` : null, e.trackingNumber ? `t:${e.trackingNumber}` : null].filter((n): n is string => n !== null);
  const shipmentEvents = events.filter((e) => e.code.startsWith("shipment."));
  for (const e of shipmentEvents) {
    const [a, b] = nodes(e);
    if (a) find(a);
    if (a && b) union(a, b);
  }
  const names = new Map<string, { dispatched?: string; id?: string; tracking?: string }>();
  for (const e of shipmentEvents) {
    const [first] = nodes(e);
    if (!first) continue;
    const root = find(first);
    const n = names.get(root) ?? {};
    if (e.shipmentId) {
      if (e.code === "shipment.dispatched" && (!n.dispatched || e.shipmentId < n.dispatched)) n.dispatched = e.shipmentId;
      if (!n.id || e.shipmentId < n.id) n.id = e.shipmentId;
    }
    if (e.trackingNumber && (!n.tracking || e.trackingNumber < n.tracking)) n.tracking = e.trackingNumber;
    names.set(root, n);
  }
  return (e) => {
    const [first] = nodes(e);
    if (!first) return "default";
    const n = names.get(find(first));
    return n?.dispatched ?? n?.id ?? n?.tracking ?? "default";
  };
}

function shipmentOf(shipments: Map<string, ShipmentState>, key: string, e: CanonicalEvent): ShipmentState {
  let s = shipments.get(key);
  if (!s) {
    s = { shipmentId: key, status: "pending", rank: 0 };
    shipments.set(key, s);
  }
  s.carrier ??= e.carrier;
  s.trackingNumber ??= e.trackingNumber;
  if (e.eta) s.eta = e.eta;
  return s;
}

function applyShipmentEvent(s: ShipmentState, e: CanonicalEvent, exceptions: RaisedException[]): void {
  s.lastEvent = { code: e.code, occurredAt: e.occurredAt, ...(e.location ? { location: e.location } : {}) };
  if (e.code === "shipment.dispatched" && !s.dispatchedBy) {
    s.dispatchedBy = e.eventId;
    s.dispatchedAt = e.occurredAt;
    if (e.lines) s.lines = e.lines;
  }
  if (e.code === "shipment.exception") {
    // Raised whatever the shipment's status (so the set of ERP commands only grows with the event set);
    // an exception reported after delivery is not shown as open in the portal.
    exceptions.push({
      id: e.eventId,
      kind: "shipment_exception",
      open: !TERMINAL.has(s.status as ShipmentStatus),
      reason: e.reason ?? "other",
      shipmentId: s.shipmentId,
      occurredAt: e.occurredAt,
      description: e.description ?? DESCRIPTIONS[e.code],
    });
    return;
  }
  const progress = SHIPMENT_PROGRESS[e.code];
  if (!progress) return;
  // Facts recorded whatever the current status, so that what the ERP hears only grows with the event set.
  if (progress.status === "delivered" && !s.deliveredBy) {
    s.deliveredBy = e.eventId;
    s.deliveredAt = e.occurredAt;
  }
  if (progress.status === "returned_to_sender" && !exceptions.some((x) => x.id === e.eventId)) {
    exceptions.push({
      id: e.eventId,
      kind: "returned_to_sender",
      open: true,
      shipmentId: s.shipmentId,
      occurredAt: e.occurredAt,
      description: "The carrier is returning the shipment to the warehouse.",
    });
  }
  // Sticky terminal states: once delivered or returned, later scans only add to the timeline.
  if (TERMINAL.has(s.status as ShipmentStatus)) return;
  // A label scan after dispatch is noise, not a step back to "not shipped".
  if (progress.rank < 2 && s.rank >= 2) return;
  // Otherwise the latest scan by occurredAt wins (in transit again after a failed delivery is real).
  s.status = progress.status;
  s.rank = progress.rank;
  // Any later progress scan resolves this shipment's earlier exceptions (the carrier moved it on).
  for (const x of exceptions) {
    if (x.kind === "shipment_exception" && x.shipmentId === s.shipmentId && x.occurredAt <= e.occurredAt) x.open = false;
  }
}

function deriveStatus(
  details: OrderDetails | undefined,
  shipments: ShipmentState[],
  returns: OrderState["returns"],
  cancelledBeforeDispatch: boolean,
  fulfillmentStarted: boolean,
  events: CanonicalEvent[],
): { status: OrderStatus; statusAt?: string } {
  const at = (codes: MilestoneCode[]): string | undefined => {
    let t: string | undefined;
    for (const e of events) if (codes.includes(e.code)) t = e.occurredAt;
    return t;
  };
  if (!details) return { status: "awaiting_release" };
  if (cancelledBeforeDispatch) return { status: "cancelled", statusAt: at(["order.cancelled"]) };

  const ordered = units(details.lines);
  // A shipment without line detail is taken to carry the rest of the order.
  const covered = (list: ShipmentState[]) => (list.some((s) => !s.lines) ? ordered : list.reduce((n, s) => n + units(s.lines), 0));
  const shipped = shipments.filter((s) => s.rank >= 2);
  const delivered = shipped.filter((s) => s.status === "delivered");
  const rts = shipped.filter((s) => s.status === "returned_to_sender");

  const returnedUnits = returns.some((r) => !r.lines) ? ordered : returns.reduce((n, r) => n + units(r.lines), 0);
  if ((returns.length > 0 && returnedUnits >= ordered) || (shipped.length > 0 && rts.length === shipped.length)) {
    return { status: "returned", statusAt: at(["return.received", "shipment.returned_to_sender"]) };
  }
  if (delivered.length > 0) {
    const status = covered(delivered) >= ordered ? "delivered" : "partially_delivered";
    return { status, statusAt: at(["shipment.delivered"]) };
  }
  if (shipped.length === 0) {
    return fulfillmentStarted || shipments.length > 0
      ? { status: "in_fulfillment", statusAt: at(["fulfillment.acknowledged", "fulfillment.picked", "fulfillment.packed", "shipment.label_created"]) }
      : { status: "released", statusAt: at(["order.released"]) };
  }
  if (covered(shipped) < ordered) return { status: "partially_shipped", statusAt: at(["shipment.dispatched"]) };
  // Everything is on its way: the order is as far along as its least advanced shipment.
  const moving = shipped.filter((s) => s.status !== "returned_to_sender");
  const minRank = Math.min(...moving.map((s) => s.rank));
  if (minRank >= 4)
    return { status: "out_for_delivery", statusAt: at(["shipment.out_for_delivery", "shipment.delivery_attempted", "shipment.available_for_pickup"]) };
  if (minRank >= 3) return { status: "in_transit", statusAt: at(["shipment.in_transit"]) };
  return { status: "shipped", statusAt: at(["shipment.dispatched"]) };
}
