// A small, strict X12 interchange parser: separators from the fixed-width ISA, segments split on the
// declared terminator, and the ISA/IEA, GS/GE and ST/SE envelopes checked (control numbers and counts).
// Bytes whose structure is not an interchange are a 400. A trailer that disagrees with what it closes
// (GE/IEA counts and control numbers) is a warning: the sets inside are whole and are processed. A set
// whose own SE disagrees is marked defective: segments may be missing, so it is not mapped but kept.
import { HttpProblem } from "../../platform/problem";

/** The ISA is fixed-width: its 16 element separators sit at these offsets, the terminator at 105. */
const ISA_SEPARATOR_OFFSETS = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103] as const;
export const ISA_LENGTH = 106;

export interface Separators {
  element: string;
  /** ISA16. */
  component: string;
  /** ISA11 from release 00402 on; before that ISA11 is the standards id ("U") and there is none. */
  repetition?: string;
  segment: string;
}

export interface Segment {
  /** Upper-case segment id, e.g. "AT7". */
  id: string;
  /** Elements after the id, space-trimmed; `elements[0]` is XX01. Empty elements are "". */
  elements: string[];
  /** 1-based position in the interchange, for error messages. */
  position: number;
}

export interface TransactionSet {
  /** ST01, e.g. "214". */
  id: string;
  /** ST02. */
  control: string;
  /** Every segment from ST to SE inclusive. */
  segments: Segment[];
  /** Why the set cannot be trusted on its own (its SE disagrees with it); such a set is not mapped. */
  defect?: string;
}

export interface FunctionalGroup {
  /** GS01, e.g. "QM" (214), "SW" (945), "FA" (997). */
  functionalId: string;
  sender: string;
  receiver: string;
  control: string;
  /** GS08, e.g. "004010". */
  version: string;
  sets: TransactionSet[];
  /** GE01 (the set count) and GE02 (the group number) as written; a 997 reports how they disagree. */
  trailer: { sets: string; control: string };
}

export interface Interchange {
  separators: Separators;
  /** ISA05, e.g. "ZZ" (mutually defined) or "01" (DUNS): how to read `sender`; an answer swaps the pairs. */
  senderQualifier: string;
  sender: string;
  /** ISA07. */
  receiverQualifier: string;
  receiver: string;
  control: string;
  /** ISA12, e.g. "00401". */
  version: string;
  /** ISA15: "P" production, "T" test. */
  usage: string;
  groups: FunctionalGroup[];
  /** Group and interchange trailers that disagree with what they close; the sets themselves are intact. */
  warnings: string[];
  /** IEA01 (the group count) and IEA02 (the control number) as written. */
  trailer: { groups: string; control: string };
}

/** The n-th element (1-based, as X12 numbers them: `el(seg, 1)` is XX01); "" when absent. */
export function el(segment: Segment, n: number): string {
  return segment.elements[n - 1] ?? "";
}

function malformed(detail: string): HttpProblem {
  return new HttpProblem(400, "malformed-body", "Malformed X12", detail);
}

// ignoreBOM: false strips a leading byte order mark (Windows translators write one) instead of keeping it.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * X12 is ASCII with an optional extended set; partners' translators emit either UTF-8 or a single-byte
 * code page (Latin-1) for accented names. UTF-8 first; bytes that are not UTF-8 are read as Latin-1, which
 * cannot fail and leaves the ASCII that the envelope and every code consist of untouched.
 */
function decode(raw: Uint8Array): string {
  try {
    return utf8.decode(raw);
  } catch {
    let s = "";
    for (const b of raw) s += String.fromCharCode(b);
    return s;
  }
}

const isAlphanumeric = (c: string) => /^[A-Za-z0-9]$/.test(c);

function readIsa(text: string): { isa: string[]; separators: Separators } {
  if (!text.startsWith("ISA")) throw malformed("The body does not start with an ISA interchange header.");
  const element = text[3] ?? "";
  if (element === "" || isAlphanumeric(element) || element === " ") throw malformed("ISA character 4 is not a valid element separator.");
  const found: number[] = [];
  for (let i = 3; i < text.length && found.length < 16; i++) if (text[i] === element) found.push(i);
  if (found.length < 16) throw malformed(`The ISA segment has ${found.length} element separators, expected 16.`);
  // The fixed width is what makes the ISA self-describing; a partner (or an editor in between) that strips
  // the space padding changes where everything is. We refuse rather than guess: a file whose envelope was
  // rewritten may have been altered elsewhere too, and the sender must fix its translator.
  const last = found[15] ?? 0;
  if (last !== ISA_SEPARATOR_OFFSETS[15]) {
    const why = last < ISA_SEPARATOR_OFFSETS[15] ? "the space padding of its fixed-width elements was stripped" : "an element is wider than its fixed width";
    throw malformed(`The ISA segment is ${last + 3} characters long, expected ${ISA_LENGTH} (${why}).`);
  }
  const misplaced = found.findIndex((at, i) => at !== ISA_SEPARATOR_OFFSETS[i]);
  if (misplaced >= 0) throw malformed(`ISA element ${String(misplaced).padStart(2, "0")} does not have its fixed width.`);
  const component = text[104] ?? "";
  const segment = text[105] ?? "";
  if (segment === "" || isAlphanumeric(segment) || segment === " " || segment === element || segment === component) {
    throw malformed("ISA character 106 is not a valid segment terminator.");
  }
  if (isAlphanumeric(component) || component === " " || component === element) throw malformed("ISA16 is not a valid component separator.");
  const isa = text.slice(4, 105).split(element);
  const version = (isa[11] ?? "").trim();
  const rep = isa[10] ?? "";
  const repetition = version >= "00402" && rep.length === 1 && !isAlphanumeric(rep) && rep !== " " ? rep : undefined;
  return { isa: isa.map((e) => e.trim()), separators: { element, component, segment, ...(repetition ? { repetition } : {}) } };
}

/** Splits the text after the ISA into segments, tolerating CR/LF after each terminator and at the end. */
function splitSegments(text: string, separators: Separators): Segment[] {
  const pieces = text.slice(ISA_LENGTH).split(separators.segment);
  const segments: Segment[] = [];
  pieces.forEach((piece, i) => {
    // Translators "wrap" output with a line break after each terminator; a file whose terminator is the
    // line feed itself may carry a CR before it. Both are layout, not data.
    let s = piece.replace(/^[\r\n]+/, "");
    if (separators.segment === "\n") s = s.replace(/\r$/, "");
    const position = i + 2;
    if (s === "") {
      if (i === pieces.length - 1) return; // the text after the last terminator: nothing, or only line breaks
      throw malformed(`Segment ${position} is empty.`);
    }
    if (i === pieces.length - 1) throw malformed(`The last segment "${s.slice(0, 20)}" is not terminated by the segment terminator.`);
    const [id = "", ...elements] = s.split(separators.element);
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(id)) {
      const hint = /^[A-Za-z][A-Za-z0-9]{1,2}$/.test(id) ? " (segment ids are upper case)" : "";
      throw malformed(`Segment ${position} has an invalid segment id "${id.slice(0, 20)}"${hint}.`);
    }
    // AN values have no significant leading or trailing spaces; some partners pad them (e.g. B10 to 30).
    segments.push({ id, elements: elements.map((e) => e.trim()), position });
  });
  return segments;
}

const isCount = (value: string) => /^\d{1,10}$/.test(value);

function count(value: string, what: string): number {
  if (!isCount(value)) throw malformed(`${what} "${value}" is not a number.`);
  return Number(value);
}

/** A trailer's count or number checked against what we found: the problem, or undefined when they agree. */
function disagreement(value: string, what: string, expected: number, mismatch: string): string | undefined {
  if (!isCount(value)) return `${what} "${value}" is not a number.`;
  return Number(value) === expected ? undefined : mismatch;
}

function expectSegment(segments: Segment[], i: number, id: string, context: string): Segment {
  const s = segments[i];
  if (!s) throw malformed(`The interchange ends before the ${id} that closes ${context}.`);
  if (s.id !== id) throw malformed(`Segment ${s.position} is ${s.id}, expected ${id} (${context}).`);
  return s;
}

/** Parses one interchange; throws HttpProblem 400 ("malformed-body") when its structure is not one. */
export function parseX12(raw: Uint8Array): Interchange {
  const text = decode(raw);
  const { isa, separators } = readIsa(text);
  const control = isa[12] ?? "";
  if (!/^\d{9}$/.test(control)) throw malformed(`ISA13 "${control}" is not a 9-digit interchange control number.`);
  const segments = splitSegments(text, separators);

  const groups: FunctionalGroup[] = [];
  const warnings: string[] = [];
  const warn = (w: string | undefined) => {
    if (w) warnings.push(w);
  };
  let i = 0;
  while (segments[i]?.id === "GS") {
    const gs = segments[i] as Segment;
    const group: FunctionalGroup = {
      functionalId: el(gs, 1),
      sender: el(gs, 2),
      receiver: el(gs, 3),
      control: el(gs, 6),
      version: el(gs, 8),
      sets: [],
      trailer: { sets: "", control: "" },
    };
    const groupNumber = count(group.control, "GS06");
    i++;
    while (segments[i]?.id === "ST") {
      const st = segments[i] as Segment;
      const set: TransactionSet = { id: el(st, 1), control: el(st, 2), segments: [st] };
      if (!/^\d{3}$/.test(set.id)) throw malformed(`ST01 "${set.id}" at segment ${st.position} is not a transaction set id.`);
      if (set.control === "") throw malformed(`ST02 at segment ${st.position} is empty.`);
      i++;
      while (segments[i] && !["SE", "ST", "GE", "GS", "IEA", "ISA"].includes((segments[i] as Segment).id)) set.segments.push(segments[i++] as Segment);
      const se = expectSegment(segments, i, "SE", `transaction set ${set.id} ${set.control}`);
      set.segments.push(se);
      const defect =
        el(se, 2) !== set.control
          ? `SE02 "${el(se, 2)}" does not match ST02 "${set.control}".`
          : disagreement(el(se, 1), "SE01", set.segments.length, `SE01 counts ${el(se, 1)} segments, but ST to SE has ${set.segments.length}.`);
      if (defect) set.defect = defect;
      group.sets.push(set);
      i++;
    }
    const ge = expectSegment(segments, i, "GE", `functional group ${group.control}`);
    group.trailer = { sets: el(ge, 1), control: el(ge, 2) };
    // GS06/GE02 are numeric (N0): compared as numbers, so "000019" and "19" agree.
    warn(disagreement(el(ge, 2), "GE02", groupNumber, `GE02 "${el(ge, 2)}" does not match GS06 "${group.control}".`));
    const sets = group.sets.length;
    warn(disagreement(el(ge, 1), "GE01", sets, `GE01 of group ${group.control} counts ${el(ge, 1)} transaction sets, but the group has ${sets}.`));
    groups.push(group);
    i++;
  }
  const iea = expectSegment(segments, i, "IEA", `interchange ${control}`);
  if (el(iea, 2) !== control) warn(`IEA02 "${el(iea, 2)}" does not match ISA13 "${control}".`);
  warn(disagreement(el(iea, 1), "IEA01", groups.length, `IEA01 counts ${el(iea, 1)} functional groups, but the interchange has ${groups.length}.`));
  const after = segments[i + 1];
  if (after) throw malformed(`Segment ${after.position} (${after.id}) follows the IEA; one interchange per request.`);

  return {
    separators,
    senderQualifier: isa[4] ?? "",
    sender: isa[5] ?? "",
    receiverQualifier: isa[6] ?? "",
    receiver: isa[7] ?? "",
    control,
    version: isa[11] ?? "",
    usage: isa[14] ?? "",
    groups,
    warnings,
    trailer: { groups: el(iea, 1), control: el(iea, 2) },
  };
}
