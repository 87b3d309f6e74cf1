// What a subscriber receives: the body of every event type as a zod schema, with a realistic example and the
// Standard Webhooks headers. The OpenAPI document's `webhooks` and docs/subscribers.md are generated from
// these, and a test checks that the events dockline emits parse against them, so the three cannot drift.
//
// Data schemas are plain (not strict) objects: a subscriber should ignore fields it does not know, and new
// optional fields may appear. The test also checks that parsing drops nothing, so nothing emitted goes
// undocumented.
import { z } from "@hono/zod-openapi";
import { ORDER_STATUSES } from "../domain/milestones";
import { SLA_CHECKS } from "../domain/sla";
import { OpenException, Order } from "../http/schemas";
import { EVENT_TYPES, type EventType, MAX_VIEW_BYTES, TEST_EVENT_TYPE } from "./events";

const instant = (description: string) => z.iso.datetime({ offset: true }).openapi({ description });

// ---- the order events ---------------------------------------------------------------------------------

const field = Order.shape;
/** The portal's order view as an event carries it: GET /v1/orders/{id} without the tracking link. */
export const EventOrder = Order.omit({ trackingUrl: true })
  .extend({
    orderId: field.orderId.openapi({ description: "The order's id, as the ERP released it" }),
    customerId: field.customerId.openapi({ description: "The customer whose order it is" }),
    status: field.status.openapi({ description: "How far the order as a whole has got" }),
    statusAt: field.statusAt.openapi({ description: "When the milestone that set `status` happened; null when none did yet" }),
    shipments: field.shipments.openapi({ description: "The order's parcels that have a tracking number or a scan" }),
    timeline: field.timeline.openapi({ description: "The milestones the customer can see, oldest first" }),
    openExceptions: field.openExceptions.openapi({ description: "Problems with the delivery that are not resolved yet" }),
    updatedAt: field.updatedAt.openapi({ description: "When dockline last changed the order" }),
    timelineTruncated: z
      .literal(true)
      .optional()
      .openapi({
        description: `Present only when the order's history would make the body larger than ${MAX_VIEW_BYTES / 1000} kB: the oldest timeline entries were left out. GET /v1/orders/{id} has them all`,
      }),
  })
  .openapi("EventOrder", {
    description:
      "The order as the customer portal shows it after the change (GET /v1/orders/{id} without `trackingUrl`). `version` grows with every change: keep the highest you have seen",
  });

const previousStatus = z
  .enum(ORDER_STATUSES)
  .nullable()
  .openapi({ description: "The status before this change; null for the order's first event (its release)" });

export const OrderStatusChange = EventOrder.extend({ previousStatus }).openapi("OrderStatusChange", {
  description: "The order view after the change, plus the status it moved from",
});

export const OrderExceptionChange = EventOrder.extend({
  exception: OpenException.openapi({ description: "The exception that opened or was resolved (also in `openExceptions` while it is open)" }),
}).openapi("OrderExceptionChange", { description: "The order view after the change, plus the exception concerned" });

// ---- the ops alerts -----------------------------------------------------------------------------------

export const DeadLetterAlert = z
  .object({
    deadLetterId: z.string().nullable().openapi({
      description:
        "ERP commands: the dead letter's id in GET /ops/dead-letters (replay it with POST /ops/dead-letters/{id}/replay); null for a fulfilment partner's",
    }),
    customerId: z.string().nullable().openapi({ description: "The order's customer" }),
    orderId: z.string().openapi({ description: "The order the command belongs to" }),
    destination: z.string().openapi({ description: "`erp`, or `fulfillment:<partnerId>` for a fulfilment partner", example: "erp" }),
    seq: z.number().int().openapi({ description: "The command's number in the order's sequence for that destination" }),
    commandKey: z.string().openapi({ description: "The command's idempotency key (unique per order)" }),
    type: z.string().openapi({ description: "The command: ShipmentConfirmation, DeliveryConfirmation, fulfillment.requested, …" }),
    reason: z.string().openapi({ description: "Why it died: the destination's refusal, or its last error when the retry horizon passed" }),
    status: z.number().int().nullable().openapi({ description: "The destination's last HTTP status; null when it never answered (timeout, network)" }),
    deadAt: instant("When the command was given up"),
  })
  .openapi("DeadLetterAlert", {
    description:
      "A command for the ERP or a fulfilment partner that will not be delivered unless ops replay it; the order's later commands for that destination wait behind it",
  });

export const QuarantineAlert = z
  .object({
    quarantineId: z.string().openapi({ description: "The entry in GET /ops/quarantine/{id}: the payload as received, byte for byte" }),
    partner: z.string().openapi({ description: "The partner that sent it" }),
    reason: z.string().openapi({ description: "Why it could not be processed (at most 500 characters)" }),
    orderId: z.string().nullable().openapi({
      description: "The order, when the payload named one (an event on an order not assigned to the partner, a conflicting duplicate); otherwise null",
    }),
    receivedAt: instant("When dockline received the payload"),
    alsoQuarantinedSinceLastAlert: z.number().int().min(0).openapi({
      description: "Payloads from the same partner quarantined since its previous alert without an alert of their own (at most one alert per partner a minute)",
    }),
  })
  .openapi("QuarantineAlert", { description: "An authentic partner payload that could not be processed, kept for ops to inspect and replay" });

const slaShape = {
  breachId: z.string().openapi({ description: "`<orderId>:<clock>`: one breach per order and promise; a PagerDuty incident is keyed by it" }),
  orderId: z.string().openapi({ description: "The order that missed the promise" }),
  customerId: z.string().openapi({ description: "The order's customer" }),
  check: z.enum(SLA_CHECKS).openapi({ description: "The promise that was missed (SLA_POLICIES)" }),
  subject: z.string().nullable().openapi({ description: "What the promise is about: the shipment of an exception; otherwise null" }),
  dueAt: instant("The deadline"),
  breachedAt: instant("When the promise became late: its deadline"),
  description: z.string().openapi({ description: "One sentence for people: what was missed and when it was due" }),
  status: z.enum(ORDER_STATUSES).openapi({ description: "The order's status when the event was recorded" }),
  serviceLevel: z.string().nullable().openapi({ description: "The order's service level from its release, if any" }),
};

export const SlaBreachAlert = z
  .object({ ...slaShape, resolvedAt: z.null().openapi({ description: "Always null here: see ops.sla_resolved" }) })
  .openapi("SlaBreachAlert", { description: "An order missed a promise of its SLA policy" });

export const SlaResolutionAlert = z
  .object({
    ...slaShape,
    resolvedAt: instant(
      "When the late milestone happened, or when the promise stopped applying (order cancelled, exception closed). It can be earlier than `breachedAt` when a milestone was on time but reported late",
    ),
  })
  .openapi("SlaResolutionAlert", { description: "A breach is over: the late milestone arrived, or the promise no longer applies" });

export const SubscriptionDisabledAlert = z
  .object({
    subscriptionId: z.string().openapi({ description: "The subscription that was disabled" }),
    customerId: z.string().nullable().openapi({ description: "The subscription's customer; null for an ops subscription to every customer" }),
    url: z.string().openapi({ description: "The endpoint's origin only (scheme, host, port): a path can be a credential" }),
    reason: z.string().openapi({ description: "Why: the endpoint answered 410 Gone, or kept failing" }),
    failingSince: instant("Since when every delivery to it failed"),
    disabledAt: instant("When it was disabled"),
  })
  .openapi("SubscriptionDisabledAlert", {
    description: "A subscription was disabled: its endpoint answered 410 Gone, or failed every delivery for SUBSCRIPTION_DISABLE_AFTER_HOURS",
  });

export const TestMessage = z
  .object({
    subscriptionId: z.string().openapi({ description: "The subscription the test was sent for" }),
    message: z.string().openapi({ description: "A sentence for whoever reads the endpoint's log" }),
  })
  .openapi("TestMessage", { description: "Sent only by POST …/subscriptions/{id}/test" });

// ---- the bodies -------------------------------------------------------------------------------------

/** Every type a subscriber can receive: the subscribable ones and the test event. */
export const SUBSCRIBER_EVENT_TYPES = [...EVENT_TYPES, TEST_EVENT_TYPE] as const;
export type SubscriberEventType = EventType | typeof TEST_EVENT_TYPE;

function body<T extends SubscriberEventType, D extends z.ZodType>(type: T, data: D, name: string, description: string) {
  return z
    .object({
      type: z.literal(type),
      timestamp: instant("When dockline recorded the event; the same on every retry and replay"),
      data,
    })
    .openapi(name, { description });
}

export const EVENT_SCHEMAS = {
  "order.status_changed": body("order.status_changed", OrderStatusChange, "OrderStatusChangedEvent", "The order's status moved"),
  "order.exception_opened": body("order.exception_opened", OrderExceptionChange, "OrderExceptionOpenedEvent", "An exception the customer can see opened"),
  "order.exception_resolved": body("order.exception_resolved", OrderExceptionChange, "OrderExceptionResolvedEvent", "An exception was resolved"),
  "order.updated": body("order.updated", EventOrder, "OrderUpdatedEvent", "Anything the customer can see changed"),
  "ops.dead_letter": body("ops.dead_letter", DeadLetterAlert, "DeadLetterEvent", "A command died"),
  "ops.quarantined": body("ops.quarantined", QuarantineAlert, "QuarantinedEvent", "A partner payload was quarantined"),
  "ops.sla_breached": body("ops.sla_breached", SlaBreachAlert, "SlaBreachedEvent", "An order missed an SLA promise"),
  "ops.sla_resolved": body("ops.sla_resolved", SlaResolutionAlert, "SlaResolvedEvent", "An SLA breach is over"),
  "ops.subscription_disabled": body("ops.subscription_disabled", SubscriptionDisabledAlert, "SubscriptionDisabledEvent", "A subscription was disabled"),
  "webhook.test": body(TEST_EVENT_TYPE, TestMessage, "WebhookTestEvent", "A test event"),
} as const satisfies Record<SubscriberEventType, z.ZodType>;

/** Any body a subscriber can receive, told apart by `type`. */
export const SubscriberEvent = z.discriminatedUnion("type", Object.values(EVENT_SCHEMAS) as unknown as [(typeof EVENT_SCHEMAS)[SubscriberEventType]]);
export type SubscriberEvent = z.infer<typeof SubscriberEvent>;

/** For the catalogue: who can subscribe to an event, when it is sent, and what a subscriber usually does. */
export interface EventDoc {
  type: SubscriberEventType;
  audience: "customer and ops" | "ops" | "test";
  summary: string;
  when: string;
}

export const EVENT_DOCS: readonly EventDoc[] = [
  {
    type: "order.status_changed",
    audience: "customer and ops",
    summary: "The order's status moved.",
    when: "When the order's `status` differs from what the portal showed before the change, including its release (then `previousStatus` is null). Sent before the change's other events.",
  },
  {
    type: "order.exception_opened",
    audience: "customer and ops",
    summary: "An exception the customer can see opened on the order.",
    when: "When a change adds an entry to `openExceptions`: a carrier exception on a shipment, a cancellation after dispatch, a parcel returned to sender. One event per exception. Internal discrepancies that only ops work on are never sent.",
  },
  {
    type: "order.exception_resolved",
    audience: "customer and ops",
    summary: "An exception left `openExceptions`.",
    when: "When a change removes an entry from `openExceptions` (for a carrier exception: a later scan of the shipment). `exception` is the entry as it was while open.",
  },
  {
    type: "order.updated",
    audience: "customer and ops",
    summary: "Anything the customer can see changed.",
    when: "After every customer-visible change, as the change's last event: a new status, a new timeline entry, a shipment's new scan, tracking number or ETA, an exception opened or resolved. Subscribe to this one alone to mirror the portal.",
  },
  {
    type: "ops.dead_letter",
    audience: "ops",
    summary: "A command for the ERP or a fulfilment partner died.",
    when: "When the destination refused the command for good (a 4xx other than 408, 409 and 429), or when an attempt failed after the retry horizon. Nothing more is delivered to that destination for the order until ops replay the command.",
  },
  {
    type: "ops.quarantined",
    audience: "ops",
    summary: "An authentic partner payload could not be processed and was put in quarantine.",
    when: "When a partner's payload is quarantined (it cannot be mapped, part of it cannot be processed, it reuses an event id with different content, or it reports on an order not assigned to the partner). At most one per partner a minute: the next one counts the payloads in between.",
  },
  {
    type: "ops.sla_breached",
    audience: "ops",
    summary: "An order missed a promise of its SLA policy.",
    when: "Once per order and promise, when the order's deadline passes without the milestone (acknowledged, dispatched, first scan, delivered by the promised date, exception resolved in time), or when the milestone arrives after it.",
  },
  {
    type: "ops.sla_resolved",
    audience: "ops",
    summary: "An SLA breach is over.",
    when: "After `ops.sla_breached`, when the late milestone arrives or the promise stops applying (the order was cancelled, the exception closed). A milestone that was already late when it arrived sends both events at once.",
  },
  {
    type: "ops.subscription_disabled",
    audience: "ops",
    summary: "A subscription was disabled.",
    when: "When an endpoint answers 410 Gone, or has failed every delivery for SUBSCRIPTION_DISABLE_AFTER_HOURS. Never sent to the disabled subscription itself.",
  },
  {
    type: "webhook.test",
    audience: "test",
    summary: "A test event.",
    when: "Only when someone calls `POST …/subscriptions/{id}/test`; nobody subscribes to it. Every subscription can receive it, whatever its events.",
  },
];

// ---- the Standard Webhooks headers ------------------------------------------------------------------

export const WebhookHeaders = z.object({
  "webhook-id": z.string().openapi({
    description: "The event's id: the same on every retry and replay of one event, and for every subscription that receives it. Process an id once",
    example: "msg_8c1f5a0d3b7e9f2a64c0d8e1b5",
  }),
  "webhook-timestamp": z.string().regex(/^\d+$/).openapi({
    description: "When this attempt was signed, in seconds since the Unix epoch: new on every attempt. Refuse one more than 5 minutes away from your clock",
    example: "1795183525",
  }),
  "webhook-signature": z.string().openapi({
    description:
      "`v1,<base64 HMAC-SHA256>` of `<webhook-id>.<webhook-timestamp>.<body>` under the subscription's secret; during a secret rotation two, space-separated. One that verifies is enough",
    example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
  }),
});

// ---- examples ---------------------------------------------------------------------------------------

const ORDER_ID = "SO-48213";
const CUSTOMER_ID = "CUST-2041";
const TRACKING = "1Z999AA10123456784";

const released = {
  eventId: `erp:release:${ORDER_ID}`,
  code: "order.released",
  occurredAt: "2026-11-20T09:00:00.000Z",
  shipmentId: null,
  description: "Order received",
  source: "erp",
};
const acknowledged = {
  eventId: "acme-3pl:evt-7f3a",
  code: "fulfillment.acknowledged",
  occurredAt: "2026-11-20T09:40:00.000Z",
  shipmentId: null,
  description: "The warehouse has your order",
  source: "acme-3pl",
};
const dispatched = {
  eventId: "acme-3pl:evt-7f41",
  code: "shipment.dispatched",
  occurredAt: "2026-11-20T14:05:00.000Z",
  shipmentId: "SHP-1",
  description: "Shipped",
  source: "acme-3pl",
};
const louisville = { city: "Louisville", region: "KY", country: "US" };
const delayed = {
  eventId: "acme-3pl:evt-7f52",
  code: "shipment.exception",
  occurredAt: "2026-11-21T08:12:00.000Z",
  shipmentId: "SHP-1",
  location: louisville,
  description: "Delivery problem",
  source: "acme-3pl",
};
const weather = {
  id: "acme-3pl:evt-7f52",
  kind: "shipment_exception",
  reason: "weather",
  shipmentId: "SHP-1",
  occurredAt: "2026-11-21T08:12:00.000Z",
  description: "Delivery problem",
};

/** Outside the `as const` object below: the schema's lines are a mutable array. */
const parcelLines = [{ sku: "WID-1", quantity: 2 }];
const shipment = {
  shipmentId: "SHP-1",
  carrier: "ups",
  trackingNumber: TRACKING,
  status: "dispatched",
  lastEvent: { code: "shipment.dispatched", occurredAt: "2026-11-20T14:05:00.000Z" },
  eta: "2026-11-22T18:00:00.000Z",
  lines: parcelLines,
} as const;

const shippedView = {
  orderId: ORDER_ID,
  customerId: CUSTOMER_ID,
  status: "shipped",
  statusAt: "2026-11-20T14:05:00.000Z",
  destination: { city: "Portland", region: "OR", country: "US" },
  shipments: [shipment],
  timeline: [released, acknowledged, dispatched],
  openExceptions: [],
  version: 3,
  updatedAt: "2026-11-20T14:05:02.318Z",
} satisfies z.input<typeof EventOrder>;

const delayedView = {
  ...shippedView,
  shipments: [{ ...shipment, lastEvent: { code: "shipment.exception", occurredAt: "2026-11-21T08:12:00.000Z", location: louisville } }],
  timeline: [...shippedView.timeline, delayed],
  openExceptions: [weather],
  version: 4,
  updatedAt: "2026-11-21T08:12:01.904Z",
} satisfies z.input<typeof EventOrder>;

const inTransitView = {
  ...shippedView,
  status: "in_transit",
  statusAt: "2026-11-21T19:30:00.000Z",
  shipments: [{ ...shipment, status: "in_transit", lastEvent: { code: "shipment.in_transit", occurredAt: "2026-11-21T19:30:00.000Z" } }],
  timeline: [
    ...delayedView.timeline,
    {
      eventId: "acme-3pl:evt-7f60",
      code: "shipment.in_transit",
      occurredAt: "2026-11-21T19:30:00.000Z",
      shipmentId: "SHP-1",
      description: "In transit",
      source: "acme-3pl",
    },
  ],
  openExceptions: [],
  version: 5,
  updatedAt: "2026-11-21T19:30:02.551Z",
} satisfies z.input<typeof EventOrder>;

const acknowledgedBreach = {
  breachId: `${ORDER_ID}:acknowledged`,
  orderId: ORDER_ID,
  customerId: CUSTOMER_ID,
  check: "acknowledged",
  subject: null,
  dueAt: "2026-11-20T13:00:00.000Z",
  breachedAt: "2026-11-20T13:00:00.000Z",
  description: `Order ${ORDER_ID}: not acknowledged within 4 h of release (due 2026-11-20 13:00 UTC)`,
  status: "released",
  serviceLevel: "standard",
} as const;

/** One realistic body per type (a story about one order, SO-48213). Each parses against its schema (tested). */
export const EVENT_EXAMPLES = {
  "order.status_changed": {
    type: "order.status_changed",
    timestamp: "2026-11-20T14:05:02.318Z",
    data: { ...shippedView, previousStatus: "in_fulfillment" },
  },
  "order.exception_opened": {
    type: "order.exception_opened",
    timestamp: "2026-11-21T08:12:01.904Z",
    data: { ...delayedView, exception: weather },
  },
  "order.exception_resolved": {
    type: "order.exception_resolved",
    timestamp: "2026-11-21T19:30:02.551Z",
    data: { ...inTransitView, exception: weather },
  },
  "order.updated": {
    type: "order.updated",
    timestamp: "2026-11-20T14:05:02.318Z",
    data: shippedView,
  },
  "ops.dead_letter": {
    type: "ops.dead_letter",
    timestamp: "2026-11-20T14:06:11.020Z",
    data: {
      deadLetterId: `dl_${ORDER_ID}_1_1795183571020`,
      customerId: CUSTOMER_ID,
      orderId: ORDER_ID,
      destination: "erp",
      seq: 1,
      commandKey: "shipment-confirmation:SHP-1",
      type: "ShipmentConfirmation",
      reason: "HTTP 422: order SO-48213 is on credit hold",
      status: 422,
      deadAt: "2026-11-20T14:06:11.020Z",
    },
  },
  "ops.quarantined": {
    type: "ops.quarantined",
    timestamp: "2026-11-21T08:30:44.610Z",
    data: {
      quarantineId: "q_0b6f1c2e-8d4a-4f7e-9c3b-5a2e1d7f6c90",
      partner: "acme-3pl",
      reason: "conflicting duplicate: event id acme-3pl:evt-7f52 already recorded with different content",
      orderId: null,
      receivedAt: "2026-11-21T08:30:44.602Z",
      alsoQuarantinedSinceLastAlert: 0,
    },
  },
  "ops.sla_breached": {
    type: "ops.sla_breached",
    timestamp: "2026-11-20T13:00:00.412Z",
    data: { ...acknowledgedBreach, resolvedAt: null },
  },
  "ops.sla_resolved": {
    type: "ops.sla_resolved",
    timestamp: "2026-11-20T13:40:01.127Z",
    data: {
      ...acknowledgedBreach,
      description: `Order ${ORDER_ID}: not acknowledged within 4 h of release (due 2026-11-20 13:00 UTC; resolved 2026-11-20 13:40 UTC)`,
      resolvedAt: "2026-11-20T13:40:00.000Z",
      status: "in_fulfillment",
    },
  },
  "ops.subscription_disabled": {
    type: "ops.subscription_disabled",
    timestamp: "2026-11-24T09:15:03.881Z",
    data: {
      subscriptionId: "sub_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b",
      customerId: CUSTOMER_ID,
      url: "https://hooks.example.com",
      reason: "its endpoint failed every delivery since 2026-11-21T09:14:58.120Z",
      failingSince: "2026-11-21T09:14:58.120Z",
      disabledAt: "2026-11-24T09:15:03.870Z",
    },
  },
  "webhook.test": {
    type: "webhook.test",
    timestamp: "2026-11-20T10:00:00.000Z",
    data: {
      subscriptionId: "sub_3f2a9c0e5b7d4e1f8a6b2c9d0e1f2a3b",
      message: "A test event from dockline: your endpoint is reachable and can verify our signature.",
    },
  },
} as const satisfies { [T in SubscriberEventType]: z.input<(typeof EVENT_SCHEMAS)[T]> };
