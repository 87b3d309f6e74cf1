// SLA policies as pure rules: which promises apply to an order (`SLA_POLICIES`, the first policy whose `when`
// matches), the clocks those promises run on the order's facts, and which deadlines were missed or made good.
// No I/O and no clock of its own: `now` is an argument, so every evaluation of the same facts agrees.
import { z } from "zod";
import type { CanonicalEvent } from "./event";
import { SHIPMENT_PROGRESS } from "./milestones";
import { matchesOrder, OrderCondition } from "./routing";
import { compareEvents, INTERNAL_EXCEPTIONS, type OrderState } from "./state";

const HOUR_MS = 3_600_000;
/** The longest deadline a policy may set: a year. More is a unit mistake (minutes for hours), and far enough beyond it no Date can hold. */
const MAX_HOURS = 24 * 366;
const POSITIVE = "must be a positive number";
const Hours = z
  .number({ error: POSITIVE })
  .positive({ error: POSITIVE })
  .max(MAX_HOURS, { error: `must be at most ${MAX_HOURS} (a year of hours)` });

/** One policy; every check is optional, and a check left out is not measured. Strict: a misspelt check must not silently disable an SLA. */
export const SlaPolicy = z
  .object({
    when: OrderCondition.optional(),
    acknowledgedWithinHours: Hours.optional(),
    dispatchedWithinHours: Hours.optional(),
    firstScanWithinHours: Hours.optional(),
    deliveredByPromisedDate: z.boolean({ error: "must be true or false" }).optional(),
    exceptionOpenHours: Hours.optional(),
  })
  .strict();
export type SlaPolicy = z.infer<typeof SlaPolicy>;
const SlaPolicies = z.array(SlaPolicy, { error: "must be a JSON list of policies" }).max(200);

/** What we ship in wrangler.toml: express orders get tighter deadlines, every other order the default. */
export const DEFAULT_SLA_POLICIES_JSON = JSON.stringify([
  {
    when: { serviceLevels: ["express"] },
    acknowledgedWithinHours: 1,
    dispatchedWithinHours: 8,
    firstScanWithinHours: 12,
    deliveredByPromisedDate: true,
    exceptionOpenHours: 24,
  },
  { acknowledgedWithinHours: 4, dispatchedWithinHours: 24, firstScanWithinHours: 24, deliveredByPromisedDate: true, exceptionOpenHours: 48 },
] satisfies SlaPolicy[]);

export type SlaPoliciesResult = { ok: true; policies: SlaPolicy[] } | { ok: false; error: string };

const where = (path: readonly PropertyKey[]) => `SLA_POLICIES${path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;

/**
 * Parses `SLA_POLICIES`. The error names every problem and where it is (`SLA_POLICIES[1].dispatchedWithinHours:
 * must be a positive number`), for startup and `npm run check` to report as is. Unset or blank: no policies.
 */
export function parseSlaPolicies(text: string | undefined): SlaPoliciesResult {
  if (text === undefined || text.trim() === "") return { ok: true, policies: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: "SLA_POLICIES: not valid JSON" };
  }
  const parsed = SlaPolicies.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      if (issue.code !== "unrecognized_keys") return [`${where(issue.path)}: ${issue.message}`];
      const known = Object.keys(issue.path.at(-1) === "when" ? OrderCondition.shape : SlaPolicy.shape).join(", ");
      return issue.keys.map((k) => `${where([...issue.path, k])}: unknown key (expected one of ${known})`);
    });
    return { ok: false, error: problems.join("; ") };
  }
  // A policy that matches every order ends the list: any policy after it could never apply, which is
  // almost always a default put first by mistake (and it would silently disable the later SLAs).
  const catchAll = parsed.data.findIndex((p) => !p.when || Object.keys(p.when).length === 0);
  if (catchAll !== -1 && catchAll < parsed.data.length - 1) {
    return { ok: false, error: `${where([catchAll + 1])}: never applies, ${where([catchAll])} has no "when" condition and applies to every order` };
  }
  return { ok: true, policies: parsed.data };
}

/** The policy for an order: the first whose `when` matches (the conditions of the fulfilment routes); null: no SLA. */
export function policyFor(policies: readonly SlaPolicy[], customerId: string, serviceLevel?: string | undefined): SlaPolicy | null {
  return policies.find((p) => matchesOrder(p.when, { customerId, serviceLevel })) ?? null;
}

export const SLA_CHECKS = ["acknowledged", "dispatched", "first_scan", "delivered", "exception_open"] as const;
export type SlaCheck = (typeof SLA_CHECKS)[number];

/** One running promise. `id` is stable per order (`exception_open:<exceptionId>` for an exception): breaches are keyed by it. */
export interface SlaClock {
  id: string;
  check: SlaCheck;
  /** What the clock is about, for people: the shipment of an exception. */
  subject?: string;
  startedAt: string;
  /** The first late instant: met at `dueAt` or after is late. */
  dueAt: string;
  metAt: string | null;
}

export interface SlaBreach {
  id: string;
  check: SlaCheck;
  subject?: string;
  dueAt: string;
  /** When the clock became late: its `dueAt`, whenever the breach was noticed (so evaluations agree). */
  breachedAt: string;
  /**
   * When the promise was kept after all (the clock's `metAt`; before `dueAt` if the fact was on time but
   * reported late), or when the clock went away (order cancelled, exception closed). Null: still open.
   */
  resolvedAt: string | null;
}

/** The facts the clocks read, derived from the order by `slaInput`. */
export interface SlaInput {
  releasedAt: string | null;
  cancelled: boolean;
  acknowledgedAt: string | null;
  dispatchedAt: string | null;
  firstScanAt: string | null;
  /** `YYYY-MM-DD` (due at the end of that day, UTC) or an instant. */
  promisedDate: string | null;
  deliveredAt: string | null;
  /** Open exceptions the customer can see (internal discrepancies are ops' business, not a promise). */
  openExceptions: { id: string; openedAt: string; shipmentId?: string }[];
}

const ms = (iso: string) => Date.parse(iso);
const isoOf = (t: number) => new Date(t).toISOString();
const pick = (times: readonly (string | null | undefined)[], better: (a: number, b: number) => boolean): string | null => {
  let best: string | null = null;
  for (const t of times) if (t && (best === null || better(ms(t), ms(best)))) best = t;
  return best;
};
const earliest = (times: readonly (string | null | undefined)[]) => pick(times, (a, b) => a < b);
const latest = (times: readonly (string | null | undefined)[]) => pick(times, (a, b) => a > b);

const DISPATCHED_RANK = SHIPMENT_PROGRESS["shipment.dispatched"]?.rank ?? 2;

/**
 * The order's SLA facts. `requests`: its fulfillment requests as `fulfillmentRows` reports them (a partner's
 * acknowledgement is its first report on the order).
 */
export function slaInput(
  state: OrderState,
  events: readonly CanonicalEvent[],
  requests: readonly { partner: string; acknowledgedAt: string | null; cancelledAt: string | null }[],
): SlaInput {
  // The release the fold keeps: the first, in the fold's order, that carries the order.
  const release = events.filter((e) => e.code === "order.released" && e.order).sort(compareEvents)[0];
  // With requests, the order is acknowledged when every partner still asked has answered; without (this
  // deployment does not route fulfilment), the first report from anyone but the ERP shows someone has it.
  const live = requests.filter((r) => r.cancelledAt === null);
  const acknowledgedAt =
    live.length > 0
      ? live.every((r) => r.acknowledgedAt !== null)
        ? latest(live.map((r) => r.acknowledgedAt))
        : null
      : earliest(events.filter((e) => e.code !== "order.released" && e.code !== "order.cancelled").map((e) => e.occurredAt));
  // The first scan past dispatch, from the timeline: it holds every event, whereas a shipment's lastEvent
  // keeps only its latest scan (the first is lost once a second arrives). Any reporter counts: 3PLs relay
  // carrier scans, and parcels merged across names would make per-shipment attribution guesswork.
  const firstScanAt = earliest(state.timeline.filter((t) => (SHIPMENT_PROGRESS[t.code]?.rank ?? 0) > DISPATCHED_RANK).map((t) => t.occurredAt));
  // A carrier scan proves the parcel left even when the dispatch report is missing or dated later (an EDI
  // warehouse's clock), so the first scan also bounds the dispatch: first_scan then never starts after it ends.
  const dispatchedAt = earliest([...state.shipments.map((s) => s.dispatchedAt), firstScanAt]);
  // Delivered in full; an order returned by the customer had been delivered (its latest delivery), one
  // returned to sender without any delivery never was.
  const deliveredAt =
    state.status === "delivered"
      ? (state.statusAt ?? latest(state.shipments.map((s) => s.deliveredAt)))
      : state.status === "returned"
        ? latest(state.shipments.map((s) => s.deliveredAt))
        : null;
  return {
    releasedAt: state.details && release ? release.occurredAt : null,
    cancelled: state.cancelled,
    acknowledgedAt,
    dispatchedAt,
    firstScanAt,
    promisedDate: state.details?.promisedDate ?? null,
    deliveredAt,
    openExceptions: state.exceptions
      .filter((x) => x.open && !INTERNAL_EXCEPTIONS.has(x.kind))
      .map((x) => ({ id: x.id, openedAt: x.occurredAt, ...(x.shipmentId ? { shipmentId: x.shipmentId } : {}) })),
  };
}

/** The end of a promised date: a `YYYY-MM-DD` day ends at the next midnight UTC; an instant is itself. Null if neither. */
function promisedEnd(promised: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(promised)) {
    const start = ms(`${promised}T00:00:00.000Z`);
    // Date.parse rolls 2026-02-30 over to March: only a real day has a deadline.
    return Number.isNaN(start) || isoOf(start).slice(0, 10) !== promised ? null : isoOf(start + 24 * HOUR_MS);
  }
  const t = ms(promised);
  return Number.isNaN(t) ? null : isoOf(t);
}

/**
 * The clocks the policy runs on the order, one per check that applies and has started. None before the
 * release (whose promise it would be is not known) and none for a cancelled order, even one cancelled after
 * dispatch: the customer no longer expects anything of it, so nothing about it can be late.
 */
export function slaClocks(input: SlaInput, policy: SlaPolicy | null | undefined): SlaClock[] {
  if (!policy || input.cancelled || input.releasedAt === null) return [];
  const clocks: SlaClock[] = [];
  const within = (id: string, check: SlaCheck, startedAt: string, hours: number, metAt: string | null, subject?: string) =>
    clocks.push({ id, check, ...(subject ? { subject } : {}), startedAt, dueAt: isoOf(ms(startedAt) + Math.round(hours * HOUR_MS)), metAt });

  if (policy.acknowledgedWithinHours !== undefined) {
    within("acknowledged", "acknowledged", input.releasedAt, policy.acknowledgedWithinHours, input.acknowledgedAt);
  }
  if (policy.dispatchedWithinHours !== undefined) within("dispatched", "dispatched", input.releasedAt, policy.dispatchedWithinHours, input.dispatchedAt);
  if (policy.firstScanWithinHours !== undefined && input.dispatchedAt !== null) {
    within("first_scan", "first_scan", input.dispatchedAt, policy.firstScanWithinHours, input.firstScanAt);
  }
  const promisedBy = policy.deliveredByPromisedDate && input.promisedDate ? promisedEnd(input.promisedDate) : null;
  if (promisedBy) clocks.push({ id: "delivered", check: "delivered", startedAt: input.releasedAt, dueAt: promisedBy, metAt: input.deliveredAt });
  // Only open exceptions have a clock: the order keeps no closing time, so a closed one's clock goes away
  // (which resolves its breach) rather than being met.
  if (policy.exceptionOpenHours !== undefined) {
    for (const x of input.openExceptions) within(`exception_open:${x.id}`, "exception_open", x.openedAt, policy.exceptionOpenHours, null, x.shipmentId);
  }
  return clocks;
}

export interface SlaEvaluation {
  /** New breaches, to record and alert once each; a clock met late arrives here already resolved. */
  breached: SlaBreach[];
  /** Recorded open breaches now resolved: their clock is met, or gone (order cancelled, exception closed). */
  resolved: SlaBreach[];
  /** When to evaluate again (epoch ms): the earliest deadline of a clock neither met nor breached. */
  nextDeadline: number | null;
}

/**
 * Compares the clocks with the breaches already recorded at `now`. Safe to repeat: with its result recorded,
 * the same call returns nothing new. A clock id is breached at most once: a breach, once resolved, is never
 * raised again, so one late milestone is one alert.
 */
export function evaluateSla(clocks: readonly SlaClock[], recorded: readonly SlaBreach[], now: number): SlaEvaluation {
  const known = new Map(recorded.map((b) => [b.id, b]));
  const breached: SlaBreach[] = [];
  const resolved: SlaBreach[] = [];
  let nextDeadline: number | null = null;
  for (const c of clocks) {
    const due = ms(c.dueAt);
    const b = known.get(c.id);
    if (b) {
      if (b.resolvedAt === null && c.metAt !== null) resolved.push({ ...b, resolvedAt: c.metAt });
      continue;
    }
    // Met late but never recorded (the milestone arrived after the deadline, before an evaluation ran): it
    // was late all the same, so it is breached and resolved in one record, and alerted once.
    const late = c.metAt !== null ? ms(c.metAt) >= due : now >= due;
    if (late)
      breached.push({ id: c.id, check: c.check, ...(c.subject ? { subject: c.subject } : {}), dueAt: c.dueAt, breachedAt: c.dueAt, resolvedAt: c.metAt });
    else if (c.metAt === null && (nextDeadline === null || due < nextDeadline)) nextDeadline = due;
  }
  const running = new Set(clocks.map((c) => c.id));
  for (const b of recorded) if (b.resolvedAt === null && !running.has(b.id)) resolved.push({ ...b, resolvedAt: isoOf(now) });
  return { breached, resolved, nextDeadline };
}

const minute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** One sentence for ops: `Order O-1: not dispatched within 24 h of release (due 2026-12-03 14:00 UTC)`. */
export function describeBreach(orderId: string, breach: SlaBreach, policy?: SlaPolicy | null): string {
  const span = (hours: number | undefined, from: string) => (hours !== undefined ? `within ${hours} h of ${from}` : `in time after ${from}`);
  const what: Record<SlaCheck, () => string> = {
    acknowledged: () => `not acknowledged ${span(policy?.acknowledgedWithinHours, "release")}`,
    dispatched: () => `not dispatched ${span(policy?.dispatchedWithinHours, "release")}`,
    first_scan: () => `no carrier scan ${span(policy?.firstScanWithinHours, "dispatch")}`,
    delivered: () => "not delivered by the promised date",
    exception_open: () =>
      `${breach.subject ? `exception on shipment ${breach.subject}` : "exception"} not resolved ${span(policy?.exceptionOpenHours, "being raised")}`,
  };
  // A promised day is due at the next midnight: say "end of" the day promised, not the day after.
  const due =
    breach.check === "delivered" && breach.dueAt.endsWith("T00:00:00.000Z") ? `end of ${isoOf(ms(breach.dueAt) - 1).slice(0, 10)} UTC` : minute(breach.dueAt);
  return `Order ${orderId}: ${what[breach.check]()} (due ${due}${breach.resolvedAt ? `; resolved ${minute(breach.resolvedAt)}` : ""})`;
}
