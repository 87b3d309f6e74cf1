// SLA policies as tables: parsing (every kind of mistake), which policy applies, when each clock starts and is
// met (over folded orders), how clocks become breaches and resolutions, and that evaluation is idempotent.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CanonicalEvent, OrderDetails } from "../../src/domain/event";
import {
  DEFAULT_SLA_POLICIES_JSON,
  describeBreach,
  evaluateSla,
  parseSlaPolicies,
  policyFor,
  SLA_CHECKS,
  type SlaBreach,
  type SlaClock,
  type SlaEvaluation,
  type SlaInput,
  type SlaPolicy,
  slaClocks,
  slaInput,
} from "../../src/domain/sla";
import { fold } from "../../src/domain/state";
import { at, ev, ORDER, ship } from "../helpers/events";

const EXPRESS: SlaPolicy = {
  when: { serviceLevels: ["express"] },
  acknowledgedWithinHours: 1,
  dispatchedWithinHours: 8,
  firstScanWithinHours: 12,
  deliveredByPromisedDate: true,
  exceptionOpenHours: 24,
};
const STANDARD: SlaPolicy = {
  acknowledgedWithinHours: 4,
  dispatchedWithinHours: 24,
  firstScanWithinHours: 24,
  deliveredByPromisedDate: true,
  exceptionOpenHours: 48,
};

describe("parseSlaPolicies", () => {
  it("parses the shipped default: express first, then a default for every other order", () => {
    expect(parseSlaPolicies(DEFAULT_SLA_POLICIES_JSON)).toEqual({ ok: true, policies: [EXPRESS, STANDARD] });
  });

  it.each([
    ["unset", undefined],
    ["empty", ""],
    ["blank", "  \n"],
    ["an empty list", "[]"],
  ])("reads %s as no policies", (_, text) => {
    expect(parseSlaPolicies(text)).toEqual({ ok: true, policies: [] });
  });

  it("accepts fractional hours, a policy without checks (an exemption) and customer conditions", () => {
    const policies = [
      { when: { customers: ["VIP"] } },
      { when: { customers: ["C2"], serviceLevels: ["x"] }, dispatchedWithinHours: 0.5 },
      { exceptionOpenHours: 1.25 },
    ];
    expect(parseSlaPolicies(JSON.stringify(policies))).toEqual({ ok: true, policies });
  });

  const policy = (p: Record<string, unknown>) => JSON.stringify([{ when: { customers: ["C1"] } }, p]);
  it.each([
    ["not JSON", "[{", "SLA_POLICIES: not valid JSON"],
    ["not a list", '{"dispatchedWithinHours":1}', "SLA_POLICIES: must be a JSON list of policies"],
    ["a policy that is not an object", "[1]", "SLA_POLICIES[0]: Invalid input: expected object, received number"],
    [
      "a misspelt check",
      policy({ dispatchWithinHours: 24 }),
      "SLA_POLICIES[1].dispatchWithinHours: unknown key (expected one of when, acknowledgedWithinHours, dispatchedWithinHours, firstScanWithinHours, deliveredByPromisedDate, exceptionOpenHours)",
    ],
    [
      "a misspelt condition",
      policy({ when: { serviceLevel: ["express"] } }),
      "SLA_POLICIES[1].when.serviceLevel: unknown key (expected one of serviceLevels, customers)",
    ],
    ["a condition routing has but policies do not", policy({ when: { countries: ["US"] } }), "SLA_POLICIES[1].when.countries: unknown key"],
    ["zero hours", policy({ dispatchedWithinHours: 0 }), "SLA_POLICIES[1].dispatchedWithinHours: must be a positive number"],
    ["negative hours", policy({ acknowledgedWithinHours: -1 }), "SLA_POLICIES[1].acknowledgedWithinHours: must be a positive number"],
    ["hours as a string", policy({ firstScanWithinHours: "24" }), "SLA_POLICIES[1].firstScanWithinHours: must be a positive number"],
    ["hours as null", policy({ exceptionOpenHours: null }), "SLA_POLICIES[1].exceptionOpenHours: must be a positive number"],
    ["hours beyond a year", policy({ dispatchedWithinHours: 1e20 }), "SLA_POLICIES[1].dispatchedWithinHours: must be at most 8784"],
    ["a flag that is not a boolean", policy({ deliveredByPromisedDate: "yes" }), "SLA_POLICIES[1].deliveredByPromisedDate: must be true or false"],
    ["an empty list of customers", policy({ when: { customers: [] } }), "SLA_POLICIES[1].when.customers: Too small"],
    ["a service level that is not a list", policy({ when: { serviceLevels: "express" } }), "SLA_POLICIES[1].when.serviceLevels: Invalid input"],
    [
      "a policy after a default (it could never apply)",
      JSON.stringify([STANDARD, EXPRESS]),
      'SLA_POLICIES[1]: never applies, SLA_POLICIES[0] has no "when" condition and applies to every order',
    ],
    ["a policy after an empty `when` (a default too)", JSON.stringify([{ when: {} }, STANDARD]), "SLA_POLICIES[1]: never applies"],
  ])("refuses %s, saying what and where", (_, text, message) => {
    const r = parseSlaPolicies(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it("lists every problem, not only the first", () => {
    const r = parseSlaPolicies(JSON.stringify([{ dispatchedWithinHours: 0, exceptionOpenHour: 2 }]));
    expect(r).toEqual({
      ok: false,
      error: expect.stringMatching(/SLA_POLICIES\[0\]\.dispatchedWithinHours: .*; SLA_POLICIES\[0\]\.exceptionOpenHour: unknown key/),
    });
  });
});

describe("policyFor", () => {
  const VIP: SlaPolicy = { when: { customers: ["VIP"] }, dispatchedWithinHours: 2 };
  const policies = [VIP, EXPRESS, STANDARD];
  it.each<[string, readonly SlaPolicy[], string, string | undefined, SlaPolicy | null]>([
    ["a service level listed", policies, "C1", "express", EXPRESS],
    ["a service level in another case (ERPs spell them differently)", policies, "C1", "EXPRESS", EXPRESS],
    ["another service level: the default", policies, "C1", "standard", STANDARD],
    ["no service level: the default", policies, "C1", undefined, STANDARD],
    ["first match wins: a VIP express order gets the VIP policy", policies, "VIP", "express", VIP],
    ["customer ids compare exactly", policies, "vip", undefined, STANDARD],
    ["no policy matches: no SLA", [VIP, EXPRESS], "C1", "standard", null],
    ["no policies: no SLA", [], "C1", "express", null],
  ])("%s", (_, list, customerId, serviceLevel, expected) => {
    expect(policyFor(list, customerId, serviceLevel)).toBe(expected);
  });
});

// ---- Clocks over folded orders ----

const POLICY: SlaPolicy = {
  acknowledgedWithinHours: 2,
  dispatchedWithinHours: 24,
  firstScanWithinHours: 12,
  deliveredByPromisedDate: true,
  exceptionOpenHours: 48,
};
type Request = { partner: string; acknowledgedAt: string | null; cancelledAt: string | null };

const release = (order: Partial<OrderDetails> = {}, occurredAt = at(8), eventId = "release") =>
  ev("order.released", occurredAt, {
    eventId,
    source: "erp",
    order: { customerId: "C1", lines: [{ sku: "A", quantity: 2 }], shipTo: { country: "US" }, ...order },
  });
const tpl = (code: CanonicalEvent["code"], t: string, extra: Partial<CanonicalEvent> = {}) => ev(code, t, { source: "acme-3pl", ...extra });
const scan = (code: CanonicalEvent["code"], t: string, shipmentId = "S1", extra: Partial<CanonicalEvent> = {}) =>
  ship(code, t, shipmentId, { source: "ups", ...extra });
const dispatched = (t: string, shipmentId = "S1", extra: Partial<CanonicalEvent> = {}) =>
  ship("shipment.dispatched", t, shipmentId, { source: "acme-3pl", ...extra });

function clocksOf(events: CanonicalEvent[], requests: Request[] = [], policy: SlaPolicy | null = POLICY): SlaClock[] {
  return slaClocks(slaInput(fold(ORDER, events), events, requests), policy);
}
/** [id, startedAt, dueAt, metAt]: a clock as a row of the tables below. */
type Row = [string, string, string, string | null];
const rows = (clocks: SlaClock[]): Row[] => clocks.map((c) => [c.id, c.startedAt, c.dueAt, c.metAt]);
const only = (id: string, clocks: SlaClock[]) => rows(clocks).filter(([i]) => i === id);

describe("slaClocks: acknowledged", () => {
  it.each<[string, CanonicalEvent[], Request[], string | null]>([
    ["unmet on release alone", [release()], [], null],
    [
      "without requests: the first report from anyone but the ERP",
      [release(), tpl("fulfillment.picked", at(9)), tpl("fulfillment.acknowledged", at(9, 30))],
      [],
      at(9),
    ],
    ["without requests: a carrier's scan counts too", [release(), scan("shipment.in_transit", at(11))], [], at(11)],
    ["a second release from the ERP is not an acknowledgement", [release(), release({}, at(9), "release-2")], [], null],
    [
      "with requests: not until every request is acknowledged",
      [release(), scan("shipment.in_transit", at(9))],
      [
        { partner: "acme-3pl", acknowledgedAt: at(9), cancelledAt: null },
        { partner: "edi", acknowledgedAt: null, cancelledAt: null },
      ],
      null,
    ],
    [
      "with requests: when the last of them is acknowledged",
      [release()],
      [
        { partner: "acme-3pl", acknowledgedAt: at(9, 30), cancelledAt: null },
        { partner: "edi", acknowledgedAt: at(9), cancelledAt: null },
      ],
      at(9, 30),
    ],
    [
      "with requests: a cancelled request is not waited for",
      [release()],
      [
        { partner: "acme-3pl", acknowledgedAt: at(9), cancelledAt: null },
        { partner: "edi", acknowledgedAt: null, cancelledAt: at(9) },
      ],
      at(9),
    ],
  ])("%s", (_, events, requests, metAt) => {
    expect(only("acknowledged", clocksOf(events, requests))).toEqual([["acknowledged", at(8), at(10), metAt]]);
  });
});

describe("slaClocks: dispatched and first_scan", () => {
  it.each<[string, CanonicalEvent[], Row[]]>([
    ["release alone: dispatched runs, first_scan has not started", [release()], [["dispatched", at(8), at(32), null]]],
    [
      "dispatch starts first_scan; a label scan is not a carrier scan",
      [release(), dispatched(at(10)), scan("shipment.label_created", at(11))],
      [
        ["dispatched", at(8), at(32), at(10)],
        ["first_scan", at(10), at(22), null],
      ],
    ],
    [
      "the first scan past dispatch meets first_scan",
      [release(), dispatched(at(10)), scan("shipment.in_transit", at(15)), scan("shipment.out_for_delivery", at(14))],
      [
        ["dispatched", at(8), at(32), at(10)],
        ["first_scan", at(10), at(22), at(14)],
      ],
    ],
    [
      "a delivery is a scan past dispatch",
      [release(), dispatched(at(10)), scan("shipment.delivered", at(30))],
      [
        ["dispatched", at(8), at(32), at(10)],
        ["first_scan", at(10), at(22), at(30)],
      ],
    ],
    [
      "two shipments: the earliest dispatch and the earliest scan of either",
      [release({ lines: [{ sku: "A", quantity: 1 }] }), dispatched(at(14), "S1"), dispatched(at(12), "S2"), scan("shipment.in_transit", at(16), "S1")],
      [
        ["dispatched", at(8), at(32), at(12)],
        ["first_scan", at(12), at(24), at(16)],
      ],
    ],
    [
      "no dispatch report: the carrier's scan shows the parcel left",
      [release(), scan("shipment.in_transit", at(13))],
      [
        ["dispatched", at(8), at(32), at(13)],
        ["first_scan", at(13), at(25), at(13)],
      ],
    ],
    [
      "a scan dated before the dispatch report (another clock) bounds the dispatch",
      [release(), dispatched(at(14)), scan("shipment.in_transit", at(13))],
      [
        ["dispatched", at(8), at(32), at(13)],
        ["first_scan", at(13), at(25), at(13)],
      ],
    ],
  ])("%s", (_, events, expected) => {
    expect(rows(clocksOf(events)).filter(([id]) => id === "dispatched" || id === "first_scan")).toEqual(expected);
  });
});

describe("slaClocks: delivered", () => {
  const promised = (over: Partial<OrderDetails> = {}) => release({ promisedDate: "2026-11-21", ...over });
  it.each<[string, CanonicalEvent[], Row[]]>([
    ["no promised date: no clock", [release(), dispatched(at(10))], []],
    [
      "a promised day is due at its end, UTC; unmet while on the way",
      [promised(), dispatched(at(10))],
      [["delivered", at(8), "2026-11-22T00:00:00.000Z", null]],
    ],
    [
      "met when the order is delivered",
      [promised(), dispatched(at(10)), scan("shipment.delivered", at(30))],
      [["delivered", at(8), "2026-11-22T00:00:00.000Z", at(30)]],
    ],
    [
      "a partial delivery does not meet it",
      [promised(), dispatched(at(10), "S1", { lines: [{ sku: "A", quantity: 1 }] }), scan("shipment.delivered", at(30), "S1")],
      [["delivered", at(8), "2026-11-22T00:00:00.000Z", null]],
    ],
    [
      "an order returned by the customer stays delivered",
      [promised(), dispatched(at(10)), scan("shipment.delivered", at(30)), tpl("return.received", at(60), { returnId: "R1" })],
      [["delivered", at(8), "2026-11-22T00:00:00.000Z", at(30)]],
    ],
    [
      "an order returned to sender was never delivered",
      [promised(), dispatched(at(10)), scan("shipment.returned_to_sender", at(30))],
      [["delivered", at(8), "2026-11-22T00:00:00.000Z", null]],
    ],
  ])("%s", (_, events, expected) => {
    expect(only("delivered", clocksOf(events))).toEqual(expected);
  });

  const input: SlaInput = {
    releasedAt: at(8),
    cancelled: false,
    acknowledgedAt: null,
    dispatchedAt: null,
    firstScanAt: null,
    promisedDate: null,
    deliveredAt: null,
    openExceptions: [],
  };
  it.each<[string, string, string[]]>([
    ["a promised instant is due at that instant", "2026-11-21T15:30:00+02:00", ["2026-11-21T13:30:00.000Z"]],
    ["a day that does not exist has no clock", "2026-02-30", []],
  ])("%s", (_, promisedDate, dues) => {
    expect(slaClocks({ ...input, promisedDate }, { deliveredByPromisedDate: true }).map((c) => c.dueAt)).toEqual(dues);
  });
});

describe("slaClocks: exception_open", () => {
  const exception = scan("shipment.exception", at(12), "S1", { reason: "address_issue" });
  it.each<[string, CanonicalEvent[], (Row & { subject?: string })[]]>([
    [
      "one clock per open exception, from when it was raised",
      [release(), dispatched(at(10)), exception],
      [[`exception_open:${exception.eventId}`, at(12), at(60), null]],
    ],
    ["closed by later progress: no clock", [release(), dispatched(at(10)), exception, scan("shipment.in_transit", at(13))], []],
    [
      "a return to sender is customer-visible",
      [release(), dispatched(at(10)), scan("shipment.returned_to_sender", at(20), "S1", { eventId: "rts" })],
      [["exception_open:rts", at(20), at(68), null]],
    ],
    // Lines that disagree with the order: an internal discrepancy (INTERNAL_EXCEPTIONS), not a customer's problem.
    ["an internal exception has no clock", [release(), dispatched(at(10), "S1", { lines: [{ sku: "Z", quantity: 2 }] })], []],
  ])("%s", (_, events, expected) => {
    const clocks = clocksOf(events).filter((c) => c.check === "exception_open");
    expect(rows(clocks)).toEqual(expected);
    for (const c of clocks) expect(c.subject).toBe("S1");
  });
});

describe("slaClocks: which clocks exist", () => {
  it.each<[string, CanonicalEvent[], SlaPolicy | null, string[]]>([
    ["not released yet: none (whose promise is not known)", [dispatched(at(10))], POLICY, []],
    ["cancelled before dispatch: none", [release(), ev("order.cancelled", at(9), { source: "erp" })], POLICY, []],
    [
      "cancelled after dispatch: none (nothing about it is late)",
      [release(), dispatched(at(10)), ev("order.cancelled", at(11), { source: "erp" })],
      POLICY,
      [],
    ],
    ["no policy: none", [release()], null, []],
    ["a policy without checks: none", [release()], {}, []],
    ["only the checks the policy names", [release({ promisedDate: "2026-11-25" }), dispatched(at(10))], { dispatchedWithinHours: 4 }, ["dispatched"]],
    [
      "every check the policy names, once started",
      [release({ promisedDate: "2026-11-25" }), dispatched(at(10)), scan("shipment.exception", at(12), "S1", { eventId: "x1" })],
      POLICY,
      ["acknowledged", "dispatched", "first_scan", "delivered", "exception_open:x1"],
    ],
  ])("%s", (_, events, policy, ids) => {
    expect(clocksOf(events, [], policy).map((c) => c.id)).toEqual(ids);
  });

  it("counts fractional hours to the minute", () => {
    expect(only("dispatched", clocksOf([release()], [], { dispatchedWithinHours: 0.5 }))).toEqual([["dispatched", at(8), at(8, 30), null]]);
  });
});

// ---- Breaches ----

const clock = (id: string, dueAt: string, metAt: string | null = null, extra: Partial<SlaClock> = {}): SlaClock => ({
  id,
  check: "dispatched",
  startedAt: at(8),
  dueAt,
  metAt,
  ...extra,
});
const breach = (id: string, dueAt: string, resolvedAt: string | null = null, extra: Partial<SlaBreach> = {}): SlaBreach => ({
  id,
  check: "dispatched",
  dueAt,
  breachedAt: dueAt,
  resolvedAt,
  ...extra,
});
const now = (iso: string) => Date.parse(iso);

/** The recorded breaches after an evaluation: new ones added, resolved ones replaced (as the OrderDO stores them). */
function record(recorded: readonly SlaBreach[], r: SlaEvaluation): SlaBreach[] {
  const byId = new Map(recorded.map((b) => [b.id, b]));
  for (const b of [...r.breached, ...r.resolved]) byId.set(b.id, b);
  return [...byId.values()];
}

describe("evaluateSla", () => {
  it.each<[string, SlaClock[], SlaBreach[], string, SlaEvaluation]>([
    [
      "before any deadline: nothing, and the alarm for the earliest unmet clock",
      [clock("a", at(12)), clock("b", at(10)), clock("c", at(9), at(8, 30))],
      [],
      at(9, 30),
      { breached: [], resolved: [], nextDeadline: now(at(10)) },
    ],
    [
      "a deadline reached unmet: breached as of its due time",
      [clock("a", at(10))],
      [],
      at(10),
      { breached: [breach("a", at(10))], resolved: [], nextDeadline: null },
    ],
    [
      "breached well after the deadline: still as of the due time (evaluations agree)",
      [clock("a", at(10)), clock("b", at(20))],
      [],
      at(13),
      { breached: [breach("a", at(10))], resolved: [], nextDeadline: now(at(20)) },
    ],
    ["met on time: nothing to say, no alarm", [clock("a", at(10), at(9, 59))], [], at(15), { breached: [], resolved: [], nextDeadline: null }],
    [
      "met late before any evaluation ran: breached and resolved in one record",
      [clock("a", at(10), at(11), { check: "first_scan" })],
      [],
      at(12),
      { breached: [breach("a", at(10), at(11), { check: "first_scan" })], resolved: [], nextDeadline: null },
    ],
    [
      "met exactly at the deadline is late",
      [clock("a", at(10), at(10))],
      [],
      at(12),
      { breached: [breach("a", at(10), at(10))], resolved: [], nextDeadline: null },
    ],
    [
      "a recorded breach whose clock is met: resolved when it was met",
      [clock("a", at(10), at(14))],
      [breach("a", at(10))],
      at(15),
      { breached: [], resolved: [breach("a", at(10), at(14))], nextDeadline: null },
    ],
    [
      "met by a fact dated before the deadline but reported late: resolved at that fact (a false alarm, visible as such)",
      [clock("a", at(10), at(9))],
      [breach("a", at(10))],
      at(15),
      { breached: [], resolved: [breach("a", at(10), at(9))], nextDeadline: null },
    ],
    [
      "a recorded breach whose clock went away (order cancelled, exception closed): resolved now",
      [],
      [breach("exception_open:x1", at(10), null, { check: "exception_open", subject: "S1" })],
      at(15),
      { breached: [], resolved: [breach("exception_open:x1", at(10), at(15), { check: "exception_open", subject: "S1" })], nextDeadline: null },
    ],
    [
      "a recorded breach still open: neither raised again nor an alarm",
      [clock("a", at(10)), clock("b", at(20))],
      [breach("a", at(10))],
      at(15),
      { breached: [], resolved: [], nextDeadline: now(at(20)) },
    ],
    [
      "a resolved breach is never raised again",
      [clock("a", at(10))],
      [breach("a", at(10), at(12))],
      at(15),
      { breached: [], resolved: [], nextDeadline: null },
    ],
    ["a resolved breach whose clock went away: nothing", [], [breach("a", at(10), at(12))], at(15), { breached: [], resolved: [], nextDeadline: null }],
  ])("%s", (_, clocks, recorded, t, expected) => {
    expect(evaluateSla(clocks, recorded, now(t))).toEqual(expected);
  });

  it("keeps the subject of an exception's clock", () => {
    const c = clock("exception_open:x1", at(10), null, { check: "exception_open", subject: "S1" });
    expect(evaluateSla([c], [], now(at(11))).breached).toEqual([breach("exception_open:x1", at(10), null, { check: "exception_open", subject: "S1" })]);
  });

  it("returns nothing new when evaluated again with its result recorded", () => {
    const clocks = [clock("a", at(10)), clock("b", at(10), at(11)), clock("c", at(20))];
    const first = evaluateSla(clocks, [breach("gone", at(9))], now(at(12)));
    expect(first.breached.map((b) => b.id)).toEqual(["a", "b"]);
    expect(first.resolved.map((b) => b.id)).toEqual(["gone"]);
    expect(evaluateSla(clocks, record([breach("gone", at(9))], first), now(at(12)))).toEqual({ breached: [], resolved: [], nextDeadline: now(at(20)) });
  });
});

describe("an order's SLA over its life (given / when / then)", () => {
  const policy = policyFor([EXPRESS, STANDARD], "C1", "express");
  const evaluate = (events: CanonicalEvent[], recorded: SlaBreach[], t: string) => evaluateSla(clocksOf(events, [], policy), recorded, now(t));

  it("alarms at the dispatch deadline, breaches once, and resolves when the parcel leaves", () => {
    const history = [release({ serviceLevel: "express" }), tpl("fulfillment.acknowledged", at(8, 30))];
    const atRelease = evaluate(history, [], at(8, 45));
    expect(atRelease).toEqual({ breached: [], resolved: [], nextDeadline: now(at(16)) });

    const atDeadline = evaluate(history, [], at(16));
    expect(atDeadline.breached).toEqual([breach("dispatched", at(16))]);
    const recorded = record([], atDeadline);
    expect(evaluate(history, recorded, at(17))).toEqual({ breached: [], resolved: [], nextDeadline: null });

    const later = evaluate([...history, dispatched(at(18))], recorded, at(18, 5));
    expect(later).toEqual({ breached: [], resolved: [breach("dispatched", at(16), at(18))], nextDeadline: now(at(30)) });
  });

  it("resolves an open breach when the order is cancelled", () => {
    const history = [release({ serviceLevel: "express" })];
    const recorded = record([], evaluate(history, [], at(10)));
    expect(recorded.map((b) => b.id)).toEqual(["acknowledged"]);
    expect(evaluate([...history, ev("order.cancelled", at(11), { source: "erp" })], recorded, at(11, 5))).toEqual({
      breached: [],
      resolved: [breach("acknowledged", at(9), at(11, 5), { check: "acknowledged" })],
      nextDeadline: null,
    });
  });
});

describe("describeBreach", () => {
  it.each<[string, SlaBreach, SlaPolicy | undefined, string]>([
    [
      "dispatched, with the policy's hours",
      breach("dispatched", "2026-12-03T14:00:00.000Z"),
      STANDARD,
      "Order O-1: not dispatched within 24 h of release (due 2026-12-03 14:00 UTC)",
    ],
    [
      "without the policy",
      breach("dispatched", "2026-12-03T14:00:00.000Z"),
      undefined,
      "Order O-1: not dispatched in time after release (due 2026-12-03 14:00 UTC)",
    ],
    [
      "acknowledged, met late",
      breach("acknowledged", at(9), at(9, 40), { check: "acknowledged" }),
      EXPRESS,
      "Order O-1: not acknowledged within 1 h of release (due 2026-11-20 09:00 UTC; resolved 2026-11-20 09:40 UTC)",
    ],
    [
      "first scan",
      breach("first_scan", at(20), null, { check: "first_scan" }),
      { firstScanWithinHours: 1.5 },
      "Order O-1: no carrier scan within 1.5 h of dispatch (due 2026-11-20 20:00 UTC)",
    ],
    [
      "delivered: the day promised",
      breach("delivered", "2026-11-22T00:00:00.000Z", null, { check: "delivered" }),
      STANDARD,
      "Order O-1: not delivered by the promised date (due end of 2026-11-21 UTC)",
    ],
    [
      "an exception",
      breach("exception_open:x1", at(20), null, { check: "exception_open", subject: "SHP-9" }),
      STANDARD,
      "Order O-1: exception on shipment SHP-9 not resolved within 48 h of being raised (due 2026-11-20 20:00 UTC)",
    ],
  ])("%s", (_, b, policy, text) => {
    expect(describeBreach("O-1", b, policy)).toBe(text);
  });
});

describe("property: evaluateSla is idempotent", () => {
  const BASE = Date.UTC(2026, 10, 20);
  const time = fc.integer({ min: 0, max: 96 * 60 }).map((m) => new Date(BASE + m * 60_000).toISOString());
  const ids = fc.constantFrom("acknowledged", "dispatched", "first_scan", "delivered", "exception_open:x1", "exception_open:x2");
  const clocks = fc.uniqueArray(
    fc.record({ id: ids, check: fc.constantFrom(...SLA_CHECKS), startedAt: time, dueAt: time, metAt: fc.option(time, { nil: null }) }),
    { selector: (c) => c.id },
  );
  const recorded = fc.uniqueArray(
    fc.record({ id: ids, check: fc.constantFrom(...SLA_CHECKS), dueAt: time, breachedAt: time, resolvedAt: fc.option(time, { nil: null }) }),
    { selector: (b) => b.id },
  );
  const instant = fc.integer({ min: 0, max: 96 * 60 }).map((m) => BASE + m * 60_000);

  it("with its result recorded, the same evaluation (and any later one) raises nothing already raised", () => {
    fc.assert(
      fc.property(clocks, recorded, instant, fc.integer({ min: 0, max: 96 * 60 }), (cs, rs, t, later) => {
        const first = evaluateSla(cs, rs, t);
        const after = record(rs, first);
        expect(evaluateSla(cs, after, t)).toEqual({ breached: [], resolved: [], nextDeadline: first.nextDeadline });
        // New breaches are new, the alarm is never in the past, and a later evaluation never repeats a breach.
        for (const b of first.breached) expect(rs.some((r) => r.id === b.id)).toBe(false);
        if (first.nextDeadline !== null) expect(first.nextDeadline).toBeGreaterThan(t);
        const next = evaluateSla(cs, after, t + later * 60_000);
        for (const b of next.breached) expect(after.some((r) => r.id === b.id)).toBe(false);
      }),
    );
  });
});
