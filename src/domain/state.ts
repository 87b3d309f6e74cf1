// The order's state as a pure fold over the deduplicated SET of its events. Events are ordered by when
// they happened (occurredAt, then code rank, then eventId as a tie-break), never by arrival, so every
// permutation of the same set folds to the same state. The only other input is what the ERP has already
// heard (shipment names it bound, shipments it booked): facts told can be neither renamed nor taken back.
import type { CanonicalEvent, Line, OrderDetails } from "./event";
import { heldForLines } from "./lines";
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
import { type Parcel, parcelsOf, type ShipmentPin } from "./parcels";

export interface ShipmentState {
  /**
   * What customers and the ERP call the shipment: the shipment id of its earliest dispatch report
   * (usually the 3PL's, e.g. SHP-9), else any partner's id, else its tracking number. It can change
   * while reports still arrive (an earlier-dated report from another partner), so nothing is keyed by it.
   */
  shipmentId: string;
  /**
   * The parcel's stable name, in ERP command keys: its tracking number (`trk:…`) when a dispatch report
   * gives one, else the dispatching partner's shipment id; never changes once a command used it.
   */
  ref: string;
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
  /** Dispatched but not confirmed to the ERP: its lines disagree with the order (see the exception). */
  withheld?: "line_mismatch";
  /**
   * Set only when the ERP booked this one parcel under two names (confirmed separately before its
   * reports could be linked): both bookings stay and follow the parcel, `ref` is the smaller name.
   */
  confirmedAs?: string[];
}

/**
 * Exceptions for ops only: discrepancies inside the integration (lines that disagree with the order, one
 * parcel booked twice). They are not facts about the customer's delivery, so the portal does not list
 * them, and the ERP does not get them as FulfillmentExceptions (it gets no confirmation instead).
 */
export const INTERNAL_EXCEPTIONS: ReadonlySet<RaisedException["kind"]> = new Set(["line_mismatch", "confirmed_twice"]);

export interface RaisedException {
  /** Stable id: the event that raised it (`confirmed-twice:<ref>` for a parcel booked under two names). */
  id: string;
  /** Still open (shown in the portal unless internal) or resolved by later progress. */
  open: boolean;
  kind: "shipment_exception" | "cancel_after_dispatch" | "returned_to_sender" | "line_mismatch" | "confirmed_twice";
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
  /** One entry per receipt (see `receiptIdentity`): the same box reported twice is one receipt. */
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

/** The codes folded into a parcel (the switch's default branch); the others are about the whole order. */
const SHIPMENT_EVENT = /^shipment\./;

const units = (lines: Line[] | undefined): number => (lines ?? []).reduce((n, l) => n + l.quantity, 0);

/** `pins`: the shipment names the ERP has already heard (from the emitted commands, see `shipmentPins`). */
export function fold(orderId: string, input: readonly CanonicalEvent[], pins: readonly ShipmentPin[] = []): OrderState {
  const seen = new Set<string>();
  const events = [...input].sort(compareEvents).filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
  const parcelOf = parcelsOf(events, pins);

  let details: OrderDetails | undefined;
  let cancelledAt: string | undefined;
  let cancelEventId: string | undefined;
  let fulfillmentStarted = false;
  const shipments = new Map<string, ShipmentState>();
  /** Each shipment's parcel and own exceptions (later progress of that shipment closes them), by ref. */
  const parcels = new Map<string, { parcel: Parcel; raised: RaisedException[] }>();
  const exceptions: RaisedException[] = [];
  const returns: OrderState["returns"] = [];
  const receipts = new Set<string>();
  const timeline: TimelineEntry[] = [];

  for (const e of events) {
    // A shipment event names its parcel as the order's shipments do (a carrier scan may carry only the
    // tracking number), so each parcel's history is exactly its own events.
    const shipmentId = SHIPMENT_EVENT.test(e.code) ? parcelOf(e).shipmentId : undefined;
    timeline.push({
      eventId: e.eventId,
      code: e.code,
      occurredAt: e.occurredAt,
      ...(shipmentId ? { shipmentId } : {}),
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
      case "return.received": {
        const r = { returnId: e.returnId ?? e.eventId, eventId: e.eventId, occurredAt: e.occurredAt, ...(e.lines ? { lines: e.lines } : {}) };
        const id = receiptIdentity(r);
        if (!receipts.has(id)) {
          receipts.add(id);
          returns.push(r);
        }
        break;
      }
      default: {
        const parcel = parcelOf(e);
        const p = parcels.get(parcel.ref) ?? { parcel, raised: [] };
        parcels.set(parcel.ref, p);
        applyShipmentEvent(shipmentOf(shipments, parcel, e), e, exceptions, p.raised);
      }
    }
  }

  const list = [...shipments.values()];
  if (details) {
    // A shipment without line detail is confirmed with the order's lines, so that is what is checked: a
    // second such shipment would book the order twice.
    const lines = details.lines;
    const pending = list.flatMap((s) =>
      s.dispatchedAt && (parcels.get(s.ref)?.parcel.confirmedAs.length ?? 0) === 0
        ? [{ ref: s.ref, shipmentId: s.shipmentId, dispatchedAt: s.dispatchedAt, lines: s.lines ?? lines }]
        : [],
    );
    const heard = pins.flatMap((p) => (p.confirmed ? (p.lines ?? []) : []));
    for (const [ref, description] of heldForLines(details.lines, heard, pending)) {
      const s = shipments.get(ref);
      if (!s?.dispatchedAt || !s.dispatchedBy) continue;
      s.withheld = "line_mismatch";
      exceptions.push({ id: s.dispatchedBy, kind: "line_mismatch", open: true, shipmentId: s.shipmentId, occurredAt: s.dispatchedAt, description });
    }
  }
  for (const s of list) {
    const names = parcels.get(s.ref)?.parcel.confirmedAs ?? [];
    if (names.length < 2) continue;
    s.confirmedAs = names;
    exceptions.push({
      id: `confirmed-twice:${s.ref}`,
      kind: "confirmed_twice",
      open: true,
      shipmentId: s.shipmentId,
      occurredAt: s.dispatchedAt ?? s.lastEvent?.occurredAt ?? "",
      description: `One parcel was confirmed to the ERP twice, as ${names.join(" and ")}, before its reports could be linked: reverse one booking at the ERP.`,
    });
  }
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
 * What makes two `return.received` one receipt: the same return, at the same instant, with the same
 * contents is the same box reported twice (by the 3PL and its WMS, say); anything else is another box
 * of the same return (each is booked). Identity by content, not by event id, because two systems
 * reporting one box give it two event ids.
 */
export function receiptIdentity(r: { returnId: string; occurredAt: string; lines?: readonly Line[] }): string {
  const contents = [...(r.lines ?? []).reduce((m, l) => m.set(l.sku, (m.get(l.sku) ?? 0) + l.quantity), new Map<string, number>())].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `${r.returnId}@${r.occurredAt}${contents.length > 0 ? JSON.stringify(contents) : ""}`;
}

function shipmentOf(shipments: Map<string, ShipmentState>, parcel: Parcel, e: CanonicalEvent): ShipmentState {
  let s = shipments.get(parcel.ref);
  if (!s) {
    s = { shipmentId: parcel.shipmentId, ref: parcel.ref, status: "pending", rank: 0 };
    shipments.set(parcel.ref, s);
  }
  s.carrier ??= e.carrier;
  s.trackingNumber ??= e.trackingNumber;
  if (e.eta) s.eta = e.eta;
  return s;
}

function applyShipmentEvent(s: ShipmentState, e: CanonicalEvent, exceptions: RaisedException[], own: RaisedException[]): void {
  const raise = (x: RaisedException) => {
    exceptions.push(x);
    own.push(x);
  };
  s.lastEvent = { code: e.code, occurredAt: e.occurredAt, ...(e.location ? { location: e.location } : {}) };
  if (e.code === "shipment.dispatched") {
    if (!s.dispatchedBy) {
      s.dispatchedBy = e.eventId;
      s.dispatchedAt = e.occurredAt;
    }
    // One parcel may be reported dispatched by several partners: the earliest report with line detail
    // says what it carries.
    if (e.lines && !s.lines) s.lines = e.lines;
  }
  if (e.code === "shipment.exception") {
    // Raised whatever the shipment's status (so the set of ERP commands only grows with the event set);
    // an exception reported after delivery is not shown as open in the portal.
    raise({
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
  if (progress.status === "returned_to_sender" && !own.some((x) => x.id === e.eventId)) {
    raise({
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
  for (const x of own) {
    if (x.kind === "shipment_exception" && x.occurredAt <= e.occurredAt) x.open = false;
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
