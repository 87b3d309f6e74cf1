// One step of an order, as data: given what the OrderDO holds (its events with their content hashes, the
// commands it emitted, the keys it bound) and the events that arrive, every effect of their arrival — each
// event's outcome, the events to store, the new state, the ERP commands to emit, the read model's message,
// the keys to bind. Pure; the OrderDO writes the answer in one transaction and hands it to its outbox.
//
//   orderStep({ orderId, held, arrivals, lastArrival, emitted, lastSeq, keys, now }) → { results, accepted, change }
import type { EmittedCommand, ErpCommand } from "./commands";
import { keysOf } from "./correlation";
import { decide } from "./decider";
import type { CanonicalEvent } from "./event";
import { destinationOf, type FulfillmentCommand, fulfillmentCommands, fulfillmentRows, unroutableLines } from "./fulfillment";
import { identityText } from "./identity";
import type { FulfillmentRow, ProjectionMessage } from "./messages";
import type { FulfillmentRoute } from "./routing";
import type { OrderState } from "./state";
import { opsExceptions, portalView } from "./view";
import { type EventDraft, orderEvents } from "../subscriptions/events";

/**
 * `not-assigned`: a fulfilment partner reported on a released order that was not routed to it (DESIGN §3.9);
 * the event is not recorded, and the webhook is quarantined for ops.
 */
export type IngestOutcome = "accepted" | "duplicate" | "not-assigned";
export interface IngestResult {
  eventId: string;
  outcome: IngestOutcome;
  /** Same event id, different content: a partner bug or a changed re-release. The first version stands. */
  conflict?: boolean;
}

/** An event the order holds, with the content hash stored beside it (by the identity rule of its day). */
export interface HeldEvent {
  event: CanonicalEvent;
  hash: string;
}

/** An event on its way in: its content hash (`contentHash`) and the request that carried it. */
export interface Arrival extends HeldEvent {
  correlationId: string;
}

export interface OrderStepInput {
  orderId: string;
  /** Every event the order holds, by id. */
  held: ReadonlyMap<string, HeldEvent>;
  arrivals: readonly Arrival[];
  /** The arrival number of the last event stored (0 for none): ops see events in the order they came. */
  lastArrival: number;
  /** Every command the order emitted, as stored, and the highest sequence number among them (0 for none). */
  emitted: readonly EmittedCommand[];
  lastSeq: number;
  /** The correlation keys the order already owns. */
  keys: ReadonlySet<string>;
  /** FULFILLMENT_ROUTES, and the fulfillment commands the order emitted (routing happens once). */
  routes: readonly FulfillmentRoute[];
  fulfilment: readonly Pick<FulfillmentCommand, "destination" | "key" | "type" | "payload">[];
  /** The partners with a `fulfillment` entry: they may report only on orders assigned to them. */
  fulfilmentPartners?: ReadonlySet<string>;
  /** The order's state before this step (null for a new order): its events compare what the customer saw. */
  before?: OrderState | null;
  /** ISO time of the step: the view's `updatedAt`. */
  now: string;
}

export interface OrderStep {
  /** One per arrival, in their order. */
  results: IngestResult[];
  /** The events to store, numbered after `lastArrival`. */
  accepted: (Arrival & { arrival: number })[];
  /** What the accepted events change; null when there are none (a duplicate-only request writes nothing). */
  change: OrderChange | null;
}

export interface OrderChange {
  state: OrderState;
  /** Commands never emitted before, numbered after `lastSeq`, in the order the ERP must see them. */
  commands: ErpCommand[];
  /** The request of the last accepted event: the new commands and the projection carry it. */
  correlationId: string;
  /** The read model's update, or null while the order has nothing to show (not released). */
  projection: Extract<ProjectionMessage, { kind: "projection" }> | null;
  /** Keys the order owns now and did not before: each is stored, and bound after the commit. */
  keys: string[];
  /** Fulfillment requests and cancellations never emitted before, each for its partner's destination. */
  deliveries: FulfillmentCommand[];
  /** Lines no route matched, when the order was routed in this step. */
  unroutable: { index: number; sku: string; quantity: number }[];
  /** The events subscribers hear of this change (src/subscriptions/events.ts): none if nothing visible changed. */
  notifications: EventDraft[];
}

export function orderStep(input: OrderStepInput): OrderStep {
  const { orderId, held, now } = input;
  const results: IngestResult[] = [];
  const accepted: OrderStep["accepted"] = [];
  // The same id twice in one request: the second copy meets the first as a stored event would.
  const taken = new Map<string, HeldEvent>();
  let arrival = input.lastArrival;
  for (const a of input.arrivals) {
    const eventId = a.event.eventId;
    const existing = held.get(eventId) ?? taken.get(eventId);
    if (existing) {
      // The stored hash was computed by the identity rule of its day: when it differs, compare by today's
      // rule before calling it a conflict (a rule that learned to ignore a field must not turn the re-sends
      // of events stored before it into conflicts).
      const conflict = existing.hash !== a.hash && identityText(existing.event) !== identityText(a.event);
      results.push({ eventId, outcome: "duplicate", ...(conflict ? { conflict: true } : {}) });
      continue;
    }
    taken.set(eventId, a);
    if (notAssigned(input, a.event)) {
      results.push({ eventId, outcome: "not-assigned" });
      continue;
    }
    accepted.push({ ...a, arrival: ++arrival });
    results.push({ eventId, outcome: "accepted" });
  }
  const last = accepted.at(-1);
  if (!last) return { results, accepted, change: null };
  const events = [...[...held.values()].map((h) => h.event), ...accepted.map((a) => a.event)];
  const { state, commands } = decide(orderId, events, input.emitted, input.lastSeq);
  const fulfilment = fulfillmentCommands(orderId, events, input.routes, input.fulfilment);
  const after = portalView(state, now);
  const before = input.before ? portalView(input.before, now) : null;
  return {
    results,
    accepted,
    change: {
      state,
      commands,
      correlationId: last.correlationId,
      projection: withRequests(
        projectionOf(state, now, last.correlationId, new Set(accepted.map((a) => a.event.eventId))),
        fulfillmentRows(orderId, events, [...input.fulfilment, ...fulfilment.commands], now),
        // No routes at all: this deployment does not orchestrate fulfilment, and nothing is unroutable.
        input.routes.length > 0 ? unroutableLines(events, [...input.fulfilment, ...fulfilment.commands]) : null,
      ),
      keys: keysOf(state).filter((k) => !input.keys.has(k)),
      deliveries: fulfilment.commands,
      unroutable: fulfilment.unroutable,
      notifications: after ? orderEvents(before, after) : [],
    },
  };
}

/**
 * An event from a fulfilment partner on a released order that has no request for that partner. Before the
 * release nothing is assigned yet and events may arrive early, so they are kept: the rule applies from the
 * release on, which is when the order's requests exist — and only where routes are configured.
 */
function notAssigned(input: OrderStepInput, e: CanonicalEvent): boolean {
  // No routes: this deployment does not orchestrate fulfilment, so no order is assigned to anyone, and a
  // partner's reports are taken as they were before orchestration existed.
  if (input.routes.length === 0 || !input.fulfilmentPartners?.has(e.source)) return false;
  const released = [...input.held.values()].some((h) => h.event.code === "order.released");
  if (!released) return false;
  return !input.fulfilment.some((c) => c.type === "fulfillment.requested" && c.destination === destinationOf(e.source));
}

/**
 * The read model's message for a state. With `fresh`, the timeline travels as what is new: the entries of
 * those events. The read model already holds the rest (its entries are immutable), so a message does not
 * grow with the order. Without it, the whole timeline (a re-projection).
 */
export function projectionOf(
  state: OrderState,
  updatedAt: string,
  correlationId: string,
  fresh?: ReadonlySet<string>,
): Extract<ProjectionMessage, { kind: "projection" }> | null {
  const view = portalView(state, updatedAt);
  if (!view) return null;
  const order = fresh ? { ...view, timeline: view.timeline.filter((t) => fresh.has(t.eventId)) } : view;
  return { kind: "projection", order, opsExceptions: opsExceptions(state), correlationId };
}

/** A full re-projection: the view with its whole timeline, the fulfillment requests, unroutable lines. */
export function reprojectionOf(
  input: Pick<OrderStepInput, "orderId" | "held" | "fulfilment" | "routes">,
  state: OrderState,
  updatedAt: string,
  correlationId: string,
): ReturnType<typeof projectionOf> {
  const events = [...input.held.values()].map((h) => h.event);
  return withRequests(
    projectionOf(state, updatedAt, correlationId),
    fulfillmentRows(input.orderId, events, input.fulfilment, updatedAt),
    input.routes.length > 0 ? unroutableLines(events, input.fulfilment) : null,
  );
}

/**
 * The projection with the order's fulfillment requests (older messages carry none), and lines no route
 * matched as an exception for ops (GET /ops/stuck lists it under needs_review; the customer never sees it).
 */
function withRequests(
  projection: ReturnType<typeof projectionOf>,
  rows: FulfillmentRow[],
  unroutable: { sku: string; quantity: number }[] | null,
): ReturnType<typeof projectionOf> {
  if (!projection) return projection;
  const lines = unroutable ?? [];
  const exception =
    lines.length > 0
      ? [
          {
            id: `unroutable:${projection.order.orderId}`,
            kind: "unroutable",
            reason: null,
            shipmentId: null,
            occurredAt: projection.order.statusAt ?? projection.order.updatedAt,
            description: `no fulfillment route matches ${lines.map((l) => `${l.sku} × ${l.quantity}`).join(", ")}: route it (FULFILLMENT_ROUTES) and replay, or ship it by hand`,
          },
        ]
      : [];
  return {
    ...projection,
    ...(rows.length > 0 ? { fulfillment: rows } : {}),
    ...(exception.length > 0 ? { opsExceptions: [...(projection.opsExceptions ?? []), ...exception] } : {}),
  };
}

/** Content identity of an event, to tell a true duplicate from a conflicting re-use of an id. */
export async function contentHash(e: CanonicalEvent): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(identityText(e))));
  return Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
