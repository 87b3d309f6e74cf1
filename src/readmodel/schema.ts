// The D1 read model (drizzle): what the portal reads. Written only by the projection consumer (and ops
// for API keys); every order row carries the OrderDO version it was projected from.
import type { OrderStatus, ShipmentStatus } from "../domain/milestones";
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const orders = sqliteTable(
  "orders",
  {
    orderId: text("order_id").primaryKey(),
    customerId: text("customer_id").notNull(),
    status: text("status").$type<OrderStatus>().notNull(),
    statusAt: text("status_at"),
    version: integer("version").notNull(),
    openExceptions: text("open_exceptions", { mode: "json" }).notNull(),
    /** Open discrepancies for ops only (lines that disagree with the order, a parcel booked twice); never shown to the customer. */
    opsExceptions: text("ops_exceptions", { mode: "json" }).notNull().default("[]"),
    /** When the order last changed, by its Durable Object's clock (what the portal shows). */
    updatedAt: text("updated_at").notNull(),
    /**
     * The read model's own change sequence: every write of the row takes the next number, so a sync
     * client paging on it sees every change, however late it lands (the order's clock cannot promise that).
     */
    syncPosition: integer("sync_position").notNull().default(0),
    /** When this row was last written, by D1's clock (what `updatedSince` compares with). */
    syncedAt: text("synced_at").notNull().default(""),
    /** Where the order goes, coarse (`{ city, region, country }`): what the tracking page may show. */
    destination: text("destination", { mode: "json" }).$type<{ city?: string; region?: string; country?: string }>(),
  },
  (t) => [
    uniqueIndex("orders_sync_position").on(t.syncPosition),
    index("orders_customer_sync").on(t.customerId, t.syncPosition),
    index("orders_synced_at").on(t.customerId, t.syncedAt),
  ],
);

export const shipments = sqliteTable(
  "shipments",
  {
    orderId: text("order_id").notNull(),
    shipmentId: text("shipment_id").notNull(),
    carrier: text("carrier"),
    trackingNumber: text("tracking_number"),
    status: text("status").$type<ShipmentStatus | "pending">().notNull(),
    lastEvent: text("last_event", { mode: "json" }),
    eta: text("eta"),
    /** What the parcel holds, as its dispatch reported it (`[{ sku, quantity, description? }]`); null when nobody said. */
    lines: text("lines", { mode: "json" }).$type<{ sku: string; quantity: number; description?: string }[]>(),
    version: integer("version").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.shipmentId] }), index("shipments_tracking").on(t.trackingNumber)],
);

export const timeline = sqliteTable(
  "timeline",
  {
    orderId: text("order_id").notNull(),
    eventId: text("event_id").notNull(),
    code: text("code").notNull(),
    occurredAt: text("occurred_at").notNull(),
    location: text("location", { mode: "json" }),
    description: text("description").notNull(),
    source: text("source").notNull(),
    /** The parcel the event is about (its portal shipment id); null for order-level events. */
    shipmentId: text("shipment_id"),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.eventId] }), index("timeline_order_time").on(t.orderId, t.occurredAt)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    customerId: text("customer_id").notNull(),
    /** SHA-256 of the key; the key itself is shown once and never stored. */
    keyHash: text("key_hash").notNull().unique(),
    label: text("label"),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
  },
  (t) => [index("api_keys_customer").on(t.customerId)],
);

/** Authentic partner payloads we could not map: kept whole for ops to fix the mapping and replay. */
export const quarantine = sqliteTable(
  "quarantine",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id").notNull(),
    reason: text("reason").notNull(),
    contentType: text("content_type").notNull(),
    /** The partner's non-secret headers needed to map it again (topic, webhook id). */
    headers: text("headers", { mode: "json" }).notNull(),
    /** The raw body, base64: byte-exact whatever its encoding. */
    body: text("body").notNull(),
    correlationId: text("correlation_id").notNull(),
    receivedAt: text("received_at").notNull(),
    /** "open", "replayed", "discarded" (not to be processed) or "resolved" (handled outside dockline). */
    status: text("status").notNull(),
    replayedAt: text("replayed_at"),
    replayResult: text("replay_result", { mode: "json" }),
    /** Who closed it without a replay (discarded or resolved), when, and why. */
    closedBy: text("closed_by"),
    closedAt: text("closed_at"),
    closeNote: text("close_note"),
  },
  (t) => [index("quarantine_status_received").on(t.status, t.receivedAt)],
);

/** Correlation keys claimed by a second order (a reused tracking number, a mistyped reference). */
export const correlationConflicts = sqliteTable(
  "correlation_conflicts",
  {
    key: text("key").notNull(),
    boundOrderId: text("bound_order_id").notNull(),
    claimantOrderId: text("claimant_order_id").notNull(),
    detectedAt: text("detected_at").notNull(),
    /** Set when ops have dealt with it: who, when, and what they decided. */
    resolvedAt: text("resolved_at"),
    resolvedBy: text("resolved_by"),
    resolution: text("resolution"),
  },
  (t) => [primaryKey({ columns: [t.key, t.claimantOrderId] })],
);

/** ERP commands that will not go through on their own: refused by the ERP, or retries exhausted. */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    seq: integer("seq").notNull(),
    commandKey: text("command_key").notNull(),
    type: text("type").notNull(),
    /** "rejected" (the ERP said no) or "exhausted" (it never said yes). */
    cause: text("cause").notNull(),
    reason: text("reason").notNull(),
    erpStatus: integer("erp_status"),
    correlationId: text("correlation_id").notNull(),
    createdAt: text("created_at").notNull(),
    status: text("status").notNull(),
    replayedAt: text("replayed_at"),
  },
  (t) => [index("dead_letters_status_created").on(t.status, t.createdAt), uniqueIndex("dead_letters_open_command").on(t.orderId, t.seq, t.createdAt)],
);

/** Each order's ERP delivery cursor, for lag metrics and reconciliation; guarded by `erpVersion`. */
export const erpProgress = sqliteTable(
  "erp_progress",
  {
    orderId: text("order_id").primaryKey(),
    lastSeq: integer("last_seq").notNull(),
    ackedSeq: integer("acked_seq").notNull(),
    deadSeq: integer("dead_seq"),
    oldestPendingAt: text("oldest_pending_at"),
    erpVersion: integer("erp_version").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("erp_progress_pending").on(t.oldestPendingAt)],
);

/**
 * Each fulfillment request an order sent to a 3PL or warehouse (DESIGN §3.9), as its projections state it:
 * what GET /ops/stuck lists when the partner has not acknowledged it in time. `requested_at` is the
 * earliest time any projection gave for the request (the first one seen, unless a stale copy arrives
 * later with an earlier one); `acknowledged_at` and `cancelled_at`, once set, are never cleared by a
 * stale projection; `lines` and `updated_at` follow the newest order version (`version`).
 */
export const fulfillmentRequests = sqliteTable(
  "fulfillment_requests",
  {
    requestId: text("request_id").primaryKey(),
    orderId: text("order_id").notNull(),
    customerId: text("customer_id").notNull(),
    partner: text("partner").notNull(),
    /** `[{ sku, quantity }]` as JSON. */
    lines: text("lines", { mode: "json" }).$type<{ sku: string; quantity: number }[]>().notNull(),
    requestedAt: text("requested_at").notNull(),
    acknowledgedAt: text("acknowledged_at"),
    cancelledAt: text("cancelled_at"),
    /** The OrderDO version this row was last projected from. */
    version: integer("version").notNull(),
    /** When the order last changed (its Durable Object's clock), as of that version. */
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("fulfillment_requests_order").on(t.orderId),
    // The stuck list: open requests (neither acknowledged nor cancelled) by partner, oldest first.
    index("fulfillment_requests_unacknowledged").on(t.partner, t.requestedAt).where(sql`acknowledged_at IS NULL AND cancelled_at IS NULL`),
  ],
);

/** Every order the ERP released: what reconciliation walks (independent of the projection it checks). */
export const orderIndex = sqliteTable("order_index", {
  orderId: text("order_id").primaryKey(),
  releasedAt: text("released_at").notNull(),
});

/**
 * The read model's change counter (one row): every write of an order row takes the next position. A
 * counter of its own, not max(sync_position) + 1, so a position is never handed out twice even when the
 * row that held the highest one is deleted and written again.
 */
export const syncCounter = sqliteTable("sync_counter", {
  id: integer("id").primaryKey(),
  position: integer("position").notNull(),
});

/**
 * Orders known to need a repair of their read model (a projection given up by the queue, a dead letter
 * the read model missed): reconciliation takes these first, before its sweep over every order.
 */
export const reconcileQueue = sqliteTable("reconcile_queue", {
  orderId: text("order_id").primaryKey(),
  reason: text("reason").notNull(),
  notedAt: text("noted_at").notNull(),
});

/** Small durable settings of the worker itself, e.g. where the cron reconciliation stopped. */
export const workerState = sqliteTable("worker_state", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/**
 * Push subscriptions (DESIGN §3.10): a customer's (`customer_id` set, created with its API key) or ops'
 * (`scope` "ops": one customer, or every customer when `customer_id` is null, and the `ops.*` alerts).
 * The signing secret must be readable to sign; the previous one keeps signing beside it until
 * `previous_secret_expires_at` (a rotation's grace period). `failing_since`: the start of the current run
 * of failed deliveries (cleared by any success): a run longer than SUBSCRIPTION_DISABLE_AFTER_HOURS
 * disables the subscription, with a notice to ops.
 */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: text("id").primaryKey(),
    scope: text("scope").$type<"customer" | "ops">().notNull(),
    customerId: text("customer_id"),
    url: text("url").notNull(),
    /** The event types it receives, as a JSON list. */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    format: text("format").$type<"standard" | "slack" | "pagerduty">().notNull().default("standard"),
    description: text("description"),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
    /** PagerDuty's integration key (format "pagerduty" only); never shown again after creation. */
    routingKey: text("routing_key"),
    status: text("status").$type<"active" | "disabled">().notNull(),
    disabledReason: text("disabled_reason"),
    disabledAt: text("disabled_at"),
    failingSince: text("failing_since"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("subscriptions_customer").on(t.customerId, t.status)],
);

/**
 * Every event sent to a subscription (`id` is its `webhook-id`), as its deliveries report it: the last
 * state of the delivery, and the body sent (a replay re-sends it). Kept SUBSCRIPTION_LOG_RETENTION_DAYS.
 */
export const subscriptionDeliveries = sqliteTable(
  "subscription_deliveries",
  {
    subscriptionId: text("subscription_id").notNull(),
    id: text("id").notNull(),
    /** The Durable Object whose cursor holds it (the order, or the ops feed); null for a test event. */
    source: text("source"),
    customerId: text("customer_id"),
    orderId: text("order_id"),
    eventType: text("event_type").notNull(),
    version: integer("version"),
    /** "pending" (being retried), "delivered", "dead" (refused, expired, or its subscription disabled), "skipped" (nothing to send in this format). */
    status: text("status").$type<"pending" | "delivered" | "dead" | "skipped">().notNull(),
    attempts: integer("attempts").notNull(),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    body: text("body").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    deliveredAt: text("delivered_at"),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.id] }), index("subscription_deliveries_recent").on(t.subscriptionId, t.createdAt)],
);

/** Each attempt at a delivery: when, the answer (status, latency, the start of the response), or the error. */
export const subscriptionAttempts = sqliteTable(
  "subscription_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    subscriptionId: text("subscription_id").notNull(),
    deliveryId: text("delivery_id").notNull(),
    at: text("at").notNull(),
    status: integer("status"),
    latencyMs: integer("latency_ms").notNull(),
    outcome: text("outcome").$type<"delivered" | "failed" | "refused">().notNull(),
    response: text("response"),
    error: text("error"),
  },
  (t) => [index("subscription_attempts_delivery").on(t.subscriptionId, t.deliveryId, t.id), index("subscription_attempts_at").on(t.at)],
);

/**
 * Orders' SLA breaches (src/domain/sla.ts): what GET /ops/stuck lists as `sla_breached` while open. Written
 * by the projection consumer from the order's messages; a resolution, once set, is never cleared.
 */
export const slaBreaches = sqliteTable(
  "sla_breaches",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    customerId: text("customer_id").notNull(),
    check: text("check_name").notNull(),
    subject: text("subject"),
    dueAt: text("due_at").notNull(),
    breachedAt: text("breached_at").notNull(),
    resolvedAt: text("resolved_at"),
    description: text("description").notNull(),
  },
  (t) => [index("sla_breaches_open").on(t.breachedAt).where(sql`resolved_at IS NULL`), index("sla_breaches_order").on(t.orderId)],
);

/**
 * Every request to the partner ingress (POST /v1/webhooks/{partnerId}), whatever its outcome: what the
 * console's events view browses. The payload and headers are kept INBOUND_LOG_RETENTION_DAYS (the cron
 * purges them); `search` holds the ids found in it (order ids, tracking numbers, event ids, references,
 * the correlation id), lower-cased and space-separated, for the console's search.
 */
export const inboundRequests = sqliteTable(
  "inbound_requests",
  {
    id: text("id").primaryKey(),
    partnerId: text("partner_id").notNull(),
    receivedAt: text("received_at").notNull(),
    /** accepted, duplicate, parked, quarantined, ignored, or rejected (any 4xx/5xx answer). */
    outcome: text("outcome").notNull(),
    httpStatus: integer("http_status").notNull(),
    correlationId: text("correlation_id").notNull(),
    /** Why: the problem's detail for a rejection, the quarantine reason, what was ignored. */
    reason: text("reason"),
    contentType: text("content_type"),
    /** Request headers, with credentials (Authorization, cookies) redacted. */
    headers: text("headers", { mode: "json" }).$type<Record<string, string>>().notNull(),
    /** The raw body, base64 (byte-exact); null once purged or when it was refused unread (too large). */
    body: text("body"),
    bodyBytes: integer("body_bytes").notNull(),
    orderIds: text("order_ids"),
    search: text("search").notNull().default(""),
    quarantineId: text("quarantine_id"),
    latencyMs: integer("latency_ms"),
  },
  (t) => [
    index("inbound_requests_received").on(t.receivedAt),
    index("inbound_requests_partner").on(t.partnerId, t.receivedAt),
    index("inbound_requests_outcome").on(t.outcome, t.receivedAt),
  ],
);

/** Every attempt to deliver an order's command (to the ERP, or a request to a 3PL): when, the answer, how long. */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** "erp" or "fulfillment:<partner>". */
    destination: text("destination").notNull(),
    orderId: text("order_id").notNull(),
    seq: integer("seq").notNull(),
    commandKey: text("command_key").notNull(),
    at: text("at").notNull(),
    /** The HTTP status, or null when no answer came (timeout, connection refused). */
    status: integer("status"),
    latencyMs: integer("latency_ms").notNull(),
    outcome: text("outcome").$type<"delivered" | "failed" | "refused">().notNull(),
    /** The start of the answer's body (bounded), or the error in words. */
    response: text("response"),
    error: text("error"),
  },
  (t) => [index("delivery_attempts_order").on(t.orderId, t.destination, t.seq, t.id), index("delivery_attempts_at").on(t.at)],
);

/**
 * Every ops action (API or console) that changes something: who (the Access identity, or the token or
 * session that signed in), what, on what, and how it ended. Never purged by the product.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    actor: text("actor").notNull(),
    /** "access" (a Cloudflare Access identity), "token" (OPS_TOKEN) or "session" (a console sign-in). */
    actorKind: text("actor_kind").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    /** The outcome: the HTTP status and a short summary. */
    status: integer("status").notNull(),
    detail: text("detail"),
    correlationId: text("correlation_id").notNull(),
  },
  (t) => [index("audit_log_at").on(t.at), index("audit_log_target").on(t.target)],
);

/** Tracking links revoked per order: every link issued before `revoked_before` stops working. */
export const trackingRevocations = sqliteTable("tracking_revocations", {
  orderId: text("order_id").primaryKey(),
  revokedBefore: text("revoked_before").notNull(),
  revokedBy: text("revoked_by").notNull(),
});
