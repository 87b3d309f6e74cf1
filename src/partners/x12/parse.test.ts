import { describe, expect, it } from "vitest";
import { HttpProblem } from "../../platform/problem";
import canadaPost from "./fixtures/canadapost-214.edi?raw";
import multistop from "./fixtures/multistop-214.edi?raw";
import oopfactory from "./fixtures/oopfactory-945-inter-american.edi?raw";
import stripped from "./fixtures/x12types-945-stripped-isa.edi?raw";
import repaired from "./fixtures/x12types-945-repaired.edi?raw";
import { el, parseX12 } from "./parse";

const bytes = (s: string) => new TextEncoder().encode(s);
const parse = (s: string) => parseX12(bytes(s));

/** The 400 problem's detail, or a failure when the text parses. */
function rejection(s: string | Uint8Array): string {
  try {
    parseX12(typeof s === "string" ? bytes(s) : s);
  } catch (err) {
    if (err instanceof HttpProblem) {
      expect(err.status).toBe(400);
      expect(err.slug).toBe("malformed-body");
      expect(err.title).toBe("Malformed X12");
      return err.detail ?? "";
    }
    throw err;
  }
  throw new Error("expected a 400 HttpProblem");
}

/** `multistop` with one segment replaced (the fixture's own bytes otherwise). */
const swap = (from: string, to: string) => {
  expect(multistop).toContain(from);
  return multistop.replace(from, to);
};

describe("X12 separators and layout", () => {
  it("learns the element separator, ISA16 and the terminator from the fixed-width ISA", () => {
    const i = parse(multistop);
    expect(i.separators).toEqual({ element: "*", component: ">", repetition: "^", segment: "~" });
    expect(i.version).toBe("00501");
    expect(i.control).toBe("000000701");
  });

  it("takes a line feed as the segment terminator when ISA character 106 is one (Canada Post)", () => {
    const i = parse(canadaPost);
    expect(i.separators.segment).toBe("\n");
    expect(i.separators.repetition).toBeUndefined(); // 00401: ISA11 is the standards id "U"
    expect(i.groups[0]?.sets).toHaveLength(19);
  });

  it("parses any separator characters, not only * and ~", () => {
    const other = multistop.replaceAll("*", "|").replaceAll("~\r\n", "!");
    const i = parse(other);
    expect(i.separators).toMatchObject({ element: "|", segment: "!" });
    expect(i.groups.flatMap((g) => g.sets)).toHaveLength(3);
  });

  it("tolerates CR/LF after each terminator and a trailing line break", () => {
    expect(multistop).toContain("~\r\n");
    expect(multistop.endsWith("IEA*2*000000701~\r\n")).toBe(true);
    expect(parse(multistop).groups).toHaveLength(2);
    expect(parse(multistop.replaceAll("~\r\n", "~")).groups).toHaveLength(2);
    expect(parse(`${multistop}\n\n`).groups).toHaveLength(2);
  });

  it("tolerates CRLF line ends in a file whose terminator is the line feed", () => {
    expect(parse(canadaPost.replaceAll("\n", "\r\n").replace("*>\r\n", "*>\n")).groups[0]?.sets).toHaveLength(19);
  });

  it("trims the space padding of elements (ISA and Canada Post's 30-wide B10)", () => {
    const i = parse(canadaPost);
    expect(i.sender).toBe("CPC");
    expect(i.receiver).toBe("00602679321");
    const b10 = i.groups[0]?.sets[0]?.segments[1];
    expect(b10?.id).toBe("B10");
    expect(b10 && el(b10, 1)).toBe("4343638097845589");
  });

  it("keeps the ISA id qualifiers and the trailers as written (an acknowledgement swaps the ids and reports the trailers)", () => {
    const i = parse(canadaPost);
    expect([i.senderQualifier, i.sender, i.receiverQualifier, i.receiver]).toEqual(["02", "CPC", "ZZ", "00602679321"]);
    expect(i.trailer).toEqual({ groups: "00001", control: "000001644" });
    expect(i.groups[0]?.trailer).toEqual({ sets: "000019", control: "000001644" });
    expect(parse(swap("GE*2*701~", "GE*3*710~")).groups[0]?.trailer).toEqual({ sets: "3", control: "710" });
  });

  it("keeps empty elements in place and answers '' past the last one", () => {
    const at7 = parse(canadaPost).groups[0]?.sets[0]?.segments.find((s) => s.id === "AT7");
    expect(at7?.elements).toEqual(["XB", "NS", "", "", "20191103", "1534", ""]);
    expect(at7 && el(at7, 9)).toBe("");
  });

  it("tolerates a UTF-8 byte order mark before the ISA", () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(multistop)]);
    expect(parseX12(withBom).control).toBe("000000701");
  });

  it("reads bytes that are not UTF-8 as Latin-1 instead of failing", () => {
    const latin1 = bytes(multistop.replace("JANE DOE", "JANE DO#"));
    latin1[latin1.indexOf("#".charCodeAt(0))] = 0xc9; // É in Latin-1, invalid alone in UTF-8
    const n1 = parseX12(latin1).groups[0]?.sets[0]?.segments.find((s) => s.id === "N1" && el(s, 1) === "CN");
    expect(n1 && el(n1, 2)).toBe("JANE DOÉ");
  });
});

describe("X12 envelope: several groups and sets", () => {
  it("reads several transaction sets and several functional groups", () => {
    const i = parse(multistop);
    expect(i.groups.map((g) => [g.functionalId, g.control, g.sets.map((s) => `${s.id}/${s.control}`)])).toEqual([
      ["QM", "701", ["214/0001", "214/0002"]],
      ["FA", "702", ["997/0001"]],
    ]);
  });

  it("keeps each set's segments from ST to SE inclusive", () => {
    const set = parse(multistop).groups[0]?.sets[1];
    expect(set?.segments.map((s) => s.id)).toEqual(["ST", "B10", "LX", "AT7", "MS1", "SE"]);
  });

  it("compares counts and group numbers as numbers (Canada Post's SE*0000000013, GE*000019, IEA*00001)", () => {
    expect(canadaPost).toContain("SE*0000000013*000000001");
    expect(canadaPost).toContain("GE*000019*000001644");
    expect(() => parse(canadaPost)).not.toThrow();
  });

  it("accepts an interchange with no functional group", () => {
    const isa = multistop.slice(0, 106);
    expect(parse(`${isa}IEA*0*000000701~`).groups).toEqual([]);
  });
});

describe("X12 envelope problems that leave the transaction sets intact (warnings, not rejections)", () => {
  const sets = (s: string) => parse(s).groups.flatMap((g) => g.sets.map((t) => `${t.id}/${t.control}`));
  const intact = ["214/0001", "214/0002", "997/0001"];

  it("has no warnings for an interchange whose envelope is right", () => {
    expect(parse(multistop).warnings).toEqual([]);
  });

  it("reads the sets of an interchange whose IEA02 differs from ISA13, and warns", () => {
    const s = swap("IEA*2*000000701~", "IEA*2*000000702~");
    expect(sets(s)).toEqual(intact);
    expect(parse(s).warnings).toEqual(['IEA02 "000000702" does not match ISA13 "000000701".']);
  });

  it("reads the sets of an interchange whose IEA01 miscounts the groups, and warns", () => {
    const s = swap("IEA*2*000000701~", "IEA*1*000000701~");
    expect(sets(s)).toEqual(intact);
    expect(parse(s).warnings).toEqual(["IEA01 counts 1 functional groups, but the interchange has 2."]);
  });

  it("reads the sets of a group whose GE02 differs from GS06, and warns", () => {
    const s = swap("GE*2*701~", "GE*2*710~");
    expect(sets(s)).toEqual(intact);
    expect(parse(s).warnings).toEqual(['GE02 "710" does not match GS06 "701".']);
  });

  it("reads the sets of a group whose GE01 miscounts them, and warns", () => {
    const s = swap("GE*2*701~", "GE*3*701~");
    expect(sets(s)).toEqual(intact);
    expect(parse(s).warnings).toEqual(["GE01 of group 701 counts 3 transaction sets, but the group has 2."]);
  });

  it("warns about a trailer count that is not a number instead of rejecting the interchange", () => {
    expect(parse(swap("GE*2*701~", "GE*two*701~")).warnings).toEqual(['GE01 "two" is not a number.']);
  });

  it("marks a set whose SE02 differs from its ST02 as defective, and keeps the others", () => {
    const i = parse(swap("SE*6*0002~", "SE*6*0003~"));
    expect(i.groups[0]?.sets.map((t) => t.defect)).toEqual([undefined, 'SE02 "0003" does not match ST02 "0002".']);
    expect(i.warnings).toEqual([]);
  });

  it("marks a set whose SE01 miscounts its segments as defective (segments may be missing), and keeps the others", () => {
    const i = parse(swap("SE*6*0002~", "SE*5*0002~"));
    expect(i.groups[0]?.sets.map((t) => t.defect)).toEqual([undefined, "SE01 counts 5 segments, but ST to SE has 6."]);
    expect(parse(repaired.replace("SE*16*", "SE*12*")).groups[0]?.sets[0]?.defect).toBe("SE01 counts 12 segments, but ST to SE has 16.");
    expect(parse(swap("SE*6*0002~", "SE*six*0002~")).groups[0]?.sets[1]?.defect).toBe('SE01 "six" is not a number.');
  });
});

describe("X12 rejections (400 malformed-body)", () => {
  it("rejects the published sample whose ISA lost its space padding, saying so", () => {
    expect(rejection(stripped)).toBe("The ISA segment is 76 characters long, expected 106 (the space padding of its fixed-width elements was stripped).");
    // The same sample with its padding (and its SE count) repaired parses.
    expect(parse(repaired).groups[0]?.sets[0]?.id).toBe("945");
  });

  it("rejects an ISA element wider than its fixed width", () => {
    expect(rejection(multistop.replace("*ZZ*ODFL           *", "*ZZ*ODFL            *"))).toContain("an element is wider than its fixed width");
  });

  it("rejects an ISA whose elements are misaligned although its length is right", () => {
    expect(rejection(multistop.replace("*00*          *00*          *", "*00*         *00*           *"))).toBe(
      "ISA element 02 does not have its fixed width.",
    );
  });

  it("rejects a body that is not an interchange", () => {
    expect(rejection('{"json":true}')).toBe("The body does not start with an ISA interchange header.");
    expect(rejection(`\r\n${multistop}`)).toBe("The body does not start with an ISA interchange header.");
  });

  it("rejects the published sample that is indented with spaces (segments must start at the terminator)", () => {
    expect(rejection(oopfactory)).toBe('Segment 2 has an invalid segment id "  GS".');
  });

  it("rejects lower-case segment ids", () => {
    expect(rejection(swap("ST*214*0002~", "st*214*0002~"))).toBe('Segment 33 has an invalid segment id "st" (segment ids are upper case).');
  });

  it("rejects a transaction set that is never closed", () => {
    expect(rejection(swap("SE*6*0002~\r\n", ""))).toBe("Segment 38 is GE, expected SE (transaction set 214 0002).");
  });

  it("rejects a group number (GS06) that is not a number", () => {
    expect(rejection(swap("GS*QM*ODFL*DOCKLINE*20261120*1715*701*", "GS*QM*ODFL*DOCKLINE*20261120*1715*G1*"))).toBe('GS06 "G1" is not a number.');
  });

  it("rejects an empty segment", () => {
    expect(rejection(swap("LX*1~", "LX*1~~"))).toBe("Segment 12 is empty.");
  });

  it("rejects a last segment without its terminator", () => {
    expect(rejection(multistop.replace("IEA*2*000000701~\r\n", "IEA*2*000000701"))).toBe(
      'The last segment "IEA*2*000000701" is not terminated by the segment terminator.',
    );
  });

  it("rejects anything after the IEA", () => {
    expect(rejection(`${multistop}${multistop.slice(0, 106)}`)).toContain("follows the IEA; one interchange per request.");
  });

  it("rejects a segment terminator that is a letter", () => {
    expect(rejection(multistop.replace("*P*>~", "*P*>A"))).toBe("ISA character 106 is not a valid segment terminator.");
  });
});
