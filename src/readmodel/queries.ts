// Portal reads. Every query is scoped by customer: another customer's order is indistinguishable from a
// missing one.
import { and, asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { PortalOrder } from "../domain/view";
import { orders, shipments, timeline } from "./schema";

export async function getOrder(db: D1Database, customerId: string, orderId: string): Promise<PortalOrder | null> {
  const d = drizzle(db);
  const [row, ships, events] = await d.batch([
    d
      .select()
      .from(orders)
      .where(and(eq(orders.orderId, orderId), eq(orders.customerId, customerId))),
    d.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.shipmentId)),
    d.select().from(timeline).where(eq(timeline.orderId, orderId)).orderBy(asc(timeline.occurredAt), asc(timeline.eventId)),
  ]);
  const o = row[0];
  if (!o) return null;
  return {
    orderId: o.orderId,
    customerId: o.customerId,
    status: o.status,
    statusAt: o.statusAt,
    shipments: ships.map((s) => ({
      shipmentId: s.shipmentId,
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
      status: s.status,
      lastEvent: s.lastEvent as PortalOrder["shipments"][number]["lastEvent"],
      eta: s.eta,
    })),
    timeline: events.map((t) => ({
      eventId: t.eventId,
      code: t.code,
      occurredAt: t.occurredAt,
      ...(t.location ? { location: t.location as Record<string, string> } : {}),
      description: t.description,
      source: t.source,
    })),
    openExceptions: o.openExceptions as PortalOrder["openExceptions"],
    version: o.version,
    updatedAt: o.updatedAt,
  };
}
