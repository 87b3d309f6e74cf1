// DestinationDO: one per destination (today "erp"), the home of its gate (src/domain/gate.ts): the
// concurrency cap, the pause with one probe at a time, and the waiting list of the orders it turned away
// or that failed on it, oldest first. When capacity frees up (or the probe is due), its alarm wakes the
// next waiting orders: each order's own cursor then sends its head's message, which comes back through the
// queue to claim a permit. The gate never holds a command: losing a wake costs time (the order asks again
// on its own at its safety-net time), never a fact.
import { DurableObject } from "cloudflare:workers";
import { deliveryPolicy } from "../src/domain/delivery";
import {
  acquire,
  emptyGate,
  type GatePolicy,
  type GateState,
  type Grant,
  type Permit,
  gatePolicy,
  giveTurns,
  nextGateAt,
  type PermitOutcome,
  release,
  returnTurn,
  turnsDue,
} from "../src/domain/gate";
import { orderStub } from "../src/orders";
import { errorName, log } from "../src/platform/log";

/** What ops see of a destination (GET /ops/destinations). */
export interface DestinationStatus {
  destination: string;
  mode: "open" | "paused";
  pausedSince: string | null;
  nextProbeAt: string | null;
  concurrency: number;
  inFlight: number;
  turnsOut: number;
  waiting: number;
  oldestWaitingSince: string | null;
  consecutiveFailures: number;
}

/** A permit handed on to the waiting order that has waited longest, for the returning consumer to deliver at once. */
export interface Handoff {
  orderId: string;
  since: number;
  permit: Permit;
}

/** Orders woken per alarm run at most: a run stays short, and the next run wakes the rest. */
const WAKE_BATCH = 50;
/** When an alarm run fails (storage briefly unavailable), the next one comes this much later. */
const ALARM_RETRY_MS = 10_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class DestinationDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS waiting (order_id TEXT PRIMARY KEY, since INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS waiting_by_since ON waiting (since, order_id);
    `);
  }

  /** The destination's kind, for its variables (`ERP` → ERP_MAX_CONCURRENCY, ERP_RETRY_*). */
  private kind(): string {
    return (this.getMeta("name") ?? "erp").split(":")[0]?.toUpperCase() ?? "ERP";
  }

  private policy(): GatePolicy {
    const kind = this.kind();
    return gatePolicy(kind, this.env, deliveryPolicy(kind, this.env));
  }

  private state(): GateState {
    const v = this.getMeta("gate");
    return v ? (JSON.parse(v) as GateState) : emptyGate();
  }

  /**
   * A permit for one delivery chain of `orderId`, or "wait for your turn": the order joins the waiting list
   * (keeping the earliest `since`, when its command became due) and is woken when its turn comes.
   */
  async acquire(name: string, orderId: string, since: number): Promise<Grant> {
    const now = Date.now();
    const grant = this.ctx.storage.transactionSync(() => {
      if (!this.getMeta("name")) this.setMeta("name", name);
      const r = acquire(this.state(), orderId, now, this.policy());
      this.save(r.state);
      if (r.grant.status === "granted") this.sql.exec("DELETE FROM waiting WHERE order_id = ?", orderId);
      else this.wait(orderId, since);
      return r.grant;
    });
    await this.schedule(now);
    return grant;
  }

  /**
   * Returns a permit with how its delivery ended; an order whose delivery failed while the destination is
   * (now) paused joins the waiting list, to be woken when it is back (see the gate's `release`).
   */
  async release(permitId: string, orderId: string, outcome: PermitOutcome, since: number, handOn = false): Promise<Handoff | null> {
    const now = Date.now();
    const r = this.ctx.storage.transactionSync(() => {
      const policy = this.policy();
      const r = release(this.state(), permitId, outcome, now, policy, Math.random);
      if (r.waitForTurn) this.wait(orderId, since);
      let state = r.state;
      let handoff: Handoff | null = null;
      // The destination answered and an order waits: the permit goes on to the one that waited longest.
      const answered = outcome.kind === "delivered" || outcome.kind === "refused";
      const next =
        handOn && answered
          ? this.sql.exec<{ order_id: string; since: number }>("SELECT order_id, since FROM waiting ORDER BY since, order_id LIMIT 1").toArray()[0]
          : undefined;
      if (next) {
        const a = acquire(state, next.order_id, now, policy);
        if (a.grant.status === "granted") {
          state = a.state;
          this.sql.exec("DELETE FROM waiting WHERE order_id = ?", next.order_id);
          handoff = { orderId: next.order_id, since: next.since, permit: a.grant.permit };
        }
      }
      this.save(state);
      return { ...r, state, handoff };
    });
    const destination = this.getMeta("name") ?? "erp";
    if (r.paused) log.warn("destination paused: failing; one probe at a time until it answers", { destination, nextProbeAt: iso(r.state.probeAt) });
    if (r.resumed) log.info("destination answers again: waiting orders resume, oldest first", { destination, waiting: this.waitingCount() });
    await this.schedule(now);
    return r.handoff;
  }

  /** Wakes the next waiting orders: as many as there is capacity (or the one probe), oldest first. */
  override async alarm(): Promise<void> {
    try {
      for (let run = 0; run < 20; run++) {
        const now = Date.now();
        const woken = this.ctx.storage.transactionSync(() => {
          const state = this.state();
          const n = Math.min(WAKE_BATCH, turnsDue(state, this.waitingCount(), now, this.policy()));
          if (n === 0) return [];
          const ids = this.sql.exec<{ order_id: string; since: number }>("SELECT order_id, since FROM waiting ORDER BY since, order_id LIMIT ?", n).toArray();
          for (const w of ids) this.sql.exec("DELETE FROM waiting WHERE order_id = ?", w.order_id);
          this.save(
            giveTurns(
              state,
              ids.map((w) => w.order_id),
              now,
              this.policy(),
            ),
          );
          return ids;
        });
        if (woken.length === 0) break;
        const name = this.getMeta("name") ?? "erp";
        const wakeOne = async (orderId: string): Promise<number | null> => {
          const order = orderStub(this.env, orderId);
          if (name === "erp") return order.wakeErp();
          const r = await order.delivery(name, { op: "wake" });
          return "seq" in r && typeof r.seq === "number" ? r.seq : null;
        };
        const results = await Promise.allSettled(woken.map((w) => wakeOne(w.order_id)));
        // A woken order with nothing to deliver gives its turn back at once; one that could not be reached
        // waits again in its place.
        this.ctx.storage.transactionSync(() => {
          let state = this.state();
          results.forEach((r, i) => {
            const w = woken[i];
            if (!w || (r.status === "fulfilled" && r.value !== null)) return;
            state = returnTurn(state, w.order_id);
            if (r.status === "rejected") this.wait(w.order_id, w.since);
          });
          this.save(state);
        });
        const failed = results.filter((r) => r.status === "rejected");
        log.info("destination woke waiting orders", { destination: this.getMeta("name"), woken: woken.length, unreachable: failed.length });
        if (failed[0]?.status === "rejected") log.warn("waking an order failed; it waits again", { error: errorName(failed[0].reason) });
      }
      // Re-armed unconditionally: the alarm that is running may still be the one `getAlarm` reports.
      const at = nextGateAt(this.state(), this.waitingCount(), Date.now(), this.policy());
      if (at !== null) await this.ctx.storage.setAlarm(at);
    } catch (err) {
      log.error("destination alarm failed; re-armed", { destination: this.getMeta("name"), error: errorName(err), retryInMs: ALARM_RETRY_MS });
      await this.ctx.storage.setAlarm(Date.now() + ALARM_RETRY_MS);
    }
  }

  async status(name: string): Promise<DestinationStatus> {
    const state = this.state();
    const policy = this.policy();
    const now = Date.now();
    const oldest = this.sql.exec<{ since: number | null }>("SELECT min(since) AS since FROM waiting").one().since;
    return {
      destination: this.getMeta("name") ?? name,
      mode: state.mode,
      pausedSince: iso(state.pausedAt),
      nextProbeAt: state.mode === "paused" ? iso(state.probeAt) : null,
      concurrency: policy.concurrency,
      inFlight: state.permits.filter((p) => p.until > now).length,
      turnsOut: state.turns.filter((t) => t.until > now).length,
      waiting: this.waitingCount(),
      oldestWaitingSince: iso(oldest),
      consecutiveFailures: state.failures,
    };
  }

  /** Arms the alarm for the next time waiting orders can be woken (now, a probe time, a lapse). */
  private async schedule(now: number): Promise<void> {
    const at = nextGateAt(this.state(), this.waitingCount(), now, this.policy());
    if (at === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private wait(orderId: string, since: number): void {
    this.sql.exec(
      "INSERT INTO waiting (order_id, since) VALUES (?, ?) ON CONFLICT (order_id) DO UPDATE SET since = min(since, excluded.since)",
      orderId,
      since,
    );
  }

  private waitingCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM waiting").one().n;
  }

  private save(state: GateState): void {
    this.setMeta("gate", JSON.stringify(state));
  }

  private getMeta(k: string): string | undefined {
    return this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v;
  }

  private setMeta(k: string, v: string): void {
    this.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v);
  }
}
