// Examples for /openapi.json, in one place because the routes that own the schemas are edited by several
// people at once: one example per component schema that has none of its own, one per operation whose
// schema is not a component, and one body per partner module for the webhook ingress. A test validates
// every example against the document's own schema, so an example that drifts from its schema fails there.
// All of them tell one story: order SO-1001 for CUST-1, released at 09:00 and shipped with UPS at 14:03.
import type { AdapterName } from "../partners/registry";
import { MAX_SUBSCRIPTIONS } from "../subscriptions/store";

export const EXAMPLE_CORRELATION_ID = "0b6c9e4e-5d1f-4c8a-9a57-2f1e7d3c8b10";
const TRACKING_NUMBER = "1Z999AA10123456784";

const dispatchedEvent = { code: "shipment.dispatched", occurredAt: "2026-11-20T14:03:00.000Z", location: { city: "Memphis", country: "US" } };
const shipment = {
  shipmentId: "SHP-1",
  carrier: "ups",
  trackingNumber: TRACKING_NUMBER,
  status: "dispatched",
  lastEvent: dispatchedEvent,
  eta: "2026-11-22T18:00:00.000Z",
  lines: [{ sku: "WID-1", quantity: 2 }],
};
const timeline = [
  {
    eventId: "erp:release:SO-1001",
    code: "order.released",
    occurredAt: "2026-11-20T09:00:00.000Z",
    shipmentId: null,
    description: "Order received",
    source: "erp",
  },
  {
    eventId: "acme-3pl:78923d0d49fe1f9df335dfd1e2599a80",
    code: "shipment.dispatched",
    occurredAt: "2026-11-20T14:03:00.000Z",
    shipmentId: "SHP-1",
    location: { city: "Memphis", country: "US" },
    description: "Shipped",
    source: "acme-3pl",
  },
];
const subscription = {
  id: "sub_475bee1557294859894c9285cd12a824",
  scope: "customer",
  customerId: "CUST-1",
  url: "https://hooks.example.com/dockline",
  events: ["order.status_changed", "order.exception_opened"],
  format: "standard",
  description: "Storefront order status",
  status: "active",
  disabledReason: null,
  disabledAt: null,
  failingSince: null,
  previousSecretExpiresAt: null,
  createdAt: "2026-11-18T10:00:00.000Z",
};
const quarantined = {
  id: "q_6f1c2a9e-3b7d-4e59-8f0a-1d2c3b4a5e6f",
  partnerId: "aftership",
  reason: "AfterShip tag Expired (tracking_expired) has no milestone",
  contentType: "application/json",
  headers: { "content-type": "application/json", "user-agent": "AfterShip" },
  correlationId: EXAMPLE_CORRELATION_ID,
  receivedAt: "2026-11-20T15:12:04.000Z",
  status: "open",
  replayedAt: null,
  replayResult: null,
  closedBy: null,
  closedAt: null,
  closeNote: null,
};
const metricWindow = (minutes: number, accepted: number) => ({
  minutes,
  counts: { accepted, duplicate: Math.ceil(accepted / 20) },
  latency: { count: accepted + Math.ceil(accepted / 20), p50Ms: 18, p99Ms: 95 },
});

/** Examples of component schemas, by the schema's name; a schema's own example, where it has one, wins. */
export const SCHEMA_EXAMPLES: Record<string, unknown> = {
  OrderRelease: {
    orderId: "SO-1001",
    customerId: "CUST-1",
    serviceLevel: "standard",
    lines: [{ sku: "WID-1", quantity: 2 }],
    shipTo: { name: "Ada Lovelace", line1: "1 Main St", city: "Memphis", region: "TN", postalCode: "38103", country: "US" },
    promisedDate: "2026-11-24",
    refs: [{ system: "shopify", id: "450789469" }],
    releasedAt: "2026-11-20T09:00:00Z",
  },
  OrderCancellation: { reason: "Customer cancelled before dispatch", cancelledAt: "2026-11-20T10:15:00Z" },
  OrderAccepted: { orderId: "SO-1001", outcome: "accepted", correlationId: EXAMPLE_CORRELATION_ID },
  Order: {
    orderId: "SO-1001",
    customerId: "CUST-1",
    status: "shipped",
    statusAt: "2026-11-20T14:03:00.000Z",
    destination: { city: "Memphis", region: "TN", country: "US" },
    shipments: [shipment],
    timeline,
    openExceptions: [],
    version: 2,
    updatedAt: "2026-11-20T14:03:02.000Z",
    trackingUrl: "https://dockline.example.com/track/U08tMTAwMQ.1795183500.kq3vX9",
  },
  OrderList: {
    items: [
      {
        orderId: "SO-1001",
        status: "shipped",
        statusAt: "2026-11-20T14:03:00.000Z",
        openExceptions: 0,
        version: 2,
        updatedAt: "2026-11-20T14:03:02.000Z",
        syncedAt: "2026-11-20T14:03:02.000Z",
      },
    ],
    nextCursor: null,
    syncCursor: "eyJ0IjoiMjAyNi0xMS0yMFQxNDowMzowMi4wMDBaIiwibyI6IlNPLTEwMDEifQ",
  },
  OrderInspection: {
    orderId: "SO-1001",
    state: { orderId: "SO-1001", status: "shipped", statusAt: "2026-11-20T14:03:00.000Z", cancelled: false, version: 2 },
    events: [
      { eventId: "erp:release:SO-1001", code: "order.released", occurredAt: "2026-11-20T09:00:00.000Z", source: "erp", arrival: 1 },
      {
        eventId: "acme-3pl:78923d0d49fe1f9df335dfd1e2599a80",
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T14:03:00.000Z",
        source: "acme-3pl",
        arrival: 2,
      },
    ],
    commands: [{ seq: 1, key: `shipment-confirmation:trk:${TRACKING_NUMBER}`, type: "ShipmentConfirmation", attempts: 1, ackedAt: "2026-11-20T14:03:03.000Z" }],
    outbox: [],
    erp: { ackedSeq: 1, lastSeq: 1, pending: 0, deadSeq: null },
  },
  NewApiKey: { customerId: "CUST-1", label: "Storefront portal" },
  IssuedApiKey: { id: "key_3f9a2c71", key: "dk_4Jc9xQ2mV7rT1pL8sN5wZ0bY6dF3hK2a", customerId: "CUST-1", createdAt: "2026-11-18T10:00:00.000Z" },
  QuarantineList: { items: [quarantined], nextBefore: null },
  QuarantineEntry: { ...quarantined, body: `{"event":"tracking_update","msg":{"tracking_number":"${TRACKING_NUMBER}","tag":"Expired"}}` },
  QuarantineReplay: {
    id: quarantined.id,
    status: "replayed",
    correlationId: EXAMPLE_CORRELATION_ID,
    results: [{ eventId: "aftership:9c1d4e2f0a7b3c5d", orderId: "SO-1001", outcome: "accepted" }],
  },
  DeadLetterList: {
    items: [
      {
        id: "dl_2b7e4c1a",
        orderId: "SO-1002",
        seq: 1,
        commandKey: "shipment-confirmation:trk:1Z999AA10123456785",
        type: "ShipmentConfirmation",
        cause: "rejected",
        reason: "ERP answered 422: unknown order SO-1002",
        erpStatus: 422,
        correlationId: EXAMPLE_CORRELATION_ID,
        createdAt: "2026-11-20T14:10:00.000Z",
        status: "open",
        replayedAt: null,
      },
    ],
    nextBefore: null,
  },
  DeadLetterReplay: { id: "dl_2b7e4c1a", orderId: "SO-1002", seq: 1, status: "replayed", revived: true },
  BulkReplayRequest: { destination: "erp", reason: "rejected", limit: 100 },
  BulkReplayReport: { matched: 2, replayed: 2, alreadyLive: 0, failed: [], more: false, filter: { destination: "erp", reason: "rejected" } },
  Metrics: {
    generatedAt: "2026-11-20T14:05:00.000Z",
    partners: { "acme-3pl": [metricWindow(1, 4), metricWindow(5, 21), metricWindow(15, 60), metricWindow(60, 240)] },
    projectionLag: [{ minutes: 5, counts: {}, latency: { count: 21, p50Ms: 140, p99Ms: 900 } }],
    erp: { pendingCommands: 0, ordersWithPending: 0, oldestPendingAt: null, oldestPendingAgeSeconds: null, ordersBlockedByDeadLetter: 0 },
  },
  DestinationList: {
    items: [
      {
        destination: "erp",
        mode: "open",
        pausedSince: null,
        nextProbeAt: null,
        concurrency: 10,
        inFlight: 1,
        turnsOut: 0,
        waiting: 0,
        oldestWaitingSince: null,
        consecutiveFailures: 0,
      },
    ],
  },
  Correlation: { key: `trk:${TRACKING_NUMBER}`, orderId: "SO-1001", boundAt: "2026-11-20T14:03:01.000Z", parked: 0, conflicts: [] },
  ReconcileRequest: { orderIds: ["SO-1001"] },
  ReconcileReport: { checked: 1, drifted: 0, orders: [], nextCursor: null },
  OrderReplay: { orderId: "SO-1001", reprojected: true, erpNudged: 1 },
  NewSubscription: {
    url: "https://hooks.example.com/dockline",
    events: ["order.status_changed", "order.exception_opened"],
    description: "Storefront order status",
  },
  NewOpsSubscription: { url: "https://hooks.example.com/ops-alerts", events: ["ops.dead_letter", "ops.quarantined"], description: "Ops on-call" },
  Subscription: subscription,
  CreatedSubscription: { ...subscription, secret: "whsec_C2FtcGxlLXN1YnNjcmlwdGlvbi1zZWNyZXQtMDE=" },
  SubscriptionList: { items: [subscription] },
  RotatedSecret: { id: subscription.id, secret: "whsec_bmV4dC1zdWJzY3JpcHRpb24tc2VjcmV0LTAy", previousSecretExpiresAt: "2026-11-21T10:00:00.000Z" },
  TestDelivery: { webhookId: "msg_2LJ8c5Qk3GQ0cmYb7Wv1a9Hq", delivered: true, status: 200, latencyMs: 142, response: "ok", error: null },
  SubscriptionDeliveryPage: {
    items: [
      {
        id: "dlv_8c2e5a1f",
        eventType: "order.status_changed",
        orderId: "SO-1001",
        version: 2,
        status: "delivered",
        attempts: 1,
        lastStatus: 200,
        lastError: null,
        createdAt: "2026-11-20T14:03:02.000Z",
        updatedAt: "2026-11-20T14:03:03.000Z",
        deliveredAt: "2026-11-20T14:03:03.000Z",
        event: {
          type: "order.status_changed",
          timestamp: "2026-11-20T14:03:02.000Z",
          data: { orderId: "SO-1001", status: "shipped", previousStatus: "released" },
        },
        attemptLog: [{ at: "2026-11-20T14:03:03.000Z", status: 200, latencyMs: 142, outcome: "delivered", response: "ok", error: null }],
      },
    ],
    nextCursor: null,
  },
  ReplayedDelivery: { deliveryId: "dlv_8c2e5a1f", how: "resent" },
};

/** Examples of media whose schema is not a component, by "METHOD path" and media type. */
export const MEDIA_EXAMPLES: Record<string, Record<string, unknown>> = {
  "GET /track/{token}": {
    "text/html": '<!doctype html><html lang="en"><head><title>Order SO-1001: shipped</title></head><body><main><h1>Shipped</h1>…</main></body></html>',
  },
  "GET /erp/openapi.json": { "application/json": { openapi: "3.1.0", info: { title: "dockline → ERP", version: "1.0.0" }, paths: {} } },
};

export interface ProblemExample {
  slug: string;
  title: string;
  detail: string;
  errors?: { path: string; code: string; message: string }[];
}

/** The problem each status stands for, as the routes answer it (webhooks and the ops API alike). */
export const PROBLEM_EXAMPLES: Record<number, ProblemExample> = {
  400: { slug: "malformed-body", title: "Malformed request body", detail: "The body is not valid JSON." },
  401: { slug: "unauthorized", title: "Unauthorized", detail: "Missing or invalid credentials." },
  404: { slug: "not-found", title: "Not Found", detail: "Nothing with this id." },
  409: { slug: "already-replayed", title: "Already replayed", detail: "This entry was replayed already." },
  413: { slug: "payload-too-large", title: "Payload too large", detail: "The body is over this route's limit." },
  415: { slug: "unsupported-media-type", title: "Unsupported content type", detail: "This partner sends application/json." },
  422: {
    slug: "schema-violation",
    title: "The payload does not match the schema",
    detail: "Body field lines.0.quantity: must be at least 1.",
    errors: [{ path: "lines.0.quantity", code: "too_small", message: "Too small: expected number to be >=1" }],
  },
  429: { slug: "rate-limited", title: "Too many requests", detail: "Rate limit reached; retry after the time in Retry-After." },
  503: { slug: "webhooks-unavailable", title: "Temporarily unable to accept webhooks", detail: "Webhooks cannot be accepted right now. Retry later." },
};

const orderConflict = (what: string): ProblemExample => ({
  slug: "order-conflict",
  title: "Conflicting order content",
  detail: `Order SO-1001 was already ${what} with different content.`,
});
const tooMany: ProblemExample = {
  slug: "too-many-subscriptions",
  title: "Too many subscriptions",
  detail: `At most ${MAX_SUBSCRIPTIONS} subscriptions; delete one first.`,
};
const stillDelivering: ProblemExample = {
  slug: "delivery-pending",
  title: "Still being delivered",
  detail: "This delivery is still being retried; it needs no replay.",
};

/** Problems an operation answers in its own words, where the usual one for the status would mislead, by "METHOD path". */
export const OPERATION_PROBLEMS: Record<string, Record<number, ProblemExample>> = {
  "POST /v1/orders": { 409: orderConflict("released") },
  "POST /v1/orders/{orderId}/cancel": { 409: orderConflict("cancelled") },
  "GET /v1/orders/{orderId}": { 404: { slug: "not-found", title: "Not Found", detail: "No such order." } },
  "GET /ops/orders/{orderId}": { 404: { slug: "not-found", title: "Not Found", detail: "No such order." } },
  "POST /ops/dead-letters/{id}/replay": { 409: { slug: "already-replayed", title: "Already replayed", detail: "Replayed at 2026-11-20T15:00:00.000Z." } },
  "POST /ops/conflicts/resolve": { 409: { slug: "already-resolved", title: "Already resolved", detail: "This conflict was resolved by ops-token." } },
  "POST /v1/subscriptions": { 409: tooMany },
  "POST /ops/subscriptions": { 409: tooMany },
  "POST /v1/subscriptions/{id}/deliveries/{deliveryId}/replay": { 409: stillDelivering },
  "POST /ops/subscriptions/{id}/deliveries/{deliveryId}/replay": { 409: stillDelivering },
};

/** One realistic body per partner module for the webhook ingress, and the topic it is sent under, if any. */
export const PARTNER_EXAMPLES: { readonly [A in AdapterName]: { summary: string; body: string | object; topic?: string } } = {
  canonical: {
    summary: "A dispatch in dockline's canonical format (examples/acme-dispatched.json)",
    body: {
      type: "milestone",
      data: {
        orderId: "SO-1001",
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T14:03:00Z",
        shipmentId: "SHP-1",
        carrier: "ups",
        trackingNumber: TRACKING_NUMBER,
        lines: [{ sku: "WID-1", quantity: 2 }],
        location: { city: "Memphis", country: "US" },
      },
    },
  },
  shipbob: {
    summary: "ShipBob's published Tracking Received example (its tracking_url left out)",
    topic: "order.shipment.tracking_received",
    body: {
      event_time: "2025-10-23T15:55:09.3614767Z",
      order_id: 100000001,
      reference_id: "TEST101",
      status: "LabelCreated",
      tracking: { carrier: "USPS", carrier_service: "ParcelSelect", tracking_id: "9261290306529427911297" },
    },
  },
  easypost: {
    summary: "An EasyPost tracker.updated Event: arrived at a FedEx facility",
    body: {
      object: "Event",
      id: "evt_2b9d0c1e",
      description: "tracker.updated",
      result: {
        object: "Tracker",
        id: "trk_5e8f",
        tracking_code: "794644790132",
        status: "in_transit",
        carrier: "FedEx",
        est_delivery_date: "2026-11-23T00:00:00Z",
        tracking_details: [
          {
            object: "TrackingDetail",
            message: "Arrived at FedEx location",
            status: "in_transit",
            status_detail: "arrived_at_facility",
            datetime: "2026-11-20T19:27:00Z",
            tracking_location: { object: "TrackingLocation", city: "Memphis", state: "TN", country: "US", zip: "38118" },
          },
        ],
      },
    },
  },
  aftership: {
    summary: "An AfterShip tracking_update: in transit",
    body: {
      event: "tracking_update",
      event_id: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
      is_tracking_first_tag: false,
      ts: 1795200000,
      msg: {
        tracking_number: "9400111899223197428490",
        slug: "usps",
        tag: "InTransit",
        subtag: "InTransit_001",
        checkpoints: [
          {
            checkpoint_time: "2026-11-20T17:40:00-06:00",
            tag: "InTransit",
            subtag: "InTransit_001",
            message: "Departed USPS Regional Facility",
            slug: "usps",
            city: "Memphis",
            state: "TN",
            country_region: "USA",
          },
        ],
      },
    },
  },
  shopify: {
    summary: "A Shopify fulfillment_events/create: in transit",
    topic: "fulfillment_events/create",
    body: {
      id: 1234567,
      fulfillment_id: 123456,
      order_id: 450789469,
      status: "in_transit",
      message: "Item is now in transit",
      happened_at: "2026-11-20T09:00:00-05:00",
      city: "Ottawa",
      province: "ON",
      country: "CA",
      zip: null,
      estimated_delivery_at: null,
    },
  },
  shippo: {
    summary: "A Shippo track_updated: in transit",
    body: {
      event: "track_updated",
      test: false,
      data: {
        tracking_number: "92055901755477000271990251",
        carrier: "usps",
        eta: "2026-11-23T18:00:00Z",
        tracking_status: {
          status: "TRANSIT",
          substatus: { code: "package_departed" },
          status_date: "2026-11-20T18:10:00Z",
          status_details: "Your shipment has departed from the origin.",
          location: { city: "Las Vegas", state: "NV", zip: "89101", country: "US" },
        },
      },
    },
  },
  ups: {
    summary: "A UPS Track Alert departure scan, shaped like UPS's published examples",
    body: {
      trackingNumber: TRACKING_NUMBER,
      localActivityDate: "20261120",
      localActivityTime: "140300",
      gmtActivityDate: "20261120",
      gmtActivityTime: "200300",
      activityLocation: { city: "Memphis", stateProvince: "TN", postalCode: "", country: "US" },
      activityStatus: { type: "I", code: "DP", description: "Departed from Facility", descriptionCode: "005" },
      scheduledDeliveryDate: "20261122",
      actualDeliveryDate: "",
      actualDeliveryTime: "",
    },
  },
  x12: {
    summary: "A carrier's X12 214: departed the pick-up location in Memphis (AT7 AF)",
    body: [
      "ISA*00*          *00*          *02*SCAC           *ZZ*DOCKLINE       *261120*1403*U*00401*000000001*0*P*>~",
      "GS*QM*SCAC*DOCKLINE*20261120*1403*1*X*004010~",
      "ST*214*0001~",
      `B10*${TRACKING_NUMBER}*SO-1001*SCAC~`,
      "LX*1~",
      "AT7*AF*NS***20261120*1403*LT~",
      "MS1*MEMPHIS*TN*US~",
      "SE*6*0001~",
      "GE*1*1~",
      "IEA*1*000000001~",
    ].join("\n"),
  },
};
