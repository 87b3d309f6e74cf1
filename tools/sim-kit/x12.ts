// The X12 interchange header as the simulated partners write it (the 3PL simulator's answers, the demo's 945s):
// fixed-width, so dockline's strict reader finds the separators at their offsets.

/** Values must not carry our separators or line breaks: they would split an element or a segment. */
export function clean(value: string): string {
  return value.replace(/[*~>\r\n]/g, "-");
}

const fixed = (value: string, width: number) => clean(value).slice(0, width).padEnd(width, " ");

export interface IsaHeader {
  sender: string;
  receiver: string;
  /** ISA09, YYMMDD. */
  date: string;
  /** ISA10, HHMM. */
  time: string;
  /** ISA13, the interchange control number (9 digits, zero-padded here). */
  control: number;
}

/**
 * The ISA segment without its terminator: `*` between elements, `>` as ISA16, no authorization or security
 * information, ZZ (mutually defined) ids. Its elements are fixed-width: the 16th separator lands at offset
 * 103, ISA16 at 104, the terminator (the caller's) at 105.
 */
export function isaSegment(h: IsaHeader): string {
  return [
    "ISA",
    "00",
    fixed("", 10),
    "00",
    fixed("", 10),
    "ZZ",
    fixed(h.sender, 15),
    "ZZ",
    fixed(h.receiver, 15),
    h.date,
    h.time,
    "U",
    "00401",
    String(h.control).padStart(9, "0"),
    "0",
    "P",
    ">",
  ].join("*");
}
