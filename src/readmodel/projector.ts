// Projection: writes order snapshots, ERP cursors and dead letters to D1. Each queue batch becomes ONE D1 batch (one transaction), and
// every row is guarded by the order version, so redelivered or reordered messages never regress a row.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ErpProgress, ProjectionMessage } from "../domain/messages";
import type { PortalOrder } from "../domain/view";
import { deadLetters, erpProgress, orders } from "./schema";

// Shipments and the timeline arrive as JSON arrays: one statement per order each (json_each), whatever
// their length. Shipments are version-guarded like the order row; timeline rows are immutable facts.
const UPSERT_SHIPMENTS = `
  INSERT INTO shipments (order_id, shipment_id, carrier, tracking_number, status, last_event, eta, version)
  SELECT ?1, json_extract(value, '$.shipmentId'), json_extract(value, '$.carrier'), json_extract(value, '$.trackingNumber'),
         json_extract(value, '$.status'), json_extract(value, '$.lastEvent'), json_extract(value, '$.eta'), ?2
  FROM json_each(?3) WHERE true
  ON CONFLICT (order_id, shipment_id) DO UPDATE SET
    carrier = excluded.carrier, tracking_number = excluded.tracking_number, status = excluded.status,
    last_event = excluded.last_event, eta = excluded.eta, version = excluded.version
  WHERE excluded.version > shipments.version`;

const INSERT_TIMELINE = `
  INSERT INTO timeline (order_id, event_id, code, occurred_at, location, description, source)
  SELECT ?1, json_extract(value, '$.eventId'), json_extract(value, '$.code'), json_extract(value, '$.occurredAt'),
         json_extract(value, '$.location'), json_extract(value, '$.description'), json_extract(value, '$.source')
  FROM json_each(?2) WHERE true
  ON CONFLICT (order_id, event_id) DO NOTHING`;

/** Keeps only the newest snapshot per order: older ones in the same batch are already superseded. */
export function newestPerOrder(snapshots: readonly PortalOrder[]): PortalOrder[] {
  const best = new Map<string, PortalOrder>();
  for (const s of snapshots) {
    const cur = best.get(s.orderId);
    if (!cur || s.version > cur.version) best.set(s.orderId, s);
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
  const snapshots: PortalOrder[] = [];
  const progress = new Map<string, ErpProgress>();
  for (const m of messages) {
    if (m.kind === "projection") snapshots.push(m.order);
    else if (m.kind === "erp-progress") {
      const cur = progress.get(m.progress.orderId);
      if (!cur || m.progress.erpVersion > cur.erpVersion) progress.set(m.progress.orderId, m.progress);
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
  for (const o of newestPerOrder(snapshots)) {
    stmts.push(
      prepared(
        d
          .insert(orders)
          .values({
            orderId: o.orderId,
            customerId: o.customerId,
            status: o.status,
            statusAt: o.statusAt,
            version: o.version,
            openExceptions: o.openExceptions,
            updatedAt: o.updatedAt,
          })
          .onConflictDoUpdate({
            target: orders.orderId,
            set: {
              status: sql`excluded.status`,
              statusAt: sql`excluded.status_at`,
              version: sql`excluded.version`,
              openExceptions: sql`excluded.open_exceptions`,
              updatedAt: sql`excluded.updated_at`,
            },
            setWhere: sql`excluded.version > ${orders.version}`,
          }),
      ),
    );
    // Shipments and timeline: ONE statement each per order, reading the rows from a JSON array with
    // json_each, instead of one statement per row (a long timeline is re-sent with every snapshot).
    if (o.shipments.length > 0) {
      stmts.push(db.prepare(UPSERT_SHIPMENTS).bind(o.orderId, o.version, JSON.stringify(o.shipments)));
    }
    // Timeline entries are immutable facts: inserting one twice is a no-op.
    if (o.timeline.length > 0) {
      stmts.push(db.prepare(INSERT_TIMELINE).bind(o.orderId, JSON.stringify(o.timeline)));
    }
  }
  if (stmts.length > 0) await db.batch(stmts);
}
