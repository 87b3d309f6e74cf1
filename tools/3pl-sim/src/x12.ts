// X12, as much as a 3PL simulator needs: a tolerant reader (segments and elements, separators taken from
// the ISA when it has them) for the 940s dockline sends, and a writer of whole interchanges (ISA/GS/ST…SE/
// GE/IEA with matching counts and control numbers) for the 945, 214 and 997 a warehouse sends back. The
// writer is strict because dockline's reader is: a fixed-width ISA (../../sim-kit/x12.ts, which the demo's
// 945s share), one interchange per request.
import { clean, isaSegment } from "../../sim-kit/x12";

export interface Segment {
  /** Upper-case segment id, e.g. "W05". */
  id: string;
  /** Elements after the id, trimmed; `elements[0]` is XX01. */
  elements: string[];
}

/** The n-th element (1-based, as X12 numbers them: `el(seg, 1)` is XX01); "" when absent. */
export function el(segment: Segment | undefined, n: number): string {
  return segment?.elements[n - 1] ?? "";
}

const isDelimiter = (c: string | undefined): c is string => c !== undefined && c !== "" && !/[A-Za-z0-9 ]/.test(c);

/**
 * Segments of an interchange. The element separator is ISA character 4 and the terminator ISA character 106
 * when those are plausible; otherwise `*` and `~`, so a file whose ISA padding was stripped still reads.
 * Line breaks around segments (translators wrap their output) are layout, not data.
 */
export function readSegments(text: string): Segment[] {
  const element = isDelimiter(text[3]) ? text[3] : "*";
  const terminator = isDelimiter(text[105]) && text[105] !== element ? text[105] : "~";
  return text
    .split(terminator)
    .map((s) => s.replace(/^[\r\n]+|[\r\n]+$/g, ""))
    .filter((s) => s.trim() !== "")
    .map((s) => {
      const [id = "", ...elements] = s.split(element).map((e) => e.trim());
      return { id: id.toUpperCase(), elements };
    });
}

/** One transaction set to write: its id (ST01) and its segments between ST and SE, as element lists. */
export interface SetToWrite {
  id: string;
  segments: string[][];
}

export interface Envelope {
  /** Interchange control number (ISA13, 9 digits); also the group's GS06. */
  control: number;
  at: Date;
  sender: string;
  receiver: string;
}

const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll("-", "");
const hm = (d: Date) => d.toISOString().slice(11, 16).replace(":", "");

/** X12 date (CCYYMMDD) and time (HHMM) of an instant, in UTC (time code UT). */
export const x12DateTime = (d: Date) => ({ date: ymd(d), time: hm(d) });

/** A complete interchange with one functional group (`functionalId`, e.g. "SW" for 945s) of `sets`. */
export function interchange(envelope: Envelope, functionalId: string, sets: readonly SetToWrite[]): string {
  const segment = (elements: readonly string[]) => `${elements.map(clean).join("*")}~`;
  const { control, at } = envelope;
  const isa = isaSegment({ sender: envelope.sender, receiver: envelope.receiver, date: ymd(at).slice(2), time: hm(at), control });
  const out = [`${isa}~`, segment(["GS", functionalId, envelope.sender, envelope.receiver, ymd(at), hm(at), String(control), "X", "004010"])];
  sets.forEach((set, i) => {
    const st = String(i + 1).padStart(4, "0");
    out.push(segment(["ST", set.id, st]));
    for (const s of set.segments) out.push(segment(s));
    // SE01 counts the segments from ST to SE inclusive.
    out.push(segment(["SE", String(set.segments.length + 2), st]));
  });
  out.push(segment(["GE", String(sets.length), String(control)]), segment(["IEA", "1", String(control).padStart(9, "0")]));
  return out.join("\n");
}
