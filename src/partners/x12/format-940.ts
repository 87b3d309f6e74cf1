// X12 940 (warehouse shipping order), outbound: one fulfilment request as one interchange (ISA/GS/ST…SE/
// GE/IEA around a single 940) for a warehouse that takes orders over EDI. Pure: the caller supplies the
// control number and the clock, and sends the text. The envelope writer here is shared with the 997 builder.
import type { Separators } from "./parse";

/** The fulfilment request, as the order emits it for any format. */
export interface FulfillmentRequest {
  requestId: string;
  orderId: string;
  customerId: string;
  serviceLevel?: string | undefined;
  shipTo: {
    name?: string | undefined;
    line1?: string | undefined;
    line2?: string | undefined;
    city?: string | undefined;
    region?: string | undefined;
    postalCode?: string | undefined;
    country: string;
  };
  lines: readonly { sku: string; quantity: number }[];
  /** YYYY-MM-DD. */
  promisedDate?: string | undefined;
}

export interface X12Envelope {
  /** ISA06 and GS02: our interchange id, 1 to 15 printable ASCII characters. */
  senderId: string;
  /** ISA08 and GS03: the warehouse's. */
  receiverId: string;
  /** ISA05 / ISA07: how the ids are to be read; "ZZ" (mutually defined) unless the partner says otherwise. */
  senderQualifier?: string;
  receiverQualifier?: string;
  /** ISA13 (nine digits) and GS06; unique per partner, which is the caller's to keep. */
  controlNumber: number;
  /** ISA09/10 and GS04/05, written in UTC. */
  at: Date | string;
  /** ISA15: "P" production (default) or "T" test. */
  usageIndicator?: "P" | "T";
}

/**
 * A value we cannot write as X12 without changing what it says: an id holding a delimiter, a quantity that
 * is not a whole number… Permanent (sending the same request again cannot succeed): a dead letter, never
 * a retry.
 */
export class Unformattable extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} ${reason}`);
    this.name = "Unformattable";
  }
}

/** What we write with: the separators most translators default to. `^` is written as "U" in 00401's ISA11. */
export const OUR_SEPARATORS: Separators = { element: "*", component: ">", repetition: "^", segment: "~" };

// Characters that would end an element, a segment or a component wherever a partner's translator reads
// them (`^` is the repetition separator from release 00402 on), plus control characters (Cc: line breaks
// end segments for translators that wrap lines) and lone surrogates (Cs: not encodable as UTF-8).
const UNSAFE = /[*~>^\p{Cc}\p{Cs}]/u;
const UNSAFE_ALL = /[*~>^\p{Cc}\p{Cs}]/gu;

/** A refused character as a reader can see it: itself, or its code point when it is invisible. */
function describe(c: string): string {
  return /[\p{Cc}\p{Cs}]/u.test(c) ? `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}` : `"${c}"`;
}

/**
 * An identifier goes out exactly as given or not at all: the partner echoes it back (the 945's W0602 is our
 * order id, its W1208 our SKU), so a cleaned-up id would correlate with nothing. Delimiters and control
 * characters are refused, as are leading and trailing spaces (X12 readers trim them).
 */
export function x12Id(field: string, value: string, separators: Separators = OUR_SEPARATORS): string {
  if (value === "") throw new Unformattable(field, "is empty");
  if (value.trim() !== value) throw new Unformattable(field, "has leading or trailing spaces, which X12 readers drop");
  const bad = UNSAFE.exec(value)?.[0] ?? [...value].find((c) => Object.values(separators).includes(c));
  if (bad !== undefined) throw new Unformattable(field, `contains ${describe(bad)}, which X12 reads as a delimiter or control character`);
  return value;
}

/**
 * Free text (a name, an address line) is cleaned instead: each delimiter or control character becomes a
 * space, runs of spaces one, and the result is cut to the element's 004010 maximum when `max` gives it, so a translator that
 * checks lengths does not reject the whole order for one long name. A parcel addressed to "ACME * Co" as
 * "ACME Co" still arrives; an order refused for it does not ship. Undefined when nothing is left.
 */
export function x12Text(value: string | undefined, max?: number): string | undefined {
  if (value === undefined) return undefined;
  const clean = value.replace(UNSAFE_ALL, " ").replace(/\s+/gu, " ").trim();
  const cut = max === undefined ? clean : Array.from(clean).slice(0, max).join("").trimEnd();
  return cut === "" ? undefined : cut;
}

/** One segment; trailing empty elements are left out, as X12 requires. */
export function segment(separators: Separators, id: string, ...elements: (string | number | undefined)[]): string {
  const values = elements.map((e) => (e === undefined ? "" : String(e)));
  while (values.length > 0 && values[values.length - 1] === "") values.pop();
  return [id, ...values].join(separators.element) + separators.segment;
}

export function controlNumber(field: string, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 999_999_999) throw new Unformattable(field, `${n} is not a whole number from 1 to 999999999`);
  return n;
}

/** `at` in the envelope's date and time forms, in UTC. */
export function envelopeTime(at: Date | string): { yymmdd: string; ccyymmdd: string; hhmm: string } {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new Unformattable("at", `${JSON.stringify(String(at))} is not an instant`);
  const iso = d.toISOString(); // 2026-11-20T09:10:00.000Z
  const ccyymmdd = iso.slice(0, 10).replaceAll("-", "");
  if (ccyymmdd.length !== 8) throw new Unformattable("at", `${iso} is outside the years 0000 to 9999`);
  return { yymmdd: ccyymmdd.slice(2), ccyymmdd, hhmm: iso.slice(11, 16).replace(":", "") };
}

export interface IsaFields {
  senderQualifier: string;
  sender: string;
  receiverQualifier: string;
  receiver: string;
  at: Date | string;
  control: number;
  /** ISA12, e.g. "00401". */
  version: string;
  usage: string;
}

/** An interchange id as the fixed-width ISA holds it: 1 to 15 printable ASCII characters, padded to 15. */
function isaId(field: string, value: string, separators: Separators): string {
  x12Id(field, value, separators);
  if (!/^[\x20-\x7e]{1,15}$/.test(value)) throw new Unformattable(field, "is not 1 to 15 printable ASCII characters");
  return value.padEnd(15, " ");
}

function qualifier(field: string, value: string): string {
  if (!/^[A-Z0-9]{2}$/.test(value)) throw new Unformattable(field, `"${value}" is not a two-character id qualifier`);
  return value;
}

/**
 * The ISA: fixed width (106 characters with its terminator) because it is what tells the reader the
 * separators. ISA11 is the repetition separator from release 00402 on, the standards id "U" before;
 * ISA14 "0": we ask for no TA1 (the 997 is the acknowledgement partners send).
 */
export function isaSegment(separators: Separators, f: IsaFields): string {
  const t = envelopeTime(f.at);
  // Every other element has its width by construction; these two are copied, and a wrong width moves
  // every separator after it.
  if (!/^\d{5}$/.test(f.version)) throw new Unformattable("version", `"${f.version}" is not a five-digit interchange version`);
  if (!/^[A-Z]$/.test(f.usage)) throw new Unformattable("usageIndicator", `"${f.usage}" is not one letter`);
  const repetition = f.version >= "00402" && separators.repetition ? separators.repetition : "U";
  return segment(
    separators,
    "ISA",
    "00",
    " ".repeat(10),
    "00",
    " ".repeat(10),
    qualifier("senderQualifier", f.senderQualifier),
    isaId("senderId", f.sender, separators),
    qualifier("receiverQualifier", f.receiverQualifier),
    isaId("receiverId", f.receiver, separators),
    t.yymmdd,
    t.hhmm,
    repetition,
    f.version,
    String(controlNumber("controlNumber", f.control)).padStart(9, "0"),
    "0",
    f.usage,
    separators.component,
  );
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** A line's quantity: W0101 is a decimal, but a warehouse picks whole units. */
function quantity(i: number, q: number): number {
  if (!Number.isSafeInteger(q) || q < 1) throw new Unformattable(`lines[${i}].quantity`, `${q} is not a whole number of at least 1`);
  return q;
}

/**
 * The request as a 940 interchange, `~` after each segment and nothing else between them. Segment choices:
 * - `W05*N*<orderId>*<requestId>`: N, an original order. W0502, the depositor order number, is our order id:
 *   the warehouse's 945 echoes it in W0602, which is how its shipment finds the order. W0503 (the purchase
 *   order number) carries the request id, so a split order's requests are told apart.
 * - `N1*ST` ship-to, its name in N102; without one, the customer's id (N103 91: assigned by the seller).
 *   N3 for the street lines, N4 for city, region, postal code and country (the country is always there).
 * - `N1*BY**91*<customerId>`: the buying party, our customer, by the id we gave it.
 * - `N9*ZZ*<serviceLevel>*SERVICE LEVEL`: a mutually defined reference. W66 would be the natural place, but
 *   its W6601 (who pays freight) and W6602 (transport method) are mandatory and a service level says neither.
 * - `G62*54*<date>`: "deliver no later than" the promised date; 02 ("delivery requested on") would ask the
 *   warehouse to time the delivery to that day, when a promise is a deadline.
 * - `LX*<n>` + `W01*<quantity>*EA**VN*<sku>` per line: each unit an each; the SKU as VN, the vendor's item
 *   number, since we are the depositor whose item numbers the warehouse stocks by (its 945 echoes it in
 *   W1208, which the 945 mapper reads whatever the qualifier).
 * - `W76*<total units>`: the hash total a warehouse checks the lines against.
 * Identifiers are refused when they hold a delimiter or control character; free text is cleaned (see
 * `x12Id` and `x12Text`). Throws Unformattable.
 */
export function format940(request: FulfillmentRequest, envelope: X12Envelope, purpose: "original" | "cancel" = "original"): string {
  const s = OUR_SEPARATORS;
  const seg = (id: string, ...elements: (string | number | undefined)[]) => segment(s, id, ...elements);
  const control = controlNumber("controlNumber", envelope.controlNumber);
  const t = envelopeTime(envelope.at);
  if (request.lines.length === 0) throw new Unformattable("lines", "is empty: a 940 has at least one line");
  if (request.promisedDate !== undefined && !isDate(request.promisedDate)) {
    throw new Unformattable("promisedDate", `${JSON.stringify(request.promisedDate)} is not a date (YYYY-MM-DD)`);
  }
  const customerId = x12Id("customerId", request.customerId);
  const to = request.shipTo;
  const name = x12Text(to.name, 60);
  const street = [x12Text(to.line1, 55), x12Text(to.line2, 55)].filter((l) => l !== undefined);

  const body = [
    seg("ST", "940", "0001"),
    // W0501: N, an original order; F, its cancellation (the same order and lines, so the warehouse can match it).
    seg("W05", purpose === "cancel" ? "F" : "N", x12Id("orderId", request.orderId), x12Id("requestId", request.requestId)),
    name ? seg("N1", "ST", name) : seg("N1", "ST", "", "91", customerId),
    street.length > 0 ? seg("N3", ...street) : undefined,
    seg("N4", x12Text(to.city, 30), x12Text(to.region), x12Text(to.postalCode), x12Id("shipTo.country", to.country)),
    seg("N1", "BY", "", "91", customerId),
    request.serviceLevel !== undefined ? seg("N9", "ZZ", x12Id("serviceLevel", request.serviceLevel), "SERVICE LEVEL") : undefined,
    request.promisedDate !== undefined ? seg("G62", "54", request.promisedDate.replaceAll("-", "")) : undefined,
    ...request.lines.flatMap((line, i) => [seg("LX", i + 1), seg("W01", quantity(i, line.quantity), "EA", "", "VN", x12Id(`lines[${i}].sku`, line.sku))]),
    seg(
      "W76",
      request.lines.reduce((n, l) => n + l.quantity, 0),
    ),
  ].filter((x) => x !== undefined);

  const sender = x12Id("senderId", envelope.senderId);
  const receiver = x12Id("receiverId", envelope.receiverId);
  return [
    isaSegment(s, {
      senderQualifier: envelope.senderQualifier ?? "ZZ",
      sender,
      receiverQualifier: envelope.receiverQualifier ?? "ZZ",
      receiver,
      at: envelope.at,
      control,
      version: "00401",
      usage: envelope.usageIndicator ?? "P",
    }),
    seg("GS", "OW", sender, receiver, t.ccyymmdd, t.hhmm, control, "X", "004010"),
    ...body,
    seg("SE", body.length + 1, "0001"),
    seg("GE", 1, control),
    seg("IEA", 1, String(control).padStart(9, "0")),
  ].join("");
}
