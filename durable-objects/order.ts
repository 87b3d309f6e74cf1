// OrderDO: one per order, the order's state machine. A thin shell over the pure domain core
// (src/domain/order-step.ts): load → step → persist (one SQLite transaction: events, state, commands, keys,
// outbox rows) → emit (after commit). Its parts: order-store.ts (tables, in-memory copy), order-erp.ts and
// order-deliveries.ts (the ERP's and the partners' delivery cursors), outbox.ts, order-schedule.ts (alarm,
// flush), order-keys.ts (key binding), order-ops.ts (read-outs), wired together in order-wiring.ts.
import { DurableObject } from "cloudflare:workers";
import type { DeliveryFailure, FailOutcome } from "../src/domain/delivery";
import type { CanonicalEvent } from "../src/domain/event";
import { fulfillmentRows } from "../src/domain/fulfillment";
import { contentHash, type IngestOutcome, type IngestResult, orderStep, reprojectionOf } from "../src/domain/order-step";
import { log } from "../src/platform/log";
import { OPS_FEED, type OpsEvent } from "../src/subscriptions/ops-feed";
import type { OpsFeedRules } from "./order-feed";
import type { ErpClaim, ErpCursor } from "./order-erp";
import { inspection, type OrderInspection, type ReconcileInfo, reconcileInfo } from "./order-ops";
import type { OrderSchedule } from "./order-schedule";
import type { OrderStore } from "./order-store";
import type { DeliveryOp, DeliveryResult, OrderDeliveries } from "./order-deliveries";
import type { OrderNotifications } from "./order-notify";
import type { OrderSla, SlaFacts } from "./order-sla";
import { wireOrder } from "./order-wiring";
import { fulfilmentPartnerIds, routesFromEnv } from "../src/fulfillment-config";
import type { Outbox } from "./outbox";

export type { ErpClaim, IngestOutcome, IngestResult };

export class OrderDO extends DurableObject<Env> {
  private readonly store: OrderStore;
  private readonly outbox: Outbox;
  private readonly erp: ErpCursor;
  private readonly schedule: OrderSchedule;
  private readonly deliveries: OrderDeliveries;
  private readonly notifications: OrderNotifications;
  private readonly sla: OrderSla;
  private readonly feed: OpsFeedRules;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ({
      store: this.store,
      outbox: this.outbox,
      erp: this.erp,
      schedule: this.schedule,
      deliveries: this.deliveries,
      notifications: this.notifications,
      sla: this.sla,
      feed: this.feed,
    } = wireOrder(ctx, env, (orderId, items) => this.record(orderId, items)));
  }

  /** Adds events to the order's set. Exactly-once per eventId; returns one outcome per input event. */
  async ingest(orderId: string, events: CanonicalEvent[], correlationId: string): Promise<IngestResult[]> {
    const out = await this.record(
      orderId,
      events.map((e) => ({ e, correlationId })),
    );
    if (out.some((r) => r.outcome === "accepted")) await this.schedule.armOutbox();
    // Hand-off after the commit; not awaited so the partner's ack does not wait for Queues. If it fails
    // or this instance dies first, the alarm armed above re-sends.
    this.ctx.waitUntil(this.flush());
    return out;
  }

  /** One transaction: new events, the new state, new commands, new keys, outbox rows. */
  private async record(orderId: string, items: { e: CanonicalEvent; correlationId: string }[]): Promise<IngestResult[]> {
    const now = new Date().toISOString();
    const arrivals = await Promise.all(items.map(async ({ e, correlationId }) => ({ event: e, hash: await contentHash(e), correlationId })));
    // No await from here to the commit: the step reads the memory as it stands when the commit lands.
    const fulfilment = { routes: routesFromEnv(this.env), fulfilment: this.deliveries.emitted(), fulfilmentPartners: fulfilmentPartnerIds(this.env) };
    const step = orderStep({ ...this.store.holding(), ...fulfilment, orderId, arrivals, now, before: this.store.state() });
    this.ctx.storage.transactionSync(() => {
      this.store.write(orderId, step, now);
      const change = step.change;
      if (!change) return;
      // New commands are stored and appended to the ERP cursor; only the order's next deliverable command gets
      // a message now: a later one would only be told to wait, and its predecessor's acknowledgement sends it.
      if (change.commands.length > 0) this.erp.append(change.commands, Date.parse(now), change.correlationId);
      this.deliveries.append(change.deliveries, change.unroutable, Date.parse(now), change.correlationId);
      // What subscribers hear of the change: fanned out to their cursors after the commit (order-notify.ts).
      this.notifications.record(change.notifications, now, change.state.details?.customerId ?? null, change.correlationId);
      // A late milestone clears its breach; one that came late before any alarm looked is recorded now.
      this.sla.evaluate(
        this.slaFacts(
          orderId,
          change.state,
          step.accepted.map((a) => a.event),
        ),
        Date.parse(now),
        change.correlationId,
      );
      if (change.projection) this.outbox.put("projection", change.projection, now);
      // Keys learned now (release refs, tracking numbers) are bound after the commit, via the outbox.
      for (const key of change.keys) this.outbox.put("bind", { key }, now);
    });
    // Only after the commit: the in-memory copy never runs ahead of storage, even if the transaction threw.
    this.store.remember(orderId, step);
    return step.results;
  }

  /** Sends the outbox to Queues, one flush at a time; rows are deleted only once sent (at-least-once). */
  flush(): Promise<void> {
    return this.schedule.flush();
  }

  /**
   * One alarm for the outbox and every destination's retry schedule: it sends each due head's message, flushes
   * the outbox and arms the next one; it never throws unless storage refuses even the re-arm (order-schedule.ts).
   */
  override async alarm(): Promise<void> {
    await this.schedule.fired(() => {
      const sent = this.ctx.storage.transactionSync(() => {
        this.deliveries.sendAllDue(Date.now());
        // A deadline that passed is a breach, recorded and alerted once (order-sla.ts).
        const orderId = this.store.orderId();
        if (orderId === OPS_FEED) this.feed.closeWindows(Date.now(), this.store.metaKeys("quarantine_window:"));
        else this.sla.evaluate(this.slaFacts(orderId, this.store.state()), Date.now(), `sla:${orderId}`);
        return this.erp.sendDue();
      });
      if (sent !== null) log.info("erp command due again: message sent", { orderId: this.store.orderId(), seq: sent });
    });
  }

  // --- ERP delivery protocol: the queue consumer claims the next command, delivers it, then acks or reports
  // the failure; the order's cursor owns the retry schedule (src/domain/delivery.ts, docs/decisions/0012). ---

  /** Claims command `seq`, or the head whatever its seq (`"head"`: the ERP's gate handed this order its turn). */
  async claimErp(seq: number | "head"): Promise<ErpClaim> {
    const claim = this.ctx.storage.transactionSync(() => (seq === "head" ? this.erp.claimHead(Date.now()) : this.erp.claim(seq, Date.now())));
    // A delivery that dies mid-flight is noticed when its lease lapses: the alarm then sends a fresh message.
    if (claim.status === "deliver") await this.schedule.erpChanged();
    return claim;
  }

  /** The ERP has `seq`; with `claimNext` the next command is claimed too, so one invocation carries a backlog. */
  async ackErp(seq: number, lease: string, claimNext = false): Promise<ErpClaim | null> {
    const next = this.ctx.storage.transactionSync(() => this.erp.ackAndClaim(seq, lease, Date.now(), claimNext));
    if (next !== undefined) await this.schedule.written();
    return next ?? null;
  }

  /** An attempt at `seq` failed: the cursor answers retry at a time (the alarm sends it), or dead. */
  async failErp(seq: number, lease: string, failure: DeliveryFailure): Promise<FailOutcome> {
    const outcome = this.ctx.storage.transactionSync(() => this.erp.fail(seq, lease, failure, Date.now(), Math.random));
    if (outcome.status === "dead") await this.schedule.written();
    else if (outcome.status === "retry") await this.schedule.erpChanged();
    return outcome;
  }

  /** The ERP's gate turned `seq` away (paused, named in `failing`, or full): no attempt counts (order-erp.ts). */
  async deferErp(seq: number, until: number, failing?: string): Promise<"deferred" | "expired" | "unchanged"> {
    const outcome = this.ctx.storage.transactionSync(() => this.erp.defer(seq, until, failing, Date.now()));
    if (outcome === "expired") await this.schedule.written();
    else if (outcome === "deferred") await this.schedule.erpChanged();
    return outcome;
  }

  /** From the dead-letter queue: the messages for `seq` kept failing before they reached the order. */
  async exhaustErp(seq: number, reason: string): Promise<boolean> {
    return this.afterChange(this.ctx.storage.transactionSync(() => this.erp.expire(seq, reason, Date.now())));
  }

  /** Ops replay of a dead command. */
  async reviveErp(seq: number): Promise<boolean> {
    return this.afterChange(this.ctx.storage.transactionSync(() => this.erp.revive(seq, Date.now())));
  }

  /** Re-sends the head command's message; returns its seq, or null when nothing is deliverable now. */
  async nudgeErp(): Promise<number | null> {
    return this.afterChange(this.ctx.storage.transactionSync(() => this.erp.nudge(Date.now())));
  }

  /** The ERP answers again: a waiting head is due now and its message sent; its seq, or null (done, leased, dead). */
  async wakeErp(): Promise<number | null> {
    return this.afterChange(this.ctx.storage.transactionSync(() => this.erp.wake(Date.now())));
  }

  /** What reconciliation compares with D1 and the ERP cursor. */
  async reconcileInfo(): Promise<ReconcileInfo> {
    return reconcileInfo({ store: this.store, erp: this.erp, outbox: this.outbox });
  }

  /**
   * Re-sends everything the read model holds of this order — the view with its whole timeline (chunked by
   * the outbox when it does not fit one message), the ERP cursor, every dead command — all safe to apply
   * twice: D1 guards the view by version, timeline entries and dead letters by their ids.
   */
  async reproject(correlationId: string): Promise<boolean> {
    const state = this.store.state();
    if (!state) return false;
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      const input = { ...this.store.holding(), orderId: this.store.orderId(), routes: routesFromEnv(this.env), fulfilment: this.deliveries.emitted() };
      const projection = reprojectionOf(input, state, this.store.getMeta("updated_at") ?? now, correlationId);
      if (projection) this.outbox.put("projection", projection, now);
      this.erp.progressChanged(now, correlationId);
      for (const deadLetter of this.erp.deadLetters()) this.outbox.put("projection", { kind: "dead-letter", deadLetter, correlationId }, now);
      this.store.deleteMeta("projection_abandoned_at");
    });
    await this.schedule.written();
    return true;
  }

  /** The delivery protocol for the destinations besides the ERP (order-deliveries.ts): claim, ack, fail, defer, wake. */
  async delivery(destination: string, op: DeliveryOp): Promise<DeliveryResult> {
    const result = this.ctx.storage.transactionSync(() => this.deliveries.apply(destination, op, Date.now(), Math.random));
    await this.schedule.written();
    return result;
  }

  /**
   * The ops feed (src/subscriptions/ops-feed.ts; only the object named OPS_FEED): records an alert that
   * belongs to no order for ops subscriptions; quarantine alerts coalesced per partner (order-feed.ts).
   */
  async publish(feed: string, event: OpsEvent): Promise<void> {
    if (feed !== OPS_FEED) throw new Error("publish is for the ops feed only");
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      if (this.store.getMeta("order_id") !== feed) this.store.setMeta("order_id", feed);
      this.feed.publish(event, now);
    });
    await this.schedule.written();
  }

  /** Hands whatever the outbox still holds to Queues now, instead of at the next alarm. */
  async kick(): Promise<void> {
    await this.flush();
  }

  /** Everything ops needs to see about this order. */
  async inspect(): Promise<OrderInspection> {
    return inspection({ store: this.store, erp: this.erp, outbox: this.outbox, deliveries: this.deliveries });
  }

  /** What the SLA reads: the state, every event (held, and `fresh` ones not yet in memory), the requests. */
  private slaFacts(orderId: string, state: SlaFacts["state"], fresh: readonly CanonicalEvent[] = []): SlaFacts {
    const events = [...[...this.store.holding().held.values()].map((h) => h.event), ...fresh];
    const requests = fulfillmentRows(orderId, events, this.deliveries.emitted(), new Date().toISOString());
    return { orderId, state, events, requests };
  }

  /** After an ERP change that wrote (anything but null or false): arm the alarm for it, and send. */
  private async afterChange<T>(changed: T): Promise<T> {
    if (changed !== null && changed !== false) await this.schedule.written();
    return changed;
  }
}
