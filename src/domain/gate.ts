// One destination's gate (the ERP today; a 3PL, a subscriber endpoint later), as a pure state machine: how
// many deliveries may be in flight at once, whether the destination is paused, and whose turn it is. Every
// order's delivery cursor (./delivery.ts) asks the gate before it starts an attempt; the orders the gate
// turns away wait in its waiting list (kept by the caller, oldest first), and the gate hands out turns as
// capacity frees up. State is plain JSON; functions return a new state and their answer as data, and take
// time and randomness as arguments, like the cursor.
//
// The rules, and why:
// - At most `concurrency` permits at once: after an outage, a backlog of thousands of orders drains at the
//   rate the destination can take, not all at once (a thundering herd would take it down again).
// - `pauseAfterFailures` transient failures in a row pause the destination: from then on one probe at a
//   time, every few seconds (`probeSeconds`, jittered to between half and all of it; never sooner than
//   Retry-After, capped at the kind's max), and every other order waits its turn without an attempt. The
//   interval does not grow: how soon a recovery is noticed is the interval, whatever the outage's length,
//   and a days-long outage costs one request per interval, not one per waiting order per backoff window.
// - Any answer from the destination (an acknowledgement, or a permanent refusal: it is up, it just does not
//   want that command) resumes it: turns go out oldest first, as many as there is capacity.
// - A turn is capacity held for one woken order while its queue message travels: an order that was not
//   woken gets a permit only from capacity nobody holds, so newcomers do not overtake the orders that have
//   waited longest. A turn or permit that is not used or returned in time (the message was lost, the
//   consumer died) lapses, and its capacity returns.
// - A lapsed permit's late answer still counts as news about the destination's health.
import { positiveVar } from "./env-vars";

export interface GatePolicy {
  /** Deliveries in flight at once (`<KIND>_MAX_CONCURRENCY`). */
  readonly concurrency: number;
  /** Transient failures in a row that pause the destination. */
  readonly pauseAfterFailures: number;
  /** While paused, a probe every this many seconds (jittered to between half and all of it). */
  readonly probeSeconds: number;
  /** The longest a Retry-After may hold the next probe back (the kind's retry max). */
  readonly maxSeconds: number;
  /** A permit not returned after this is presumed lost: longer than a whole chain of deliveries. */
  readonly permitMs: number;
  /** How long a woken order's turn is held for it. */
  readonly turnMs: number;
  /** How long an order turned away waits at most before it asks again on its own (the gate's wake is the rule). */
  readonly parkMs: number;
}

export interface Permit {
  readonly id: string;
  readonly orderId: string;
  readonly until: number;
  /** Granted while paused: the one request that tests whether the destination is back. */
  readonly probe: boolean;
}

export interface Turn {
  readonly orderId: string;
  readonly until: number;
}

export interface GateState {
  readonly mode: "open" | "paused";
  /** Transient failures in a row (reset by any answer). */
  readonly failures: number;
  readonly pausedAt: number | null;
  /** Probes that failed since the pause: the backoff exponent. */
  readonly probes: number;
  /** While paused: the earliest time the next probe may go. */
  readonly probeAt: number | null;
  readonly permits: readonly Permit[];
  readonly turns: readonly Turn[];
  /** Permits issued so far: the source of unique ids. */
  readonly issued: number;
}

export type Grant =
  | { status: "granted"; permit: Permit }
  /** Wait for a turn (the caller adds the order to the waiting list); ask again on your own at `retryAt` at the latest. */
  | { status: "denied"; reason: "paused" | "full"; retryAt: number };

/**
 * How a delivery under a permit ended: `delivered` and `refused` are answers (the destination is up);
 * `failed` is a transient failure (down, 5xx, 429, timeout); `none` means no request was made.
 */
export type PermitOutcome = { kind: "delivered" } | { kind: "refused" } | { kind: "failed"; retryAfterSeconds?: number } | { kind: "none" };

export const emptyGate = (): GateState => ({ mode: "open", failures: 0, pausedAt: null, probes: 0, probeAt: null, permits: [], turns: [], issued: 0 });

/** Drops permits and turns whose time is up: their capacity returns. */
function prune(state: GateState, now: number): GateState {
  const permits = state.permits.filter((p) => p.until > now);
  const turns = state.turns.filter((t) => t.until > now);
  return permits.length === state.permits.length && turns.length === state.turns.length ? state : { ...state, permits, turns };
}

/** Asks for a permit for one delivery (or one chain of deliveries) of `orderId`. */
export function acquire(input: GateState, orderId: string, now: number, policy: GatePolicy): { state: GateState; grant: Grant } {
  const pruned = prune(input, now);
  const hadTurn = pruned.turns.some((t) => t.orderId === orderId);
  const turns = hadTurn ? pruned.turns.filter((t) => t.orderId !== orderId) : pruned.turns;
  const state = { ...pruned, turns };
  const deny = (reason: "paused" | "full") => ({ state, grant: { status: "denied" as const, reason, retryAt: now + policy.parkMs } });
  let probe = false;
  if (state.mode === "paused") {
    if (state.permits.some((p) => p.probe) || (state.probeAt !== null && now < state.probeAt)) return deny("paused");
    probe = true;
  } else {
    const held = hadTurn ? 0 : turns.length;
    if (state.permits.length + held >= policy.concurrency) return deny("full");
  }
  const issued = state.issued + 1;
  const permit: Permit = { id: `p${issued}`, orderId, until: now + policy.permitMs, probe };
  return { state: { ...state, permits: [...state.permits, permit], issued }, grant: { status: "granted", permit } };
}

/**
 * Returns a permit with how its delivery ended. Answers resume a paused destination (`resumed`); transient
 * failures pause it after `pauseAfterFailures` in a row, and a failed probe moves the next one later.
 * `waitForTurn`: the order whose delivery failed joins the waiting list, because the destination is (now)
 * paused. While it is open, a failure is the order's own business: its cursor's backoff schedules the
 * retry, and waking it as soon as capacity frees would retry a command that fails on its own (a poison
 * payload behind a 500) in a tight loop.
 */
export function release(
  input: GateState,
  permitId: string,
  outcome: PermitOutcome,
  now: number,
  policy: GatePolicy,
  random: () => number,
): { state: GateState; resumed: boolean; paused: boolean; waitForTurn: boolean } {
  const state = { ...input, permits: input.permits.filter((p) => p.id !== permitId) };
  switch (outcome.kind) {
    case "none":
      return { state, resumed: false, paused: false, waitForTurn: false };
    case "delivered":
    case "refused": {
      const resumed = state.mode === "paused";
      return { state: { ...state, mode: "open", failures: 0, pausedAt: null, probes: 0, probeAt: null }, resumed, paused: false, waitForTurn: false };
    }
    case "failed": {
      const failures = state.failures + 1;
      if (state.mode === "paused") {
        const probes = state.probes + 1;
        const probeAt = now + probeDelayMs(policy, outcome.retryAfterSeconds, random);
        return { state: { ...state, failures, probes, probeAt: Math.max(probeAt, state.probeAt ?? 0) }, resumed: false, paused: false, waitForTurn: true };
      }
      if (failures < policy.pauseAfterFailures) return { state: { ...state, failures }, resumed: false, paused: false, waitForTurn: false };
      const probeAt = now + probeDelayMs(policy, outcome.retryAfterSeconds, random);
      return { state: { ...state, mode: "paused", failures, pausedAt: now, probes: 0, probeAt }, resumed: false, paused: true, waitForTurn: true };
    }
  }
}

/**
 * How many waiting orders to wake now (given `waiting` of them): while open, the capacity nobody holds;
 * while paused, one — the probe — once its time has come and no probe or probe turn is out.
 */
export function turnsDue(input: GateState, waiting: number, now: number, policy: GatePolicy): number {
  const state = prune(input, now);
  if (waiting <= 0) return 0;
  if (state.mode === "paused") {
    const due = state.probeAt === null || now >= state.probeAt;
    return due && !state.permits.some((p) => p.probe) && state.turns.length === 0 ? 1 : 0;
  }
  return Math.max(0, Math.min(waiting, policy.concurrency - state.permits.length - state.turns.length));
}

/** Holds a turn for each woken order. */
export function giveTurns(input: GateState, orderIds: readonly string[], now: number, policy: GatePolicy): GateState {
  const state = prune(input, now);
  const fresh = orderIds.filter((id) => !state.turns.some((t) => t.orderId === id));
  if (fresh.length === 0) return state;
  return { ...state, turns: [...state.turns, ...fresh.map((orderId) => ({ orderId, until: now + policy.turnMs }))] };
}

/** A woken order had nothing to deliver after all: its turn goes back at once. */
export function returnTurn(state: GateState, orderId: string): GateState {
  return state.turns.some((t) => t.orderId === orderId) ? { ...state, turns: state.turns.filter((t) => t.orderId !== orderId) } : state;
}

/**
 * When the gate must look again at its waiting orders (given that some wait): now while open with
 * capacity; otherwise the next probe time or when held capacity lapses. Null when nobody waits.
 */
export function nextGateAt(input: GateState, waiting: number, now: number, policy: GatePolicy): number | null {
  if (waiting <= 0) return null;
  const state = prune(input, now);
  if (turnsDue(state, waiting, now, policy) > 0) return now;
  const lapses = [...state.permits.map((p) => p.until), ...state.turns.map((t) => t.until)];
  if (state.mode === "paused") {
    const probeOut = state.permits.some((p) => p.probe) || state.turns.length > 0;
    return probeOut ? Math.min(...lapses) : (state.probeAt ?? now);
  }
  return lapses.length > 0 ? Math.min(...lapses) : now;
}

/** Probe spacing: between half and all of the probe interval, never sooner than Retry-After (capped at max). */
function probeDelayMs(policy: Pick<GatePolicy, "probeSeconds" | "maxSeconds">, retryAfterSeconds: number | undefined, random: () => number): number {
  const floorMs = retryAfterSeconds !== undefined && retryAfterSeconds > 0 ? Math.min(retryAfterSeconds, policy.maxSeconds) * 1000 : 0;
  return Math.max(floorMs, Math.round(policy.probeSeconds * 1000 * (0.5 + random() / 2)));
}

export const GATE_DEFAULTS = { concurrency: 10, pauseAfterFailures: 5, probeSeconds: 2, turnMs: 30_000, parkMs: 900_000 } as const;

/**
 * The gate policy of destination kind `kind` from env-like strings: `<KIND>_MAX_CONCURRENCY` (default 10),
 * a probe every 2 s (at most the kind's retry max); a permit outlasts a whole chain of `<KIND>_MAX_CHAIN`
 * deliveries, each within its lease.
 */
export function gatePolicy(kind: string, env: object, delivery: { baseSeconds: number; maxSeconds: number; leaseMs: number }): GatePolicy {
  const int = (name: string, fallback: number) => positiveVar(env, name, fallback, { integer: true });
  return {
    concurrency: int(`${kind}_MAX_CONCURRENCY`, GATE_DEFAULTS.concurrency),
    pauseAfterFailures: GATE_DEFAULTS.pauseAfterFailures,
    probeSeconds: Math.min(GATE_DEFAULTS.probeSeconds, delivery.maxSeconds),
    maxSeconds: delivery.maxSeconds,
    permitMs: delivery.leaseMs * int(`${kind}_MAX_CHAIN`, 10),
    turnMs: GATE_DEFAULTS.turnMs,
    parkMs: GATE_DEFAULTS.parkMs,
  };
}
