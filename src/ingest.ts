// From an authentic partner request to routed canonical events: map, check, route. Shared by the
// webhook route and by quarantine replay, so a replayed payload takes exactly the path it missed.
// `receive` is the webhook's whole answer: whatever of an authentic request is not routed (a part we cannot
// process, an event id reused with other content, an envelope warning) is kept in quarantine and logged.
import { z } from "zod";
import { boundOrder, rememberBinding } from "./bound-keys";
import { CanonicalEvent, OrderRef } from "./domain/event";
import { keyFor } from "./domain/correlation";
import { orderStub } from "./orders";
import { isContentEventId } from "./partners/event-id";
import type { Partner } from "./partners/registry";
import { type InboundWebhook, type MappedEvent, Unmappable } from "./partners/types";
import { errorName, log } from "./platform/log";
import { putInQuarantine } from "./readmodel/quarantine";
import { publishOpsEvent } from "./subscriptions/ops-feed";
import type { RouteResult } from "../durable-objects/correlation";

export interface EventResult {
  eventId: string;
  orderId?: string;
  outcome: "accepted" | "duplicate" | "parked" | "quarantined" | "not-assigned";
  quarantineId?: string;
  /** Why the event was quarantined. */
  reason?: string;
  /** Routing only: the id is recorded with different content. The recorded version stands. */
  conflict?: boolean;
}

/** A part of a request that was quarantined without becoming an event (the whole payload, or X12 sets). */
export interface QuarantinedPart {
  outcome: "quarantined";
  quarantineId: string;
  reason: string;
}

export interface WebhookAnswer {
  correlationId: string;
  results: (EventResult | QuarantinedPart)[];
  /** Why an authentic payload carried no milestone. */
  ignored?: string;
  /** What the partner should fix although the payload was processed (e.g. an X12 trailer's miscount). */
  warnings?: string[];
}

// What an adapter must produce: a canonical event that may name its order only indirectly.
const Mapped = CanonicalEvent.omit({ orderId: true }).extend({ orderId: CanonicalEvent.shape.orderId.optional(), orderRef: OrderRef.optional() });

/**
 * What a payload maps to. `unprocessed` names the parts of an otherwise mapped payload that could not be
 * (the payload is quarantined for them while its events are routed); `warnings` are problems the partner
 * should fix that did not stop processing.
 */
export type Mapping = (
  | { kind: "events"; events: MappedEvent[]; unprocessed?: string }
  | { kind: "ignored"; reason: string }
  | { kind: "unmappable"; reason: string }
) & { warnings: string[] };

/** Runs the partner's mapping. HttpProblems (400/422) propagate; an unmappable payload is reported, not thrown. */
export async function mapRequest(partner: Partner, req: InboundWebhook): Promise<Mapping> {
  let result: Awaited<ReturnType<Partner["impl"]["map"]>>;
  try {
    result = await partner.impl.map(req);
  } catch (err) {
    if (err instanceof Unmappable) return { kind: "unmappable", reason: err.reason, warnings: [...err.warnings] };
    throw err;
  }
  const warnings = result.warnings ?? [];
  if (result.events.length === 0) return { kind: "ignored", reason: result.ignored ?? "no milestone in this payload", warnings };
  const checked = z.array(Mapped).safeParse(result.events);
  if (!checked.success) {
    const first = checked.error.issues[0];
    return { kind: "unmappable", reason: `adapter output is not canonical: ${first?.path.join(".")} ${first?.message}`, warnings };
  }
  const orphan = checked.data.find((e) => !e.orderId && !keyFor(e));
  if (orphan) return { kind: "unmappable", reason: `event ${orphan.eventId} names no order, order reference or tracking number`, warnings };
  const unprocessed = result.unprocessed?.length ? { unprocessed: result.unprocessed.join("; ") } : {};
  return { kind: "events", events: checked.data as MappedEvent[], ...unprocessed, warnings };
}

export const notAssignedReason = (orderId: string, partnerId: string) => `not assigned: order ${orderId} is not assigned to ${partnerId}`;
export const conflictReason = (eventId: string) => `conflicting duplicate: event id ${eventId} already recorded with different content`;

/**
 * The partner's answer, and beside it what the request log keeps (never sent to the partner): the orders
 * the request reached and the ids of its mapped events (none when nothing mapped).
 */
export interface Received {
  answer: WebhookAnswer;
  orderIds: string[];
  keys: string[];
}

/**
 * An authentic (verified) request, mapped and routed, as the partner's answer. One quarantine entry per
 * request holds everything that needs ops (the parts not processed, each conflicting duplicate, the
 * warnings), so a payload is kept once, byte for byte, whatever went wrong with it.
 */
export async function receive(env: Env, partner: Partner, req: InboundWebhook, correlationId: string): Promise<Received> {
  const mapping = await mapRequest(partner, req);
  const fields = { partnerId: partner.id, correlationId };
  const routed = mapping.kind === "events" ? await routeEvents(env, mapping.events, correlationId) : [];
  const unprocessed = mapping.kind === "unmappable" ? mapping.reason : mapping.kind === "events" ? mapping.unprocessed : undefined;
  // Only an id the partner gave can be reused for other content. An id we derived from the fact's own
  // parts (a Shopify fulfillment's dispatch, a carrier scan) names the fact, and a partner that restates it
  // with more or newer details (a tracking number added, the status time moved) is re-sending it: the
  // recorded version stands, quietly.
  const conflicts = routed.filter((r) => r.conflict && !isContentEventId(r.eventId));
  const restated = routed.filter((r) => r.conflict && isContentEventId(r.eventId));
  if (restated.length > 0)
    log.info("fact restated with other details; the recorded version stands", { ...fields, eventIds: restated.map((r) => r.eventId).join(",") });
  const notAssigned = routed.filter((r) => r.outcome === "not-assigned");
  const reasons = [
    ...(unprocessed ? [unprocessed] : []),
    ...conflicts.map((r) => conflictReason(r.eventId)),
    ...notAssigned.map((r) => notAssignedReason(r.orderId ?? "", partner.id)),
    ...mapping.warnings,
  ];
  const quarantineId = reasons.length > 0 ? await putInQuarantine(env.DB, req, reasons.join("; "), correlationId) : undefined;
  if (quarantineId) {
    const orderId = notAssigned[0]?.orderId ?? conflicts[0]?.orderId ?? null;
    await alertQuarantine(env, partner.id, quarantineId, reasons.join("; "), orderId, correlationId);
  }

  const results: WebhookAnswer["results"] = routed.map(({ conflict, ...r }) => {
    if (r.outcome === "not-assigned" && quarantineId)
      return { ...r, outcome: "quarantined", quarantineId, reason: notAssignedReason(r.orderId ?? "", partner.id) };
    return conflict && quarantineId && !isContentEventId(r.eventId) ? { ...r, outcome: "quarantined", quarantineId, reason: conflictReason(r.eventId) } : r;
  });
  for (const r of notAssigned)
    log.warn("event from a fulfilment partner on an order not assigned to it quarantined", { ...fields, eventId: r.eventId, orderId: r.orderId, quarantineId });
  for (const r of conflicts)
    log.warn("conflicting duplicate quarantined; the recorded version stands", { ...fields, eventId: r.eventId, orderId: r.orderId, quarantineId });
  if (unprocessed && quarantineId) {
    results.push({ outcome: "quarantined", quarantineId, reason: unprocessed });
    log.warn("webhook quarantined", { ...fields, quarantineId, reason: unprocessed });
  }
  if (mapping.warnings.length > 0) log.warn("webhook has warnings for the partner", { ...fields, quarantineId, warnings: mapping.warnings.join("; ") });
  if (mapping.kind === "ignored") log.info("webhook carried no milestone", { ...fields, reason: mapping.reason });
  else if (mapping.kind === "events") log.info("webhook accepted", { ...fields, events: routed.length, outcomes: results.map((r) => r.outcome).join(",") });
  const answer = {
    correlationId,
    results,
    ...(mapping.kind === "ignored" ? { ignored: mapping.reason } : {}),
    ...(mapping.warnings.length > 0 ? { warnings: mapping.warnings } : {}),
  };
  const orderIds = routed.flatMap((r) => (r.orderId ? [r.orderId] : []));
  return { answer, orderIds, keys: mapping.kind === "events" ? [...orderIds, ...mapping.events.flatMap(keysOf)] : [] };
}

/** The ids of a mapped event a person would search the request log for. */
const keysOf = (e: MappedEvent): string[] =>
  [e.eventId, e.orderId, e.orderRef?.id, e.trackingNumber, e.shipmentId].filter((k): k is string => typeof k === "string" && k !== "");

/**
 * Tells ops subscriptions (`ops.quarantined`, through the ops feed). The payload is safe in D1 whatever
 * happens here: a failure to alert is logged, and the partner still gets its answer.
 */
async function alertQuarantine(env: Env, partnerId: string, quarantineId: string, reason: string, orderId: string | null, correlationId: string) {
  const data = { quarantineId, partner: partnerId, reason: reason.slice(0, 500), orderId, receivedAt: new Date().toISOString() };
  await publishOpsEvent(env, { type: "ops.quarantined", data }).catch((err: unknown) =>
    log.error("alerting ops of a quarantined payload failed; it is in quarantine", { partnerId, quarantineId, correlationId, error: errorName(err) }),
  );
}

/** Sends each event to its order (by id) or to its correlation key; answers in the partner's order. */
export async function routeEvents(env: Env, events: MappedEvent[], correlationId: string): Promise<EventResult[]> {
  const byOrder = new Map<string, CanonicalEvent[]>();
  const byKey = new Map<string, MappedEvent[]>();
  for (const e of events) {
    if (e.orderId) byOrder.set(e.orderId, [...(byOrder.get(e.orderId) ?? []), e as CanonicalEvent]);
    else {
      const key = keyFor(e) as string;
      byKey.set(key, [...(byKey.get(key) ?? []), e]);
    }
  }
  const toResults = (orderId: string, list: { eventId: string; outcome: EventResult["outcome"]; conflict?: boolean }[]) =>
    list.map((r): EventResult => ({ eventId: r.eventId, orderId, outcome: r.outcome, ...(r.conflict ? { conflict: true } : {}) }));
  const results = await Promise.all([
    ...[...byOrder].map(async ([orderId, list]) => toResults(orderId, await orderStub(env, orderId).ingest(orderId, list, correlationId))),
    ...[...byKey].map(async ([key, list]) => {
      const known = boundOrder(key);
      if (known) {
        // What the CorrelationDO would do with a bound key, without the hop (see bound-keys.ts).
        const withOrder = list.map((e) => ({ ...e, orderId: known }) as CanonicalEvent);
        return toResults(known, await orderStub(env, known).ingest(known, withOrder, correlationId));
      }
      const stub = env.CORRELATIONS.getByName(key) as unknown as { route(k: string, e: MappedEvent[], c: string): Promise<RouteResult[]> };
      const routed = await stub.route(key, list, correlationId);
      // An order id in the answer means the key is bound (parked events have none).
      const orderId = routed.find((r) => r.orderId)?.orderId;
      if (orderId) rememberBinding(key, orderId);
      return routed.map((r): EventResult => ({ ...r }));
    }),
  ]);
  const byId = new Map(results.flat().map((r) => [r.eventId, r]));
  return events.map((e) => byId.get(e.eventId) ?? { eventId: e.eventId, outcome: "duplicate" });
}
