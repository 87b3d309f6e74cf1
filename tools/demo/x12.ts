// An X12 interchange the way a warehouse's translator writes one: a fixed-width ISA, one functional group,
// one 945 (Warehouse Shipping Advice) per order, with every control number and count right (ISA13 = IEA02,
// GS06 = GE02, ST02 = SE02, SE01 = segments from ST to SE, GE01 = sets, IEA01 = groups). The layout follows
// src/partners/x12/fixtures/two-945s.edi.
import { isaSegment } from "../sim-kit/x12";
import type { PlannedOrder, PlannedShipment } from "./plan";
import { EDI_WAREHOUSE, local } from "./places";

const SENDER = "SIERRA3PL";
const RECEIVER = "DOCKLINE";

/** One 945 transaction set (without ST/SE, which the envelope adds). */
export function set945(o: PlannedOrder, s: PlannedShipment): string[] {
  const shipped = local(s.dispatchAt, 0);
  const units = s.lines.reduce((n, l) => n + l.quantity, 0);
  const place = o.shipTo.place;
  // The tracking number as warehouses type it: lower case, in groups (dockline normalises it).
  const spaced = s.trackingNumber.toLowerCase().replace(/^(.{2})(.{6})(.{2})(.{4})(.{4})$/, "$1 $2 $3 $4 $5");
  return [
    `W06*N*${o.orderId}*${shipped.date}*${s.shipmentId}`,
    "N1*SF*Sierra Logistics Reno",
    `N4*${EDI_WAREHOUSE.city}*${EDI_WAREHOUSE.state}*${EDI_WAREHOUSE.zip}*US`,
    `N1*ST*${o.shipTo.name}`,
    `N3*${o.shipTo.line1}`,
    `N4*${place.city}*${place.state}*${place.zip}*US`,
    `N9*BM*BOL-${s.shipmentId.replace(/\D/g, "")}`,
    `N9*2I*${spaced}`,
    `G62*11*${shipped.date}*8*${shipped.time.slice(0, 4)}*UT`,
    "W27*M*UPSN*UPS GROUND*PP",
    ...s.lines.flatMap((l, k) => [`LX*${k + 1}`, `W12*CC*${l.quantity}*${l.quantity}*0*EA**VN*${l.sku}`]),
    `W03*${units}*${(units * 2.5).toFixed(1)}*LB`,
  ];
}

/** The interchange: ISA/GS around the sets, counts and control numbers computed. Segments end in `~` + LF. */
export function interchange(sets: readonly string[][], control: number, at: number): string {
  const t = local(at, 0);
  const isaControl = String(control).padStart(9, "0");
  const isa = isaSegment({ sender: SENDER, receiver: RECEIVER, date: t.date.slice(2), time: t.time.slice(0, 4), control });
  const segments = [isa, `GS*SW*${SENDER}*${RECEIVER}*${t.date}*${t.time.slice(0, 4)}*${control}*X*004010`];
  sets.forEach((body, k) => {
    const st = String(k + 1).padStart(4, "0");
    // SE01 counts the segments from ST to SE inclusive.
    segments.push(`ST*945*${st}`, ...body, `SE*${body.length + 2}*${st}`);
  });
  segments.push(`GE*${sets.length}*${control}`, `IEA*1*${isaControl}`);
  const text = `${segments.join("~\n")}~\n`;
  // The ISA is fixed-width: 106 characters including its terminator.
  if (isa.length + 1 !== 106) throw new Error(`ISA is ${isa.length + 1} characters, expected 106`);
  return text;
}
