// Queue message shapes: the contract between the Durable Object's outbox and the consumers. Every
// message carries the correlation id of the request that caused it.
import type { ErpCommand } from "./commands";
import type { PortalOrder } from "./view";

export interface ErpMessage {
  kind: "erp";
  orderId: string;
  seq: number;
  correlationId: string;
}

export interface ProjectionMessage {
  kind: "projection";
  order: PortalOrder;
  correlationId: string;
}

export type { ErpCommand };
