// From an authentic partner request to routed canonical events: map, check, route. Shared by the
// webhook route and by quarantine replay, so a replayed payload takes exactly the path it missed.
import { z } from "zod";
import { boundOrder, rememberBinding } from "./bound-keys";
import { CanonicalEvent, OrderRef } from "./domain/event";
import { keyFor } from "./domain/correlation";
import { orderStub } from "./orders";
import type { Partner } from "./partners/registry";
import { type InboundWebhook, type MappedEvent, Unmappable } from "./partners/types";
import type { RouteResult } from "../durable-objects/correlation";

export interface EventResult {
  eventId: string;
  orderId?: string;
  outcome: "accepted" | "duplicate" | "parked" | "quarantined";
  quarantineId?: string;
}

// What an adapter must produce: a canonical event that may name its order only indirectly.
const Mapped = CanonicalEvent.omit({ orderId: true }).extend({ orderId: CanonicalEvent.shape.orderId.optional(), orderRef: OrderRef.optional() });

export type Mapping = { kind: "events"; events: MappedEvent[] } | { kind: "ignored"; reason: string } | { kind: "unmappable"; reason: string };

/** Runs the partner's mapping. HttpProblems (400/422) propagate; an unmappable payload is reported, not thrown. */
export async function mapRequest(partner: Partner, req: InboundWebhook): Promise<Mapping> {
  let result: Awaited<ReturnType<Partner["impl"]["map"]>>;
  try {
    result = await partner.impl.map(req);
  } catch (err) {
    if (err instanceof Unmappable) return { kind: "unmappable", reason: err.reason };
    throw err;
  }
  if (result.events.length === 0) return { kind: "ignored", reason: result.ignored ?? "no milestone in this payload" };
  const checked = z.array(Mapped).safeParse(result.events);
  if (!checked.success) {
    const first = checked.error.issues[0];
    return { kind: "unmappable", reason: `adapter output is not canonical: ${first?.path.join(".")} ${first?.message}` };
  }
  const orphan = checked.data.find((e) => !e.orderId && !keyFor(e));
  if (orphan) return { kind: "unmappable", reason: `event ${orphan.eventId} names no order, order reference or tracking number` };
  return { kind: "events", events: checked.data as MappedEvent[] };
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
  const toResults = (orderId: string, list: { eventId: string; outcome: EventResult["outcome"] }[]) =>
    list.map((r): EventResult => ({ eventId: r.eventId, orderId, outcome: r.outcome }));
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
