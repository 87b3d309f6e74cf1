// OrderDO: one per order, the order's state machine. A thin shell over the pure domain core:
// validate → persist (one SQLite transaction: events, state, ERP commands, outbox) → emit (after commit).
import { DurableObject } from "cloudflare:workers";
import type { EmittedCommand } from "../src/domain/commands";
import { decide } from "../src/domain/decider";
import { type DeliveryFailure, deliveryPolicy, type FailOutcome } from "../src/domain/delivery";
import type { CanonicalEvent } from "../src/domain/event";
import type { Json } from "../src/domain/json";
import type { ErpMessage, ErpProgress, ProjectionMessage } from "../src/domain/messages";
import { keysOf } from "../src/domain/correlation";
import { identityText } from "../src/domain/identity";
import type { OrderState } from "../src/domain/state";
import { opsExceptions, portalView } from "../src/domain/view";
import { errorName, log } from "../src/platform/log";
import type { CorrelationDO } from "./correlation";
import { type ErpClaim, ErpCursor } from "./order-erp";
import { noteForReconcile } from "../src/readmodel/reconcile-queue";
import { migrateOrderSchema } from "./order-schema";
import { type BindRequest, Outbox, type OutboxQueue } from "./outbox";

export type { ErpClaim };

type CorrelationApi = Pick<CorrelationDO, "bind" | "release">;

export type IngestOutcome = "accepted" | "duplicate";
export interface IngestResult {
  eventId: string;
  outcome: IngestOutcome;
  /** Same event id, different content: a partner bug or a changed re-release. The first version stands. */
  conflict?: boolean;
}

/** The longest the outbox alarm waits between retries while the queue keeps refusing. */
const OUTBOX_MAX_DELAY_SECONDS = 300;
/** When an alarm run itself fails (storage briefly unavailable), the next one comes this much later. */
const ALARM_RETRY_MS = 30_000;

export class OrderDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private flushing: Promise<void> | null = null;

  private readonly erp: ErpCursor;
  private readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateOrderSchema(this.sql);
    const now = () => new Date().toISOString();
    this.outbox = new Outbox({
      sql: this.sql,
      sendBatch: async (queue, bodies) => {
        await this.queue(queue).sendBatch(bodies.map((body) => ({ body, contentType: "json" as const })));
      },
      bind: (key) => this.bindKey(key),
      orderId: () => this.getMeta("order_id"),
      // Remembered on the order (reconciliation lists it first) and re-projected in full by the next
      // reconciliation, whose chunked snapshot the queue can take.
      abandoned: (reason) => {
        this.setMeta("projection_abandoned_at", now());
        const orderId = this.getMeta("order_id");
        if (orderId) {
          this.ctx.waitUntil(
            noteForReconcile(env.DB, [orderId], `projection given up: ${reason}`).catch((err: unknown) =>
              log.warn("noting an order for reconciliation failed; the order remembers it", { orderId, error: errorName(err) }),
            ),
          );
        }
      },
    });
    this.erp = new ErpCursor({
      sql: this.sql,
      getMeta: (k) => this.getMeta(k),
      setMeta: (k, v) => this.setMeta(k, v),
      orderId: () => this.orderId(),
      policy: () => deliveryPolicy("ERP", this.env),
      enqueueErp: (m) => this.enqueue("erp", m, now()),
      enqueueProgress: (progress, correlationId) => this.enqueue("projection", { kind: "erp-progress", progress, correlationId }, now()),
      enqueueDeadLetter: (deadLetter) => this.enqueue("projection", { kind: "dead-letter", deadLetter, correlationId: deadLetter.correlationId }, now()),
    });
  }

  /** Adds events to the order's set. Exactly-once per eventId; returns one outcome per input event. */
  async ingest(orderId: string, events: CanonicalEvent[], correlationId: string): Promise<IngestResult[]> {
    const out = await this.record(
      orderId,
      events.map((e) => ({ e, correlationId })),
    );
    if (out.some((r) => r.outcome === "accepted")) await this.armAlarm();
    // Hand-off after the commit; not awaited so the partner's ack does not wait for Queues. If it fails
    // or this instance dies first, the alarm armed above re-sends.
    this.ctx.waitUntil(this.flush());
    return out;
  }

  /** One transaction: new events, the new state, new commands, new keys, outbox rows. */
  private async record(orderId: string, items: { e: CanonicalEvent; correlationId: string }[]): Promise<IngestResult[]> {
    const now = new Date().toISOString();
    const hashed = await Promise.all(items.map(async (i) => ({ ...i, hash: await contentHash(i.e) })));
    const cache = this.loadCache();
    const accepted: CanonicalEvent[] = [];
    const learned: { keys: string[]; commands: EmittedCommand[]; lastSeq: number } = { keys: [], commands: [], lastSeq: cache.lastSeq };
    const out = this.ctx.storage.transactionSync(() => {
      // Written once: a duplicate-only request then writes nothing at all.
      if (cache.orderId !== orderId) this.setMeta("order_id", orderId);
      const res: IngestResult[] = [];
      let arrival = Number(this.getMeta("arrivals") ?? "0");
      let lastCorrelation: string | undefined;
      for (const { e, hash, correlationId } of hashed) {
        const existing = this.sql.exec<{ hash: string; body: string }>("SELECT hash, body FROM events WHERE event_id = ?", e.eventId).toArray()[0];
        if (existing) {
          // The stored hash was computed by the identity rule of its day: when it differs, compare by
          // today's rule before calling it a conflict (a rule that learned to ignore a field must not turn
          // the re-sends of events stored before it into conflicts).
          const conflict = existing.hash !== hash && identityText(JSON.parse(existing.body) as CanonicalEvent) !== identityText(e);
          res.push({ eventId: e.eventId, outcome: "duplicate", ...(conflict ? { conflict: true } : {}) });
          continue;
        }
        this.sql.exec(
          "INSERT INTO events (event_id, arrival, code, occurred_at, hash, body, correlation_id, received_at) VALUES (?,?,?,?,?,?,?,?)",
          e.eventId,
          ++arrival,
          e.code,
          e.occurredAt,
          hash,
          JSON.stringify(e),
          correlationId,
          now,
        );
        lastCorrelation = correlationId;
        accepted.push(e);
        res.push({ eventId: e.eventId, outcome: "accepted" });
      }
      if (lastCorrelation) {
        this.setMeta("arrivals", String(arrival));
        Object.assign(learned, this.evolve(orderId, [...cache.events, ...accepted], accepted, cache, lastCorrelation, now));
      }
      return res;
    });
    // Only after the commit: the in-memory copy never runs ahead of storage, even if the transaction threw.
    cache.events.push(...accepted);
    for (const k of learned.keys) cache.keys.add(k);
    cache.emitted.push(...learned.commands);
    cache.lastSeq = learned.lastSeq;
    cache.orderId = orderId;
    return out;
  }

  /**
   * What evolve needs, read from storage once per instance and then kept in step with every commit: the
   * event set, the emitted commands, the last sequence number and the bound keys. Safe because this
   * instance is the only writer of its storage, and each request runs alone between awaits.
   */
  private cache: { orderId: string | undefined; events: CanonicalEvent[]; emitted: EmittedCommand[]; lastSeq: number; keys: Set<string> } | null = null;

  private loadCache() {
    this.cache ??= {
      orderId: this.getMeta("order_id"),
      events: this.sql
        .exec<{ body: string }>("SELECT body FROM events")
        .toArray()
        .map((r) => JSON.parse(r.body) as CanonicalEvent),
      emitted: this.sql
        .exec<{ key: string; type: string; payload: string }>("SELECT key, type, payload FROM commands ORDER BY seq")
        .toArray()
        .map((r) => ({ key: r.key, type: r.type, payload: JSON.parse(r.payload) as Record<string, Json> })),
      lastSeq: this.sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM commands").one().s ?? 0,
      keys: new Set(
        this.sql
          .exec<{ key: string }>("SELECT key FROM keys")
          .toArray()
          .map((r) => r.key),
      ),
    };
    return this.cache;
  }

  /**
   * Recomputes state from the event set and writes new commands, new keys and a projection to the outbox.
   * Returns what the in-memory cache must learn once the transaction commits.
   */
  private evolve(
    orderId: string,
    events: CanonicalEvent[],
    fresh: readonly CanonicalEvent[],
    known: { emitted: readonly EmittedCommand[]; lastSeq: number; keys: ReadonlySet<string> },
    correlationId: string,
    now: string,
  ): { keys: string[]; commands: EmittedCommand[]; lastSeq: number } {
    const { state, commands } = decide(orderId, events, known.emitted, known.lastSeq);
    this.setMeta("state", JSON.stringify(state));
    // New commands are stored and appended to the ERP cursor; only the order's next deliverable command gets
    // a message now: a later one would only be told to wait, and its predecessor's acknowledgement sends it.
    if (commands.length > 0) this.erp.append(commands, Date.parse(now), correlationId);
    this.setMeta("updated_at", now);
    const view = portalView(state, now);
    if (view) {
      // The timeline travels as what is new: the entries of the events this change added. The read model
      // already holds the rest (its entries are immutable), so a message does not grow with the order.
      const added = new Set(fresh.map((e) => e.eventId));
      const order = { ...view, timeline: view.timeline.filter((t) => added.has(t.eventId)) };
      this.enqueue("projection", { kind: "projection", order, opsExceptions: opsExceptions(state), correlationId } satisfies ProjectionMessage, now);
    }
    // Keys learned now (release refs, tracking numbers) are bound after the commit, via the outbox.
    const newKeys = keysOf(state).filter((k) => !known.keys.has(k));
    for (const key of newKeys) {
      this.sql.exec("INSERT INTO keys (key, learned_at) VALUES (?, ?) ON CONFLICT(key) DO NOTHING", key, now);
      this.enqueue("bind", { key }, now);
    }
    return { keys: newKeys, commands: commands.map(({ key, type, payload }) => ({ key, type, payload })), lastSeq: commands.at(-1)?.seq ?? known.lastSeq };
  }

  private enqueue(queue: OutboxQueue, body: ErpMessage | ProjectionMessage | BindRequest, now: string): void {
    this.outbox.put(queue, body, now);
  }

  /** When this instance last armed the alarm for (epoch ms); null when unknown or already fired. */
  private alarmAt: number | null = null;

  /**
   * Makes sure an alarm will come to re-send the outbox. One alarm already pending no later than that
   * serves every later write (it flushes whatever is there when it fires), so a busy order does not
   * rewrite it per request.
   */
  private async armAlarm(): Promise<void> {
    const seconds = Number(this.env.OUTBOX_RETRY_SECONDS ?? "5") || 5;
    // Backs off while rows keep failing (a queue down for hours is not polled every few seconds).
    const failures = this.outbox.stats().maxAttempts;
    const delay = Math.min(OUTBOX_MAX_DELAY_SECONDS, seconds * 2 ** Math.min(Math.max(0, failures - 1), 10));
    await this.alarmBy(Date.now() + delay * 1000);
  }

  /**
   * Makes sure the alarm fires no later than `at`: one alarm serves the outbox and the ERP cursor, and
   * every run recomputes the next one, so an alarm only ever moves earlier here.
   */
  private async alarmBy(at: number | null): Promise<void> {
    if (at === null || (this.alarmAt !== null && this.alarmAt > Date.now() && this.alarmAt <= at)) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /** Sends the outbox to Queues; rows are deleted only after the send succeeded (at-least-once). */
  flush(): Promise<void> {
    // One flush at a time per instance, so concurrent requests do not send the same rows twice.
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    // Loop so rows written while a send was in flight (by an interleaved request) go out too; stop at the
    // first pass with a failure and leave the rest to the alarm.
    for (;;) {
      const result = await this.outbox.pass();
      if (result === "failed") return;
      if (result === "sent") continue;
      // Everything went out: the safety-net alarm has nothing left to do for the outbox. Cancelling it
      // spares an invocation per write burst, and lets an idle order be evicted sooner; the ERP cursor's
      // next due time (a retry, a lease's end) keeps its alarm. Forget it first, so a request that commits
      // from here on arms a new one (its storage write lands after this delete).
      if (this.alarmAt === null) return;
      const erpAt = this.erp.alarmAt(Date.now());
      if (erpAt === this.alarmAt) return;
      this.alarmAt = erpAt;
      if (erpAt === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(erpAt);
      // A request that committed while the delete was in flight joined this flush: send its rows too.
    }
  }

  private queue(name: "erp" | "projection"): Queue {
    return name === "erp" ? this.env.ERP_QUEUE : this.env.PROJECTION_QUEUE;
  }

  /** Claims a key; events parked under it join this order's log before the CorrelationDO forgets them. */
  private async bindKey(key: string): Promise<void> {
    const orderId = this.getMeta("order_id");
    if (!orderId) return;
    const correlation = this.env.CORRELATIONS.getByName(key) as unknown as CorrelationApi;
    const result = await correlation.bind(key, orderId);
    if (result.status === "conflict") {
      this.sql.exec("UPDATE keys SET status = 'conflict' WHERE key = ?", key);
      return;
    }
    if (result.parked.length > 0) {
      const recorded = await this.record(
        orderId,
        result.parked.map((p) => ({ e: { ...p.event, orderId } as CanonicalEvent, correlationId: p.correlationId })),
      );
      // A parked event whose id the order already holds with other content: the order's version stands.
      // Its partner's answer was `parked` long ago, so the log is where ops learn of it.
      for (const r of recorded.filter((x) => x.conflict)) {
        const parked = result.parked.find((p) => p.event.eventId === r.eventId);
        log.warn("parked event conflicts with the recorded one; the recorded version stands", {
          orderId,
          key,
          eventId: r.eventId,
          correlationId: parked?.correlationId,
        });
      }
      await correlation.release(result.parked.map((p) => p.id));
      log.info("parked events delivered", { orderId, key, events: result.parked.length });
    }
    this.sql.exec("UPDATE keys SET status = 'bound' WHERE key = ?", key);
  }

  /**
   * One alarm for the outbox and the ERP retry schedule: it sends the ERP head's message when it is due
   * (a retry after its backoff, a lease that lapsed, a message presumed lost), flushes the outbox, and arms
   * the next one. It never throws: Cloudflare retries a throwing alarm only 6 times, and a retry loop that
   * must last days cannot depend on those; a failed run is logged and re-armed instead.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    try {
      const sent = this.ctx.storage.transactionSync(() => this.erp.sendDue());
      if (sent !== null) log.info("erp command due again: message sent", { orderId: this.orderId(), seq: sent });
      await this.flush();
      if (this.outbox.stats().rows > 0) await this.armAlarm();
      await this.alarmBy(this.erp.alarmAt(Date.now()));
    } catch (err) {
      log.error("order alarm failed; re-armed", { orderId: this.getMeta("order_id"), error: errorName(err), retryInMs: ALARM_RETRY_MS });
      try {
        this.alarmAt = Date.now() + ALARM_RETRY_MS;
        await this.ctx.storage.setAlarm(this.alarmAt);
      } catch (again) {
        // Storage refuses even the alarm: the platform's own alarm retry (this run's failure) is the last resort.
        log.error("re-arming the order alarm failed", { orderId: this.getMeta("order_id"), error: errorName(again) });
        throw again;
      }
    }
  }

  // --- ERP delivery protocol: the queue consumer claims the next command, delivers it, then acks or reports
  // the failure; the order's cursor owns the retry schedule (src/domain/delivery.ts, docs/decisions/0012). ---

  async claimErp(seq: number): Promise<ErpClaim> {
    const now = Date.now();
    const claim = this.ctx.storage.transactionSync(() => this.erp.claim(seq, now));
    // A delivery that dies mid-flight is noticed when its lease lapses: the alarm then sends a fresh message.
    if (claim.status === "deliver") await this.afterErpChange();
    return claim;
  }

  /**
   * The ERP has command `seq`. With `claimNext`, the same call claims the order's next command when it is
   * deliverable, so one consumer invocation can carry an order's whole backlog; the next command's message
   * is sent all the same, as a safety net should that invocation die (it finds the lease held, or done).
   */
  async ackErp(seq: number, lease: string, claimNext = false): Promise<ErpClaim | null> {
    const now = Date.now();
    const next = this.ctx.storage.transactionSync(() => {
      if (!this.erp.ack(seq, lease, now)) return undefined;
      return claimNext ? this.erp.claim(seq + 1, now) : null;
    });
    if (next !== undefined) await this.afterWrite();
    return next ?? null;
  }

  /**
   * An attempt at `seq` failed. The cursor decides: retry at a time (the alarm sends it then; the consumer
   * acks its message) or dead — "refused" for a permanent failure, "expired" once the retry horizon passed.
   */
  async failErp(seq: number, lease: string, failure: DeliveryFailure): Promise<FailOutcome> {
    const now = Date.now();
    const outcome = this.ctx.storage.transactionSync(() => this.erp.fail(seq, lease, failure, now, Math.random));
    if (outcome.status === "dead") await this.afterWrite();
    else if (outcome.status === "retry") await this.afterErpChange();
    return outcome;
  }

  /**
   * The destination's gate turned the delivery of `seq` away before it started (the ERP is paused or at its
   * concurrency cap): no attempt counts; the gate wakes this order when its turn comes, and the alarm at
   * `until` is the safety net should that wake be lost.
   */
  async deferErp(seq: number, until: number): Promise<boolean> {
    const deferred = this.ctx.storage.transactionSync(() => this.erp.defer(seq, until, Date.now()));
    if (deferred) await this.afterErpChange();
    return deferred;
  }

  /** From the dead-letter queue: the messages for `seq` kept failing before they reached the order. */
  async exhaustErp(seq: number, reason: string): Promise<boolean> {
    const changed = this.ctx.storage.transactionSync(() => this.erp.expire(seq, reason, Date.now()));
    if (changed) await this.afterWrite();
    return changed;
  }

  /** Ops replay of a dead command. */
  async reviveErp(seq: number): Promise<boolean> {
    const changed = this.ctx.storage.transactionSync(() => this.erp.revive(seq, Date.now()));
    if (changed) await this.afterWrite();
    return changed;
  }

  /** Re-sends the head command's message; returns its seq, or null when nothing is deliverable now. */
  async nudgeErp(): Promise<number | null> {
    const seq = this.ctx.storage.transactionSync(() => this.erp.nudge(Date.now()));
    if (seq !== null) await this.afterWrite();
    return seq;
  }

  /**
   * The ERP answers again: a head waiting out its backoff is due now and its message is sent. Returns its
   * seq, or null when nothing is deliverable (done, leased, dead).
   */
  async wakeErp(): Promise<number | null> {
    const seq = this.ctx.storage.transactionSync(() => this.erp.wake(Date.now()));
    if (seq !== null) await this.afterWrite();
    return seq;
  }

  /** What reconciliation compares with D1 and the ERP cursor. */
  async reconcileInfo(): Promise<{
    orderId: string;
    version: number;
    updatedAt: string | null;
    projectable: boolean;
    erp: ErpProgress;
    headLastActivityAt: string | null;
    outbox: { rows: number; failedAttempts: number };
    /** Commands marked dead: the read model must list each as a dead letter. */
    deadCommands: number;
    /** When a projection row was last given up (the read model then needs this order re-projected). */
    projectionAbandonedAt: string | null;
  }> {
    const stateJson = this.getMeta("state");
    const state = stateJson ? (JSON.parse(stateJson) as OrderState) : null;
    const now = new Date().toISOString();
    const outbox = this.outbox.stats();
    return {
      orderId: this.orderId(),
      version: state?.version ?? 0,
      // The later of the last state change and the last ERP cursor change: both are projected.
      updatedAt:
        [this.getMeta("updated_at"), this.getMeta("erp_changed_at")]
          .filter((v): v is string => Boolean(v))
          .sort()
          .at(-1) ?? null,
      projectable: Boolean(state?.details),
      erp: this.erp.progress(now),
      headLastActivityAt: this.erp.headLastActivityAt(),
      outbox: { rows: outbox.rows, failedAttempts: outbox.failedAttempts },
      deadCommands: this.erp.deadLetters().length,
      projectionAbandonedAt: this.getMeta("projection_abandoned_at") ?? null,
    };
  }

  /**
   * Re-sends everything the read model holds of this order — the view with its whole timeline (chunked by
   * the outbox when it does not fit one message), the ERP cursor, every dead command — all safe to apply
   * twice: D1 guards the view by version, timeline entries and dead letters by their ids.
   */
  async reproject(correlationId: string): Promise<boolean> {
    const stateJson = this.getMeta("state");
    if (!stateJson) return false;
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      const state = JSON.parse(stateJson) as OrderState;
      const view = portalView(state, this.getMeta("updated_at") ?? now);
      if (view) this.enqueue("projection", { kind: "projection", order: view, opsExceptions: opsExceptions(state), correlationId }, now);
      this.erp.progressChanged(now, correlationId);
      for (const deadLetter of this.erp.deadLetters()) {
        this.enqueue("projection", { kind: "dead-letter", deadLetter, correlationId }, now);
      }
      this.sql.exec("DELETE FROM meta WHERE k = 'projection_abandoned_at'");
    });
    await this.afterWrite();
    return true;
  }

  /** Hands whatever the outbox still holds to Queues now, instead of at the next alarm. */
  async kick(): Promise<void> {
    await this.flush();
  }

  private orderId(): string {
    return this.getMeta("order_id") ?? "";
  }

  private async afterWrite(): Promise<void> {
    await this.armAlarm();
    await this.afterErpChange();
    this.ctx.waitUntil(this.flush());
  }

  /** The ERP cursor changed: the alarm must come by its next due time. */
  private async afterErpChange(): Promise<void> {
    await this.alarmBy(this.erp.alarmAt(Date.now()));
  }

  /** Everything ops needs to see about this order. */
  async inspect(): Promise<{
    orderId: string | null;
    state: OrderState | null;
    events: (CanonicalEvent & { arrival: number; receivedAt: string; correlationId: string })[];
    commands: {
      seq: number;
      key: string;
      type: string;
      payload: Json;
      createdAt: string;
      attempts: number;
      lastError: string | null;
      deadAt: string | null;
      ackedAt: string | null;
    }[];
    outbox: { id: number; queue: string; body: unknown; createdAt: string; attempts: number }[];
    erp: {
      ackedSeq: number;
      lastSeq: number;
      pending: number;
      deadSeq: number | null;
      oldestPendingAt: string | null;
      oldestPendingAgeSeconds: number | null;
      lease: { seq: number; until: string } | null;
      /** When the head's next attempt is due (the order's alarm sends it then). */
      nextAttemptAt: string | null;
    };
  }> {
    const orderId = this.getMeta("order_id") ?? null;
    const stateJson = this.getMeta("state");
    const events = this.sql
      .exec<{ body: string; arrival: number; received_at: string; correlation_id: string }>(
        "SELECT body, arrival, received_at, correlation_id FROM events ORDER BY arrival",
      )
      .toArray()
      .map((r) => ({ ...(JSON.parse(r.body) as CanonicalEvent), arrival: r.arrival, receivedAt: r.received_at, correlationId: r.correlation_id }));
    const commands = this.sql
      .exec<{
        seq: number;
        key: string;
        type: string;
        payload: string;
        created_at: string;
        attempts: number;
        last_error: string | null;
        dead_at: string | null;
        acked_at: string | null;
      }>("SELECT seq, key, type, payload, created_at, attempts, last_error, dead_at, acked_at FROM commands ORDER BY seq")
      .toArray()
      .map((r) => ({
        seq: r.seq,
        key: r.key,
        type: r.type,
        payload: JSON.parse(r.payload) as Json,
        createdAt: r.created_at,
        attempts: r.attempts,
        lastError: r.last_error,
        deadAt: r.dead_at,
        ackedAt: r.acked_at,
      }));
    const outbox = this.outbox.list();
    const progress = this.erp.progress(new Date().toISOString());
    const schedule = this.erp.schedule(Date.now());
    return {
      orderId,
      state: stateJson ? (JSON.parse(stateJson) as OrderState) : null,
      events,
      commands,
      outbox,
      erp: {
        ackedSeq: progress.ackedSeq,
        lastSeq: progress.lastSeq,
        pending: progress.lastSeq - progress.ackedSeq,
        deadSeq: progress.deadSeq,
        oldestPendingAt: progress.oldestPendingAt,
        oldestPendingAgeSeconds: progress.oldestPendingAt ? Math.round((Date.now() - Date.parse(progress.oldestPendingAt)) / 1000) : null,
        ...schedule,
      },
    };
  }

  private getMeta(k: string): string | undefined {
    return this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v;
  }

  private setMeta(k: string, v: string): void {
    this.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v);
  }
}

/** Content identity of an event, to tell a true duplicate from a conflicting re-use of an id. */
async function contentHash(e: CanonicalEvent): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(identityText(e))));
  return Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}
