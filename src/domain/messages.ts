// Queue message shapes: the contract between the Durable Object's outbox and the consumers. Every
// message carries the correlation id of the request that caused it.
import type { PortalOrder } from "./view";

/** "Deliver command `seq` of this order": the command itself stays in the OrderDO. */
export interface ErpMessage {
  kind: "erp";
  orderId: string;
  seq: number;
  correlationId: string;
  /**
   * When the command became due (epoch ms): the destination's gate lets the orders that have waited
   * longest go first after an outage. Absent in messages sent before it existed (then: when received).
   */
  dueSince?: number;
}

/** "Deliver command `seq` of this order to `destination`" (a fulfilment partner: `fulfillment:<id>`). */
export interface DeliveryMessage {
  kind: "delivery";
  destination: string;
  orderId: string;
  seq: number;
  correlationId: string;
  dueSince?: number;
}

/** An order's ERP delivery cursor; `erpVersion` grows with every change, so stale copies lose. */
export interface ErpProgress {
  orderId: string;
  lastSeq: number;
  ackedSeq: number;
  deadSeq: number | null;
  oldestPendingAt: string | null;
  erpVersion: number;
  updatedAt: string;
}

export interface DeadLetter {
  id: string;
  orderId: string;
  seq: number;
  commandKey: string;
  type: string;
  cause: "rejected" | "exhausted";
  reason: string;
  erpStatus: number | null;
  correlationId: string;
  createdAt: string;
}

/**
 * Everything the read model learns, on one queue so one consumer batch is one D1 batch. A `projection`
 * carries the order's current view, but of its timeline only the entries that are new since the order's
 * previous projection (timeline entries are immutable facts, inserted once): so a message does not grow
 * with the order's history. A full re-projection whose timeline does not fit one queue message travels as
 * `timeline` chunks plus the view (see durable-objects/outbox.ts).
 */
/**
 * One fulfillment request as the read model keeps it for ops (GET /ops/stuck: requests not acknowledged
 * within STUCK_UNACKNOWLEDGED_HOURS, by partner). `at` is when the order last stated it: the read model
 * keeps the first `at` it saw as the request's time.
 */
export interface FulfillmentRow {
  requestId: string;
  orderId: string;
  partner: string;
  lines: { sku: string; quantity: number }[];
  at: string;
  acknowledgedAt: string | null;
  cancelledAt: string | null;
}

/**
 * An SLA breach of an order (src/domain/sla.ts), as ops see it: open until `resolvedAt`. Sent when it is
 * recorded and again when it clears; the read model never clears a resolution once set.
 */
export interface SlaBreachRow {
  /** `<orderId>:<clock id>`: one breach per order and promise. */
  id: string;
  orderId: string;
  customerId: string;
  check: string;
  subject: string | null;
  dueAt: string;
  breachedAt: string;
  resolvedAt: string | null;
  description: string;
}

export type ProjectionMessage =
  | {
      kind: "projection";
      order: PortalOrder;
      opsExceptions?: PortalOrder["openExceptions"];
      /** The order's fulfillment requests (absent from messages sent before they existed). */
      fulfillment?: FulfillmentRow[];
      correlationId: string;
    }
  | { kind: "timeline"; orderId: string; entries: PortalOrder["timeline"]; correlationId: string }
  | { kind: "erp-progress"; progress: ErpProgress; correlationId: string }
  | { kind: "dead-letter"; deadLetter: DeadLetter; correlationId: string }
  | { kind: "sla-breach"; breach: SlaBreachRow; correlationId: string };

/** The order a projection message is about. */
export function projectionOrderId(m: ProjectionMessage): string {
  switch (m.kind) {
    case "projection":
      return m.order.orderId;
    case "timeline":
      return m.orderId;
    case "erp-progress":
      return m.progress.orderId;
    case "dead-letter":
      return m.deadLetter.orderId;
    case "sla-breach":
      return m.breach.orderId;
  }
}
