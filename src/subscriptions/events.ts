// The events a subscription can receive (DESIGN §3.10) and how an order's change becomes them. Pure.
//
// An order's events come from comparing what its customer could see before a change with what they see
// after it (the portal's order view, src/domain/view.ts): so an event is exactly a customer-visible change,
// and whatever the portal hides (ERP postings, internal discrepancies, a duplicate scan that moves
// nothing) is never one. One change gives, in this order: `order.status_changed` when the status moved,
// `order.exception_opened` / `order.exception_resolved` per exception, then `order.updated` (every
// customer-visible change, including those). Each carries the view after the change and its version, so a
// subscriber that receives them in order (the delivery engine keeps one order's events in sequence per
// subscription) can always keep the newest.
import type { PortalOrder } from "../domain/view";

export const ORDER_EVENT_TYPES = ["order.status_changed", "order.exception_opened", "order.exception_resolved", "order.updated"] as const;
/** For ops subscriptions only: alerts about the integration itself, not about a customer's delivery. */
export const OPS_EVENT_TYPES = ["ops.dead_letter", "ops.quarantined", "ops.sla_breached", "ops.sla_resolved", "ops.subscription_disabled"] as const;
export const EVENT_TYPES = [...ORDER_EVENT_TYPES, ...OPS_EVENT_TYPES] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];
export type OpsEventType = (typeof OPS_EVENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];
/** What `POST …/test` sends: not an event anyone subscribes to. */
export const TEST_EVENT_TYPE = "webhook.test";

export const isOpsEvent = (type: string): boolean => type.startsWith("ops.");

/** The view an event carries: the portal's, as stored (the tracking link is made per read, not stored). */
export type EventOrderView = PortalOrder;
export type OrderException = PortalOrder["openExceptions"][number];

export interface EventDraft {
  type: EventType;
  data: Record<string, unknown>;
}

/**
 * The body's budget for the order view: an order with a very long history sends its newest timeline
 * entries (and `timelineTruncated: true`); the whole history stays one GET /v1/orders/{id} away. Keeps
 * every delivery far below D1's row limit and what subscribers' servers accept.
 */
export const MAX_VIEW_BYTES = 48_000;

/** The events one change implies; none when nothing the customer sees changed. */
export function orderEvents(before: EventOrderView | null, after: EventOrderView): EventDraft[] {
  if (before && !visiblyDifferent(before, after)) return [];
  const view = bounded(after);
  const out: EventDraft[] = [];
  if (!before || before.status !== after.status) out.push({ type: "order.status_changed", data: { ...view, previousStatus: before?.status ?? null } });
  const was = new Map((before?.openExceptions ?? []).map((x) => [x.id, x]));
  const now = new Map(after.openExceptions.map((x) => [x.id, x]));
  for (const [id, x] of now) if (!was.has(id)) out.push({ type: "order.exception_opened", data: { ...view, exception: x } });
  for (const [id, x] of was) if (!now.has(id)) out.push({ type: "order.exception_resolved", data: { ...view, exception: x } });
  out.push({ type: "order.updated", data: { ...view } });
  return out;
}

/** Everything the customer sees, except the fields that change with every write (version, updatedAt). */
function visiblyDifferent(a: EventOrderView, b: EventOrderView): boolean {
  const visible = (v: EventOrderView) =>
    JSON.stringify([
      v.customerId,
      v.status,
      v.statusAt,
      v.shipments,
      v.openExceptions,
      v.timeline.map((t) => [t.eventId, t.code, t.occurredAt, t.description]),
    ]);
  return visible(a) !== visible(b);
}

const encoder = new TextEncoder();

/** The view within MAX_VIEW_BYTES: the oldest timeline entries go first. */
export function bounded(view: EventOrderView): EventOrderView & { timelineTruncated?: true } {
  if (encoder.encode(JSON.stringify(view)).length <= MAX_VIEW_BYTES) return view;
  let timeline = view.timeline;
  while (timeline.length > 0 && encoder.encode(JSON.stringify({ ...view, timeline })).length > MAX_VIEW_BYTES) {
    timeline = timeline.slice(Math.ceil(timeline.length / 4));
  }
  return { ...view, timeline, timelineTruncated: true };
}

/** Does a subscription to `types` (of scope `scope`) receive an event of `type`? */
export function wants(subscription: { scope: "customer" | "ops"; events: readonly string[]; format?: string }, type: string): boolean {
  if (isOpsEvent(type) && subscription.scope !== "ops") return false;
  if (subscription.events.includes(type)) return true;
  // PagerDuty resolves the incidents it triggered: a PagerDuty subscription to what opens one hears when it
  // clears. (A Slack channel or another endpoint gets a resolution only when it subscribed to it.)
  if (subscription.format !== "pagerduty") return false;
  const opener = RESOLVES[type];
  return opener !== undefined && subscription.events.includes(opener);
}

const RESOLVES: Readonly<Record<string, string>> = {
  "ops.sla_resolved": "ops.sla_breached",
  "order.exception_resolved": "order.exception_opened",
};
