// X12 997 (functional acknowledgement), outbound: what we tell a partner about each transaction set of an
// interchange it sent — accepted, accepted with errors, or rejected — as one 997 per functional group, all
// in one interchange back to the sender. Pure: the caller supplies the control numbers and the clock.
import { controlNumber, envelopeTime, isaSegment, segment, x12Id } from "./format-940";
import type { FunctionalGroup, Interchange, TransactionSet } from "./parse";

export type SetResult = "accepted" | "accepted-with-errors" | "rejected";

export interface SetAck {
  result: SetResult;
  /**
   * AK502–AK506, X12's transaction set syntax error codes (at most five are sent): "1" not supported, "3"
   * SE02 is not ST02, "4" SE01 miscounts the segments, "5" one or more segments in error.
   */
  codes?: readonly string[];
  /** Why, for our log and for ops: a 997 has no free text, the partner is told only the codes. */
  notes?: readonly string[];
}

/** Each set's result, keyed by the set as `parseX12` returned it. */
export type SetAcks = ReadonlyMap<TransactionSet, SetAck>;

/** The sets the x12 adapter maps onto events (214 carrier status, 945 shipping advice). */
export const MAPPED_SETS: readonly string[] = ["214", "945"];

const isNumber = (v: string) => /^\d{1,10}$/.test(v);

/** AK905–AK909: how a group's trailer disagrees with it ("4" GE02 is not GS06, "5" GE01 miscounts the sets). */
function groupErrors(group: FunctionalGroup): string[] {
  const codes: string[] = [];
  if (!isNumber(group.trailer.control) || Number(group.trailer.control) !== Number(group.control)) codes.push("4");
  if (!isNumber(group.trailer.sets) || Number(group.trailer.sets) !== group.sets.length) codes.push("5");
  return codes;
}

function interchangeErrors(i: Interchange): string[] {
  const notes: string[] = [];
  if (i.trailer.control !== i.control) notes.push(`IEA02 "${i.trailer.control}" is not ISA13 "${i.control}"`);
  if (!isNumber(i.trailer.groups) || Number(i.trailer.groups) !== i.groups.length)
    notes.push(`IEA01 "${i.trailer.groups}" does not count ${i.groups.length} groups`);
  return notes;
}

/**
 * Each set's result from what the inbound path knows, the x12 adapter's own rules: a set it cannot map —
 * one whose SE disagrees with it (defective), one of a kind it does not map, or one whose mapping failed
 * (`failed` says which and why) — is rejected; a set it maps is accepted, with errors when a trailer of its
 * group or of the interchange disagrees (the adapter's envelope warnings: processed, for the partner to fix).
 */
export function decideAcks(
  interchange: Interchange,
  options: { mapped?: readonly string[]; failed?: (set: TransactionSet, group: FunctionalGroup) => string | undefined } = {},
): Map<TransactionSet, SetAck> {
  const mapped = options.mapped ?? MAPPED_SETS;
  const outer = interchangeErrors(interchange);
  const acks = new Map<TransactionSet, SetAck>();
  const decide = (set: TransactionSet, group: FunctionalGroup, envelope: string[]): SetAck => {
    if (set.defect) {
      const se = set.segments[set.segments.length - 1];
      return { result: "rejected", codes: [se?.elements[1] !== set.control ? "3" : "4"], notes: [set.defect] };
    }
    if (!mapped.includes(set.id)) return { result: "rejected", codes: ["1"], notes: [`transaction set ${set.id} is not supported`] };
    const failure = options.failed?.(set, group);
    if (failure !== undefined) return { result: "rejected", codes: ["5"], notes: [failure] };
    return envelope.length > 0 ? { result: "accepted-with-errors", notes: envelope } : { result: "accepted" };
  };
  for (const group of interchange.groups) {
    const trailer = groupErrors(group).map((code) =>
      code === "4" ? `GE02 "${group.trailer.control}" is not GS06 "${group.control}"` : `GE01 "${group.trailer.sets}" does not count ${group.sets.length} sets`,
    );
    for (const set of group.sets) acks.set(set, decide(set, group, [...trailer, ...outer]));
  }
  return acks;
}

export interface AckEnvelope {
  /** ISA13 of the acknowledgement: ours, unique per partner. */
  controlNumber: number;
  /** GS06 of its functional group; `controlNumber` when absent. */
  groupControlNumber?: number;
  at: Date | string;
}

const AK5: Record<SetResult, string> = { accepted: "A", "accepted-with-errors": "E", rejected: "R" };

/**
 * The 997 interchange acknowledging `inbound`, or undefined when there is nothing to acknowledge (no group,
 * or only groups of acknowledgements: a 997 is never acknowledged, or two translators would answer each
 * other forever). Addressed back to the sender (ISA and GS ids swapped), with the inbound's separators,
 * release and usage indicator: every value echoed came out of its text split on those separators, so none
 * can hold one. One FA group, addressed as the first group acknowledged was, one ST*997 per inbound group:
 * AK1 (its functional id and number), AK2/AK5 per set, AK9 (A all accepted, E accepted with errors, P some
 * rejected, R all rejected; sets declared in GE01, received, accepted; AK905… the group trailer's errors).
 * Throws when a set has no entry in `acks`, and Unformattable for a value it cannot echo.
 */
export function build997(inbound: Interchange, acks: SetAcks, envelope: AckEnvelope): string | undefined {
  const groups = inbound.groups.filter((g) => g.functionalId !== "FA");
  const first = groups[0];
  if (!first) return undefined;
  const s = inbound.separators;
  const seg = (id: string, ...elements: (string | number | undefined)[]) => segment(s, id, ...elements);
  const echo = (field: string, value: string) => x12Id(field, value, s);
  const control = controlNumber("controlNumber", envelope.controlNumber);
  const groupControl = controlNumber("groupControlNumber", envelope.groupControlNumber ?? control);
  const t = envelopeTime(envelope.at);

  const sets = groups.map((group, n) => {
    // AK102 is numeric, written without leading zeros like any X12 number (GS06 "000001644" is group 1644).
    const body = [seg("ST", "997", String(n + 1).padStart(4, "0")), seg("AK1", echo("GS01", group.functionalId), Number(group.control))];
    let accepted = 0;
    let withErrors = false;
    for (const set of group.sets) {
      const ack = acks.get(set);
      if (!ack) throw new Error(`no result for transaction set ${set.id} ${set.control} of group ${group.control}`);
      if (ack.result !== "rejected") accepted++;
      if (ack.result === "accepted-with-errors") withErrors = true;
      body.push(seg("AK2", echo("ST01", set.id), echo("ST02", set.control)), seg("AK5", AK5[ack.result], ...(ack.codes ?? []).slice(0, 5)));
    }
    const received = group.sets.length;
    const trailer = groupErrors(group);
    const code = received > 0 && accepted === 0 ? "R" : accepted < received ? "P" : withErrors || trailer.length > 0 ? "E" : "A";
    // AK902 is what the group said it held (GE01); when that is not a number, what it did hold.
    const declared = isNumber(group.trailer.sets) ? Number(group.trailer.sets) : received;
    body.push(seg("AK9", code, declared, received, accepted, ...trailer));
    body.push(seg("SE", body.length + 1, String(n + 1).padStart(4, "0")));
    return body.join("");
  });

  const us = echo("GS03", first.receiver);
  const them = echo("GS02", first.sender);
  return [
    isaSegment(s, {
      senderQualifier: inbound.receiverQualifier,
      sender: inbound.receiver,
      receiverQualifier: inbound.senderQualifier,
      receiver: inbound.sender,
      at: envelope.at,
      control,
      version: inbound.version,
      usage: inbound.usage,
    }),
    seg("GS", "FA", us, them, t.ccyymmdd, t.hhmm, groupControl, "X", echo("GS08", first.version)),
    ...sets,
    seg("GE", sets.length, groupControl),
    seg("IEA", 1, String(control).padStart(9, "0")),
  ].join("");
}
