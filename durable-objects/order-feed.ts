// The ops feed's own rule (src/subscriptions/ops-feed.ts; only in the object named OPS_FEED): quarantine
// alerts are coalesced per partner, at most one per QUARANTINE_ALERT_WINDOW_MS. A payload quarantined
// inside a partner's window is counted, not alerted; when the window ends with some counted, the alarm
// sends one more alert for them (the last one's details, `alsoQuarantinedSinceLastAlert` the count), so
// a burst's tail is never silent. Everything else is published as it comes.
import type { Json } from "../src/domain/json";
import { type OpsEvent, QUARANTINE_ALERT_WINDOW_MS } from "../src/subscriptions/ops-feed";

interface Window {
  start: number;
  /** Quarantined since the window's alert, without one of their own. */
  suppressed: number;
  /** The latest of those: what the closing alert shows. */
  last?: Record<string, Json>;
}

export interface FeedHost {
  getMeta(k: string): string | undefined;
  setMeta(k: string, v: string): void;
  /** Records an ops event for its subscriptions (inside the caller's transaction). */
  record(event: OpsEvent, at: string): void;
}

const PREFIX = "quarantine_window:";

export class OpsFeedRules {
  constructor(private readonly h: FeedHost) {}

  /** Publishes `event` now, or counts it into its partner's window (inside the caller's transaction). */
  publish(event: OpsEvent, now: number): void {
    if (event.type !== "ops.quarantined") {
      this.h.record(event, new Date(now).toISOString());
      return;
    }
    const key = PREFIX + String(event.data.partner);
    const window = JSON.parse(this.h.getMeta(key) ?? "null") as Window | null;
    if (window && now - window.start < QUARANTINE_ALERT_WINDOW_MS) {
      this.h.setMeta(key, JSON.stringify({ ...window, suppressed: window.suppressed + 1, last: event.data }));
      this.noteDue(window.start + QUARANTINE_ALERT_WINDOW_MS);
      return;
    }
    this.h.setMeta(key, JSON.stringify({ start: now, suppressed: 0 }));
    this.h.record({ ...event, data: { ...event.data, alsoQuarantinedSinceLastAlert: window?.suppressed ?? 0 } }, new Date(now).toISOString());
  }

  /** The alarm: every window that ended with payloads counted gets its closing alert. */
  closeWindows(now: number, keys: readonly string[]): void {
    let next: number | null = null;
    for (const key of keys.filter((k) => k.startsWith(PREFIX))) {
      const window = JSON.parse(this.h.getMeta(key) ?? "null") as Window | null;
      if (!window || window.suppressed === 0 || !window.last) continue;
      const end = window.start + QUARANTINE_ALERT_WINDOW_MS;
      if (end > now) {
        next = next === null ? end : Math.min(next, end);
        continue;
      }
      // The closing alert opens a window of its own: a burst that goes on is alerted once a window.
      this.h.setMeta(key, JSON.stringify({ start: now, suppressed: 0 }));
      const data = { ...window.last, alsoQuarantinedSinceLastAlert: window.suppressed - 1 };
      this.h.record({ type: "ops.quarantined", data }, new Date(now).toISOString());
    }
    this.h.setMeta("feed_due_at", next === null ? "" : String(next));
  }

  /** When the alarm must next close a window, or null. */
  alarmAt(): number | null {
    const v = Number(this.h.getMeta("feed_due_at") ?? "");
    return Number.isFinite(v) && v > 0 ? v : null;
  }

  private noteDue(at: number): void {
    const due = this.alarmAt();
    if (due === null || at < due) this.h.setMeta("feed_due_at", String(at));
  }
}
