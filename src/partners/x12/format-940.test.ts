import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FulfillmentRequest, format940, Unformattable, type X12Envelope, x12Text } from "./format-940";
import { el, ISA_LENGTH, type Interchange, parseX12, type Segment } from "./parse";

const REQUEST: FulfillmentRequest = {
  requestId: "SO-1001:edi:1",
  orderId: "SO-1001",
  customerId: "C-77",
  serviceLevel: "EXPRESS",
  shipTo: { name: "Jane Doe", line1: "12 Main St", line2: "Apt 4", city: "Asheville", region: "NC", postalCode: "28801", country: "US" },
  lines: [
    { sku: "BULK-1", quantity: 3 },
    { sku: "WID-2", quantity: 1 },
  ],
  promisedDate: "2026-11-25",
};
const ENVELOPE: X12Envelope = { senderId: "DOCKLINE", receiverId: "EDI3PL", controlNumber: 42, at: "2026-11-20T09:10:00Z" };

const parse = (edi: string) => parseX12(new TextEncoder().encode(edi));

/** The one 940 of an interchange, after checking that the envelope around it is whole and agrees. */
function only940(i: Interchange): Segment[] {
  expect(i.warnings).toEqual([]);
  expect(i.groups).toHaveLength(1);
  const group = i.groups[0];
  expect(group?.functionalId).toBe("OW");
  expect(group?.sets).toHaveLength(1);
  const set = group?.sets[0];
  expect(set?.id).toBe("940");
  expect(set?.defect).toBeUndefined();
  return set?.segments ?? [];
}

/** What a warehouse reads back out of the 940: the request, as far as X12 carries it. */
function readBack(segments: Segment[]) {
  const find = (id: string, first?: string) => segments.find((s) => s.id === id && (first === undefined || el(s, 1) === first));
  const w05 = find("W05");
  const st = segments.findIndex((s) => s.id === "N1" && el(s, 1) === "ST");
  const n3 = segments[st + 1]?.id === "N3" ? segments[st + 1] : undefined;
  const n4 = segments.slice(st + 1).find((s) => s.id === "N4");
  return {
    orderId: w05 && el(w05, 2),
    requestId: w05 && el(w05, 3),
    shipTo: {
      name: el(segments[st] as Segment, 2),
      line1: n3 && el(n3, 1),
      line2: n3 && el(n3, 2),
      city: n4 && el(n4, 1),
      region: n4 && el(n4, 2),
      postalCode: n4 && el(n4, 3),
      country: n4 && el(n4, 4),
    },
    lines: segments.filter((s) => s.id === "W01").map((s) => ({ sku: el(s, 5), quantity: Number(el(s, 1)) })),
    lx: segments.filter((s) => s.id === "LX").map((s) => el(s, 1)),
    total: Number(el(find("W76") as Segment, 1)),
  };
}

function refusal(request: FulfillmentRequest, envelope: X12Envelope = ENVELOPE): Unformattable {
  try {
    format940(request, envelope);
  } catch (err) {
    if (err instanceof Unformattable) return err;
    throw err;
  }
  throw new Error("expected Unformattable");
}

describe("format940: the interchange", () => {
  it("writes a request as one 940 inside ISA/GS/ST…SE/GE/IEA, each segment ended by ~", () => {
    expect(format940(REQUEST, ENVELOPE).split("~")).toEqual([
      "ISA*00*          *00*          *ZZ*DOCKLINE       *ZZ*EDI3PL         *261120*0910*U*00401*000000042*0*P*>",
      "GS*OW*DOCKLINE*EDI3PL*20261120*0910*42*X*004010",
      "ST*940*0001",
      "W05*N*SO-1001*SO-1001:edi:1",
      "N1*ST*Jane Doe",
      "N3*12 Main St*Apt 4",
      "N4*Asheville*NC*28801*US",
      "N1*BY**91*C-77",
      "N9*ZZ*EXPRESS*SERVICE LEVEL",
      "G62*54*20261125",
      "LX*1",
      "W01*3*EA**VN*BULK-1",
      "LX*2",
      "W01*1*EA**VN*WID-2",
      "W76*4",
      "SE*14*0001",
      "GE*1*42",
      "IEA*1*000000042",
      "",
    ]);
  });

  it("keeps the ISA fixed-width: 106 characters, ids padded to 15, a nine-digit control number, ISA16 >", () => {
    const edi = format940(REQUEST, { ...ENVELOPE, senderId: "D", receiverId: "RECEIVER-ID-15C", controlNumber: 999_999_999, usageIndicator: "T" });
    const isa = edi.slice(0, ISA_LENGTH);
    expect(isa).toBe("ISA*00*          *00*          *ZZ*D              *ZZ*RECEIVER-ID-15C*261120*0910*U*00401*999999999*0*T*>~");
    const i = parse(edi);
    expect([i.sender, i.receiver, i.control, i.usage, i.version, i.separators.component]).toEqual(["D", "RECEIVER-ID-15C", "999999999", "T", "00401", ">"]);
    expect(edi.endsWith("GE*1*999999999~IEA*1*999999999~")).toBe(true);
  });

  it("writes the id qualifiers the partner asks for (ZZ when it asks for none)", () => {
    const edi = format940(REQUEST, { ...ENVELOPE, senderQualifier: "01", receiverQualifier: "12" });
    expect(edi.slice(0, ISA_LENGTH)).toContain("*01*DOCKLINE       *12*EDI3PL         *");
    expect(parse(edi)).toMatchObject({ senderQualifier: "01", receiverQualifier: "12" });
  });

  it("writes the envelope's date and time in UTC, from a Date or an ISO string with an offset", () => {
    const edi = format940(REQUEST, { ...ENVELOPE, at: "2026-11-20T23:59:00-05:00" });
    expect(edi).toContain("*261121*0459*");
    expect(edi).toContain("GS*OW*DOCKLINE*EDI3PL*20261121*0459*");
    expect(format940(REQUEST, { ...ENVELOPE, at: new Date(Date.UTC(2027, 0, 2, 3, 4)) })).toContain("*270102*0304*");
  });
});

describe("format940: what the parser reads back", () => {
  it("parses with the inbound parser: envelope whole (counts and control numbers agree), content as sent", () => {
    const i = parse(format940(REQUEST, ENVELOPE));
    expect([i.control, i.trailer, i.groups[0]?.control, i.groups[0]?.trailer]).toEqual([
      "000000042",
      { groups: "1", control: "000000042" },
      "42",
      { sets: "1", control: "42" },
    ]);
    const back = readBack(only940(i));
    expect(back).toEqual({
      orderId: "SO-1001",
      requestId: "SO-1001:edi:1",
      shipTo: REQUEST.shipTo,
      lines: REQUEST.lines,
      lx: ["1", "2"],
      total: 4,
    });
  });

  it("leaves out what the request does not have; the ship-to without a name is named by the customer's id", () => {
    const bare: FulfillmentRequest = { requestId: "O1:edi:2", orderId: "O1", customerId: "C-9", shipTo: { country: "DE" }, lines: [{ sku: "A", quantity: 1 }] };
    const segments = only940(parse(format940(bare, ENVELOPE)));
    expect(segments.map((s) => [s.id, ...s.elements].join("*"))).toEqual([
      "ST*940*0001",
      "W05*N*O1*O1:edi:2",
      "N1*ST**91*C-9",
      "N4****DE",
      "N1*BY**91*C-9",
      "LX*1",
      "W01*1*EA**VN*A",
      "W76*1",
      "SE*9*0001",
    ]);
  });

  it("writes only the first street line in N3 when there is no second, and the second alone as N301", () => {
    const edi = (shipTo: FulfillmentRequest["shipTo"]) => format940({ ...REQUEST, shipTo }, ENVELOPE);
    expect(edi({ line1: "1 Rue X", country: "FR" })).toContain("~N3*1 Rue X~N4****FR~");
    expect(edi({ line2: "Bldg 2", country: "FR" })).toContain("~N3*Bldg 2~N4****FR~");
  });
});

describe("format940: values that would break the X12 syntax", () => {
  it("cleans free text: delimiters and control characters become spaces, runs of spaces one", () => {
    const shipTo = { name: "ACME * Co~Ltd>^ \r\n\u0000 Inc", line1: "12\tMain  St", city: "New\u0085York", region: "N*Y", postalCode: "100~01", country: "US" };
    const back = readBack(only940(parse(format940({ ...REQUEST, shipTo }, ENVELOPE))));
    expect(back.shipTo).toEqual({
      name: "ACME Co Ltd Inc",
      line1: "12 Main St",
      line2: "",
      city: "New York",
      region: "N Y",
      postalCode: "100 01",
      country: "US",
    });
  });

  it("cuts free text to the element's 004010 maximum (name 60, street 55, city 30), never inside a character", () => {
    const back = readBack(
      only940(parse(format940({ ...REQUEST, shipTo: { name: "é".repeat(70), line1: "x".repeat(80), city: `${"c".repeat(29)} d`, country: "US" } }, ENVELOPE))),
    );
    expect(back.shipTo).toMatchObject({ name: "é".repeat(60), line1: "x".repeat(55), city: "c".repeat(29) });
  });

  it("names the ship-to by the customer's id when its name is nothing but delimiters", () => {
    expect(format940({ ...REQUEST, shipTo: { name: " *~> ", country: "US" } }, ENVELOPE)).toContain("~N1*ST**91*C-77~");
  });

  it.each([
    ["orderId", { orderId: "SO*1" }, 'orderId contains "*", which X12 reads as a delimiter or control character'],
    ["requestId", { requestId: "SO-1:edi:1~" }, 'requestId contains "~", which X12 reads as a delimiter or control character'],
    ["customerId", { customerId: "C>1" }, 'customerId contains ">", which X12 reads as a delimiter or control character'],
    ["serviceLevel", { serviceLevel: "2^DAY" }, 'serviceLevel contains "^", which X12 reads as a delimiter or control character'],
    [
      "lines[1].sku",
      {
        lines: [
          { sku: "A", quantity: 1 },
          { sku: "B\nC", quantity: 1 },
        ],
      },
      "lines[1].sku contains U+000A, which X12 reads as a delimiter or control character",
    ],
    ["shipTo.country", { shipTo: { country: "U*S" } }, 'shipTo.country contains "*", which X12 reads as a delimiter or control character'],
    ["orderId", { orderId: " SO-1" }, "orderId has leading or trailing spaces, which X12 readers drop"],
    ["lines[0].sku", { lines: [{ sku: "", quantity: 1 }] }, "lines[0].sku is empty"],
  ] as const)("refuses an identifier it would have to change (%s): the partner echoes ids back", (field, change, message) => {
    const err = refusal({ ...REQUEST, ...change } as FulfillmentRequest);
    expect([err.field, err.message]).toEqual([field, message]);
  });

  it.each([
    ["lines", { lines: [] }, "lines is empty: a 940 has at least one line"],
    ["lines[0].quantity", { lines: [{ sku: "A", quantity: 0 }] }, "lines[0].quantity 0 is not a whole number of at least 1"],
    ["lines[0].quantity", { lines: [{ sku: "A", quantity: 1.5 }] }, "lines[0].quantity 1.5 is not a whole number of at least 1"],
    ["promisedDate", { promisedDate: "2026-02-30" }, 'promisedDate "2026-02-30" is not a date (YYYY-MM-DD)'],
    ["promisedDate", { promisedDate: "20261125" }, 'promisedDate "20261125" is not a date (YYYY-MM-DD)'],
  ] as const)("refuses a request X12 cannot say (%s)", (field, change, message) => {
    const err = refusal({ ...REQUEST, ...change } as FulfillmentRequest);
    expect([err.field, err.message]).toEqual([field, message]);
  });

  it.each([
    ["controlNumber", { controlNumber: 0 }, "controlNumber 0 is not a whole number from 1 to 999999999"],
    ["controlNumber", { controlNumber: 1_000_000_000 }, "controlNumber 1000000000 is not a whole number from 1 to 999999999"],
    ["controlNumber", { controlNumber: 4.2 }, "controlNumber 4.2 is not a whole number from 1 to 999999999"],
    ["at", { at: "yesterday" }, 'at "yesterday" is not an instant'],
    ["senderId", { senderId: "DOCKLINE-SENDER-ID" }, "senderId is not 1 to 15 printable ASCII characters"],
    ["receiverId", { receiverId: "ÉDI" }, "receiverId is not 1 to 15 printable ASCII characters"],
    ["receiverId", { receiverId: "EDI*3PL" }, 'receiverId contains "*", which X12 reads as a delimiter or control character'],
    ["senderQualifier", { senderQualifier: "Z" }, 'senderQualifier "Z" is not a two-character id qualifier'],
  ] as const)("refuses an envelope the ISA cannot hold (%s)", (field, change, message) => {
    const err = refusal(REQUEST, { ...ENVELOPE, ...change } as X12Envelope);
    expect([err.field, err.message]).toEqual([field, message]);
  });
});

describe("format940: any order round-trips (property)", () => {
  const id = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${max - 1}}$`));
  // SKUs may hold inner spaces and slashes; X12 keeps them (only the ends are trimmed, which ids never have).
  const sku = fc.stringMatching(/^[A-Z0-9](?:[A-Z0-9 ./_-]{0,30}[A-Z0-9])?$/);
  const line = fc.record({ sku, quantity: fc.integer({ min: 1, max: 1_000_000 }) });
  // Free text with every kind of trap: delimiters, control characters, lone surrogates, any script.
  const hostile = fc.oneof(
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.string({ unit: fc.constantFrom("*", "~", ">", "^", "\r", "\n", "\t", "\u0000", "\u0085", "\ud800", " ", "a", "é", "漢"), maxLength: 80 }),
  );
  const request = (text: fc.Arbitrary<string>) =>
    fc.record({
      orderId: id(64),
      partner: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
      n: fc.integer({ min: 1, max: 9 }),
      customerId: id(40),
      lines: fc.array(line, { minLength: 1, maxLength: 50 }),
      shipTo: fc.record(
        { name: text, line1: text, line2: text, city: text, region: text, postalCode: text, country: fc.constantFrom("US", "CA", "DE", "JP") },
        { requiredKeys: ["country"] },
      ),
      control: fc.integer({ min: 1, max: 999_999_999 }),
    });
  const build = (r: {
    orderId: string;
    partner: string;
    n: number;
    customerId: string;
    lines: { sku: string; quantity: number }[];
    shipTo: FulfillmentRequest["shipTo"];
  }) => ({
    requestId: `${r.orderId}:${r.partner}:${r.n}`,
    orderId: r.orderId,
    customerId: r.customerId,
    shipTo: r.shipTo,
    lines: r.lines,
  });

  it("the order id, request id, ship-to and every line's SKU and quantity come back as sent", () => {
    const plain = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9 ,.'#-]{0,20}[A-Za-z0-9])?$/).filter((s) => !s.includes("  "));
    fc.assert(
      fc.property(request(plain), (r) => {
        const sent = build(r);
        const i = parse(format940(sent, { ...ENVELOPE, controlNumber: r.control }));
        expect(i.control).toBe(String(r.control).padStart(9, "0"));
        const back = readBack(only940(i));
        expect(back.orderId).toBe(sent.orderId);
        expect(back.requestId).toBe(sent.requestId);
        expect(back.lines).toEqual(sent.lines);
        expect(back.lx).toEqual(sent.lines.map((_, n) => String(n + 1)));
        expect(back.total).toBe(sent.lines.reduce((n, l) => n + l.quantity, 0));
        const shipTo = sent.shipTo;
        expect(back.shipTo.country).toBe(shipTo.country);
        if (shipTo.name !== undefined) expect(back.shipTo.name).toBe(shipTo.name.slice(0, 60).trimEnd());
        if (shipTo.city !== undefined) expect(back.shipTo.city).toBe(shipTo.city.slice(0, 30).trimEnd());
        if (shipTo.postalCode !== undefined) expect(back.shipTo.postalCode).toBe(shipTo.postalCode);
      }),
    );
  });

  it("no free text, however hostile, adds, ends or splits a segment: the structure is the clean order's", () => {
    fc.assert(
      fc.property(request(hostile), (r) => {
        const sent = build(r);
        const segments = only940(parse(format940(sent, ENVELOPE)));
        const clean = only940(parse(format940({ ...sent, shipTo: { country: sent.shipTo.country } }, ENVELOPE)));
        const ids = (ss: Segment[]) => ss.map((s) => s.id).filter((x) => x !== "N3");
        expect(ids(segments)).toEqual(ids(clean));
        const back = readBack(segments);
        expect(back.lines).toEqual(sent.lines);
        const n4 = segments.find((s) => s.id === "N4") as Segment;
        expect([el(n4, 1), el(n4, 2), el(n4, 3)]).toEqual([
          x12Text(r.shipTo.city, 30) ?? "",
          x12Text(r.shipTo.region) ?? "",
          x12Text(r.shipTo.postalCode) ?? "",
        ]);
        const name = x12Text(r.shipTo.name, 60);
        if (name) expect(back.shipTo.name).toBe(name);
      }),
    );
  });
});
