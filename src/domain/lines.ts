// Shipment lines against the order's lines. A dispatch report naming a SKU the order does not have, or
// more of a SKU than was ordered, is a discrepancy for ops, not a fact to book at the ERP.
import type { Line } from "./event";

export interface PendingShipment {
  ref: string;
  shipmentId: string;
  dispatchedAt: string;
  /** What its confirmation would tell the ERP it carries. */
  lines: readonly Line[];
}

/**
 * The shipments to hold, with why (by `ref`). What the ERP has already booked (`heard`: the lines of
 * the confirmations it was sent) counts first, whatever it was: the ERP is never asked to take a fact
 * back. The shipments not yet confirmed are judged in dispatch order (then by name), so the verdict does
 * not depend on arrival order; a held shipment uses up nothing, so a later correct one is still
 * confirmed.
 *
 * Which shipment is "the extra one" can only follow what was known when: if S1 (2 of 2 ordered) was
 * confirmed at 12:00 and S2 (1 unit, dispatched at 10:00) arrives afterwards, S2 is held, although in
 * dispatch order S1 came second. No rule can do better without taking a confirmation back.
 */
export function heldForLines(ordered: readonly Line[], heard: readonly Line[], pending: readonly PendingShipment[]): Map<string, string> {
  const orderedQty = totals(ordered);
  const shipped = totals(heard);
  const held = new Map<string, string>();
  const inDispatchOrder = [...pending].sort((a, b) =>
    a.dispatchedAt !== b.dispatchedAt ? (a.dispatchedAt < b.dispatchedAt ? -1 : 1) : a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0,
  );
  for (const s of inDispatchOrder) {
    const problems: string[] = [];
    const own = totals(s.lines);
    for (const [sku, q] of own) {
      const o = orderedQty.get(sku);
      const after = (shipped.get(sku) ?? 0) + q;
      if (o === undefined) problems.push(`${q} × ${sku}, which is not on the order`);
      else if (after > o) problems.push(`${q} × ${sku}, which would make ${after} shipped of ${o} ordered`);
    }
    if (problems.length > 0) {
      held.set(s.ref, `Shipment ${s.shipmentId} reports ${problems.join(" and ")}: not confirmed to the ERP; check it with the partner.`);
      continue;
    }
    for (const [sku, q] of own) shipped.set(sku, (shipped.get(sku) ?? 0) + q);
  }
  return held;
}

/** Quantities by SKU (a SKU may appear on several lines). */
function totals(lines: readonly Line[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.sku, (m.get(l.sku) ?? 0) + l.quantity);
  return m;
}
