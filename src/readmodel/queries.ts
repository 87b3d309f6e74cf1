// Portal reads. Every query is scoped by customer: another customer's order is indistinguishable from a
// missing one. Reads go through a D1 session (read replicas; a bookmark keeps them monotonic).
import { and, asc, eq, gt, inArray, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { OrderStatus } from "../domain/milestones";
import type { PortalOrder } from "../domain/view";
import { orders, shipments } from "./schema";

/** A D1 database or a Sessions API session: drizzle only uses prepare() and batch(), which both have. */
export type Reader = D1Database | D1DatabaseSession;
const db = (r: Reader) => drizzle(r as D1Database);

// One round trip per order read: the shipments and the timeline come back as JSON arrays built by SQLite
// (D1 answers one query at a time; three round trips were most of a portal read's latency).
const ORDER_WITH_CHILDREN = `
  SELECT o.order_id, o.customer_id, o.status, o.status_at, o.destination, o.open_exceptions, o.version, o.updated_at,
    (SELECT json_group_array(json_object('shipmentId', shipment_id, 'carrier', carrier, 'trackingNumber', tracking_number,
              'status', status, 'lastEvent', json(last_event), 'eta', eta, 'lines', json(lines)))
       FROM (SELECT * FROM shipments s WHERE s.order_id = o.order_id ORDER BY shipment_id)) AS shipments,
    (SELECT json_group_array(json_object('eventId', event_id, 'code', code, 'occurredAt', occurred_at, 'shipmentId', shipment_id,
              'location', json(location), 'description', description, 'source', source))
       FROM (SELECT * FROM timeline t WHERE t.order_id = o.order_id ORDER BY occurred_at, event_id)) AS timeline
  FROM orders o`;

interface Row {
  order_id: string;
  customer_id: string;
  status: PortalOrder["status"];
  status_at: string | null;
  destination: string | null;
  open_exceptions: string;
  version: number;
  updated_at: string;
  shipments: string;
  timeline: string;
}

const orderQuery = (r: Reader, where: string, ...params: string[]) => r.prepare(`${ORDER_WITH_CHILDREN} WHERE ${where} LIMIT 1`).bind(...params);

async function load(r: Reader, where: string, ...params: string[]): Promise<PortalOrder | null> {
  const row = await orderQuery(r, where, ...params).first<Row>();
  return row ? fromRow(row) : null;
}

function fromRow(row: Row): PortalOrder {
  const timeline = (JSON.parse(row.timeline) as (PortalOrder["timeline"][number] & { location: Record<string, string> | null })[]).map(({ location, ...t }) =>
    location ? { ...t, location } : t,
  );
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    status: row.status,
    statusAt: row.status_at,
    destination: row.destination ? (JSON.parse(row.destination) as PortalOrder["destination"]) : null,
    shipments: JSON.parse(row.shipments) as PortalOrder["shipments"],
    timeline,
    openExceptions: JSON.parse(row.open_exceptions) as PortalOrder["openExceptions"],
    version: row.version,
    updatedAt: row.updated_at,
  };
}

/** One order of one customer, or null (missing and not theirs look the same). */
export function getOrder(r: Reader, customerId: string, orderId: string): Promise<PortalOrder | null> {
  return load(r, "o.order_id = ? AND o.customer_id = ?", orderId, customerId);
}

/** Any order by id: only for the public tracking page, whose signed token is the capability. */
export function getOrderById(r: Reader, orderId: string): Promise<PortalOrder | null> {
  return load(r, "o.order_id = ?", orderId);
}

/**
 * The tracking page's read: the order and when its links were last revoked (null: never), in one round
 * trip (a batch), the revocation by its primary key.
 */
export async function getTrackedOrder(r: Reader, orderId: string): Promise<{ order: PortalOrder | null; revokedBefore: string | null }> {
  const [order, revocation] = await r.batch([
    orderQuery(r, "o.order_id = ?", orderId),
    r.prepare("SELECT revoked_before FROM tracking_revocations WHERE order_id = ?").bind(orderId),
  ]);
  const row = (order?.results as Row[] | undefined)?.[0];
  const revoked = (revocation?.results as { revoked_before: string }[] | undefined)?.[0];
  return { order: row ? fromRow(row) : null, revokedBefore: revoked?.revoked_before ?? null };
}

/** Revokes every tracking link of the order issued before `at`; null when the read model has no such order. */
export async function revokeTrackingLinks(db: D1Database, orderId: string, revokedBy: string, at: string) {
  const [, known] = await db.batch([
    db
      .prepare(
        `INSERT INTO tracking_revocations (order_id, revoked_before, revoked_by)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM orders WHERE order_id = ?1)
         ON CONFLICT (order_id) DO UPDATE SET revoked_before = excluded.revoked_before, revoked_by = excluded.revoked_by`,
      )
      .bind(orderId, at, revokedBy),
    db.prepare("SELECT 1 AS found FROM orders WHERE order_id = ?").bind(orderId),
  ]);
  return known?.results.length ? { orderId, revokedBefore: at, revokedBy } : null;
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
  /** Only rows the read model changed after this instant (its own clock: see `syncedAt`). */
  updatedSince?: string;
  limit: number;
  /** Keyset cursor: the sync sequence number of the last row of the previous page. */
  after?: number;
}

/**
 * The customer's orders in the order the read model changed them (oldest change first), for sync-style
 * polling. Pages on the read model's own change sequence, not on the order's clock: an update that lands
 * late (a projection retried after a queue outage, a repair) gets a new, higher number, so a client that
 * resumes from its last cursor sees it — with the order's clock it would sort before what it already read.
 */
export async function listOrders(r: Reader, customerId: string, q: ListQuery) {
  const conds: (SQL | undefined)[] = [eq(orders.customerId, customerId)];
  if (q.statuses?.length) conds.push(inArray(orders.status, q.statuses));
  if (q.updatedSince) conds.push(gt(orders.syncedAt, q.updatedSince));
  if (q.after !== undefined) conds.push(gt(orders.syncPosition, q.after));
  const rows = await db(r)
    .select({
      orderId: orders.orderId,
      status: orders.status,
      statusAt: orders.statusAt,
      openExceptions: orders.openExceptions,
      version: orders.version,
      updatedAt: orders.updatedAt,
      syncedAt: orders.syncedAt,
      syncPosition: orders.syncPosition,
    })
    .from(orders)
    .where(and(...conds))
    .orderBy(asc(orders.syncPosition))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ syncPosition: _seq, ...o }) => ({ ...o, openExceptions: (o.openExceptions as unknown[]).length })),
    next: rows.length > q.limit && last ? last.syncPosition : null,
    /** Where to resume later for what changes from now on: after this page's last row, or where the client stood. */
    resume: last?.syncPosition ?? q.after ?? null,
  };
}
