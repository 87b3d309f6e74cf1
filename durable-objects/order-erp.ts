// The order's ERP delivery cursor, inside the OrderDO's SQLite: which command is next, who holds the
// delivery lease, what the ERP acknowledged, what is dead. Only the next unacknowledged command is ever
// leased, so the ERP sees an order's commands in sequence and never two at once.
import type { CommandType, ErpCommand } from "../src/domain/commands";
import type { Json } from "../src/domain/json";
import type { DeadLetter, ErpMessage, ErpProgress } from "../src/domain/messages";

export type ErpClaim =
  | { status: "deliver"; lease: string; command: ErpCommand; correlationId: string; attempt: number }
  | { status: "done" }
  /** A predecessor is not acknowledged yet: its acknowledgement will nudge this one. */
  | { status: "wait" }
  /** Another delivery of the same command holds the lease until `until` (epoch ms). */
  | { status: "leased"; until: number }
  /** This command, or the one before it, is dead: nothing moves until ops replay it. */
  | { status: "blocked" }
  | { status: "unknown" };

// Longer than the adapter's timeout, so a lease never expires under a delivery still in flight.
export const ERP_LEASE_MS = 60_000;

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
  last_error?: string | null;
  dead_cause?: string | null;
  dead_status?: number | null;
};

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

  private row(seq: number): Row | undefined {
    return this.h.sql
      .exec<Row>("SELECT seq, key, type, payload, correlation_id, created_at, attempts, dead_at, acked_at FROM commands WHERE seq = ?", seq)
      .toArray()[0];
  }

  private lease(): { seq: number; token: string; until: number } | null {
    const v = this.h.getMeta("erp_lease");
    return v ? (JSON.parse(v) as { seq: number; token: string; until: number }) : null;
  }

  private holds(seq: number, token: string): boolean {
    const l = this.lease();
    return l !== null && l.token === token && l.seq === seq;
  }

  /** When the head command last saw any activity (emitted, or claimed for a delivery attempt). */
  headLastActivityAt(): string | null {
    const head = this.row(this.acked + 1);
    if (!head || head.dead_at) return null;
    return this.h.getMeta("erp_last_claim_seq") === String(head.seq) ? (this.h.getMeta("erp_last_claim_at") ?? head.created_at) : head.created_at;
  }

  claim(seq: number, orderId: string, now: number): ErpClaim {
    const acked = this.acked;
    if (seq <= acked) return { status: "done" };
    const row = this.row(seq);
    if (!row) return { status: "unknown" };
    if (row.dead_at) return { status: "blocked" };
    if (seq > acked + 1) return this.row(acked + 1)?.dead_at ? { status: "blocked" } : { status: "wait" };
    const lease = this.lease();
    if (lease && lease.until > now) return { status: "leased", until: lease.until };
    const token = crypto.randomUUID();
    this.h.setMeta("erp_lease", JSON.stringify({ seq, token, until: now + ERP_LEASE_MS }));
    this.h.setMeta("erp_last_claim_seq", String(seq));
    this.h.setMeta("erp_last_claim_at", new Date(now).toISOString());
    this.h.sql.exec("UPDATE commands SET attempts = attempts + 1 WHERE seq = ?", seq);
    return {
      status: "deliver",
      lease: token,
      correlationId: row.correlation_id,
      attempt: row.attempts + 1,
      command: { orderId, seq, key: row.key, type: row.type, payload: JSON.parse(row.payload) as Record<string, Json> },
    };
  }

  /** The ERP has command `seq`: advance, and nudge the next command (its own message may have been dropped). */
  ack(seq: number, token: string, orderId: string, now: string): boolean {
    if (seq <= this.acked || !this.holds(seq, token)) return false;
    this.h.setMeta("erp_acked", String(seq));
    this.h.sql.exec("DELETE FROM meta WHERE k = 'erp_lease'");
    this.h.sql.exec("UPDATE commands SET acked_at = ?, last_error = NULL WHERE seq = ?", now, seq);
    const next = this.row(seq + 1);
    if (next) this.h.enqueueErp({ kind: "erp", orderId, seq: next.seq, correlationId: next.correlation_id });
    this.progressChanged(orderId, now);
    return true;
  }

  /** A transient failure: free the lease for the retry, remember why. */
  release(seq: number, token: string, error: string): void {
    if (!this.holds(seq, token)) return;
    this.h.sql.exec("DELETE FROM meta WHERE k = 'erp_lease'");
    this.h.sql.exec("UPDATE commands SET last_error = ? WHERE seq = ?", error, seq);
  }

  /**
   * The command will not go through on its own: refused by the ERP (`rejected`, needs the lease) or out
   * of retries (`exhausted`, from the dead-letter queue). It stays, marked dead, and holds back the
   * order's later commands until ops replay it: per-order order beats liveness for one order, and other
   * orders are not affected.
   */
  kill(seq: number, orderId: string, cause: DeadLetter["cause"], reason: string, erpStatus: number | null, now: string, token?: string): boolean {
    const row = this.row(seq);
    if (!row || row.dead_at || row.acked_at || seq <= this.acked) return false;
    if (cause === "rejected" && (!token || !this.holds(seq, token))) return false;
    if (this.lease()?.seq === seq) this.h.sql.exec("DELETE FROM meta WHERE k = 'erp_lease'");
    this.h.sql.exec("UPDATE commands SET last_error = ?, dead_at = ?, dead_cause = ?, dead_status = ? WHERE seq = ?", reason, now, cause, erpStatus, seq);
    this.h.enqueueDeadLetter(deadLetterOf(orderId, { ...row, last_error: reason, dead_at: now, dead_cause: cause, dead_status: erpStatus }));
    this.progressChanged(orderId, now);
    return true;
  }

  /**
   * Every dead command as the read model's dead letter. The order is their source of truth: the same
   * command dead at the same time always gives the same record (and id), so re-sending them is harmless.
   */
  deadLetters(orderId: string): DeadLetter[] {
    return this.h.sql
      .exec<Row & { dead_at: string }>(
        "SELECT seq, key, type, payload, correlation_id, created_at, attempts, dead_at, acked_at, last_error, dead_cause, dead_status FROM commands WHERE dead_at IS NOT NULL ORDER BY seq",
      )
      .toArray()
      .map((r) => deadLetterOf(orderId, r));
  }

  /** Ops replay a dead command: it becomes deliverable again, with a fresh message. */
  revive(seq: number, orderId: string, now: string): boolean {
    const row = this.row(seq);
    if (!row?.dead_at) return false;
    this.h.sql.exec("UPDATE commands SET dead_at = NULL, dead_cause = NULL, dead_status = NULL, attempts = 0 WHERE seq = ?", seq);
    this.h.enqueueErp({ kind: "erp", orderId, seq, correlationId: row.correlation_id });
    this.progressChanged(orderId, now);
    return true;
  }

  /** Re-sends the head command's message (reconciliation, or a lost message): harmless if it is in flight. */
  nudge(orderId: string): number | null {
    const head = this.row(this.acked + 1);
    if (!head || head.dead_at) return null;
    this.h.enqueueErp({ kind: "erp", orderId, seq: head.seq, correlationId: head.correlation_id });
    return head.seq;
  }

  progress(orderId: string, now: string): ErpProgress {
    const acked = this.acked;
    const last = this.h.sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM commands").one().s ?? 0;
    const dead = this.h.sql.exec<{ s: number | null }>("SELECT min(seq) AS s FROM commands WHERE dead_at IS NOT NULL").one().s;
    const head = this.row(acked + 1);
    return {
      orderId,
      lastSeq: last,
      ackedSeq: acked,
      deadSeq: dead,
      oldestPendingAt: head?.created_at ?? null,
      erpVersion: Number(this.h.getMeta("erp_version") ?? "0"),
      updatedAt: now,
    };
  }

  /** Call after any change of the cursor: the read model's copy is guarded by `erpVersion`. */
  progressChanged(orderId: string, now: string, correlationId?: string): void {
    this.h.setMeta("erp_version", String(Number(this.h.getMeta("erp_version") ?? "0") + 1));
    this.h.setMeta("erp_changed_at", now);
    const head = this.row(this.acked + 1);
    this.h.enqueueProgress(this.progress(orderId, now), correlationId ?? head?.correlation_id ?? "");
  }

  lease_(now: number): { seq: number; until: string } | null {
    const l = this.lease();
    return l && l.until > now ? { seq: l.seq, until: new Date(l.until).toISOString() } : null;
  }
}
