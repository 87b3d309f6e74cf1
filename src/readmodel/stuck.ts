// Stuck orders: in a state longer than ops thresholds allow, read from D1 (the portal's own view). And
// fulfillment requests a 3PL has not acknowledged in time (DESIGN §3.9), by partner.
export interface StuckThresholds {
  releasedHours: number;
  dispatchedHours: number;
  outForDeliveryHours: number;
  /** A fulfillment request neither acknowledged nor cancelled this long after it was sent. */
  unacknowledgedHours: number;
}

export interface StuckOrder {
  orderId: string;
  customerId: string;
  reason:
    | "released_not_acknowledged"
    | "dispatched_without_scan"
    | "out_for_delivery_too_long"
    | "open_exception"
    | "needs_review"
    | "fulfillment_not_acknowledged"
    | "sla_breached";
  since: string | null;
  detail: string;
}

/** A fulfillment request its partner has not acknowledged (reason `fulfillment_not_acknowledged`). */
export interface UnacknowledgedRequest extends StuckOrder {
  reason: "fulfillment_not_acknowledged";
  partner: string;
  requestId: string;
  lines: { sku: string; quantity: number }[];
  requestedAt: string;
  /** Hours since it was requested, one decimal. */
  ageHours: number;
}

/** How many requests wait on each partner's acknowledgement (all of them, whatever the list's limit). */
export interface PartnerBacklog {
  partner: string;
  count: number;
  oldestRequestedAt: string;
  oldestAgeHours: number;
}

export interface StuckReport {
  /** Stuck orders by category; unacknowledged fulfillment requests last, by partner then oldest first. */
  items: (StuckOrder | UnacknowledgedRequest)[];
  unacknowledgedByPartner: PartnerBacklog[];
}

const hoursAgo = (now: number, h: number) => new Date(now - h * 3_600_000).toISOString();
const ageHours = (now: number, at: string) => Math.max(0, Math.round((now - Date.parse(at)) / 360_000) / 10);

// Open requests (neither acknowledged nor cancelled) older than the threshold: both read the partial index
// fulfillment_requests_unacknowledged (partner, requested_at).
const OPEN_REQUEST = "acknowledged_at IS NULL AND cancelled_at IS NULL AND requested_at < ?";

export async function stuckOrders(db: D1Database, t: StuckThresholds, now = Date.now(), limit = 200): Promise<StuckReport> {
  const unackedBefore = hoursAgo(now, t.unacknowledgedHours);
  const [released, dispatched, ofd, exceptions, review, unacked, perPartner, breaches] = await db.batch<Record<string, string>>([
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
    // The oldest waiting requests across partners (the most urgent), then shown by partner.
    db
      .prepare(
        `SELECT request_id, order_id, customer_id, partner, lines, requested_at FROM fulfillment_requests
         WHERE ${OPEN_REQUEST} ORDER BY requested_at, request_id LIMIT ?`,
      )
      .bind(unackedBefore, limit),
    db
      .prepare(
        `SELECT partner, count(*) AS n, min(requested_at) AS oldest FROM fulfillment_requests
         WHERE ${OPEN_REQUEST} GROUP BY partner ORDER BY partner`,
      )
      .bind(unackedBefore),
    // Open SLA breaches (SLA_POLICIES), oldest first: the partial index sla_breaches_open.
    db
      .prepare("SELECT order_id, customer_id, breached_at AS since, description FROM sla_breaches WHERE resolved_at IS NULL ORDER BY breached_at LIMIT ?")
      .bind(limit),
  ]);
  const out: (StuckOrder | UnacknowledgedRequest)[] = [];
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
  for (const r of breaches?.results ?? []) {
    out.push({ orderId: r.order_id ?? "", customerId: r.customer_id ?? "", reason: "sla_breached", since: r.since ?? null, detail: r.description ?? "" });
  }
  const requests: UnacknowledgedRequest[] = [];
  for (const r of unacked?.results ?? []) {
    const lines = JSON.parse(r.lines ?? "[]") as { sku: string; quantity: number }[];
    const requestedAt = r.requested_at ?? "";
    requests.push({
      orderId: r.order_id ?? "",
      customerId: r.customer_id ?? "",
      reason: "fulfillment_not_acknowledged",
      since: requestedAt,
      detail: `fulfillment request ${r.request_id} to ${r.partner} (${lines.map((l) => `${l.quantity} × ${l.sku}`).join(", ")}) not acknowledged for over ${t.unacknowledgedHours} h`,
      partner: r.partner ?? "",
      requestId: r.request_id ?? "",
      lines,
      requestedAt,
      ageHours: ageHours(now, requestedAt),
    });
  }
  requests.sort((a, b) => (a.partner < b.partner ? -1 : a.partner > b.partner ? 1 : 0));
  out.push(...requests);
  const unacknowledgedByPartner = (perPartner?.results ?? []).map((r) => ({
    partner: String(r.partner),
    count: Number(r.n),
    oldestRequestedAt: String(r.oldest),
    oldestAgeHours: ageHours(now, String(r.oldest)),
  }));
  return { items: out, unacknowledgedByPartner };
}
