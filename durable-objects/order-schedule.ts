// The OrderDO's one alarm and its outbox flush. The alarm is the safety net of both the outbox (rows a send
// did not take) and the ERP cursor (a retry's due time, a lease's end); every run recomputes the next one.
import { errorName, log } from "../src/platform/log";
import type { Outbox } from "./outbox";

/** The longest the outbox alarm waits between retries while the queue keeps refusing. */
const OUTBOX_MAX_DELAY_SECONDS = 300;
/** When an alarm run itself fails (storage briefly unavailable), the next one comes this much later. */
const ALARM_RETRY_MS = 30_000;

export interface ScheduleHost {
  storage: Pick<DurableObjectStorage, "setAlarm" | "deleteAlarm">;
  outbox: Pick<Outbox, "pass" | "stats">;
  /** When the ERP cursor next needs the alarm (epoch ms); null when it does not. */
  erpAlarmAt(now: number): number | null;
  /** The outbox alarm's first delay (OUTBOX_RETRY_SECONDS). */
  retrySeconds(): number;
  orderId(): string | undefined;
  waitUntil(p: Promise<unknown>): void;
}

export class OrderSchedule {
  /** When this instance last armed the alarm for (epoch ms); null when unknown or already fired. */
  private alarmAt: number | null = null;
  private flushing: Promise<void> | null = null;

  constructor(private readonly h: ScheduleHost) {}

  /**
   * Makes sure an alarm will come to re-send the outbox. One alarm already pending no later than that
   * serves every later write (it flushes whatever is there when it fires), so a busy order does not
   * rewrite it per request.
   */
  async armOutbox(): Promise<void> {
    // Backs off while rows keep failing (a queue down for hours is not polled every few seconds).
    const failures = this.h.outbox.stats().maxAttempts;
    const delay = Math.min(OUTBOX_MAX_DELAY_SECONDS, this.h.retrySeconds() * 2 ** Math.min(Math.max(0, failures - 1), 10));
    await this.by(Date.now() + delay * 1000);
  }

  /**
   * Makes sure the alarm fires no later than `at`: one alarm serves the outbox and the ERP cursor, and
   * every run recomputes the next one, so an alarm only ever moves earlier here.
   */
  async by(at: number | null): Promise<void> {
    if (at === null || (this.alarmAt !== null && this.alarmAt > Date.now() && this.alarmAt <= at)) return;
    this.alarmAt = at;
    await this.h.storage.setAlarm(at);
  }

  /** The ERP cursor changed: the alarm must come by its next due time. */
  async erpChanged(): Promise<void> {
    await this.by(this.h.erpAlarmAt(Date.now()));
  }

  /** A committed write left outbox rows and may have moved the ERP cursor: arm for both, send now. */
  async written(): Promise<void> {
    await this.armOutbox();
    await this.erpChanged();
    this.h.waitUntil(this.flush());
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
      const result = await this.h.outbox.pass();
      if (result === "failed") return;
      if (result === "sent") continue;
      // Everything went out: the safety-net alarm has nothing left to do for the outbox. Cancelling it
      // spares an invocation per write burst, and lets an idle order be evicted sooner; the ERP cursor's
      // next due time (a retry, a lease's end) keeps its alarm. Forget it first, so a request that commits
      // from here on arms a new one (its storage write lands after this delete).
      if (this.alarmAt === null) return;
      const erpAt = this.h.erpAlarmAt(Date.now());
      if (erpAt === this.alarmAt) return;
      this.alarmAt = erpAt;
      if (erpAt === null) await this.h.storage.deleteAlarm();
      else await this.h.storage.setAlarm(erpAt);
      // A request that committed while the delete was in flight joined this flush: send its rows too.
    }
  }

  /**
   * One alarm run: `due` does what has come due (in its own transaction), then the outbox is flushed and
   * the next alarm armed. It never throws: Cloudflare retries a throwing alarm only 6 times, and a retry
   * loop that must last days cannot depend on those; a failed run is logged and re-armed instead.
   */
  async fired(due: () => void): Promise<void> {
    this.alarmAt = null;
    try {
      due();
      await this.flush();
      if (this.h.outbox.stats().rows > 0) await this.armOutbox();
      await this.erpChanged();
    } catch (err) {
      log.error("order alarm failed; re-armed", { orderId: this.h.orderId(), error: errorName(err), retryInMs: ALARM_RETRY_MS });
      try {
        this.alarmAt = Date.now() + ALARM_RETRY_MS;
        await this.h.storage.setAlarm(this.alarmAt);
      } catch (again) {
        // Storage refuses even the alarm: the platform's own alarm retry (this run's failure) is the last resort.
        log.error("re-arming the order alarm failed", { orderId: this.h.orderId(), error: errorName(again) });
        throw again;
      }
    }
  }
}
