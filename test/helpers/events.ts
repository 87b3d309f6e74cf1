// Builders for canonical events in domain tests.
import type { EmittedCommand } from "../../src/domain/commands";
import type { CanonicalEvent } from "../../src/domain/event";
import type { MilestoneCode } from "../../src/domain/milestones";

export const ORDER = "SO-T";

export function at(hour: number, minute = 0): string {
  return new Date(Date.UTC(2026, 10, 20, hour, minute)).toISOString();
}

export function ev(code: MilestoneCode, occurredAt: string, extra: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    eventId: extra.eventId ?? `${code}@${occurredAt}${extra.shipmentId ? `#${extra.shipmentId}` : ""}${extra.reason ? `!${extra.reason}` : ""}`,
    orderId: ORDER,
    code,
    occurredAt,
    source: "test",
    ...extra,
  };
}

export function released(lines = [{ sku: "A", quantity: 2 }], occurredAt = at(8)): CanonicalEvent {
  return ev("order.released", occurredAt, { eventId: "release", order: { customerId: "C1", lines, shipTo: { country: "US" } } });
}

export const ship = (code: MilestoneCode, occurredAt: string, shipmentId = "S1", extra: Partial<CanonicalEvent> = {}) =>
  ev(code, occurredAt, { shipmentId, trackingNumber: `TRK-${shipmentId}`, carrier: "ups", ...extra });

/** A command as the OrderDO stores it: what `decide` gets back as `emitted`, with its sequence number. */
export type Emitted = EmittedCommand & { seq: number };
