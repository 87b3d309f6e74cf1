import { describe, expect, it } from "vitest";
import { type AckEnvelope, build997, decideAcks, type SetAck } from "./ack-997";
import canadaPost from "./fixtures/canadapost-214.edi?raw";
import multistop from "./fixtures/multistop-214.edi?raw";
import twoSets from "./fixtures/two-945s.edi?raw";
import { Unformattable } from "./format-940";
import { ISA_LENGTH, type Interchange, parseX12, type TransactionSet } from "./parse";

const parse = (edi: string) => parseX12(new TextEncoder().encode(edi));
const ENVELOPE: AckEnvelope = { controlNumber: 5001, at: "2026-11-20T18:00:00Z" };

/** The 997 for `edi` with the inbound path's own results, checked to parse whole; undefined when none is due. */
function ack(edi: string, options?: Parameters<typeof decideAcks>[1]): { text: string; parsed: Interchange } | undefined {
  const inbound = parse(edi);
  const text = build997(inbound, decideAcks(inbound, options), ENVELOPE);
  if (text === undefined) return undefined;
  const parsed = parseX12(new TextEncoder().encode(text));
  expect(parsed.warnings).toEqual([]);
  for (const g of parsed.groups) for (const s of g.sets) expect(s.defect).toBeUndefined();
  return { text, parsed };
}

/** The acknowledgement segments (AK1…AK9) of each 997, as text. */
const aks = (i: Interchange) =>
  i.groups.flatMap((g) => g.sets.map((s) => s.segments.filter((x) => x.id.startsWith("AK")).map((x) => [x.id, ...x.elements].join("*"))));

describe("build997: acknowledging the fixtures", () => {
  it("acknowledges a 214 interchange back to its sender: ids swapped, FA group, AK5 A per set, AK9 A", () => {
    const a = ack(multistop);
    expect(a?.text.split("~").slice(0, 3)).toEqual([
      "ISA*00*          *00*          *ZZ*DOCKLINE       *ZZ*ODFL           *261120*1800*^*00501*000005001*0*P*>",
      "GS*FA*DOCKLINE*ODFL*20261120*1800*5001*X*005010",
      "ST*997*0001",
    ]);
    expect(a?.text.endsWith("SE*8*0001~GE*1*5001~IEA*1*000005001~")).toBe(true);
    const i = a?.parsed as Interchange;
    expect([i.sender, i.receiver, i.groups[0]?.functionalId, i.groups[0]?.sets.map((s) => s.id)]).toEqual(["DOCKLINE", "ODFL", "FA", ["997"]]);
    // The fixture's second group is itself a 997: acknowledgements are never acknowledged.
    expect(aks(i)).toEqual([["AK1*QM*701", "AK2*214*0001", "AK5*A", "AK2*214*0002", "AK5*A", "AK9*A*2*2*2"]]);
  });

  it("acknowledges a 945 interchange: AK1 SW with its group number, both sets accepted", () => {
    const i = ack(twoSets)?.parsed as Interchange;
    expect([i.receiver, i.version, i.groups[0]?.version]).toEqual(["ACME3PL", "00401", "004010"]);
    expect(aks(i)).toEqual([["AK1*SW*88", "AK2*945*0001", "AK5*A", "AK2*945*0002", "AK5*A", "AK9*A*2*2*2"]]);
  });

  it("answers in the sender's own separators and qualifiers (Canada Post: line feed terminator, ISA05 02)", () => {
    const a = ack(canadaPost);
    const text = a?.text as string;
    expect(text.slice(0, ISA_LENGTH)).toBe("ISA*00*          *00*          *ZZ*00602679321    *02*CPC            *261120*1800*U*00401*000005001*0*P*>\n");
    expect(text).not.toContain("~");
    const i = a?.parsed as Interchange;
    expect([i.senderQualifier, i.receiverQualifier, i.separators.segment]).toEqual(["ZZ", "02", "\n"]);
    const [segments] = aks(i);
    // GS06 "000001644" is group 1644 (AK102 is numeric); ST02 is text and echoed as sent.
    expect(segments?.slice(0, 3)).toEqual(["AK1*QM*1644", "AK2*214*000000001", "AK5*A"]);
    expect(segments?.filter((s) => s === "AK5*A")).toHaveLength(19);
    expect(segments?.at(-1)).toBe("AK9*A*19*19*19");
  });

  it("mirrors the usage indicator (a test interchange gets a test acknowledgement)", () => {
    const test = twoSets.replace("*0*P*>~", "*0*T*>~");
    expect(ack(test)?.parsed.usage).toBe("T");
  });

  it("uses the group control number it is given, the interchange's when none", () => {
    const inbound = parse(twoSets);
    const text = build997(inbound, decideAcks(inbound), { ...ENVELOPE, groupControlNumber: 77 }) as string;
    expect(text).toContain("*20261120*1800*77*X*004010~");
    expect(text.endsWith("GE*1*77~IEA*1*000005001~")).toBe(true);
  });
});

describe("build997: results per set and per group", () => {
  const withUnsupported = twoSets.replace("ST*945*0002~\nW06*N**20261120*WH-SHP-5002~", "ST*850*0002~\nW06*N**20261120*WH-SHP-5002~");

  it("partially accepts a group with one good and one unsupported set: AK5 R 1 for it, AK9 P", () => {
    expect(withUnsupported).not.toBe(twoSets);
    expect(aks(ack(withUnsupported)?.parsed as Interchange)).toEqual([["AK1*SW*88", "AK2*945*0001", "AK5*A", "AK2*850*0002", "AK5*R*1", "AK9*P*2*2*1"]]);
  });

  it("rejects the group when no set is accepted: AK9 R", () => {
    const both = withUnsupported.replace("ST*945*0001~", "ST*940*0001~");
    expect(aks(ack(both)?.parsed as Interchange)[0]?.slice(-3)).toEqual(["AK2*850*0002", "AK5*R*1", "AK9*R*2*2*0"]);
  });

  it("rejects a set whose SE miscounts it (AK5 R 4) or names another set (AK5 R 3)", () => {
    expect(aks(ack(twoSets.replace("SE*8*0002~", "SE*7*0002~"))?.parsed as Interchange)[0]).toContain("AK5*R*4");
    expect(aks(ack(twoSets.replace("SE*8*0002~", "SE*8*0003~"))?.parsed as Interchange)[0]).toContain("AK5*R*3");
  });

  it("accepts with errors the sets of a group whose GE01 miscounts them: AK5 E, AK9 E with what GE01 said and code 5", () => {
    expect(aks(ack(twoSets.replace("GE*2*88~", "GE*3*88~"))?.parsed as Interchange)).toEqual([
      ["AK1*SW*88", "AK2*945*0001", "AK5*E", "AK2*945*0002", "AK5*E", "AK9*E*3*2*2*5"],
    ]);
  });

  it("reports a GE02 that is not the group's number as code 4, and a GE01 that is not a number as the count received", () => {
    expect(aks(ack(twoSets.replace("GE*2*88~", "GE*2*89~"))?.parsed as Interchange)[0]?.at(-1)).toBe("AK9*E*2*2*2*4");
    expect(aks(ack(twoSets.replace("GE*2*88~", "GE*two*88~"))?.parsed as Interchange)[0]?.at(-1)).toBe("AK9*E*2*2*2*5");
  });

  it("accepts with errors when the IEA disagrees with the interchange (an envelope warning, not a group error)", () => {
    expect(aks(ack(twoSets.replace("IEA*1*000000088~", "IEA*1*000000099~"))?.parsed as Interchange)[0]).toEqual([
      "AK1*SW*88",
      "AK2*945*0001",
      "AK5*E",
      "AK2*945*0002",
      "AK5*E",
      "AK9*E*2*2*2",
    ]);
  });

  it("rejects a set whose mapping failed (AK5 R 5) when the caller says so, and asks only about sets it maps", () => {
    const asked: string[] = [];
    const failed = (set: TransactionSet) => {
      asked.push(set.control);
      return set.control === "0001" ? "945 transaction set 0001 has no ship date" : undefined;
    };
    expect(aks(ack(withUnsupported.replace("SE*23*0001~", "SE*22*0001~"), { failed })?.parsed as Interchange)[0]).toEqual([
      "AK1*SW*88",
      "AK2*945*0001",
      "AK5*R*4",
      "AK2*850*0002",
      "AK5*R*1",
      "AK9*R*2*2*0",
    ]);
    expect(asked).toEqual([]);
    expect(aks(ack(twoSets, { failed })?.parsed as Interchange)[0]).toEqual(["AK1*SW*88", "AK2*945*0001", "AK5*R*5", "AK2*945*0002", "AK5*A", "AK9*P*2*2*1"]);
    expect(asked).toEqual(["0001", "0002"]);
  });

  it("takes the list of mapped sets it is given (a 947 once inventory is mapped)", () => {
    const inventory = withUnsupported.replace("ST*850*0002~", "ST*947*0002~");
    expect(aks(ack(inventory, { mapped: ["945", "947"] })?.parsed as Interchange)[0]?.at(-1)).toBe("AK9*A*2*2*2");
  });

  it("writes an acknowledgement per group, in one FA group", () => {
    const two = multistop.replace("GS*FA*ODFL*DOCKLINE*20261120*1715*702*X*005010~", "GS*SW*ODFL*DOCKLINE*20261120*1715*702*X*005010~");
    const i = ack(two)?.parsed as Interchange;
    expect(i.groups).toHaveLength(1);
    expect(i.groups[0]?.sets.map((s) => s.control)).toEqual(["0001", "0002"]);
    expect(aks(i)).toEqual([
      ["AK1*QM*701", "AK2*214*0001", "AK5*A", "AK2*214*0002", "AK5*A", "AK9*A*2*2*2"],
      ["AK1*SW*702", "AK2*997*0001", "AK5*R*1", "AK9*R*1*1*0"],
    ]);
  });
});

describe("build997: nothing to acknowledge, and what it refuses", () => {
  it("answers nothing for an interchange that holds only acknowledgements, or no group at all", () => {
    const isa = multistop.slice(0, ISA_LENGTH);
    expect(ack(`${isa}GS*FA*ODFL*DOCKLINE*20261120*1715*702*X*005010~ST*997*0001~AK1*QM*88~AK9*A*1*1*1~SE*4*0001~GE*1*702~IEA*1*000000701~`)).toBeUndefined();
    expect(ack(`${isa}IEA*0*000000701~`)).toBeUndefined();
  });

  it("throws when a set has no result (the caller's mistake, not the partner's)", () => {
    const inbound = parse(twoSets);
    const acks = decideAcks(inbound);
    acks.delete(inbound.groups[0]?.sets[1] as TransactionSet);
    expect(() => build997(inbound, acks, ENVELOPE)).toThrow("no result for transaction set 945 0002 of group 88");
  });

  it("refuses a control number out of range", () => {
    const inbound = parse(twoSets);
    expect(() => build997(inbound, decideAcks(inbound), { ...ENVELOPE, controlNumber: 0 })).toThrow(Unformattable);
    expect(() => build997(inbound, decideAcks(inbound), { ...ENVELOPE, groupControlNumber: 1e9 })).toThrow(Unformattable);
  });

  it("refuses to echo a value holding one of the answer's separators", () => {
    expect(() => ack(twoSets.replace("ST*945*0001~", "ST*945*00>1~").replace("SE*23*0001~", "SE*23*00>1~"))).toThrow(
      'ST02 contains ">", which X12 reads as a delimiter or control character',
    );
  });
});

describe("decideAcks: each set's result from what the inbound path knows", () => {
  it("says why, for ops, beside the codes the partner gets", () => {
    const inbound = parse(twoSets.replace("ST*945*0002~", "ST*850*0002~").replace("GE*2*88~", "GE*3*88~"));
    const [first, second] = inbound.groups[0]?.sets ?? [];
    const acks = decideAcks(inbound);
    expect(acks.get(first as TransactionSet)).toEqual<SetAck>({ result: "accepted-with-errors", notes: ['GE01 "3" does not count 2 sets'] });
    expect(acks.get(second as TransactionSet)).toEqual<SetAck>({ result: "rejected", codes: ["1"], notes: ["transaction set 850 is not supported"] });
  });

  it("keeps the parser's words for a defective set", () => {
    const inbound = parse(twoSets.replace("SE*8*0002~", "SE*7*0002~"));
    expect(decideAcks(inbound).get(inbound.groups[0]?.sets[1] as TransactionSet)).toEqual<SetAck>({
      result: "rejected",
      codes: ["4"],
      notes: ["SE01 counts 7 segments, but ST to SE has 8."],
    });
  });
});
