// Given / when / then over the pure delivery cursor, one describe per state (leased, waiting, blocked,
// done, expired, refused, revived), plus long outages on a simulated clock and properties over any
// sequence of claims, acks, failures and lapsed leases. Every input state is deep-frozen: a function that
// mutated its input would throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deepFreeze } from "../helpers/freeze";
import type { ErpOutcome } from "../../src/erp/adapter";
import { backoffSeconds } from "../../src/erp/backoff";
import {
  ack,
  append,
  type Claim,
  claim,
  DELIVERY_DEFAULTS,
  type DeliveryFailure,
  type DeliveryPolicy,
  type DeliveryState,
  DeliveryCursorError,
  deadCommands,
  defer,
  deliveryPolicy,
  emptyDelivery,
  expire,
  fail,
  head,
  nextDueAt,
  retryDelayMs,
  revive,
  wake,
} from "../../src/domain/delivery";

const T0 = Date.UTC(2026, 11, 1, 8);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** The ERP's defaults: base 2 s, max 300 s, horizon 168 h, lease 60 s. */
const POLICY: DeliveryPolicy = DELIVERY_DEFAULTS;
const HORIZON = POLICY.horizonHours * HOUR;
const TRANSIENT: DeliveryFailure = { kind: "transient", reason: "HTTP 503", status: 503 };
const REFUSED: DeliveryFailure = { kind: "permanent", reason: "HTTP 422: unknown SKU", status: 422 };

const commands = (...seqs: number[]) => seqs.map((seq) => ({ seq, key: `cmd-${seq}` }));

/** One order's cursor for one destination, driven the way its Durable Object drives it. */
function given(seqs: number[], opts: { at?: number; policy?: DeliveryPolicy; random?: () => number } = {}) {
  const policy = opts.policy ?? POLICY;
  const random = opts.random ?? (() => 0.5);
  let state = deepFreeze(append(emptyDelivery(), commands(...seqs), opts.at ?? T0).state);
  const step = <R>(r: { state: DeliveryState } & R): R => {
    state = deepFreeze(r.state);
    return r;
  };
  const c = {
    get state() {
      return state;
    },
    claim: (now: number): Claim => step(claim(state, now, policy)).claim,
    /** Claims and expects a delivery. */
    deliver(now: number) {
      const answer = c.claim(now);
      if (answer.status !== "deliver") throw new Error(`expected deliver at ${now - T0} ms, got ${JSON.stringify(answer)}`);
      return answer;
    },
    ack: (seq: number, token: string, now: number) => step(ack(state, { seq, token }, now)).outcome,
    fail: (seq: number, token: string, failure: DeliveryFailure, now: number, rnd = random) =>
      step(fail(state, { seq, token, failure }, now, policy, rnd)).outcome,
    revive: (which: number[] | "all", now: number) => step(revive(state, which, now)).revived,
    append: (seqs: number[], now: number) => step(append(state, commands(...seqs), now)).appended,
    wake: (now: number) => {
      state = deepFreeze(wake(state, now));
    },
    defer: (seq: number, until: number, now: number, failing?: string) =>
      step(defer(state, { seq, until, ...(failing !== undefined ? { failing } : {}) }, now, policy)).outcome !== "unchanged",
    deferOutcome: (seq: number, until: number, now: number, failing?: string) =>
      step(defer(state, { seq, until, ...(failing !== undefined ? { failing } : {}) }, now, policy)).outcome,
  };
  return c;
}

describe("a new command", () => {
  it("is delivered at once, as attempt 1 under a lease, with its key", () => {
    const c = given([1]);
    expect(c.claim(T0)).toEqual({ status: "deliver", seq: 1, key: "cmd-1", token: "1.1", attempt: 1, leaseUntil: T0 + POLICY.leaseMs });
  });

  it("starts its horizon when it becomes the head, not when it is appended behind another", () => {
    const c = given([1, 2]);
    expect(c.state.commands.map((x) => x.firstDueAt)).toEqual([T0, null]);
    const d = c.deliver(T0);
    c.ack(1, d.token, T0 + 5 * SECOND);
    expect(c.state.commands[1]?.firstDueAt).toBe(T0 + 5 * SECOND);
  });
});

describe("leased", () => {
  it("answers leased, with the lease's end, while a delivery of the head is in flight", () => {
    const c = given([1, 2]);
    c.deliver(T0);
    expect(c.claim(T0 + 10 * SECOND)).toEqual({ status: "leased", seq: 1, until: T0 + POLICY.leaseMs });
    expect(nextDueAt(c.state)).toBe(T0 + POLICY.leaseMs);
  });

  it("leases only the head: the command behind it is delivered after the head's ack", () => {
    const c = given([1, 2]);
    const first = c.deliver(T0);
    expect(c.claim(T0 + 1)).toMatchObject({ status: "leased", seq: 1 });
    expect(c.ack(1, first.token, T0 + 2)).toBe("acked");
    expect(c.claim(T0 + 3)).toMatchObject({ status: "deliver", seq: 2, attempt: 1 });
  });

  it("re-leases the same command under a new token once the lease lapsed (a delivery died mid-flight)", () => {
    const c = given([1]);
    const first = c.deliver(T0);
    const again = c.deliver(T0 + POLICY.leaseMs);
    expect(again).toMatchObject({ seq: 1, attempt: 2 });
    expect(again.token).not.toBe(first.token);
    expect(c.state.commands[0]?.lastError).toBe("lease lapsed without an answer");
  });

  it("ignores an ack or a fail with a stale token, and takes the current holder's", () => {
    const c = given([1]);
    const lost = c.deliver(T0);
    const current = c.deliver(T0 + POLICY.leaseMs);
    const before = c.state;
    expect(c.fail(1, lost.token, REFUSED, T0 + POLICY.leaseMs + 1)).toEqual({ status: "stale" });
    expect(c.ack(1, lost.token, T0 + POLICY.leaseMs + 1)).toBe("stale");
    expect(c.state).toBe(before);
    expect(c.ack(1, current.token, T0 + POLICY.leaseMs + 2)).toBe("acked");
  });

  it("accepts the holder's answer after its lease lapsed if nobody took the lease over", () => {
    const c = given([1]);
    const d = c.deliver(T0);
    expect(c.ack(1, d.token, T0 + POLICY.leaseMs + 5 * SECOND)).toBe("acked");
  });

  it("treats a repeated ack as already acknowledged, without any change", () => {
    const c = given([1, 2]);
    const d = c.deliver(T0);
    c.ack(1, d.token, T0 + 1);
    const before = c.state;
    expect(c.ack(1, d.token, T0 + 2)).toBe("already-acked");
    expect(c.state).toBe(before);
  });
});

describe("waiting", () => {
  it("answers waiting until the next attempt after a transient failure, and that is when the alarm fires", () => {
    const c = given([1]);
    const d = c.deliver(T0);
    const outcome = c.fail(1, d.token, TRANSIENT, T0 + SECOND, () => 0.5);
    // First retry: full jitter within [0, base] = [0, 2 s]; 0.5 of it is 1 s.
    expect(outcome).toEqual({ status: "retry", at: T0 + 2 * SECOND });
    expect(c.claim(T0 + 1500)).toEqual({ status: "waiting", seq: 1, until: T0 + 2 * SECOND });
    expect(nextDueAt(c.state)).toBe(T0 + 2 * SECOND);
    expect(c.claim(T0 + 2 * SECOND)).toMatchObject({ status: "deliver", seq: 1, attempt: 2 });
    expect(c.state.commands[0]).toMatchObject({ lastError: "HTTP 503", lastStatus: 503 });
  });

  it("honours Retry-After: the next attempt is no sooner, whatever the jitter", () => {
    const c = given([1]);
    const d = c.deliver(T0);
    expect(c.fail(1, d.token, { ...TRANSIENT, retryAfterSeconds: 120 }, T0, () => 0)).toEqual({ status: "retry", at: T0 + 120 * SECOND });
  });

  it("caps a Retry-After beyond the max at the max: a destination cannot stretch how late the order resumes", () => {
    expect(retryDelayMs(POLICY, 1, 86_400, () => 0)).toBe(POLICY.maxSeconds * SECOND);
  });

  it("keeps the jitter within [0, min(max, base·2^(attempts-1))]", () => {
    expect(retryDelayMs(POLICY, 1, undefined, () => 0)).toBe(0);
    expect(retryDelayMs(POLICY, 1, undefined, () => 0.999)).toBe(1998);
    expect(retryDelayMs(POLICY, 4, undefined, () => 0.999)).toBe(15_984);
    expect(retryDelayMs(POLICY, 9, undefined, () => 0.999)).toBe(299_700);
    expect(retryDelayMs(POLICY, 5000, undefined, () => 0.999)).toBe(299_700);
  });

  it("draws the same delays as the ERP consumer's backoff today, in milliseconds", () => {
    for (const attempt of [1, 2, 5, 12]) {
      for (const r of [0, 0.3, 0.999])
        expect(Math.floor(retryDelayMs(POLICY, attempt, undefined, () => r) / SECOND)).toBe(backoffSeconds(POLICY, attempt, undefined, () => r));
    }
  });

  it("takes the ERP adapter's failure outcomes as they are", () => {
    const outcomes: Exclude<ErpOutcome, { kind: "done" }>[] = [
      { kind: "transient", status: null, reason: "network error" },
      { kind: "transient", status: 429, reason: "HTTP 429", retryAfterSeconds: 30 },
    ];
    const c = given([1]);
    let now = T0;
    for (const failure of outcomes) {
      const d = c.deliver(now);
      const o = c.fail(1, d.token, failure, now, () => 0);
      now = o.status === "retry" ? o.at : now;
    }
    expect(now).toBe(T0 + 30 * SECOND);
    expect(c.state.commands[0]).toMatchObject({ lastError: "HTTP 429", lastStatus: 429 });
  });

  it("is woken early when the destination answers again, keeping its attempts and horizon", () => {
    const c = given([1]);
    const d = c.deliver(T0);
    c.fail(1, d.token, { ...TRANSIENT, retryAfterSeconds: 300 }, T0, () => 0);
    c.wake(T0 + 10 * SECOND);
    expect(c.claim(T0 + 10 * SECOND)).toMatchObject({ status: "deliver", attempt: 2 });
    expect(c.state.commands[0]?.firstDueAt).toBe(T0);
  });
});

describe("deferred by the destination's gate", () => {
  it("waits until the safety-net time without counting an attempt or moving the horizon, then is delivered as attempt 1", () => {
    const c = given([1]);
    expect(c.defer(1, T0 + 15 * MINUTE, T0 + SECOND)).toBe(true);
    expect(c.claim(T0 + 2 * SECOND)).toEqual({ status: "waiting", seq: 1, until: T0 + 15 * MINUTE });
    expect(nextDueAt(c.state)).toBe(T0 + 15 * MINUTE);
    expect(c.state.commands[0]).toMatchObject({ attempts: 0, firstDueAt: T0, lastError: null });
    expect(c.deliver(T0 + 15 * MINUTE)).toMatchObject({ attempt: 1 });
  });

  it("is woken by the gate before that time, like any waiting head", () => {
    const c = given([1]);
    c.defer(1, T0 + HOUR, T0);
    c.wake(T0 + 10 * SECOND);
    expect(c.claim(T0 + 10 * SECOND)).toMatchObject({ status: "deliver", attempt: 1 });
  });

  it("past the horizon, turned away because the destination is failing, dies expired; turned away because it is busy, it waits on", () => {
    const paused = given([1, 2]);
    expect(paused.deferOutcome(1, T0 + HORIZON + HOUR, T0 + HORIZON - 1, "ERP paused")).toBe("deferred");
    expect(paused.deferOutcome(1, T0 + HORIZON + 2 * HOUR, T0 + HORIZON + HOUR, "ERP paused: HTTP 503")).toBe("expired");
    expect(paused.state.commands[0]).toMatchObject({ deadReason: "expired", deadAt: T0 + HORIZON + HOUR, lastError: "ERP paused: HTTP 503", attempts: 0 });
    expect(paused.claim(T0 + HORIZON + HOUR)).toMatchObject({ status: "blocked", seq: 1, reason: "expired" });
    const busy = given([1]);
    expect(busy.deferOutcome(1, T0 + HORIZON + HOUR, T0 + HORIZON)).toBe("deferred");
    expect(busy.deliver(T0 + HORIZON + HOUR)).toMatchObject({ attempt: 1 });
  });

  it("leaves alone a head that is leased, waiting out a backoff, dead, or not the one named", () => {
    const leased = given([1, 2]);
    leased.deliver(T0);
    expect(leased.defer(1, T0 + HOUR, T0 + SECOND)).toBe(false);
    expect(leased.defer(2, T0 + HOUR, T0 + SECOND)).toBe(false);
    const waiting = given([1]);
    const d = waiting.deliver(T0);
    waiting.fail(1, d.token, TRANSIENT, T0, () => 0.5);
    const before = waiting.state;
    expect(waiting.defer(1, T0 + HOUR, T0)).toBe(false);
    expect(waiting.state).toBe(before);
    const dead = given([1]);
    const r = dead.deliver(T0);
    dead.fail(1, r.token, REFUSED, T0);
    expect(dead.defer(1, T0 + HOUR, T0)).toBe(false);
    expect(nextDueAt(dead.state)).toBeNull();
  });
});

describe("blocked behind a dead head", () => {
  it("refused: a permanent failure kills the head at once, and the commands behind it wait", () => {
    const c = given([1, 2, 3]);
    const d = c.deliver(T0);
    expect(c.fail(1, d.token, REFUSED, T0 + SECOND)).toEqual({ status: "dead", reason: "refused" });
    expect(c.state.commands[0]).toMatchObject({ deadAt: T0 + SECOND, deadReason: "refused", lastError: "HTTP 422: unknown SKU", lastStatus: 422 });
    expect(c.claim(T0 + HOUR)).toEqual({ status: "blocked", seq: 1, reason: "refused" });
    expect(c.state.lease).toBeNull();
  });

  it("has no due time, so no alarm fires until ops revive it, and later appends wait behind it", () => {
    const c = given([1]);
    c.fail(1, c.deliver(T0).token, REFUSED, T0);
    c.append([2], T0 + HOUR);
    expect(nextDueAt(c.state)).toBeNull();
    expect(c.claim(T0 + 2 * HOUR)).toMatchObject({ status: "blocked", seq: 1 });
    expect(c.state.commands[1]?.firstDueAt).toBeNull();
  });
});

describe("done", () => {
  it("answers done for an empty cursor, with no due time", () => {
    const c = given([]);
    expect(c.claim(T0)).toEqual({ status: "done" });
    expect(nextDueAt(c.state)).toBeNull();
    expect(head(c.state)).toBeNull();
  });

  it("answers done once every command is acknowledged, in seq order, and keeps when each was", () => {
    const c = given([1, 2, 3]);
    for (let i = 1; i <= 3; i++) expect(c.ack(i, c.deliver(T0 + i).token, T0 + i)).toBe("acked");
    expect(c.claim(T0 + 10)).toEqual({ status: "done" });
    expect(c.state.commands.map((x) => x.ackedAt)).toEqual([T0 + 1, T0 + 2, T0 + 3]);
  });
});

describe("expired", () => {
  it("survives every failure before the horizon, and dies expired at the first failure after it", () => {
    const c = given([1]);
    c.fail(1, c.deliver(T0).token, TRANSIENT, T0 + SECOND);
    c.fail(1, c.deliver(T0 + HOUR).token, TRANSIENT, T0 + HOUR);
    const late = c.deliver(T0 + HORIZON - MINUTE);
    expect(c.fail(1, late.token, TRANSIENT, T0 + HORIZON - 1)).toMatchObject({ status: "retry" });
    const last = c.deliver(T0 + HORIZON + MINUTE);
    expect(c.fail(1, last.token, TRANSIENT, T0 + HORIZON + MINUTE)).toEqual({ status: "dead", reason: "expired" });
    expect(c.claim(T0 + HORIZON + HOUR)).toEqual({ status: "blocked", seq: 1, reason: "expired" });
  });

  it("is never decided by time alone: a late alarm after the horizon still gets one real attempt", () => {
    const c = given([1]);
    c.fail(1, c.deliver(T0).token, TRANSIENT, T0);
    expect(c.claim(T0 + 2 * HORIZON)).toMatchObject({ status: "deliver", attempt: 2 });
  });

  it("dies expired at the next claim when its last lease lapsed after the horizon", () => {
    const c = given([1]);
    c.deliver(T0 + HORIZON - SECOND);
    expect(c.claim(T0 + HORIZON + POLICY.leaseMs)).toEqual({ status: "blocked", seq: 1, reason: "expired" });
    expect(deadCommands(c.state)).toMatchObject([{ seq: 1, deadReason: "expired", lastError: "lease lapsed without an answer" }]);
  });

  it("gives a command that waited behind a slow head its own full horizon", () => {
    const c = given([1, 2]);
    // The head takes 100 hours to go through; command 2 is due only from then.
    c.fail(1, c.deliver(T0).token, TRANSIENT, T0);
    c.ack(1, c.deliver(T0 + 100 * HOUR).token, T0 + 100 * HOUR);
    const d = c.deliver(T0 + 100 * HOUR);
    expect(c.fail(2, d.token, TRANSIENT, T0 + HORIZON + HOUR)).toMatchObject({ status: "retry" });
  });
});

describe("expired from outside an attempt (the queue's dead-letter path)", () => {
  it("kills a live command whoever holds the lease, and the lease holder's answer is then stale", () => {
    const c = given([1, 2]);
    const d = c.deliver(T0);
    const r = expire(c.state, { seq: 1, reason: "retries exhausted" }, T0 + SECOND);
    expect(r.expired).toBe(true);
    expect(r.state.lease).toBeNull();
    expect(deadCommands(r.state)).toMatchObject([{ seq: 1, deadReason: "expired", deadAt: T0 + SECOND, lastError: "retries exhausted" }]);
    expect(fail(r.state, { seq: 1, token: d.token, failure: TRANSIENT }, T0 + 2 * SECOND, POLICY, () => 0.5).outcome).toEqual({ status: "stale" });
    expect(claim(r.state, T0 + 2 * SECOND, POLICY).claim).toEqual({ status: "blocked", seq: 1, reason: "expired" });
  });

  it("leaves an acknowledged, an already dead or an unknown command alone", () => {
    const c = given([1, 2]);
    c.ack(1, c.deliver(T0).token, T0);
    for (const seq of [1, 3]) expect(expire(c.state, { seq, reason: "x" }, T0).expired).toBe(false);
    const once = expire(c.state, { seq: 2, reason: "x" }, T0).state;
    expect(expire(deepFreeze(once), { seq: 2, reason: "y" }, T0 + SECOND)).toEqual({ state: once, expired: false });
  });
});

describe("revived", () => {
  it("is due at once with a fresh horizon and attempt count, then delivered", () => {
    const c = given([1, 2]);
    c.fail(1, c.deliver(T0).token, REFUSED, T0);
    const at = T0 + 3 * HOUR;
    expect(c.revive([1], at)).toEqual([1]);
    expect(c.state.commands[0]).toMatchObject({ deadAt: null, deadReason: null, attempts: 0, firstDueAt: at, nextAttemptAt: at });
    expect(nextDueAt(c.state)).toBe(at);
    const d = c.deliver(at);
    expect(d).toMatchObject({ seq: 1, attempt: 1 });
    expect(c.ack(1, d.token, at + SECOND)).toBe("acked");
    expect(c.claim(at + SECOND)).toMatchObject({ status: "deliver", seq: 2 });
  });

  it("is safe to repeat, and leaves alone what is not dead or not listed", () => {
    const c = given([1, 2]);
    c.fail(1, c.deliver(T0).token, REFUSED, T0);
    expect(c.revive([2], T0 + 1)).toEqual([]);
    expect(c.revive("all", T0 + 2)).toEqual([1]);
    const before = c.state;
    expect(c.revive("all", T0 + 3)).toEqual([]);
    expect(c.state).toBe(before);
  });
});

describe("append", () => {
  it("is safe to repeat: known commands are skipped", () => {
    const c = given([1, 2]);
    expect(c.append([2, 3], T0 + 1)).toEqual([3]);
    expect(c.state.commands.map((x) => x.seq)).toEqual([1, 2, 3]);
  });

  it("makes the first command of an idle cursor due at once", () => {
    const c = given([1]);
    c.ack(1, c.deliver(T0).token, T0);
    c.append([2], T0 + HOUR);
    expect(c.claim(T0 + HOUR)).toMatchObject({ status: "deliver", seq: 2 });
  });

  it("refuses a seq reused for another command, or one that comes after a later seq", () => {
    const c = given([1, 3]);
    expect(() => append(c.state, [{ seq: 3, key: "other" }], T0)).toThrow(DeliveryCursorError);
    expect(() => append(c.state, [{ seq: 2, key: "cmd-2" }], T0)).toThrow(DeliveryCursorError);
    expect(() => append(c.state, [{ seq: 0, key: "cmd-0" }], T0)).toThrow(DeliveryCursorError);
  });
});

describe("long outages on a simulated clock", () => {
  /** Retries the head at every due time, as the alarm would, while the destination is down; returns attempts made. */
  function outage(c: ReturnType<typeof given>, until: number, random: () => number): number {
    let attempts = 0;
    for (let now = nextDueAt(c.state) ?? until; now < until; now = nextDueAt(c.state) ?? until) {
      const answer = c.claim(now);
      if (answer.status !== "deliver") throw new Error(`unexpected ${answer.status}`);
      attempts++;
      // Now and then the delivery dies mid-flight instead of reporting.
      if (attempts % 50 === 0) continue;
      const o = c.fail(answer.seq, answer.token, { ...TRANSIENT, ...(attempts % 7 === 0 ? { retryAfterSeconds: 30 } : {}) }, now + 10 * SECOND, random);
      if (o.status !== "retry") throw new Error(`unexpected ${o.status}`);
    }
    return attempts;
  }

  it("a 72-hour outage leaves no dead letter: after recovery every command goes through, in order", () => {
    // A seeded generator (Park–Miller): the jitter varies from attempt to attempt, the test does not.
    let seed = 42;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const c = given([1, 2]);
    let attempts = 0;
    // Commands keep coming during the outage: one every 12 hours.
    for (let h = 12; h <= 72; h += 12) {
      attempts += outage(c, T0 + h * HOUR, random);
      c.append([2 + h / 12], T0 + h * HOUR);
    }
    expect(deadCommands(c.state)).toEqual([]);
    // At most one attempt per base interval at first, then about one per max/2: hundreds, not a hundred-cap.
    expect(attempts).toBeGreaterThan(500);
    const recoveredAt = nextDueAt(c.state) ?? 0;
    expect(recoveredAt - T0).toBeLessThanOrEqual(72 * HOUR + POLICY.maxSeconds * SECOND + POLICY.leaseMs);
    const acked: number[] = [];
    for (let now = recoveredAt; ; now += SECOND) {
      const answer = c.claim(now);
      if (answer.status === "done") break;
      if (answer.status !== "deliver") throw new Error(`unexpected ${answer.status}`);
      expect(c.ack(answer.seq, answer.token, now)).toBe("acked");
      acked.push(answer.seq);
    }
    expect(acked).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("an outage past the horizon: the head expires, ops replay it, and it is delivered once", () => {
    const c = given([1, 2]);
    outage(c, T0 + HORIZON, () => 0.5);
    const d = c.deliver(nextDueAt(c.state) ?? 0);
    expect(c.fail(1, d.token, TRANSIENT, T0 + HORIZON + MINUTE)).toEqual({ status: "dead", reason: "expired" });
    expect(c.claim(T0 + HORIZON + HOUR)).toMatchObject({ status: "blocked", reason: "expired" });
    c.revive("all", T0 + HORIZON + 2 * HOUR);
    const delivered: number[] = [];
    for (let now = T0 + HORIZON + 2 * HOUR; ; now += SECOND) {
      const answer = c.claim(now);
      if (answer.status === "done") break;
      if (answer.status !== "deliver") throw new Error(`unexpected ${answer.status}`);
      c.ack(answer.seq, answer.token, now);
      delivered.push(answer.seq);
    }
    expect(delivered).toEqual([1, 2]);
  });
});

describe("policy", () => {
  it("defaults to base 2 s, max 300 s, a 168-hour horizon and a 60 s lease", () => {
    expect(deliveryPolicy("ERP", {})).toEqual({ baseSeconds: 2, maxSeconds: 300, horizonHours: 168, leaseMs: 60_000 });
  });

  it("reads the kind's variables and the shared horizon", () => {
    const env = { ERP_RETRY_BASE_SECONDS: "1", ERP_RETRY_MAX_SECONDS: "2", DELIVERY_RETRY_HORIZON_HOURS: "72", FULFILLMENT_RETRY_MAX_SECONDS: "900" };
    expect(deliveryPolicy("ERP", env)).toEqual({ baseSeconds: 1, maxSeconds: 2, horizonHours: 72, leaseMs: 60_000 });
    expect(deliveryPolicy("FULFILLMENT", env)).toMatchObject({ baseSeconds: 2, maxSeconds: 900, horizonHours: 72 });
  });

  it("falls back to the default for a missing, empty, non-numeric, zero or negative value", () => {
    const env = { ERP_RETRY_BASE_SECONDS: "0", ERP_RETRY_MAX_SECONDS: "abc", DELIVERY_RETRY_HORIZON_HOURS: "-1", ERP_TIMEOUT_MS: "" };
    expect(deliveryPolicy("ERP", env)).toEqual(DELIVERY_DEFAULTS);
  });

  it("keeps the lease longer than the adapter's timeout", () => {
    expect(deliveryPolicy("ERP", { ERP_TIMEOUT_MS: "45000" }).leaseMs).toBe(75_000);
  });
});

describe("properties", () => {
  type Op =
    | { op: "append"; n: number }
    | { op: "advance"; ms: number }
    | { op: "claim" }
    | { op: "ack"; stale: boolean }
    | { op: "fail"; permanent: boolean; stale: boolean; retryAfterSeconds?: number; random: number }
    | { op: "revive" }
    | { op: "wake" };

  const opArb = (maxAdvanceMs: number): fc.Arbitrary<Op> =>
    fc.oneof(
      fc.record({ op: fc.constant("append" as const), n: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: maxAdvanceMs }) }),
      fc.constant({ op: "claim" as const }),
      fc.constant({ op: "claim" as const }),
      fc.record({ op: fc.constant("ack" as const), stale: fc.boolean() }),
      fc.record(
        {
          op: fc.constant("fail" as const),
          permanent: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
          stale: fc.boolean(),
          retryAfterSeconds: fc.integer({ min: 0, max: 3600 }),
          random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        },
        { requiredKeys: ["op", "permanent", "stale", "random"] },
      ),
      fc.constant({ op: "revive" as const }),
      fc.constant({ op: "wake" as const }),
    );

  /** Runs the ops, checking the cursor's invariants after each; returns what was acknowledged, in order. */
  function run(ops: Op[], onDead: (reason: string, now: number, firstDueAt: number) => void): number[] {
    let state: DeliveryState = deepFreeze(emptyDelivery());
    let now = T0;
    let lastSeq = 0;
    let token = "none";
    const tokens: string[] = [];
    const acked: number[] = [];
    const seen = new Set<string>();
    for (const o of ops) {
      const before = head(state);
      switch (o.op) {
        case "append": {
          const seqs = Array.from({ length: o.n }, (_, i) => lastSeq + 1 + i);
          lastSeq += o.n;
          state = append(state, commands(...seqs), now).state;
          break;
        }
        case "advance":
          now += o.ms;
          break;
        case "claim": {
          const r = claim(state, now, POLICY);
          state = r.state;
          if (r.claim.status === "deliver") {
            expect(seen.has(r.claim.token)).toBe(false);
            seen.add(r.claim.token);
            tokens.push(token);
            token = r.claim.token;
          }
          if (r.claim.status === "waiting") {
            expect(r.claim.until).toBeGreaterThan(now);
            expect(nextDueAt(state)).toBe(r.claim.until);
          }
          if (r.claim.status === "blocked" && before?.deadAt === null && before.firstDueAt !== null) onDead(r.claim.reason, now, before.firstDueAt);
          break;
        }
        case "ack": {
          const h = head(state);
          if (!h) break;
          const r = ack(state, { seq: h.seq, token: o.stale ? (tokens.at(-1) ?? "none") : token }, now);
          state = r.state;
          if (r.outcome === "acked") acked.push(h.seq);
          break;
        }
        case "fail": {
          const h = head(state);
          if (!h) break;
          const failure: DeliveryFailure = o.permanent
            ? { kind: "permanent", reason: "refused" }
            : { kind: "transient", reason: "down", ...(o.retryAfterSeconds !== undefined ? { retryAfterSeconds: o.retryAfterSeconds } : {}) };
          const r = fail(state, { seq: h.seq, token: o.stale ? (tokens.at(-1) ?? "none") : token, failure }, now, POLICY, () => o.random);
          state = r.state;
          if (r.outcome.status === "dead") onDead(r.outcome.reason, now, h.firstDueAt ?? now);
          if (r.outcome.status === "retry") {
            expect(r.outcome.at).toBeGreaterThanOrEqual(now + Math.min(o.retryAfterSeconds ?? 0, POLICY.maxSeconds) * SECOND);
            expect(r.outcome.at).toBeLessThanOrEqual(now + POLICY.maxSeconds * SECOND);
          }
          break;
        }
        case "revive":
          state = revive(state, "all", now).state;
          break;
        case "wake":
          state = wake(state, now);
          break;
      }
      deepFreeze(state);
      // Invariants: acknowledged commands are a prefix; a dead command or a lease only ever on the head;
      // the state is plain JSON.
      const h = head(state);
      const firstOpen = state.commands.findIndex((c) => c.ackedAt === null);
      if (firstOpen >= 0) expect(state.commands.slice(firstOpen).every((c) => c.ackedAt === null)).toBe(true);
      expect(deadCommands(state).every((c) => c.seq === h?.seq)).toBe(true);
      if (state.lease) {
        expect(state.lease.seq).toBe(h?.seq);
        expect(h?.deadAt).toBeNull();
      }
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    }
    return acked;
  }

  it("whatever the claims, acks, failures and lapses before the horizon: nothing dies but by refusal, and acks follow seq order", () => {
    fc.assert(
      fc.property(fc.array(opArb(2 * HOUR), { maxLength: 80 }), (ops) => {
        const acked = run(ops, (reason) => expect(reason).toBe("refused"));
        expect(acked).toEqual(acked.map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });

  it("across the horizon: a command dies expired only at a failure at least the horizon after it became due", () => {
    fc.assert(
      fc.property(fc.array(opArb(48 * HOUR), { maxLength: 80 }), (ops) => {
        const acked = run(ops, (reason, now, firstDueAt) => {
          if (reason === "expired") expect(now - firstDueAt).toBeGreaterThanOrEqual(HORIZON);
        });
        expect(acked).toEqual(acked.map((_, i) => i + 1));
      }),
      { numRuns: 300 },
    );
  });
});
