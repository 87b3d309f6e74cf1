// Portal reads. Every query is scoped by customer: another customer's order is indistinguishable from a
// missing one. Reads go through a D1 session (read replicas; a bookmark keeps them monotonic).
import { and, asc, eq, gt, inArray, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { OrderStatus } from "../domain/milestones";
import type { PortalOrder } from "../domain/view";
import { orders, shipments, timeline } from "./schema";

/** A D1 database or a Sessions API session: drizzle only uses prepare() and batch(), which both have. */
export type Reader = D1Database | D1DatabaseSession;
const db = (r: Reader) => drizzle(r as D1Database);

async function load(r: Reader, where: SQL | undefined): Promise<PortalOrder | null> {
  const d = db(r);
  const row = (await d.select().from(orders).where(where).limit(1))[0];
  if (!row) return null;
  const [ships, events] = await d.batch([
    d.select().from(shipments).where(eq(shipments.orderId, row.orderId)).orderBy(asc(shipments.shipmentId)),
    d.select().from(timeline).where(eq(timeline.orderId, row.orderId)).orderBy(asc(timeline.occurredAt), asc(timeline.eventId)),
  ]);
  return {
    orderId: row.orderId,
    customerId: row.customerId,
    status: row.status,
    statusAt: row.statusAt,
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
    openExceptions: row.openExceptions as PortalOrder["openExceptions"],
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** One order of one customer, or null (missing and not theirs look the same). */
export function getOrder(r: Reader, customerId: string, orderId: string): Promise<PortalOrder | null> {
  return load(r, and(eq(orders.orderId, orderId), eq(orders.customerId, customerId)));
}

/** Any order by id: only for the public tracking page, whose signed token is the capability. */
export function getOrderById(r: Reader, orderId: string): Promise<PortalOrder | null> {
  return load(r, eq(orders.orderId, orderId));
}

/** The customer's most recently updated order shipping under this tracking number. */
export async function getOrderByTracking(r: Reader, customerId: string, trackingNumber: string): Promise<PortalOrder | null> {
  const hit = await db(r)
    .select({ orderId: orders.orderId })
    .from(shipments)
    .innerJoin(orders, eq(orders.orderId, shipments.orderId))
    .where(and(eq(shipments.trackingNumber, trackingNumber), eq(orders.customerId, customerId)))
    .orderBy(asc(orders.updatedAt))
    .limit(10);
  const last = hit.at(-1);
  return last ? getOrder(r, customerId, last.orderId) : null;
}

export interface ListQuery {
  statuses?: OrderStatus[];
  updatedSince?: string;
  limit: number;
  /** Keyset cursor: the (updatedAt, orderId) of the last row of the previous page. */
  after?: { updatedAt: string; orderId: string };
}

/** The customer's orders in the order they changed (oldest change first), for sync-style polling. */
export async function listOrders(r: Reader, customerId: string, q: ListQuery) {
  const conds: (SQL | undefined)[] = [eq(orders.customerId, customerId)];
  if (q.statuses?.length) conds.push(inArray(orders.status, q.statuses));
  if (q.updatedSince) conds.push(gt(orders.updatedAt, q.updatedSince));
  if (q.after) {
    conds.push(or(gt(orders.updatedAt, q.after.updatedAt), and(eq(orders.updatedAt, q.after.updatedAt), gt(orders.orderId, q.after.orderId))));
  }
  const rows = await db(r)
    .select({
      orderId: orders.orderId,
      status: orders.status,
      statusAt: orders.statusAt,
      openExceptions: orders.openExceptions,
      version: orders.version,
      updatedAt: orders.updatedAt,
    })
    .from(orders)
    .where(and(...conds))
    .orderBy(asc(orders.updatedAt), asc(orders.orderId))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((o) => ({ ...o, openExceptions: (o.openExceptions as unknown[]).length })),
    next: rows.length > q.limit && last ? { updatedAt: last.updatedAt, orderId: last.orderId } : null,
  };
}
