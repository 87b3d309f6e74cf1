// Projection: writes order snapshots, ERP cursors and dead letters to D1. Each queue batch becomes ONE D1 batch (one transaction), and
// every row is guarded by the order version, so redelivered or reordered messages never regress a row.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import type { ErpProgress, ProjectionMessage } from "../domain/messages";
import type { PortalOrder } from "../domain/view";
import { deadLetters, erpProgress, orders, shipments, timeline } from "./schema";

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
  const stmts: BatchItem<"sqlite">[] = [];
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
        d
          .insert(deadLetters)
          .values({ ...m.deadLetter, status: "open" })
          .onConflictDoNothing(),
      );
    }
  }
  for (const p of progress.values()) {
    stmts.push(
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
    );
  }
  for (const o of newestPerOrder(snapshots)) {
    stmts.push(
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
    );
    for (const s of o.shipments) {
      stmts.push(
        d
          .insert(shipments)
          .values({
            orderId: o.orderId,
            shipmentId: s.shipmentId,
            carrier: s.carrier,
            trackingNumber: s.trackingNumber,
            status: s.status,
            lastEvent: s.lastEvent,
            eta: s.eta,
            version: o.version,
          })
          .onConflictDoUpdate({
            target: [shipments.orderId, shipments.shipmentId],
            set: {
              carrier: sql`excluded.carrier`,
              trackingNumber: sql`excluded.tracking_number`,
              status: sql`excluded.status`,
              lastEvent: sql`excluded.last_event`,
              eta: sql`excluded.eta`,
              version: sql`excluded.version`,
            },
            setWhere: sql`excluded.version > ${shipments.version}`,
          }),
      );
    }
    // Timeline entries are immutable facts: inserting one twice is a no-op.
    for (const t of o.timeline) {
      stmts.push(
        d
          .insert(timeline)
          .values({
            orderId: o.orderId,
            eventId: t.eventId,
            code: t.code,
            occurredAt: t.occurredAt,
            location: t.location ?? null,
            description: t.description,
            source: t.source,
          })
          .onConflictDoNothing(),
      );
    }
  }
  const [first, ...rest] = stmts;
  if (first) await d.batch([first, ...rest]);
}
