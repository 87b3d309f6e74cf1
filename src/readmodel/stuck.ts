// Stuck orders: in a state longer than ops thresholds allow, read from D1 (the portal's own view).
export interface StuckThresholds {
  releasedHours: number;
  dispatchedHours: number;
  outForDeliveryHours: number;
}

export interface StuckOrder {
  orderId: string;
  customerId: string;
  reason: "released_not_acknowledged" | "dispatched_without_scan" | "out_for_delivery_too_long" | "open_exception" | "needs_review";
  since: string | null;
  detail: string;
}

const hoursAgo = (now: number, h: number) => new Date(now - h * 3_600_000).toISOString();

export async function stuckOrders(db: D1Database, t: StuckThresholds, now = Date.now(), limit = 200): Promise<StuckOrder[]> {
  const [released, dispatched, ofd, exceptions, review] = await db.batch<Record<string, string>>([
    db
      .prepare("SELECT order_id, customer_id, status_at AS since FROM orders WHERE status = 'released' AND status_at < ? ORDER BY status_at LIMIT ?")
      .bind(hoursAgo(now, t.releasedHours), limit),
    db
      .prepare(
        `SELECT s.order_id, o.customer_id, json_extract(s.last_event, '$.occurredAt') AS since, s.shipment_id, s.tracking_number
         FROM shipments s JOIN orders o ON o.order_id = s.order_id
         WHERE s.status = 'dispatched' AND json_extract(s.last_event, '$.occurredAt') < ? ORDER BY since LIMIT ?`,
      )
      .bind(hoursAgo(now, t.dispatchedHours), limit),
    db
      .prepare(
        `SELECT s.order_id, o.customer_id, json_extract(s.last_event, '$.occurredAt') AS since, s.shipment_id, s.tracking_number
         FROM shipments s JOIN orders o ON o.order_id = s.order_id
         WHERE s.status = 'out_for_delivery' AND json_extract(s.last_event, '$.occurredAt') < ? ORDER BY since LIMIT ?`,
      )
      .bind(hoursAgo(now, t.outForDeliveryHours), limit),
    db
      .prepare("SELECT order_id, customer_id, updated_at AS since, open_exceptions FROM orders WHERE open_exceptions != '[]' ORDER BY updated_at LIMIT ?")
      .bind(limit),
    // Discrepancies for ops only: shipment lines that disagree with the order (withheld from the ERP), a
    // parcel the ERP heard of under two names.
    db
      .prepare("SELECT order_id, customer_id, updated_at AS since, ops_exceptions FROM orders WHERE ops_exceptions != '[]' ORDER BY updated_at LIMIT ?")
      .bind(limit),
  ]);
  const out: StuckOrder[] = [];
  for (const r of released?.results ?? []) {
    out.push({
      orderId: r.order_id ?? "",
      customerId: r.customer_id ?? "",
      reason: "released_not_acknowledged",
      since: r.since ?? null,
      detail: `released, no warehouse acknowledgement for over ${t.releasedHours} h`,
    });
  }
  for (const r of dispatched?.results ?? []) {
    out.push({
      orderId: r.order_id ?? "",
      customerId: r.customer_id ?? "",
      reason: "dispatched_without_scan",
      since: r.since ?? null,
      detail: `shipment ${r.shipment_id} (${r.tracking_number ?? "no tracking number"}) has no carrier scan for over ${t.dispatchedHours} h`,
    });
  }
  for (const r of ofd?.results ?? []) {
    out.push({
      orderId: r.order_id ?? "",
      customerId: r.customer_id ?? "",
      reason: "out_for_delivery_too_long",
      since: r.since ?? null,
      detail: `shipment ${r.shipment_id} out for delivery for over ${t.outForDeliveryHours} h`,
    });
  }
  for (const r of exceptions?.results ?? []) {
    const open = JSON.parse(r.open_exceptions ?? "[]") as { kind: string; reason: string | null; description: string }[];
    out.push({
      orderId: r.order_id ?? "",
      customerId: r.customer_id ?? "",
      reason: "open_exception",
      since: r.since ?? null,
      detail: open.map((x) => `${x.kind}${x.reason ? ` (${x.reason})` : ""}: ${x.description}`).join("; "),
    });
  }
  for (const r of review?.results ?? []) {
    const open = JSON.parse(r.ops_exceptions ?? "[]") as { kind: string; description: string }[];
    out.push({
      orderId: r.order_id ?? "",
      customerId: r.customer_id ?? "",
      reason: "needs_review",
      since: r.since ?? null,
      detail: open.map((x) => `${x.kind}: ${x.description}`).join("; "),
    });
  }
  return out;
}
