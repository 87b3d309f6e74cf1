// Hands canonical events to their orders' Durable Objects: one RPC per order, orders in parallel.
import type { CanonicalEvent } from "../domain/event";
import { orderStub } from "../orders";

export interface EventResult {
  eventId: string;
  orderId: string;
  outcome: "accepted" | "duplicate" | "parked" | "quarantined";
}

export async function routeEvents(env: Env, events: CanonicalEvent[], correlationId: string): Promise<EventResult[]> {
  const byOrder = new Map<string, CanonicalEvent[]>();
  for (const e of events) byOrder.set(e.orderId, [...(byOrder.get(e.orderId) ?? []), e]);
  const perOrder = await Promise.all(
    [...byOrder].map(async ([orderId, list]) => {
      const res = await orderStub(env, orderId).ingest(orderId, list, correlationId);
      return res.map((r) => ({ eventId: r.eventId, orderId, outcome: r.outcome }));
    }),
  );
  // Answer in the order the partner sent the events.
  const byId = new Map(perOrder.flat().map((r) => [r.eventId, r]));
  return events.map((e) => byId.get(e.eventId) ?? { eventId: e.eventId, orderId: e.orderId, outcome: "duplicate" as const });
}
