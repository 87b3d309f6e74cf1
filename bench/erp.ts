// The ERP simulator's admin API (tools/erp-sim): faults, what it booked, and a cheap progress counter.
import { sleep } from "./metrics";

export interface ErpRecord {
  orderId: string;
  seq: number;
  kind: string;
  idempotencyKey: string;
  body: { commandKey?: string };
}

export interface ErpStats {
  applied: number;
  replays: number;
  rejectedGaps: number;
  injectedFailures: number;
  keyReuses: number;
}

export class ErpSim {
  constructor(readonly base: URL) {}

  async setFaults(faults: { downForMs?: number }): Promise<void> {
    await this.call("PUT", "/admin/faults", faults);
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/admin/faults");
  }

  async reset(): Promise<void> {
    await this.call("POST", "/admin/reset");
  }

  /** Counters only: an order id no order has keeps the answer's record list empty. */
  async stats(): Promise<ErpStats> {
    return ((await this.call("GET", "/admin/records?orderId=%00stats-only")) as { stats: ErpStats }).stats;
  }

  async records(): Promise<ErpRecord[]> {
    return ((await this.call("GET", "/admin/records")) as { records: ErpRecord[] }).records;
  }

  /** Polls until `applied` reaches `count`; resolves with the time it was first seen there, or null. */
  async waitForApplied(count: number, timeoutMs: number, everyMs = 50): Promise<number | null> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ((await this.stats()).applied >= count) return Date.now();
      await sleep(everyMs);
    }
    return null;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(new URL(path, this.base), {
      method,
      ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`erp-sim ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  }
}
