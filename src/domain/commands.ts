// ERP commands: the business facts the ERP must hear about, derived from the order's state. The full
// list is a pure function of the state, in the order it must be delivered; the Durable Object emits the
// ones it has not emitted yet, so each command is emitted exactly once and the first time its
// precondition holds. Tracking scans never become commands.
import type { Line } from "./event";
import type { Json } from "./json";
import { type ExceptionReason, NEEDS_ACTION } from "./milestones";
import type { OrderState } from "./state";

export const COMMAND_TYPES = {
  ShipmentConfirmation: "/shipment-confirmations",
  DeliveryConfirmation: "/delivery-confirmations",
  FulfillmentException: "/fulfillment-exceptions",
  ReturnReceipt: "/return-receipts",
} as const;
export type CommandType = keyof typeof COMMAND_TYPES;

export interface ErpCommandDraft {
  /** Stable identity: a command with the same key is never emitted twice for an order. */
  key: string;
  type: CommandType;
  payload: Record<string, Json>;
}

/** A command once the order has given it its place in the per-order sequence. */
export interface ErpCommand extends ErpCommandDraft {
  orderId: string;
  seq: number;
}

interface Dated {
  at: string;
  drafts: ErpCommandDraft[];
}

export function desiredCommands(state: OrderState): ErpCommandDraft[] {
  const orderId = state.orderId;
  const groups: Dated[] = [];
  for (const s of state.shipments) {
    // Precondition: the 3PL's dispatch fact. A delivery seen earlier waits for it, then both follow in order.
    if (!s.dispatchedAt) continue;
    const drafts: ErpCommandDraft[] = [
      {
        key: `shipment-confirmation:${s.shipmentId}`,
        type: "ShipmentConfirmation",
        payload: {
          orderId,
          shipmentId: s.shipmentId,
          carrier: s.carrier ?? null,
          trackingNumber: s.trackingNumber ?? null,
          shippedAt: s.dispatchedAt,
          lines: linesJson(s.lines ?? state.details?.lines ?? []),
        },
      },
    ];
    if (s.deliveredAt) {
      drafts.push({
        key: `delivery-confirmation:${s.shipmentId}`,
        type: "DeliveryConfirmation",
        payload: { orderId, shipmentId: s.shipmentId, trackingNumber: s.trackingNumber ?? null, deliveredAt: s.deliveredAt },
      });
    }
    groups.push({ at: s.dispatchedAt, drafts });
  }
  for (const x of state.exceptions) {
    if (x.kind === "shipment_exception" && !needsAction(x.reason)) continue;
    groups.push({
      at: x.occurredAt,
      drafts: [
        {
          key: `fulfillment-exception:${x.id}`,
          type: "FulfillmentException",
          payload: { orderId, kind: x.kind, reason: x.reason ?? null, shipmentId: x.shipmentId ?? null, occurredAt: x.occurredAt },
        },
      ],
    });
  }
  for (const r of state.returns) {
    groups.push({
      at: r.occurredAt,
      drafts: [
        {
          key: `return-receipt:${r.returnId}`,
          type: "ReturnReceipt",
          payload: { orderId, returnId: r.returnId, receivedAt: r.occurredAt, lines: linesJson(r.lines ?? []) },
        },
      ],
    });
  }
  groups.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return groups.flatMap((g) => g.drafts);
}

function needsAction(reason: ExceptionReason | undefined): boolean {
  return NEEDS_ACTION.has(reason ?? "other");
}

/** The commands of `desired` not yet emitted, numbered after `lastSeq` in delivery order. */
export function newCommands(orderId: string, desired: ErpCommandDraft[], emitted: ReadonlySet<string>, lastSeq: number): ErpCommand[] {
  let seq = lastSeq;
  return desired.filter((d) => !emitted.has(d.key)).map((d) => ({ ...d, orderId, seq: ++seq }));
}

function linesJson(lines: readonly Line[]): Json[] {
  return lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
}
