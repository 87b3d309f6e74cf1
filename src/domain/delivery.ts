// One order's deliveries to ONE destination (the ERP, a 3PL, a subscriber) as a pure state machine:
// which command is next, who holds the delivery lease, when the next attempt is due, what is dead and why.
// State is plain JSON; every function returns a new state and its answer as data, never mutates its input,
// and takes time (`now`, epoch ms) and randomness (`random`) as arguments, so the Durable Object only
// loads, applies, persists in one transaction and acts (send, set the alarm), and tests need no clock.
//
// The rules, and why:
// - Only the head (the lowest unacknowledged seq) is ever leased: the destination sees an order's commands
//   in sequence and never two at once. A dead head blocks the commands behind it: per-order order beats
//   liveness for one order, and other orders are not affected (each has its own cursor).
// - Retries are bounded by time, never by count: a command dies only when the destination refused it
//   (a permanent failure) or when an attempt fails after the horizon (`horizonHours` after the command
//   became the head). The horizon starts at the head, not at the append, so a command that waited days
//   behind a slow predecessor still gets its full horizon; revive starts a fresh one.
// - The horizon is judged only when an attempt ends without success (a reported transient failure, or a
//   lease that lapsed without an answer): nothing dies merely because time passed while nobody looked,
//   so a late alarm always gets one more real attempt first.
// - Backoff is full jitter (delay uniform in [0, min(max, base·2^(attempts-1))]), never sooner than the
//   destination's Retry-After; Retry-After is capped at `maxSeconds`, so a destination cannot stretch how
//   late a waiting order resumes after it recovers (retrying early costs one more 429). The consumer's
//   `backoffSeconds` (src/erp/backoff.ts) is this draw in whole seconds.
// - A lease that lapses is a delivery that died mid-flight: the next claim re-leases the same command
//   under a new token (the lease already spaced the attempts). An ack or fail with any other token than the
//   current lease's is ignored: it comes from a delivery that lost its lease, and ignoring it is safe
//   because the destination dedupes by idempotency key (a redelivery of a command it has is a 409 "done").
// - Tokens come from a counter in the state, not from randomness: unique within the order (the only place
//   they are checked), deterministic in tests, and they survive a reload with the state.
// The idempotency key is built outside (`<orderId>:<seq>` for the ERP); `key` here is opaque.
import { positiveVar } from "./env-vars";

export type DeadReason = "refused" | "expired";

export interface DeliveryCommand {
  readonly seq: number;
  /** The caller's command key, handed back with every delivery; the cursor never interprets it. */
  readonly key: string;
  /** When it became the head (or was revived): the horizon runs from here. Null while it waits behind another. */
  readonly firstDueAt: number | null;
  /** Deliveries started (claims) since it became due or was revived. */
  readonly attempts: number;
  /** The earliest time the next attempt may start; null while it waits behind another. */
  readonly nextAttemptAt: number | null;
  readonly lastError: string | null;
  /** The destination's last answer (e.g. an HTTP status), for the dead letter; null for a network error. */
  readonly lastStatus: number | null;
  readonly deadAt: number | null;
  readonly deadReason: DeadReason | null;
  readonly ackedAt: number | null;
}

export interface DeliveryLease {
  readonly seq: number;
  readonly token: string;
  readonly until: number;
}

export interface DeliveryState {
  /** Ascending seq; acknowledged ones stay (the record of what the destination has), as an unbroken prefix. */
  readonly commands: readonly DeliveryCommand[];
  /** Held only ever on the head. */
  readonly lease: DeliveryLease | null;
  /** Leases issued so far: the source of unique tokens. */
  readonly leasesIssued: number;
}

export interface DeliveryPolicy {
  /** Full-jitter base: the first retry waits at most this. */
  readonly baseSeconds: number;
  /** No wait between two attempts is longer than this, whatever the attempt count or Retry-After. */
  readonly maxSeconds: number;
  /** An attempt that fails this long after the command became due makes it dead ("expired"). */
  readonly horizonHours: number;
  /** Longer than any delivery in flight, so a lease never lapses under a delivery that will still answer. */
  readonly leaseMs: number;
}

/** How one attempt ended without success; the ERP adapter's non-"done" outcomes fit as they are. */
export type DeliveryFailure =
  | { kind: "transient"; reason: string; status?: number | null; retryAfterSeconds?: number }
  | { kind: "permanent"; reason: string; status?: number | null };

export type Claim =
  /** Send command `seq` now, under `token`, before `leaseUntil`; `attempt` counts from 1. */
  | { status: "deliver"; seq: number; key: string; token: string; attempt: number; leaseUntil: number }
  /** The head retries at `until` (backoff). */
  | { status: "waiting"; seq: number; until: number }
  /** Another delivery of the head holds the lease until `until`; after that a claim takes over. */
  | { status: "leased"; seq: number; until: number }
  /** The head is dead: nothing moves until it is revived. */
  | { status: "blocked"; seq: number; reason: DeadReason }
  /** Nothing pending. */
  | { status: "done" };

export type AckOutcome = "acked" | "already-acked" | "stale";

export type FailOutcome = { status: "retry"; at: number } | { status: "dead"; reason: DeadReason } | { status: "stale" };

/** A caller broke the cursor's contract (a seq reused for another command, or appended out of order). */
export class DeliveryCursorError extends Error {
  override readonly name = "DeliveryCursorError";
}

const HOUR_MS = 3_600_000;
const LAPSED = "lease lapsed without an answer";

export const emptyDelivery = (): DeliveryState => ({ commands: [], lease: null, leasesIssued: 0 });

/** The lowest unacknowledged command (dead or not), or null when everything was acknowledged. */
export function head(state: DeliveryState): DeliveryCommand | null {
  return state.commands.find((c) => c.ackedAt === null) ?? null;
}

export function deadCommands(state: DeliveryState): DeliveryCommand[] {
  return state.commands.filter((c) => c.deadAt !== null);
}

/**
 * Adds commands to the end of the sequence. Safe to repeat: a seq already known with the same key is
 * skipped. A seq known under another key, or lower than the last one and unknown, is a contract breach
 * (the destination's view of the sequence could no longer be trusted) and throws.
 */
export function append(state: DeliveryState, commands: readonly { seq: number; key: string }[], now: number): { state: DeliveryState; appended: number[] } {
  const next = [...state.commands];
  const appended: number[] = [];
  for (const c of [...commands].sort((a, b) => a.seq - b.seq)) {
    if (!Number.isSafeInteger(c.seq) || c.seq < 1) throw new DeliveryCursorError(`seq ${c.seq} is not a positive integer`);
    const known = next.find((k) => k.seq === c.seq);
    if (known) {
      if (known.key !== c.key) throw new DeliveryCursorError(`seq ${c.seq} is already ${known.key}, not ${c.key}`);
      continue;
    }
    const last = next.at(-1)?.seq ?? 0;
    if (c.seq < last) throw new DeliveryCursorError(`seq ${c.seq} arrives after seq ${last}`);
    next.push({
      seq: c.seq,
      key: c.key,
      firstDueAt: null,
      attempts: 0,
      nextAttemptAt: null,
      lastError: null,
      lastStatus: null,
      deadAt: null,
      deadReason: null,
      ackedAt: null,
    });
    appended.push(c.seq);
  }
  return { state: { ...state, commands: becomeDue(next, now) }, appended };
}

/** Asks what to do about the head now; leases it when it is deliverable. */
export function claim(state: DeliveryState, now: number, policy: Pick<DeliveryPolicy, "horizonHours" | "leaseMs">): { state: DeliveryState; claim: Claim } {
  const h = head(state);
  if (!h) return { state, claim: { status: "done" } };
  if (h.deadAt !== null && h.deadReason !== null) return { state, claim: { status: "blocked", seq: h.seq, reason: h.deadReason } };
  const lease = state.lease;
  if (lease && lease.until > now) return { state, claim: { status: "leased", seq: h.seq, until: lease.until } };
  let current = h;
  if (lease) {
    // The delivery died mid-flight: that attempt ended, unanswered, when its lease lapsed.
    if (lease.until >= horizonEnd(h, policy, now)) {
      const dead = { ...h, lastError: LAPSED, deadAt: now, deadReason: "expired" as const };
      return { state: { ...state, commands: replace(state.commands, dead), lease: null }, claim: { status: "blocked", seq: h.seq, reason: "expired" } };
    }
    current = { ...h, lastError: LAPSED };
  } else if (h.nextAttemptAt !== null && h.nextAttemptAt > now) {
    return { state, claim: { status: "waiting", seq: h.seq, until: h.nextAttemptAt } };
  }
  const leasesIssued = state.leasesIssued + 1;
  const token = `${h.seq}.${leasesIssued}`;
  const until = now + policy.leaseMs;
  const leased = { ...current, attempts: current.attempts + 1 };
  return {
    state: { commands: replace(state.commands, leased), lease: { seq: h.seq, token, until }, leasesIssued },
    claim: { status: "deliver", seq: h.seq, key: h.key, token, attempt: leased.attempts, leaseUntil: until },
  };
}

/** The destination has command `seq`: the next one becomes the head, due at once. */
export function ack(state: DeliveryState, input: { seq: number; token: string }, now: number): { state: DeliveryState; outcome: AckOutcome } {
  const known = state.commands.find((c) => c.seq === input.seq);
  if (known?.ackedAt != null) return { state, outcome: "already-acked" };
  if (!known || !holds(state, input)) return { state, outcome: "stale" };
  const commands = replace(state.commands, { ...known, ackedAt: now, lastError: null, lastStatus: null });
  return { state: { ...state, commands: becomeDue(commands, now), lease: null }, outcome: "acked" };
}

/**
 * An attempt failed. Permanent: dead, "refused". Transient: the next attempt is scheduled with backoff,
 * unless the horizon has passed: dead, "expired".
 */
export function fail(
  state: DeliveryState,
  input: { seq: number; token: string; failure: DeliveryFailure },
  now: number,
  policy: DeliveryPolicy,
  random: () => number,
): { state: DeliveryState; outcome: FailOutcome } {
  const h = head(state);
  if (!h || h.seq !== input.seq || !holds(state, input)) return { state, outcome: { status: "stale" } };
  const { failure } = input;
  const failed = { ...h, lastError: failure.reason, lastStatus: failure.status ?? null };
  const reason: DeadReason | null = failure.kind === "permanent" ? "refused" : now >= horizonEnd(h, policy, now) ? "expired" : null;
  if (reason) {
    return {
      state: { ...state, commands: replace(state.commands, { ...failed, deadAt: now, deadReason: reason }), lease: null },
      outcome: { status: "dead", reason },
    };
  }
  const at = now + retryDelayMs(policy, h.attempts, failure.kind === "transient" ? failure.retryAfterSeconds : undefined, random);
  return { state: { ...state, commands: replace(state.commands, { ...failed, nextAttemptAt: at }), lease: null }, outcome: { status: "retry", at } };
}

/**
 * Gives up on command `seq` from outside an attempt: the queue's dead-letter path, whose messages kept
 * failing before they reached the order. Dead, "expired", whoever holds the lease (its answer is then stale,
 * and ignored). Safe to repeat: an acknowledged or already dead command is left alone.
 */
export function expire(state: DeliveryState, input: { seq: number; reason: string }, now: number): { state: DeliveryState; expired: boolean } {
  const c = state.commands.find((k) => k.seq === input.seq);
  if (!c || c.ackedAt !== null || c.deadAt !== null) return { state, expired: false };
  const dead = { ...c, lastError: input.reason, lastStatus: null, deadAt: now, deadReason: "expired" as const };
  const lease = state.lease?.seq === input.seq ? null : state.lease;
  return { state: { ...state, commands: replace(state.commands, dead), lease }, expired: true };
}

/**
 * Ops replay: the chosen dead commands (or all) are due now, with a fresh horizon and a fresh backoff
 * schedule. Safe to repeat: a command that is not dead is left alone.
 */
export function revive(state: DeliveryState, which: readonly number[] | "all", now: number): { state: DeliveryState; revived: number[] } {
  const revived: number[] = [];
  const commands = state.commands.map((c) => {
    if (c.deadAt === null || (which !== "all" && !which.includes(c.seq))) return c;
    revived.push(c.seq);
    return { ...c, deadAt: null, deadReason: null, attempts: 0, firstDueAt: null, nextAttemptAt: null };
  });
  return revived.length === 0 ? { state, revived } : { state: { ...state, commands: becomeDue(commands, now) }, revived };
}

/**
 * The destination answers again (another order's delivery went through): a head waiting out its backoff
 * is due now instead. Attempts and the horizon are untouched, so a false alarm costs one attempt.
 */
export function wake(state: DeliveryState, now: number): DeliveryState {
  const h = head(state);
  if (!h || h.deadAt !== null || state.lease || h.nextAttemptAt === null || h.nextAttemptAt <= now) return state;
  return { ...state, commands: replace(state.commands, { ...h, nextAttemptAt: now }) };
}

/**
 * The destination's gate turned the head's delivery away before it started; the gate wakes the order when
 * its turn comes. The head, due now and not leased, waits until `until` instead, as a safety net should
 * that wake never come. No attempt is counted: waiting for a turn is not a failure. But when the gate
 * turned it away because the destination is failing (`failing`: it is paused) and the horizon has passed,
 * the head dies "expired" as a failed attempt would: a paused destination must not keep a command alive
 * past its horizon merely because its attempts are withheld. Anything else is left alone.
 */
export function defer(
  state: DeliveryState,
  input: { seq: number; until: number; failing?: string },
  now: number,
  policy: Pick<DeliveryPolicy, "horizonHours">,
): { state: DeliveryState; outcome: "deferred" | "expired" | "unchanged" } {
  const h = head(state);
  const unchanged = { state, outcome: "unchanged" as const };
  if (!h || h.seq !== input.seq || h.deadAt !== null || h.nextAttemptAt === null || h.nextAttemptAt > now) return unchanged;
  if (state.lease && state.lease.until > now) return unchanged;
  if (input.failing !== undefined && now >= horizonEnd(h, policy, now)) {
    const dead = { ...h, lastError: input.failing, deadAt: now, deadReason: "expired" as const };
    return { state: { ...state, commands: replace(state.commands, dead), lease: null }, outcome: "expired" };
  }
  return { state: { ...state, commands: replace(state.commands, { ...h, nextAttemptAt: Math.max(now, input.until) }) }, outcome: "deferred" };
}

/** When the order's alarm should fire for this destination: the lease's end, the head's next attempt, or never. */
export function nextDueAt(state: DeliveryState): number | null {
  const h = head(state);
  if (!h || h.deadAt !== null) return null;
  return state.lease ? state.lease.until : h.nextAttemptAt;
}

/**
 * Full-jitter delay before the next attempt, after `attempts` attempts: uniform in
 * [0, min(max, base·2^(attempts-1))], at least the Retry-After (itself capped at max).
 */
export function retryDelayMs(
  policy: Pick<DeliveryPolicy, "baseSeconds" | "maxSeconds">,
  attempts: number,
  retryAfterSeconds: number | undefined,
  random: () => number,
): number {
  // The exponent is bounded so a days-long outage (thousands of attempts) never computes Infinity or NaN.
  const ceilingMs = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(30, Math.max(0, attempts - 1))) * 1000;
  const jittered = Math.floor(random() * ceilingMs);
  const floorMs = retryAfterSeconds !== undefined && retryAfterSeconds > 0 ? Math.min(retryAfterSeconds, policy.maxSeconds) * 1000 : 0;
  return Math.max(floorMs, jittered);
}

export const DELIVERY_DEFAULTS: DeliveryPolicy = { baseSeconds: 2, maxSeconds: 300, horizonHours: 168, leaseMs: 60_000 };
/** Time for a delivery to report back after the adapter's own timeout. */
const LEASE_MARGIN_MS = 30_000;

/**
 * The policy of destination kind `kind` (e.g. "ERP") from env-like strings: `<KIND>_RETRY_BASE_SECONDS`,
 * `<KIND>_RETRY_MAX_SECONDS`, `DELIVERY_RETRY_HORIZON_HOURS`, and `<KIND>_TIMEOUT_MS`, which the lease must
 * outlast. A missing, non-numeric or non-positive value falls back to the default: a zero base or horizon
 * would turn an outage into a retry storm or a dead letter.
 */
export function deliveryPolicy(kind: string, env: object): DeliveryPolicy {
  const positive = (name: string, fallback: number) => positiveVar(env, name, fallback);
  return {
    baseSeconds: positive(`${kind}_RETRY_BASE_SECONDS`, DELIVERY_DEFAULTS.baseSeconds),
    maxSeconds: positive(`${kind}_RETRY_MAX_SECONDS`, DELIVERY_DEFAULTS.maxSeconds),
    horizonHours: positive("DELIVERY_RETRY_HORIZON_HOURS", DELIVERY_DEFAULTS.horizonHours),
    leaseMs: Math.max(DELIVERY_DEFAULTS.leaseMs, positive(`${kind}_TIMEOUT_MS`, 0) + LEASE_MARGIN_MS),
  };
}

function horizonEnd(c: DeliveryCommand, policy: Pick<DeliveryPolicy, "horizonHours">, now: number): number {
  return (c.firstDueAt ?? now) + policy.horizonHours * HOUR_MS;
}

function holds(state: DeliveryState, input: { seq: number; token: string }): boolean {
  return state.lease !== null && state.lease.seq === input.seq && state.lease.token === input.token;
}

function replace(commands: readonly DeliveryCommand[], changed: DeliveryCommand): DeliveryCommand[] {
  return commands.map((c) => (c.seq === changed.seq ? changed : c));
}

/** A head that was waiting behind another (or was just revived) becomes due: its horizon starts now. */
function becomeDue(commands: DeliveryCommand[], now: number): DeliveryCommand[] {
  const i = commands.findIndex((c) => c.ackedAt === null);
  const h = commands[i];
  if (!h || h.firstDueAt !== null || h.deadAt !== null) return commands;
  const due = [...commands];
  due[i] = { ...h, firstDueAt: now, nextAttemptAt: now };
  return due;
}
