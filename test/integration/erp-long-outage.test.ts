// A 72-hour ERP outage on a controllable clock (test/helpers/long-outage.ts): over 200 orders with commands
// created throughout; after recovery every fact reaches the ERP exactly once, in per-order order, with no
// dead letter and no ops action, never more than ERP_MAX_CONCURRENCY in flight. Before the retry schedule
// moved into the order (decision 0012), about 4 hours of outage dead-lettered every waiting command.
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, SECRETS } from "../helpers/http";
import { create, drain, fireAlarms, HOUR, longOutageDrill, openDeadLetters, settle } from "../helpers/long-outage";

afterEach(async () => {
  vi.useRealTimers();
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
});

describe("a 72-hour ERP outage", () => {
  it("loses nothing, duplicates nothing, and drains on its own within the concurrency cap", { timeout: 120_000 }, async () => {
    const figures = await longOutageDrill({ prefix: "DRILL72-", orders: 204, outageHours: 72, steps: 6, drainTimeoutMs: 90_000 });
    expect(figures.deadLetters).toBe(0);
    // Paused, the ERP saw probes, not every waiting order's retries: on this stepped clock the code before
    // the gate made about 1,300 requests (each order retrying at every step), the gate a few dozen.
    expect(figures.requestsDuringOutage).toBeLessThan(100);
  });
});

describe("an ERP outage longer than the retry horizon", () => {
  it("kills the waiting commands 'expired' once the horizon has passed; a bulk replay then delivers each exactly once", { timeout: 60_000 }, async () => {
    const prefix = "HORIZON168-";
    const ids = Array.from({ length: 12 }, (_, i) => `${prefix}${i}`);
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    const t0 = Date.now();
    await fetch("http://erp.test/admin/faults", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ downForMs: 86_400_000, scope: prefix }),
    });
    await create(ids);
    await settle();
    // Five days in: still retrying (or waiting for the paused ERP's probe), nothing dead.
    vi.setSystemTime(t0 + 120 * HOUR);
    await fireAlarms(ids);
    await settle();
    expect(await openDeadLetters(prefix)).toBe(0);
    // Past the 168-hour horizon: the next attempt, or the next time the paused ERP turns the order away, ends it.
    vi.setSystemTime(t0 + 169 * HOUR);
    await fireAlarms(ids);
    const ops = { Authorization: `Bearer ${SECRETS.ops}` };
    const dead = await (async () => {
      for (let i = 0; i < 20; i++) {
        await settle();
        const res = await call("/ops/dead-letters?status=open&limit=100", { headers: ops });
        const items = ((await res.json()) as { items: { orderId: string; cause: string }[] }).items.filter((d) => d.orderId.startsWith(prefix));
        if (items.length === ids.length) return items;
        await fireAlarms(ids);
      }
      throw new Error("the commands did not all expire");
    })();
    // Recorded under the read model's name for "expired" (docs/erp.md).
    expect(dead.every((d) => d.cause === "exhausted")).toBe(true);

    await fetch("http://erp.test/admin/faults", { method: "DELETE" }); // the ERP is back
    const replay = await call("/ops/dead-letters/replay", {
      method: "POST",
      headers: { ...ops, "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "expired" }),
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ replayed: ids.length, failed: [] });
    const records = await drain(prefix, ids.length, 30_000);
    expect(records.map((r) => r.orderId).sort()).toEqual([...ids].sort());
    expect(records.every((r) => r.seq === 1 && r.kind === "shipment-confirmations")).toBe(true);
    await settle();
    expect(await openDeadLetters(prefix)).toBe(0);
    // A repeat replays nothing.
    const again = await call("/ops/dead-letters/replay", {
      method: "POST",
      headers: { ...ops, "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "expired", orderIds: ids }),
    });
    expect(await again.json()).toMatchObject({ replayed: 0 });
  });
});
