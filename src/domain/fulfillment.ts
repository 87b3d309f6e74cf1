// Fulfillment requests (DESIGN §3.9) as the order's effects, pure: on release, the order's lines are routed
// (./routing.ts) and each partner gets one `fulfillment.requested`; on an ERP cancel, every request whose
// partner has not dispatched gets a `fulfillment.cancelled`. Routing happens once, when the release is
// first seen: a later change of FULFILLMENT_ROUTES never re-routes an order whose requests went out (the
// partners already have them), so the emitted requests, not the configuration, are the record.
import type { CanonicalEvent, OrderDetails } from "./event";
import type { Json } from "./json";
import type { FulfillmentRow } from "./messages";
import { type FulfillmentRoute, route } from "./routing";

export const FULFILLMENT_TYPES = ["fulfillment.requested", "fulfillment.cancelled"] as const;
export type FulfillmentType = (typeof FULFILLMENT_TYPES)[number];

/** A command for one partner's destination, `fulfillment:<partnerId>`, delivered in per-order sequence. */
export interface FulfillmentCommand {
  destination: string;
  key: string;
  type: FulfillmentType;
  /** The `data` of the request (DESIGN §3.9), the same for every format. */
  payload: Record<string, Json>;
}

export const destinationOf = (partnerId: string) => `fulfillment:${partnerId}`;
export const partnerOf = (destination: string) => destination.slice("fulfillment:".length);
export const requestIdOf = (orderId: string, partnerId: string, n: number) => `${orderId}:${partnerId}:${n}`;

export interface FulfillmentDecision {
  commands: FulfillmentCommand[];
  /** Lines no route matched, when the order is routed now (empty otherwise). */
  unroutable: { index: number; sku: string; quantity: number }[];
}

/**
 * The fulfillment commands the order's events call for that it has not emitted yet (`emitted`: the keys of
 * those it has, with their destination and payload). Safe to call on every change: it returns each command
 * once.
 */
export function fulfillmentCommands(
  orderId: string,
  events: readonly CanonicalEvent[],
  routes: readonly FulfillmentRoute[],
  emitted: readonly Pick<FulfillmentCommand, "destination" | "key" | "type" | "payload">[],
): FulfillmentDecision {
  const release = events.find((e) => e.code === "order.released" && e.order);
  const cancel = events.find((e) => e.code === "order.cancelled");
  const known = new Set(emitted.map((c) => c.key));
  const out: FulfillmentCommand[] = [];
  let unroutable: FulfillmentDecision["unroutable"] = [];
  let requested = emitted.filter((c) => c.type === "fulfillment.requested");
  // Routed once: an order cancelled before its release arrived has nothing to ask of anyone.
  // No routes at all: this deployment does not orchestrate fulfilment (nothing is requested or unroutable).
  if (release?.order && requested.length === 0 && !cancel && routes.length > 0) {
    const routing = route({ ...release.order, lines: release.order.lines }, routes);
    unroutable = routing.unroutable;
    const asked = routing.requests.map((r) => {
      const requestId = requestIdOf(orderId, r.partner, r.n);
      return {
        destination: destinationOf(r.partner),
        key: `fulfillment.requested:${requestId}`,
        type: "fulfillment.requested" as const,
        payload: requestData(orderId, requestId, release.order as OrderDetails, r.lines),
      };
    });
    out.push(...asked);
    requested = asked;
  }
  if (cancel) {
    for (const r of requested) {
      const requestId = String(r.payload.requestId);
      const key = `fulfillment.cancelled:${requestId}`;
      if (known.has(key) || dispatchedBy(events, partnerOf(r.destination))) continue;
      out.push({
        destination: r.destination,
        key,
        type: "fulfillment.cancelled",
        // `request`: what was asked, for formats whose cancellation restates the order (an X12 940 with
        // W0501 F); the canonical format sends only requestId, orderId and reason.
        payload: { requestId, orderId, ...(cancel.description ? { reason: cancel.description } : {}), request: r.payload },
      });
    }
  }
  return { commands: out.filter((c) => !known.has(c.key)), unroutable };
}

/** A partner has dispatched (some of) the order: its request can no longer be cancelled. */
function dispatchedBy(events: readonly CanonicalEvent[], partnerId: string): boolean {
  return events.some((e) => e.source === partnerId && (e.code === "shipment.dispatched" || e.code === "shipment.delivered"));
}

function requestData(
  orderId: string,
  requestId: string,
  order: OrderDetails & { serviceLevel?: string },
  lines: { sku: string; quantity: number }[],
): Record<string, Json> {
  return {
    requestId,
    orderId,
    customerId: order.customerId,
    ...(order.serviceLevel ? { serviceLevel: order.serviceLevel } : {}),
    shipTo: { ...order.shipTo },
    lines: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })),
    ...(order.promisedDate ? { promisedDate: order.promisedDate } : {}),
  };
}

/**
 * The order's fulfillment requests as the read model keeps them for ops: each request with its partner and
 * lines, when its partner acknowledged it (the partner's first report on the order — its
 * `fulfillment.acknowledged`, or any later milestone; one request per partner and order, so the partner's
 * acknowledgement is its request's), and whether it was cancelled.
 */
export function fulfillmentRows(
  orderId: string,
  events: readonly CanonicalEvent[],
  commands: readonly Pick<FulfillmentCommand, "destination" | "type" | "payload">[],
  at: string,
): FulfillmentRow[] {
  const cancelled = new Set(commands.filter((c) => c.type === "fulfillment.cancelled").map((c) => String(c.payload.requestId)));
  const cancelAt = events.find((e) => e.code === "order.cancelled")?.occurredAt ?? null;
  return commands
    .filter((c) => c.type === "fulfillment.requested")
    .map((c) => {
      const partner = partnerOf(c.destination);
      const requestId = String(c.payload.requestId);
      // A partner that reports progress on the order (picked, packed, dispatched…) has accepted it, whether or
      // not its acknowledgement came first (an EDI warehouse may answer a 940 with a 945 and nothing else).
      const ack = events
        .filter((e) => e.source === partner && e.code !== "order.released" && e.code !== "order.cancelled")
        .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))[0];
      return {
        requestId,
        orderId,
        partner,
        lines: (c.payload.lines as { sku: string; quantity: number }[]) ?? [],
        at,
        acknowledgedAt: ack?.occurredAt ?? null,
        cancelledAt: cancelled.has(requestId) ? cancelAt : null,
      };
    });
}

/**
 * The lines of a released order that no request carries: unroutable (no route matched when the order was
 * routed). Derived, not stored: once routed, the emitted requests are the record. Null before the release.
 */
export function unroutableLines(
  events: readonly CanonicalEvent[],
  commands: readonly Pick<FulfillmentCommand, "type" | "payload">[],
): { sku: string; quantity: number }[] | null {
  const release = events.find((e) => e.code === "order.released" && e.order);
  if (!release?.order || events.some((e) => e.code === "order.cancelled")) return null;
  const carried = new Set(
    commands.filter((c) => c.type === "fulfillment.requested").flatMap((c) => ((c.payload.lines as { sku: string }[]) ?? []).map((l) => l.sku)),
  );
  return release.order.lines.filter((l) => !carried.has(l.sku)).map((l) => ({ sku: l.sku, quantity: l.quantity }));
}
