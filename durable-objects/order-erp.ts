// The order's ERP deliveries: a thin adapter over the pure delivery cursor (src/domain/delivery.ts). The
// cursor's state lives in the OrderDO's SQLite as meta `delivery:erp`, written in the caller's transaction;
// the `commands` table keeps the payloads and mirrors attempts / last error / dead / acked for ops; this
// adapter turns the cursor's changes into the read model's records (progress, dead letters) and into the
// queue messages that carry a due command to the consumer. The retry schedule is the cursor's: the order's
// alarm fires at `alarmAt` and sends the head's message when it is due (docs/decisions/0012).
import type { CommandType, ErpCommand } from "../src/domain/commands";
import {
  ack,
  append,
  claim,
  type DeadReason,
  defer,
  type DeliveryCommand,
  type DeliveryFailure,
  type DeliveryPolicy,
  type DeliveryState,
  emptyDelivery,
  expire,
  type FailOutcome,
  fail,
  head,
  nextDueAt,
  revive,
  wake,
} from "../src/domain/delivery";
import type { Json } from "../src/domain/json";
import type { DeadLetter, ErpMessage, ErpProgress } from "../src/domain/messages";

export type ErpClaim =
  | { status: "deliver"; lease: string; command: ErpCommand; correlationId: string; attempt: number }
  | { status: "done" }
  /** A predecessor is not acknowledged yet: its acknowledgement sends this one's message. */
  | { status: "wait" }
  /** The command waits out its backoff: the order's alarm sends a fresh message at `until` (epoch ms). */
  | { status: "waiting"; until: number }
  /** Another delivery of the same command holds the lease until `until`; the alarm takes over if it dies. */
  | { status: "leased"; until: number }
  /** This command, or the one before it, is dead: nothing moves until ops replay it. */
  | { status: "blocked" }
  | { status: "unknown" };

const STATE_KEY = "delivery:erp";
/** The head whose message was last handed to the outbox, and when: `{ seq, at }`; cleared by a claim. */
const SENT_KEY = "erp_sent";
/**
 * A due head whose message nobody claimed for this long gets a fresh one from the alarm. Queues delivers at
 * least once, so this only covers a message lost before it reached the queue or acked without effect; it is
 * long enough not to duplicate messages that merely wait in a backlog.
 */
export const RESEND_AFTER_MS = 300_000;

/**
 * The dead letter's recorded cause keeps the names the read model and ops have always used: "rejected"
 * means the cursor's "refused" (a permanent refusal by the ERP), "exhausted" its "expired" (the retry
 * horizon passed, or the queue's dead-letter path gave up). Bulk replay accepts either name.
 */
const CAUSE: Record<DeadReason, DeadLetter["cause"]> = { refused: "rejected", expired: "exhausted" };

type Row = {
  seq: number;
  key: string;
  type: CommandType;
  payload: string;
  correlation_id: string;
  created_at: string;
  attempts: number;
  dead_at: string | null;
  acked_at: string | null;
  last_error: string | null;
  dead_cause: string | null;
  dead_status: number | null;
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function deadLetterOf(orderId: string, r: Row & { dead_at: string }): DeadLetter {
  return {
    id: `dl_${orderId}_${r.seq}_${Date.parse(r.dead_at)}`,
    orderId,
    seq: r.seq,
    commandKey: r.key,
    type: r.type,
    // Commands killed before the cause was stored: a refusal leaves the ERP's status in the reason.
    cause: r.dead_cause === "exhausted" || r.dead_cause === "rejected" ? r.dead_cause : "rejected",
    reason: r.last_error ?? "",
    erpStatus: r.dead_status ?? null,
    correlationId: r.correlation_id,
    createdAt: r.dead_at,
  };
}

export interface ErpHost {
  sql: SqlStorage;
  getMeta(k: string): string | undefined;
  setMeta(k: string, v: string): void;
  orderId(): string;
  policy(): DeliveryPolicy;
  /** Writes an outbox row (sent after the commit). */
  enqueueErp(m: ErpMessage): void;
  enqueueProgress(p: ErpProgress, correlationId: string): void;
  enqueueDeadLetter(d: DeadLetter): void;
}

export class ErpCursor {
  constructor(private readonly h: ErpHost) {}

  get acked(): number {
    return Number(this.h.getMeta("erp_acked") ?? "0");
  }

  /** The cursor's state; an object from before the cursor existed derives it once from its commands. */
  state(now = Date.now()): DeliveryState {
    const v = this.h.getMeta(STATE_KEY);
    return v ? (JSON.parse(v) as DeliveryState) : this.derive(now);
  }

  /**
   * The cursor of an object written by the old SQL state machine: the acknowledged prefix (`erp_acked`),
   * dead commands with their cause, attempts and last errors; the head is due now with a fresh horizon
   * (nobody recorded when it became due), and an unexpired lease is kept so its delivery may still ack.
   */
  private derive(now: number): DeliveryState {
    const acked = this.acked;
    const rows = this.rows();
    let headSeen = false;
    const commands = rows.map((r): DeliveryCommand => {
      const isAcked = r.seq <= acked;
      const isHead = !isAcked && !headSeen;
      if (isHead) headSeen = true;
      const due = isHead && !r.dead_at ? now : null;
      return {
        seq: r.seq,
        key: r.key,
        firstDueAt: due,
        attempts: r.attempts,
        nextAttemptAt: due,
        lastError: r.last_error,
        lastStatus: r.dead_status,
        deadAt: r.dead_at ? Date.parse(r.dead_at) : null,
        deadReason: r.dead_at ? (r.dead_cause === "exhausted" ? "expired" : "refused") : null,
        ackedAt: isAcked ? (r.acked_at ? Date.parse(r.acked_at) : now) : null,
      };
    });
    const old = this.h.getMeta("erp_lease");
    const lease = old ? (JSON.parse(old) as { seq: number; token: string; until: number }) : null;
    const h = commands.find((c) => c.ackedAt === null);
    return { commands, lease: lease && h && lease.seq === h.seq && !h.deadAt ? lease : null, leasesIssued: emptyDelivery().leasesIssued };
  }

  private rows(): Row[] {
    return this.h.sql
      .exec<Row>(
        "SELECT seq, key, type, payload, correlation_id, created_at, attempts, dead_at, acked_at, last_error, dead_cause, dead_status FROM commands ORDER BY seq",
      )
      .toArray();
  }

  private row(seq: number): Row | undefined {
    return this.h.sql
      .exec<Row>(
        "SELECT seq, key, type, payload, correlation_id, created_at, attempts, dead_at, acked_at, last_error, dead_cause, dead_status FROM commands WHERE seq = ?",
        seq,
      )
      .toArray()[0];
  }

  /**
   * Persists a new state (inside the caller's transaction): the cursor's JSON, the `commands` mirror of
   * every command that changed, `erp_acked`, and for ops and the read model a dead letter per newly dead
   * command and the new progress when anything was appended, acknowledged, killed or revived.
   */
  private commit(before: DeliveryState, after: DeliveryState, now: number, correlationId?: string): void {
    if (after === before && this.h.getMeta(STATE_KEY)) return;
    this.h.setMeta(STATE_KEY, JSON.stringify(after));
    const old = new Map(before.commands.map((c) => [c.seq, c]));
    let progressed = false;
    for (const c of after.commands) {
      const o = old.get(c.seq);
      if (o === c) continue;
      this.h.sql.exec(
        "UPDATE commands SET attempts = ?, last_error = ?, dead_at = ?, dead_cause = ?, dead_status = ?, acked_at = ? WHERE seq = ?",
        c.attempts,
        c.lastError,
        iso(c.deadAt),
        c.deadReason ? CAUSE[c.deadReason] : null,
        c.deadAt !== null ? c.lastStatus : null,
        iso(c.ackedAt),
        c.seq,
      );
      if (!o || o.ackedAt !== c.ackedAt || o.deadAt !== c.deadAt) progressed = true;
      if (c.deadAt !== null && o?.deadAt !== c.deadAt) {
        const r = this.row(c.seq);
        if (r?.dead_at) this.h.enqueueDeadLetter(deadLetterOf(this.h.orderId(), { ...r, dead_at: r.dead_at }));
      }
    }
    const acked = after.commands.filter((c) => c.ackedAt !== null).at(-1)?.seq ?? 0;
    if (acked !== this.acked) this.h.setMeta("erp_acked", String(acked));
    if (progressed) this.progressChanged(new Date(now).toISOString(), correlationId);
  }

  /** New commands: stored with their payloads, appended to the sequence; a head that became due is sent. */
  append(commands: readonly Pick<ErpCommand, "seq" | "key" | "type" | "payload">[], now: number, correlationId: string): void {
    // Loaded before the rows exist: an object without a stored cursor derives it from the rows it had.
    const before = this.state(now);
    for (const cmd of commands) {
      this.h.sql.exec(
        "INSERT INTO commands (seq, key, type, payload, correlation_id, created_at) VALUES (?,?,?,?,?,?)",
        cmd.seq,
        cmd.key,
        cmd.type,
        JSON.stringify(cmd.payload),
        correlationId,
        new Date(now).toISOString(),
      );
    }
    const { state } = append(before, commands, now);
    this.commit(before, state, now, correlationId);
    this.sendDue(state, now);
  }

  claim(seq: number, now: number): ErpClaim {
    const before = this.state(now);
    const h = head(before);
    if (!h || seq < h.seq) return this.row(seq) ? { status: "done" } : { status: "unknown" };
    const row = this.row(seq);
    if (!row) return { status: "unknown" };
    if (seq > h.seq) return h.deadAt !== null ? { status: "blocked" } : { status: "wait" };
    const { state, claim: c } = claim(before, now, this.h.policy());
    this.commit(before, state, now);
    switch (c.status) {
      case "deliver":
        // A message for this attempt is no longer on its way: a lapse of this lease needs a fresh one.
        this.h.sql.exec("DELETE FROM meta WHERE k = ?", SENT_KEY);
        this.h.setMeta("erp_last_claim_seq", String(seq));
        this.h.setMeta("erp_last_claim_at", new Date(now).toISOString());
        return {
          status: "deliver",
          lease: c.token,
          correlationId: row.correlation_id,
          attempt: c.attempt,
          command: { orderId: this.h.orderId(), seq, key: row.key, type: row.type, payload: JSON.parse(row.payload) as Record<string, Json> },
        };
      case "waiting":
        return { status: "waiting", until: c.until };
      case "leased":
        return { status: "leased", until: c.until };
      case "blocked":
        return { status: "blocked" };
      case "done":
        return { status: "done" };
    }
  }

  /**
   * Claims the head, whatever its seq: the destination's gate handed this order its turn (a permit
   * passed on by a consumer), so a head parked for its turn or waiting out a backoff is due now.
   */
  claimHead(now: number): ErpClaim {
    const before = this.state(now);
    const woken = wake(before, now);
    if (woken !== before) this.commit(before, woken, now);
    const h = head(woken);
    return h ? this.claim(h.seq, now) : { status: "done" };
  }

  /** The ERP has command `seq`: advance, and send the next command's message (the safety net of a chain). */
  ack(seq: number, token: string, now: number): boolean {
    const before = this.state(now);
    const { state, outcome } = ack(before, { seq, token }, now);
    if (outcome !== "acked") return false;
    this.commit(before, state, now);
    this.sendDue(state, now);
    return true;
  }

  /**
   * `ack`, then with `claimNext` the claim of the command after it, in the caller's transaction. Undefined
   * when the ack did not apply (a lapsed or foreign lease): nothing changed.
   */
  ackAndClaim(seq: number, token: string, now: number, claimNext: boolean): ErpClaim | null | undefined {
    if (!this.ack(seq, token, now)) return undefined;
    return claimNext ? this.claim(seq + 1, now) : null;
  }

  /** An attempt failed: the cursor answers when to retry (the alarm sends it then), or that it is dead. */
  fail(seq: number, token: string, failure: DeliveryFailure, now: number, random: () => number): FailOutcome {
    const before = this.state(now);
    const { state, outcome } = fail(before, { seq, token, failure }, now, this.h.policy(), random);
    this.commit(before, state, now);
    return outcome;
  }

  /** The queue's dead-letter path gave up on `seq`: dead, "expired" (recorded as "exhausted"). */
  expire(seq: number, reason: string, now: number): boolean {
    const before = this.state(now);
    const { state, expired } = expire(before, { seq, reason }, now);
    if (expired) this.commit(before, state, now);
    return expired;
  }

  /** Ops replay a dead command: due now with a fresh horizon, and its message is sent if it is the head. */
  revive(seq: number, now: number): boolean {
    const before = this.state(now);
    const { state, revived } = revive(before, [seq], now);
    if (revived.length === 0) return false;
    this.commit(before, state, now);
    this.sendDue(state, now, true);
    return true;
  }

  /** The destination's gate turned the head away before its delivery started: it waits for its turn. */
  defer(seq: number, until: number, failing: string | undefined, now: number): "deferred" | "expired" | "unchanged" {
    const before = this.state(now);
    const { state, outcome } = defer(before, { seq, until, ...(failing !== undefined ? { failing } : {}) }, now, this.h.policy());
    if (outcome !== "unchanged") this.commit(before, state, now);
    return outcome;
  }

  /** The ERP answers again: a head waiting out its backoff is due now, and its message is sent. */
  wake(now: number): number | null {
    const before = this.state(now);
    const state = wake(before, now);
    this.commit(before, state, now);
    return this.sendDue(state, now, true);
  }

  /** Re-sends the head command's message when it is deliverable (reconciliation, ops): harmless if in flight. */
  nudge(now: number): number | null {
    return this.sendDue(this.state(now), now, true);
  }

  /**
   * Hands the head's message to the outbox when the head may be delivered now (due, not leased or its lease
   * lapsed, not dead), unless one was sent for it less than RESEND_AFTER_MS ago (`force` sends anyway).
   * Returns the seq sent, or null.
   */
  sendDue(state: DeliveryState = this.state(), now = Date.now(), force = false): number | null {
    const h = head(state);
    if (!h || h.deadAt !== null || h.nextAttemptAt === null || h.nextAttemptAt > now) return null;
    if (state.lease && state.lease.until > now) return null;
    const sent = this.sent();
    if (!force && sent?.seq === h.seq && now - sent.at < RESEND_AFTER_MS) return null;
    const row = this.row(h.seq);
    if (!row) return null;
    this.h.enqueueErp({ kind: "erp", orderId: this.h.orderId(), seq: h.seq, correlationId: row.correlation_id, dueSince: h.firstDueAt ?? now });
    this.h.setMeta(SENT_KEY, JSON.stringify({ seq: h.seq, at: now }));
    return h.seq;
  }

  private sent(): { seq: number; at: number } | null {
    const v = this.h.getMeta(SENT_KEY);
    return v ? (JSON.parse(v) as { seq: number; at: number }) : null;
  }

  /**
   * When the order's alarm must next look at its ERP deliveries: a waiting head's retry time, a lease's
   * end (its delivery may have died), or — for a head due now whose message is on its way — the moment
   * that message counts as lost. Null when nothing is pending or the head is dead.
   */
  alarmAt(now: number): number | null {
    const state = this.state(now);
    const at = nextDueAt(state);
    if (at === null || at > now) return at;
    const sent = this.sent();
    return sent && sent.seq === head(state)?.seq ? Math.max(now, sent.at + RESEND_AFTER_MS) : now;
  }

  /** When the head command last saw any activity (emitted, sent, or claimed); null unless it is due now. */
  headLastActivityAt(now = Date.now()): string | null {
    const state = this.state(now);
    const h = head(state);
    if (!h || h.deadAt !== null || (h.nextAttemptAt !== null && h.nextAttemptAt > now) || (state.lease && state.lease.until > now)) return null;
    const row = this.row(h.seq);
    if (!row) return null;
    const claimed = this.h.getMeta("erp_last_claim_seq") === String(h.seq) ? this.h.getMeta("erp_last_claim_at") : undefined;
    const sent = this.sent();
    const times = [row.created_at, claimed, sent?.seq === h.seq ? new Date(sent.at).toISOString() : undefined];
    return (
      times
        .filter((t): t is string => Boolean(t))
        .sort()
        .at(-1) ?? null
    );
  }

  /**
   * Every dead command as the read model's dead letter. The order is their source of truth: the same
   * command dead at the same time always gives the same record (and id), so re-sending them is harmless.
   */
  deadLetters(): DeadLetter[] {
    return this.h.sql
      .exec<Row & { dead_at: string }>(
        "SELECT seq, key, type, payload, correlation_id, created_at, attempts, dead_at, acked_at, last_error, dead_cause, dead_status FROM commands WHERE dead_at IS NOT NULL ORDER BY seq",
      )
      .toArray()
      .map((r) => deadLetterOf(this.h.orderId(), r));
  }

  progress(now: string): ErpProgress {
    const acked = this.acked;
    const last = this.h.sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM commands").one().s ?? 0;
    const dead = this.h.sql.exec<{ s: number | null }>("SELECT min(seq) AS s FROM commands WHERE dead_at IS NOT NULL").one().s;
    const head = this.row(acked + 1);
    return {
      orderId: this.h.orderId(),
      lastSeq: last,
      ackedSeq: acked,
      deadSeq: dead,
      oldestPendingAt: head?.created_at ?? null,
      erpVersion: Number(this.h.getMeta("erp_version") ?? "0"),
      updatedAt: now,
    };
  }

  /** Call after any change of the cursor: the read model's copy is guarded by `erpVersion`. */
  progressChanged(now: string, correlationId?: string): void {
    this.h.setMeta("erp_version", String(Number(this.h.getMeta("erp_version") ?? "0") + 1));
    this.h.setMeta("erp_changed_at", now);
    const head = this.row(this.acked + 1);
    this.h.enqueueProgress(this.progress(now), correlationId ?? head?.correlation_id ?? "");
  }

  /** The lease in force, and when the head's next attempt is due, for ops. */
  schedule(now: number): { lease: { seq: number; until: string } | null; nextAttemptAt: string | null } {
    const state = this.state(now);
    const l = state.lease;
    const h = head(state);
    return {
      lease: l && l.until > now ? { seq: l.seq, until: new Date(l.until).toISOString() } : null,
      nextAttemptAt: h && h.deadAt === null ? iso(h.nextAttemptAt) : null,
    };
  }
}
