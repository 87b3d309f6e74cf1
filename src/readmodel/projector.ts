// Projection: writes order snapshots (with their fulfillment requests), ERP cursors and dead letters to D1. Each queue batch becomes ONE D1 batch (one transaction), and
// every row is guarded by the order version, so redelivered or reordered messages never regress a row.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ErpProgress, ProjectionMessage } from "../domain/messages";
import type { PortalOrder } from "../domain/view";
import { deadLetters, erpProgress, slaBreaches } from "./schema";

// An order row takes the next position of the read model's change counter with every write (the counter
// moves in the statement before it, in the same transaction), and D1's own clock as its sync time.
const NEXT_POSITION = "UPDATE sync_counter SET position = position + 1 WHERE id = 1";
const UPSERT_ORDER = `
  INSERT INTO orders (order_id, customer_id, status, status_at, version, open_exceptions, updated_at, ops_exceptions, destination, sync_position, synced_at)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, (SELECT position FROM sync_counter WHERE id = 1), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  ON CONFLICT (order_id) DO UPDATE SET
    customer_id = excluded.customer_id, status = excluded.status, status_at = excluded.status_at, version = excluded.version,
    open_exceptions = excluded.open_exceptions, updated_at = excluded.updated_at, ops_exceptions = excluded.ops_exceptions,
    destination = excluded.destination, sync_position = excluded.sync_position, synced_at = excluded.synced_at
  WHERE excluded.version > orders.version`;

// The shipment set is replaced, not merged: a shipment the order no longer has (two names found to be one
// parcel) disappears. Both statements run before the order row's upsert, whose version they compare with.
const DELETE_GONE_SHIPMENTS = `
  DELETE FROM shipments WHERE order_id = ?1
    AND ?2 > coalesce((SELECT version FROM orders WHERE order_id = ?1), 0)
    AND shipment_id NOT IN (SELECT json_extract(value, '$.shipmentId') FROM json_each(?3))`;

// Shipments and the timeline arrive as JSON arrays: one statement per order each (json_each), whatever
// their length. Shipments are version-guarded like the order row; timeline rows are immutable facts, except
// that a row written before events named their parcel gets it from a re-projection (filled once, never
// changed, so a stale copy cannot move it).
const UPSERT_SHIPMENTS = `
  INSERT INTO shipments (order_id, shipment_id, carrier, tracking_number, status, last_event, eta, lines, version)
  SELECT ?1, json_extract(value, '$.shipmentId'), json_extract(value, '$.carrier'), json_extract(value, '$.trackingNumber'),
         json_extract(value, '$.status'), json_extract(value, '$.lastEvent'), json_extract(value, '$.eta'), json_extract(value, '$.lines'), ?2
  FROM json_each(?3) WHERE true
  ON CONFLICT (order_id, shipment_id) DO UPDATE SET
    carrier = excluded.carrier, tracking_number = excluded.tracking_number, status = excluded.status,
    last_event = excluded.last_event, eta = excluded.eta, lines = excluded.lines, version = excluded.version
  WHERE excluded.version > shipments.version`;

const INSERT_TIMELINE = `
  INSERT INTO timeline (order_id, event_id, code, occurred_at, location, description, source, shipment_id)
  SELECT ?1, json_extract(value, '$.eventId'), json_extract(value, '$.code'), json_extract(value, '$.occurredAt'),
         json_extract(value, '$.location'), json_extract(value, '$.description'), json_extract(value, '$.source'), json_extract(value, '$.shipmentId')
  FROM json_each(?2) WHERE true
  ON CONFLICT (order_id, event_id) DO UPDATE SET shipment_id = excluded.shipment_id
  WHERE timeline.shipment_id IS NULL AND excluded.shipment_id IS NOT NULL`;

// An order's fulfillment requests arrive as its whole current list (JSON): one statement per order. The
// time requested is the earliest any copy gave (the first seen, unless a stale copy brings an earlier one);
// an acknowledgement or a cancellation, once recorded, is never cleared (a stale projection cannot reopen a
// request); the lines and the order's time follow the newest version (its own guard, as the order row's).
const UPSERT_FULFILLMENT = `
  INSERT INTO fulfillment_requests (request_id, order_id, customer_id, partner, lines, requested_at, acknowledged_at, cancelled_at, version, updated_at)
  SELECT json_extract(value, '$.requestId'), ?1, ?2, json_extract(value, '$.partner'), json(coalesce(json_extract(value, '$.lines'), '[]')),
         json_extract(value, '$.at'), json_extract(value, '$.acknowledgedAt'), json_extract(value, '$.cancelledAt'), ?3, ?4
  FROM json_each(?5) WHERE true
  ON CONFLICT (request_id) DO UPDATE SET
    requested_at = min(fulfillment_requests.requested_at, excluded.requested_at),
    acknowledged_at = CASE WHEN excluded.version > fulfillment_requests.version
      THEN coalesce(excluded.acknowledged_at, fulfillment_requests.acknowledged_at)
      ELSE coalesce(fulfillment_requests.acknowledged_at, excluded.acknowledged_at) END,
    cancelled_at = CASE WHEN excluded.version > fulfillment_requests.version
      THEN coalesce(excluded.cancelled_at, fulfillment_requests.cancelled_at)
      ELSE coalesce(fulfillment_requests.cancelled_at, excluded.cancelled_at) END,
    lines = CASE WHEN excluded.version > fulfillment_requests.version THEN excluded.lines ELSE fulfillment_requests.lines END,
    updated_at = CASE WHEN excluded.version > fulfillment_requests.version THEN excluded.updated_at ELSE fulfillment_requests.updated_at END,
    version = max(fulfillment_requests.version, excluded.version)`;

/** The most JSON one fulfillment statement binds (an order has a handful of requests: one statement). */
export const FULFILLMENT_PARAM_BYTES = 500_000;

type Snapshot = Extract<ProjectionMessage, { kind: "projection" }>;

/** The most JSON one timeline statement binds (D1 refuses a string over 2 MB). */
export const TIMELINE_PARAM_BYTES = 500_000;

/** JSON arrays of `items`, each at most about `maxBytes` long (an item is never split). */
export function chunkJson(items: readonly unknown[], maxBytes: number): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let size = 2;
  for (const item of items) {
    const text = JSON.stringify(item);
    if (cur.length > 0 && size + text.length + 1 > maxBytes) {
      out.push(`[${cur.join(",")}]`);
      cur = [];
      size = 2;
    }
    cur.push(text);
    size += text.length + 1;
  }
  if (cur.length > 0) out.push(`[${cur.join(",")}]`);
  return out;
}

/** Keeps only the newest snapshot per order: older ones in the same batch are already superseded. */
function newestPerOrder(snapshots: readonly Snapshot[]): Snapshot[] {
  const best = new Map<string, Snapshot>();
  for (const s of snapshots) {
    const cur = best.get(s.order.orderId);
    if (!cur || s.order.version > cur.order.version) best.set(s.order.orderId, s);
  }
  return [...best.values()];
}

export async function project(db: D1Database, messages: readonly ProjectionMessage[]): Promise<void> {
  const d = drizzle(db);
  const stmts: D1PreparedStatement[] = [];
  // drizzle builds the typed upserts; all statements then go to D1 as one batch (one transaction).
  const prepared = (q: { toSQL(): { sql: string; params: unknown[] } }) => {
    const { sql: text, params } = q.toSQL();
    return db.prepare(text).bind(...params);
  };
  const snapshots: Snapshot[] = [];
  // Every snapshot's timeline counts, superseded or not: each carries only the entries new at its time.
  const timelines = new Map<string, Map<string, PortalOrder["timeline"][number]>>();
  const addTimeline = (orderId: string, entries: PortalOrder["timeline"]) => {
    const t = timelines.get(orderId) ?? new Map<string, PortalOrder["timeline"][number]>();
    for (const e of entries) t.set(e.eventId, e);
    timelines.set(orderId, t);
  };
  const progress = new Map<string, ErpProgress>();
  for (const m of messages) {
    if (m.kind === "projection") {
      snapshots.push(m);
      addTimeline(m.order.orderId, m.order.timeline);
    } else if (m.kind === "timeline") addTimeline(m.orderId, m.entries);
    else if (m.kind === "erp-progress") {
      const cur = progress.get(m.progress.orderId);
      if (!cur || m.progress.erpVersion > cur.erpVersion) progress.set(m.progress.orderId, m.progress);
    } else if (m.kind === "sla-breach") {
      // Recorded once, resolved once: a resolution is never taken back by a late copy of the breach.
      stmts.push(
        prepared(
          d
            .insert(slaBreaches)
            .values(m.breach)
            .onConflictDoUpdate({ target: slaBreaches.id, set: { resolvedAt: sql`coalesce(${slaBreaches.resolvedAt}, excluded.resolved_at)` } }),
        ),
      );
    } else {
      // A dead letter is a fact with its own id: recording it twice is a no-op.
      stmts.push(
        prepared(
          d
            .insert(deadLetters)
            .values({ ...m.deadLetter, status: "open" })
            .onConflictDoNothing(),
        ),
      );
    }
  }
  for (const p of progress.values()) {
    stmts.push(
      prepared(
        d
          .insert(erpProgress)
          .values(p)
          .onConflictDoUpdate({
            target: erpProgress.orderId,
            set: {
              lastSeq: sql`excluded.last_seq`,
              ackedSeq: sql`excluded.acked_seq`,
              deadSeq: sql`excluded.dead_seq`,
              oldestPendingAt: sql`excluded.oldest_pending_at`,
              erpVersion: sql`excluded.erp_version`,
              updatedAt: sql`excluded.updated_at`,
            },
            setWhere: sql`excluded.erp_version > ${erpProgress.erpVersion}`,
          }),
      ),
    );
  }
  for (const { order: o, opsExceptions, fulfillment } of newestPerOrder(snapshots)) {
    const shipmentsJson = JSON.stringify(o.shipments);
    stmts.push(db.prepare(DELETE_GONE_SHIPMENTS).bind(o.orderId, o.version, shipmentsJson));
    if (o.shipments.length > 0) stmts.push(db.prepare(UPSERT_SHIPMENTS).bind(o.orderId, o.version, shipmentsJson));
    stmts.push(db.prepare(NEXT_POSITION));
    stmts.push(
      db.prepare(UPSERT_ORDER).bind(
        o.orderId,
        o.customerId,
        o.status,
        o.statusAt,
        o.version,
        JSON.stringify(o.openExceptions),
        o.updatedAt,
        JSON.stringify(opsExceptions ?? []),
        // Absent from messages queued before destinations were kept: the row keeps null until the next one.
        o.destination ? JSON.stringify(o.destination) : null,
      ),
    );
    // The order's whole list of requests (absent from messages sent before they existed: nothing to write).
    // A row without its identity or time cannot be kept (and must not fail the whole batch): skipped.
    const rows = (fulfillment ?? []).filter((r) => typeof r?.requestId === "string" && typeof r.partner === "string" && typeof r.at === "string");
    for (const part of chunkJson(rows, FULFILLMENT_PARAM_BYTES)) {
      stmts.push(db.prepare(UPSERT_FULFILLMENT).bind(o.orderId, o.customerId, o.version, o.updatedAt, part));
    }
  }
  // Timeline entries are immutable facts: inserting one twice is a no-op (but for a missing parcel, above). A re-projected long order can
  // bring thousands in one batch (its chunks): one statement per ≤ 500 kB of JSON keeps every bound value
  // far below D1's 2 MB limit for a string.
  for (const [orderId, entries] of timelines) {
    for (const part of chunkJson([...entries.values()], TIMELINE_PARAM_BYTES)) stmts.push(db.prepare(INSERT_TIMELINE).bind(orderId, part));
  }
  if (stmts.length > 0) await db.batch(stmts);
}
