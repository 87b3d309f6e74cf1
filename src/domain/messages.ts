// Queue message shapes: the contract between the Durable Object's outbox and the consumers. Every
// message carries the correlation id of the request that caused it.
import type { PortalOrder } from "./view";

/** "Deliver command `seq` of this order": the command itself stays in the OrderDO. */
export interface ErpMessage {
  kind: "erp";
  orderId: string;
  seq: number;
  correlationId: string;
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

/** Everything the read model learns, on one queue so one consumer batch is one D1 batch. */
export type ProjectionMessage =
  | { kind: "projection"; order: PortalOrder; correlationId: string }
  | { kind: "erp-progress"; progress: ErpProgress; correlationId: string }
  | { kind: "dead-letter"; deadLetter: DeadLetter; correlationId: string };
