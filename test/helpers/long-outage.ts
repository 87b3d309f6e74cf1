// The long-outage drill on a controllable clock, shared by the test suite (about 200 orders) and
// `npm run soak` (more). Days pass in seconds: the isolate's Date is faked (the worker, its Durable Objects
// and its queue consumers all read it), and the test plays the platform's alarm scheduler: at each step of
// simulated time it runs every order's alarm and the ERP gate's alarm, which real time would have fired.
// Queues, D1 and the ERP simulator are real. The simulator (its own isolate, on real time) is the witness:
// it enforces idempotency keys and per-order sequence, and its gauge counts requests in flight.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { destinationStub } from "../../src/destinations";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "./http";

export const HOUR = 3_600_000;

const erp = (path: string, init: RequestInit = {}) => fetch(`http://erp.test${path}`, init);
const put = (path: string, body: object) => erp(path, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

interface SimRecord {
  orderId: string;
  seq: number;
  kind: string;
  idempotencyKey: string;
}

export interface DrillFigures {
  orders: number;
  commands: number;
  outageHours: number;
  /** Requests the ERP saw during the outage (probes, and attempts before the gate paused it). */
  requestsDuringOutage: number;
  /** From the ERP's recovery to the last command booked (real time). */
  drainMs: number;
  commandsPerSecond: number;
  maxInFlight: number;
  concurrency: number;
  deadLetters: number;
}

/** Runs an order's alarm if one is set (the platform would have fired it by now). */
export async function fireAlarms(orderIds: readonly string[]): Promise<void> {
  for (let i = 0; i < orderIds.length; i += 25) {
    await Promise.all(orderIds.slice(i, i + 25).map((id) => runDurableObjectAlarm(env.ORDERS.getByName(id))));
  }
  await runDurableObjectAlarm(env.DESTINATIONS.getByName("erp"));
}

export const settle = () => new Promise((r) => setTimeout(r, 1500));

export async function create(orderIds: readonly string[]): Promise<void> {
  for (let i = 0; i < orderIds.length; i += 20) {
    await Promise.all(
      orderIds.slice(i, i + 20).map(async (orderId) => {
        const rel = await releaseOrder(orderId);
        if (rel.status !== 202) throw new Error(`release ${orderId}: ${rel.status} ${await rel.text()}`);
        const s = { shipmentId: "S1", trackingNumber: `T-${orderId}` };
        const res = await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...s }));
        if (res.status !== 202) throw new Error(`dispatch ${orderId}: ${res.status} ${await res.text()}`);
      }),
    );
  }
}

async function deliver(orderIds: readonly string[]): Promise<void> {
  for (let i = 0; i < orderIds.length; i += 20) {
    await Promise.all(
      orderIds.slice(i, i + 20).map(async (orderId) => {
        const body = milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", shipmentId: "S1", trackingNumber: `T-${orderId}` });
        const res = await sendAcme(body);
        if (res.status !== 202) throw new Error(`delivered ${orderId}: ${res.status} ${await res.text()}`);
      }),
    );
  }
}

export async function openDeadLetters(prefix: string): Promise<number> {
  const res = await call("/ops/dead-letters?status=open&limit=100", { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
  const body = (await res.json()) as { items: { orderId: string }[] };
  return body.items.filter((d) => d.orderId.startsWith(prefix)).length;
}

/**
 * Lets time run until the ERP holds `expected` records of orders starting with `prefix`: the gate's alarm
 * fires as the platform would fire it (every 50 ms here, as its schedule is on the faked clock).
 */
export async function drain(prefix: string, expected: number, timeoutMs: number, report = false): Promise<SimRecord[]> {
  let pumping = true;
  const pump = (async () => {
    while (pumping) {
      await runDurableObjectAlarm(env.DESTINATIONS.getByName("erp"));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    let lastReport = Date.now();
    return await eventually(
      async () => {
        const r = (await (await erp("/admin/records")).json()) as { records: SimRecord[] };
        const mine = r.records.filter((x) => x.orderId.startsWith(prefix));
        if (report && Date.now() - lastReport > 10_000) {
          lastReport = Date.now();
          console.log(JSON.stringify({ draining: mine.length, of: expected, gate: await destinationStub(env, "erp").status("erp") }));
        }
        return mine.length >= expected ? mine : undefined;
      },
      timeoutMs,
      `${expected} ERP records`,
    );
  } finally {
    pumping = false;
    await pump;
  }
}

/**
 * An ERP outage of `outageHours` simulated hours. Orders are released and dispatched throughout it (one
 * batch per step), and each batch is delivered one step later, so every order has two commands, both
 * created during the outage. Then the ERP recovers, and nobody does anything but let time run: every fact
 * must reach the ERP exactly once, in per-order order, with no dead letter, never more than the gate's
 * concurrency in flight. Returns the figures.
 */
export async function longOutageDrill(opts: {
  prefix: string;
  orders: number;
  outageHours: number;
  steps: number;
  drainTimeoutMs: number;
  /** Print the drain's progress every 10 s (the soak). */
  report?: boolean;
}): Promise<DrillFigures> {
  const { prefix, orders, outageHours, steps } = opts;
  const stepMs = (outageHours * HOUR) / steps;
  const perStep = Math.ceil(orders / steps);
  const ids = Array.from({ length: orders }, (_, i) => `${prefix}${String(i).padStart(4, "0")}`);
  const concurrency = (await destinationStub(env, "erp").status("erp")).concurrency;
  vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
  try {
    const t0 = Date.now();
    expect((await put("/admin/faults", { downForMs: 86_400_000, scope: prefix })).status).toBe(200);
    expect((await put("/admin/concurrency", { prefix })).status).toBe(200);
    const created: string[] = [];
    for (let step = 0; step < steps; step++) {
      vi.setSystemTime(t0 + step * stepMs);
      const previous = ids.slice(Math.max(0, (step - 1) * perStep), step * perStep);
      const fresh = ids.slice(step * perStep, (step + 1) * perStep);
      await create(fresh);
      await deliver(previous);
      created.push(...fresh);
      await settle();
      // Half a step later: the retries, safety nets and probes of that time.
      vi.setSystemTime(t0 + (step + 0.5) * stepMs);
      await fireAlarms(created);
      await settle();
    }
    // The last batch's deliveries, at the very end of the outage.
    vi.setSystemTime(t0 + outageHours * HOUR - HOUR);
    await deliver(ids.slice((steps - 1) * perStep));
    await settle();
    vi.setSystemTime(t0 + outageHours * HOUR);
    await fireAlarms(ids);
    await settle();

    // Seventy-two hours in: nothing reached the ERP, nothing died, nobody had to do anything.
    const during = (await (await erp(`/admin/concurrency?prefix=${prefix}`)).json()) as { requests: number; maxInFlight: number };
    const deadDuring = await openDeadLetters(prefix);
    expect(deadDuring).toBe(0);
    const status = await destinationStub(env, "erp").status("erp");
    expect(status.mode).toBe("paused");

    // The ERP recovers. From here only time runs: the platform would fire the gate's alarm on its own.
    expect((await erp("/admin/faults", { method: "DELETE" })).status).toBe(200);
    const recovered = Date.now();
    const expected = orders * 2;
    const records = await drain(prefix, expected, opts.drainTimeoutMs, opts.report);
    const drainMs = Date.now() - recovered;
    // Exactly once, in per-order order.
    expect(records).toHaveLength(expected);
    for (const orderId of ids) {
      const mine = records.filter((r) => r.orderId === orderId);
      expect(mine.map((r) => [r.seq, r.kind])).toEqual([
        [1, "shipment-confirmations"],
        [2, "delivery-confirmations"],
      ]);
    }
    const stats = (await (await erp("/admin/records")).json()) as { stats: { rejectedGaps: number } };
    expect(stats.stats.rejectedGaps).toBe(0);
    const after = (await (await erp(`/admin/concurrency?prefix=${prefix}`)).json()) as { maxInFlight: number };
    expect(after.maxInFlight).toBeLessThanOrEqual(concurrency);
    const deadLetters = await openDeadLetters(prefix);
    expect(deadLetters).toBe(0);
    return {
      orders,
      commands: expected,
      outageHours,
      requestsDuringOutage: during.requests,
      drainMs,
      commandsPerSecond: Math.round((expected / drainMs) * 1000 * 10) / 10,
      maxInFlight: after.maxInFlight,
      concurrency,
      deadLetters,
    };
  } finally {
    vi.useRealTimers();
    await erp("/admin/faults", { method: "DELETE" });
    await erp(`/admin/concurrency?prefix=${prefix}`, { method: "DELETE" });
  }
}
