// ERP commands: the business facts the ERP must hear about, derived from the order's state. The full
// list is a pure function of the state, in the order it must be delivered; the Durable Object emits the
// ones it has not emitted yet, so each command is emitted exactly once and the first time its
// precondition holds. Tracking scans never become commands, and nothing is told about an order the ERP
// has not released (its lines are what a shipment is checked against).
import type { Line } from "./event";
import type { Json } from "./json";
import { type ExceptionReason, NEEDS_ACTION } from "./milestones";
import type { ShipmentPin } from "./parcels";
import { INTERNAL_EXCEPTIONS, type OrderState, receiptIdentity } from "./state";

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

/**
 * A command the order emitted earlier, as stored (the type as text, the payload parsed back). The keys
 * say what not to emit again; the shipment commands' keys and payloads also bind the names the ERP has
 * heard (`shipmentPins`).
 */
export interface EmittedCommand {
  key: string;
  type: string;
  payload: Readonly<Record<string, Json>>;
}

const SHIPMENT_CONFIRMATION = "shipment-confirmation:";
const DELIVERY_CONFIRMATION = "delivery-confirmation:";
const RETURN_RECEIPT = "return-receipt:";

interface Dated {
  at: string;
  draft: ErpCommandDraft;
}

export function desiredCommands(state: OrderState): ErpCommandDraft[] {
  // Nothing reaches the ERP about an order it has not released: a partner's report for an order not (yet)
  // released waits, and its lines can only be checked once the release says what was ordered.
  if (!state.details) return [];
  const orderId = state.orderId;
  const dated: Dated[] = [];
  for (const s of state.shipments) {
    // Precondition: the 3PL's dispatch fact, with lines that agree with the order. A delivery seen earlier
    // waits for it, then both follow in order.
    if (!s.dispatchedAt || s.withheld) continue;
    // Normally one name; a parcel the ERP booked twice keeps both bookings, each with its delivery, and
    // never gets a third (ops reverse one: see the confirmed_twice exception).
    for (const name of s.confirmedAs ?? [s.ref]) {
      dated.push({
        at: s.dispatchedAt,
        draft: {
          key: SHIPMENT_CONFIRMATION + name,
          type: "ShipmentConfirmation",
          payload: {
            orderId,
            // The partner's id and the tracking number: read back as the parcel this name binds (`shipmentPins`).
            shipmentId: s.shipmentId,
            carrier: s.carrier ?? null,
            trackingNumber: s.trackingNumber ?? null,
            shippedAt: s.dispatchedAt,
            lines: linesJson(s.lines ?? state.details.lines),
          },
        },
      });
      if (s.deliveredAt) {
        // Dated at the later of dispatch and delivery, never before its confirmation: the stable sort
        // below keeps it after it.
        dated.push({
          at: [s.dispatchedAt, s.deliveredAt].sort()[1] ?? s.deliveredAt,
          draft: {
            key: DELIVERY_CONFIRMATION + name,
            type: "DeliveryConfirmation",
            payload: { orderId, shipmentId: s.shipmentId, trackingNumber: s.trackingNumber ?? null, deliveredAt: s.deliveredAt },
          },
        });
      }
    }
  }
  for (const x of state.exceptions) {
    if (INTERNAL_EXCEPTIONS.has(x.kind)) continue;
    if (x.kind === "shipment_exception" && !needsAction(x.reason)) continue;
    dated.push({
      at: x.occurredAt,
      draft: {
        key: `fulfillment-exception:${x.id}`,
        type: "FulfillmentException",
        payload: { orderId, kind: x.kind, reason: x.reason ?? null, shipmentId: x.shipmentId ?? null, occurredAt: x.occurredAt },
      },
    });
  }
  for (const r of state.returns) {
    // One command per receipt (each box of a return), not per return id.
    dated.push({
      at: r.occurredAt,
      draft: {
        key: RETURN_RECEIPT + receiptIdentity(r),
        type: "ReturnReceipt",
        payload: { orderId, returnId: r.returnId, receivedAt: r.occurredAt, lines: linesJson(r.lines ?? []) },
      },
    });
  }
  // Each fact at the time it happened (stable: equal times keep the order above).
  dated.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return dated.map((d) => d.draft);
}

function needsAction(reason: ExceptionReason | undefined): boolean {
  return NEEDS_ACTION.has(reason ?? "other");
}

/**
 * The commands of `desired` not yet emitted, numbered after `lastSeq` in delivery order. A key is never
 * emitted twice, even if `desired` repeated it: the order's storage refuses a second row with one key,
 * and a refused transaction would wedge the order.
 */
export function newCommands(orderId: string, desired: readonly ErpCommandDraft[], emitted: readonly EmittedCommand[], lastSeq: number): ErpCommand[] {
  const taken = new Set(emitted.map((c) => c.key));
  for (const key of legacyReceipts(desired, emitted)) taken.add(key);
  let seq = lastSeq;
  const out: ErpCommand[] = [];
  for (const d of desired) {
    if (taken.has(d.key)) continue;
    taken.add(d.key);
    out.push({ ...d, orderId, seq: ++seq });
  }
  return out;
}

/**
 * Receipts booked before receipts had their own keys: the command was keyed by return id alone
 * (`return-receipt:<returnId>`) and covered the box it names by `receivedAt`. That box must not be
 * booked again under its new key.
 */
function legacyReceipts(desired: readonly ErpCommandDraft[], emitted: readonly EmittedCommand[]): string[] {
  const covered: string[] = [];
  for (const c of emitted) {
    const returnId = c.payload.returnId;
    if (c.type !== "ReturnReceipt" || typeof returnId !== "string" || c.key !== RETURN_RECEIPT + returnId) continue;
    const boxes = desired.filter((d) => d.type === "ReturnReceipt" && d.payload.returnId === returnId && !covered.includes(d.key));
    const box = boxes.find((d) => d.payload.receivedAt === c.payload.receivedAt) ?? boxes[0];
    if (box) covered.push(box.key);
  }
  return covered;
}

/** The shipment names the ERP has heard, read back from the emitted confirmations (see `parcelsOf`). */
export function shipmentPins(emitted: readonly EmittedCommand[]): ShipmentPin[] {
  const pins: ShipmentPin[] = [];
  for (const c of emitted) {
    const prefix = c.type === "ShipmentConfirmation" ? SHIPMENT_CONFIRMATION : c.type === "DeliveryConfirmation" ? DELIVERY_CONFIRMATION : null;
    if (!prefix || !c.key.startsWith(prefix)) continue;
    const { shipmentId, trackingNumber, lines } = c.payload;
    const confirmed = c.type === "ShipmentConfirmation";
    pins.push({
      name: c.key.slice(prefix.length),
      ...(typeof shipmentId === "string" ? { shipmentId } : {}),
      ...(typeof trackingNumber === "string" ? { trackingNumber } : {}),
      confirmed,
      ...(confirmed && Array.isArray(lines) ? { lines: lines.flatMap(lineOf) } : {}),
    });
  }
  return pins;
}

/** A line read back from a stored payload (anything else is skipped: the payload is our own, but old). */
function lineOf(j: Json): Line[] {
  if (typeof j !== "object" || j === null || Array.isArray(j)) return [];
  const { sku, quantity } = j;
  return typeof sku === "string" && typeof quantity === "number" ? [{ sku, quantity }] : [];
}

function linesJson(lines: readonly Line[]): Json[] {
  return lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
}
