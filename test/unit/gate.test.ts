// Given / when / then over one destination's gate: the concurrency cap, turns for the orders that waited
// longest, the pause after failures with one probe at a time, and the resume. Inputs are deep-frozen.
import { describe, expect, it } from "vitest";
import { deepFreeze } from "../helpers/freeze";
import {
  acquire,
  emptyGate,
  type GatePolicy,
  type GateState,
  gatePolicy,
  giveTurns,
  nextGateAt,
  type PermitOutcome,
  release,
  returnTurn,
  turnsDue,
} from "../../src/domain/gate";

const T0 = Date.UTC(2026, 11, 1, 8);
const SECOND = 1000;
const POLICY: GatePolicy = { concurrency: 3, pauseAfterFailures: 3, probeSeconds: 5, maxSeconds: 300, permitMs: 60_000, turnMs: 30_000, parkMs: 900_000 };

function given(policy = POLICY) {
  let state: GateState = deepFreeze(emptyGate());
  const g = {
    get state() {
      return state;
    },
    acquire(orderId: string, now: number) {
      const r = acquire(state, orderId, now, policy);
      state = deepFreeze(r.state);
      return r.grant;
    },
    permit(orderId: string, now: number) {
      const grant = g.acquire(orderId, now);
      if (grant.status !== "granted") throw new Error(`expected a permit for ${orderId}, got ${JSON.stringify(grant)}`);
      return grant.permit;
    },
    release(id: string, outcome: PermitOutcome, now: number, random = () => 0.5) {
      const r = release(state, id, outcome, now, policy, random);
      state = deepFreeze(r.state);
      return r;
    },
    turnsDue: (waiting: number, now: number) => turnsDue(state, waiting, now, policy),
    give(ids: string[], now: number) {
      state = deepFreeze(giveTurns(state, ids, now, policy));
    },
    returnTurn(id: string) {
      state = deepFreeze(returnTurn(state, id));
    },
    nextAt: (waiting: number, now: number) => nextGateAt(state, waiting, now, policy),
    /** Fails `n` deliveries in a row (each under its own permit). */
    failInARow(n: number, now: number, retryAfterSeconds?: number) {
      for (let i = 0; i < n; i++) g.release(g.permit(`fail-${i}`, now).id, { kind: "failed", retryAfterSeconds }, now);
    },
  };
  return g;
}

describe("open, under the cap", () => {
  it("grants permits up to the concurrency, then turns the next order away for a turn, with a safety-net time", () => {
    const g = given();
    for (const id of ["A", "B", "C"]) expect(g.acquire(id, T0)).toMatchObject({ status: "granted", permit: { orderId: id, probe: false } });
    expect(g.acquire("D", T0)).toEqual({ status: "denied", reason: "full", retryAt: T0 + POLICY.parkMs });
    expect(g.state.permits).toHaveLength(3);
  });

  it("frees capacity when a permit comes back, and that capacity is one turn for the waiting order", () => {
    const g = given();
    const a = g.permit("A", T0);
    g.permit("B", T0);
    g.permit("C", T0);
    expect(g.turnsDue(5, T0)).toBe(0);
    g.release(a.id, { kind: "delivered" }, T0 + SECOND);
    expect(g.turnsDue(5, T0 + SECOND)).toBe(1);
    expect(g.nextAt(5, T0 + SECOND)).toBe(T0 + SECOND);
  });

  it("gives unique permit ids, and a permit not returned in time lapses and its capacity returns", () => {
    const g = given();
    const ids = ["A", "B", "C"].map((id) => g.permit(id, T0).id);
    expect(new Set(ids).size).toBe(3);
    expect(g.acquire("D", T0 + POLICY.permitMs - 1).status).toBe("denied");
    expect(g.acquire("D", T0 + POLICY.permitMs)).toMatchObject({ status: "granted" });
  });

  it("a release of no request (nothing was deliverable) frees the permit and changes nothing else", () => {
    const g = given();
    g.failInARow(2, T0);
    const p = g.permit("A", T0);
    g.release(p.id, { kind: "none" }, T0);
    expect(g.state).toMatchObject({ mode: "open", failures: 2, permits: [] });
  });
});

describe("turns: the orders that waited longest go first", () => {
  it("holds a woken order's capacity: a newcomer is turned away while the turn is out, the woken order gets its permit", () => {
    const g = given();
    g.give(["OLD-1", "OLD-2", "OLD-3"], T0);
    expect(g.turnsDue(10, T0)).toBe(0);
    expect(g.acquire("NEW", T0)).toMatchObject({ status: "denied", reason: "full" });
    expect(g.acquire("OLD-2", T0 + SECOND)).toMatchObject({ status: "granted", permit: { orderId: "OLD-2" } });
    expect(g.state.turns.map((t) => t.orderId)).toEqual(["OLD-1", "OLD-3"]);
  });

  it("a turn not used in time lapses; a turn returned (nothing to deliver) frees its capacity at once", () => {
    const g = given();
    g.give(["A", "B", "C"], T0);
    g.returnTurn("B");
    expect(g.turnsDue(10, T0)).toBe(1);
    expect(g.turnsDue(10, T0 + POLICY.turnMs)).toBe(3);
    expect(g.nextAt(10, T0 + SECOND)).toBe(T0 + SECOND);
  });

  it("gives no more turns than the waiting orders, and none when nobody waits", () => {
    const g = given();
    expect(g.turnsDue(2, T0)).toBe(2);
    expect(g.turnsDue(0, T0)).toBe(0);
    expect(g.nextAt(0, T0)).toBeNull();
  });
});

describe("a failed delivery's order", () => {
  it("keeps its own backoff while the destination is open (no turn: a command failing on its own is not retried in a loop)", () => {
    const g = given();
    const p = g.permit("POISON", T0);
    expect(g.release(p.id, { kind: "failed" }, T0).waitForTurn).toBe(false);
    expect(g.release(g.permit("OK", T0).id, { kind: "delivered" }, T0).waitForTurn).toBe(false);
  });

  it("waits for a turn once its failure paused the destination, or when it failed as the probe", () => {
    const g = given();
    g.failInARow(2, T0);
    expect(g.release(g.permit("THIRD", T0).id, { kind: "failed" }, T0)).toMatchObject({ paused: true, waitForTurn: true });
    const at = g.state.probeAt ?? 0;
    expect(g.release(g.permit("PROBE", at).id, { kind: "failed" }, at).waitForTurn).toBe(true);
  });
});

describe("paused", () => {
  it("pauses after that many transient failures in a row, not before, and an answer in between resets the count", () => {
    const g = given();
    g.failInARow(2, T0);
    g.release(g.permit("ok", T0).id, { kind: "refused" }, T0);
    g.failInARow(2, T0);
    expect(g.state.mode).toBe("open");
    const r = g.release(g.permit("third", T0).id, { kind: "failed" }, T0);
    expect(r.paused).toBe(true);
    expect(g.state).toMatchObject({ mode: "paused", pausedAt: T0 });
  });

  it("turns everyone away until the probe time, then grants one probe at a time", () => {
    const g = given();
    g.failInARow(3, T0, undefined);
    const probeAt = g.state.probeAt ?? 0;
    expect(probeAt).toBeGreaterThanOrEqual(T0 + (POLICY.probeSeconds / 2) * SECOND);
    expect(g.acquire("A", probeAt - 1)).toEqual({ status: "denied", reason: "paused", retryAt: probeAt - 1 + POLICY.parkMs });
    expect(g.turnsDue(100, probeAt - 1)).toBe(0);
    expect(g.nextAt(100, probeAt - 1)).toBe(probeAt);
    expect(g.turnsDue(100, probeAt)).toBe(1);
    expect(g.acquire("A", probeAt)).toMatchObject({ status: "granted", permit: { probe: true } });
    expect(g.acquire("B", probeAt)).toMatchObject({ status: "denied", reason: "paused" });
    expect(g.turnsDue(100, probeAt)).toBe(0);
  });

  it("spaces probes by the probe interval (half to all of it), never growing however long the outage, never sooner than Retry-After", () => {
    const g = given();
    g.failInARow(3, T0);
    let now = g.state.probeAt ?? 0;
    const gaps: number[] = [];
    for (let i = 0; i < 50; i++) {
      const p = g.permit(`probe-${i}`, now);
      g.release(p.id, { kind: "failed" }, now, () => (i % 2 === 0 ? 0 : 0.999));
      gaps.push((g.state.probeAt ?? 0) - now);
      now = g.state.probeAt ?? 0;
    }
    expect(Math.min(...gaps)).toBe((POLICY.probeSeconds / 2) * SECOND);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(POLICY.probeSeconds * SECOND);
    expect(gaps.at(-1)).toBeLessThanOrEqual(POLICY.probeSeconds * SECOND);
    const p = g.permit("throttled", now);
    g.release(p.id, { kind: "failed", retryAfterSeconds: 120 }, now, () => 0);
    expect(g.state.probeAt).toBe(now + 120 * SECOND);
    const q = g.permit("throttled-long", now + 120 * SECOND);
    g.release(q.id, { kind: "failed", retryAfterSeconds: 86_400 }, now + 120 * SECOND, () => 0);
    expect(g.state.probeAt).toBe(now + 120 * SECOND + POLICY.maxSeconds * SECOND);
  });

  it("a probe that never returns lapses with its permit, and the next probe may go", () => {
    const g = given();
    g.failInARow(3, T0);
    const at = g.state.probeAt ?? 0;
    g.permit("lost", at);
    expect(g.nextAt(5, at)).toBe(at + POLICY.permitMs);
    expect(g.turnsDue(5, at + POLICY.permitMs)).toBe(1);
  });
});

describe("resumed", () => {
  it("an acknowledged probe opens the destination: the waiting orders get turns up to the cap", () => {
    const g = given();
    g.failInARow(3, T0);
    const at = g.state.probeAt ?? 0;
    const probe = g.permit("P", at);
    const r = g.release(probe.id, { kind: "delivered" }, at + SECOND);
    expect(r.resumed).toBe(true);
    expect(g.state).toMatchObject({ mode: "open", failures: 0, probes: 0, probeAt: null, pausedAt: null });
    expect(g.turnsDue(1000, at + SECOND)).toBe(POLICY.concurrency);
  });

  it("a permanent refusal is an answer too: the destination is up", () => {
    const g = given();
    g.failInARow(3, T0);
    const at = g.state.probeAt ?? 0;
    expect(g.release(g.permit("P", at).id, { kind: "refused" }, at).resumed).toBe(true);
  });

  it("a late answer under a lapsed permit still resumes (news about the destination's health)", () => {
    const g = given();
    g.failInARow(3, T0);
    expect(g.release("p-unknown", { kind: "delivered" }, T0 + SECOND).resumed).toBe(true);
  });
});

describe("policy", () => {
  it("reads <KIND>_MAX_CONCURRENCY, lets a permit outlast a whole chain, and falls back to the defaults", () => {
    const delivery = { baseSeconds: 2, maxSeconds: 300, leaseMs: 40_000 };
    expect(gatePolicy("ERP", { ERP_MAX_CONCURRENCY: "4", ERP_MAX_CHAIN: "5" }, delivery)).toMatchObject({
      concurrency: 4,
      permitMs: 200_000,
      probeSeconds: 2,
      maxSeconds: 300,
    });
    // Probes never wait longer than the kind's retry max.
    expect(gatePolicy("ERP", {}, { ...delivery, maxSeconds: 1 })).toMatchObject({ probeSeconds: 1 });
    for (const bad of [undefined, "", "zero", "0", "-3", "2.5"]) {
      expect(gatePolicy("ERP", { ERP_MAX_CONCURRENCY: bad }, delivery)).toMatchObject({ concurrency: 10, permitMs: 400_000 });
    }
  });
});
