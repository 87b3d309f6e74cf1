// The ERP's gate (durable-objects/destination.ts over src/domain/gate.ts): never more deliveries in flight
// than ERP_MAX_CONCURRENCY; a failing ERP is paused and sees one probe at a time, not every waiting order's
// retries; when it answers again every waiting order resumes on its own, oldest first. The ERP simulator
// is the witness: its gauge counts requests in flight, its ledger enforces idempotency and sequence.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { DestinationDO } from "../../durable-objects/destination";
import { destinationStub } from "../../src/destinations";
import { erpRecords, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

const faults = (f: Record<string, unknown>) =>
  fetch("http://erp.test/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });
const watch = (prefix: string) =>
  fetch("http://erp.test/admin/concurrency", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ prefix }) });
const gauge = async (prefix: string) =>
  (await (await fetch(`http://erp.test/admin/concurrency?prefix=${encodeURIComponent(prefix)}`)).json()) as {
    inFlight: number;
    maxInFlight: number;
    requests: number;
  };
const gate = () => destinationStub(env, "erp");

/** Sets the gate's variables for this test (the deployed default concurrency is 10); returns the restore. */
async function gateVars(vars: Record<string, string>): Promise<() => void> {
  const gateEnv = await runInDurableObject(env.DESTINATIONS.getByName("erp"), (instance: DestinationDO) => (instance as unknown as { env: Env }).env);
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, (gateEnv as unknown as Record<string, string>)[k]]));
  Object.assign(gateEnv, vars);
  return () => Object.assign(gateEnv, saved);
}

const dispatch = (orderId: string) =>
  sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1", trackingNumber: `T-${orderId}` }));

let restore: (() => void) | undefined;
afterEach(async () => {
  restore?.();
  restore = undefined;
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
});

describe("the ERP's gate", () => {
  it("never has more deliveries in flight than ERP_MAX_CONCURRENCY, and every command still goes through once", async () => {
    const prefix = "SO-GATE-CAP-";
    restore = await gateVars({ ERP_MAX_CONCURRENCY: "3" });
    await watch(prefix);
    // A slow ERP: each request takes 150 ms, so deliveries overlap whenever they may.
    await faults({ slowMs: 150, scope: prefix });
    const ids = Array.from({ length: 16 }, (_, i) => `${prefix}${i}`);
    await Promise.all(ids.map(async (id) => expect((await releaseOrder(id)).status).toBe(202)));
    await Promise.all(ids.map(async (id) => expect((await dispatch(id)).status).toBe(202)));
    await eventually(
      async () => {
        const counts = await Promise.all(ids.map(async (id) => (await erpRecords(id)).length));
        return counts.every((n) => n === 1) ? true : undefined;
      },
      20_000,
      "every order's shipment confirmation",
    );
    const g = await gauge(prefix);
    expect(g.maxInFlight).toBeLessThanOrEqual(3);
    // The cap is a ceiling, not a queue of one: deliveries did overlap.
    expect(g.maxInFlight).toBeGreaterThanOrEqual(2);
    expect(g.requests).toBe(16);
    expect(await gate().status("erp")).toMatchObject({ mode: "open", waiting: 0 });
  });

  it("pauses a failing ERP (one probe at a time), and when it answers again the waiting orders resume on their own, oldest first", async () => {
    const prefix = "SO-GATE-PAUSE-";
    restore = await gateVars({ ERP_MAX_CONCURRENCY: "1" });
    await watch(prefix);
    await faults({ downForMs: 120_000, scope: prefix });
    const ids = Array.from({ length: 8 }, (_, i) => `${prefix}${i}`);
    // One after another, so each order's command became due after the previous one's.
    for (const id of ids) {
      expect((await releaseOrder(id)).status).toBe(202);
      expect((await dispatch(id)).status).toBe(202);
    }
    const paused = await eventually(
      async () => {
        const s = await gate().status("erp");
        return s.mode === "paused" && s.waiting >= ids.length - 1 ? s : undefined;
      },
      15_000,
      "the ERP paused with the orders waiting",
    );
    expect(paused.nextProbeAt).not.toBeNull();
    // Paused: over three seconds, eight orders (each retrying every 1–2 s in tests) would make a dozen
    // requests or more; the gate lets one probe through at a time, spaced 1–2 s apart.
    const before = (await gauge(prefix)).requests;
    await new Promise((r) => setTimeout(r, 3000));
    const during = (await gauge(prefix)).requests - before;
    expect(during).toBeLessThanOrEqual(3);
    expect((await Promise.all(ids.map(erpRecords))).flat()).toEqual([]);

    await faults({}); // the ERP is back; nobody replays, nudges or waits out a backoff
    const all = await eventually(
      async () => {
        const r = (await (await fetch("http://erp.test/admin/records")).json()) as { records: { orderId: string; seq: number; recordId: string }[] };
        const mine = r.records.filter((x) => x.orderId.startsWith(prefix));
        return mine.length >= ids.length ? mine : undefined;
      },
      20_000,
      "every waiting order delivered",
    );
    expect(all).toHaveLength(ids.length);
    expect(new Set(all.map((r) => r.orderId)).size).toBe(ids.length);
    // Oldest first: the order the ERP booked them in is the order their commands became due in. The first
    // booking is the probe, which may be whichever order asked first once the probe was due.
    const booked = all.map((r) => r.orderId).slice(1);
    expect(booked).toEqual(ids.filter((id) => id !== all[0]?.orderId));
    expect(await gate().status("erp")).toMatchObject({ mode: "open", waiting: 0, consecutiveFailures: 0 });
    expect((await gauge(prefix)).maxInFlight).toBe(1);
  });

  it("keeps its alarm armed while orders wait: a run with nothing to do yet (the probe not due) re-arms it for the probe", async () => {
    const prefix = "SO-GATE-ALARM-";
    await faults({ downForMs: 120_000, scope: prefix });
    const ids = Array.from({ length: 6 }, (_, i) => `${prefix}${i}`);
    for (const id of ids) {
      expect((await releaseOrder(id)).status).toBe(202);
      expect((await dispatch(id)).status).toBe(202);
    }
    await eventually(
      async () => {
        const s = await gate().status("erp");
        return s.mode === "paused" && s.waiting > 0 ? s : undefined;
      },
      15_000,
      "the ERP paused with orders waiting",
    );
    const stub = env.DESTINATIONS.getByName("erp");
    for (let run = 0; run < 3; run++) {
      await runDurableObjectAlarm(stub);
      const { waiting } = await gate().status("erp");
      const alarm = await runInDurableObject(stub, (_i: DestinationDO, state) => state.storage.getAlarm());
      if (waiting > 0) expect(alarm, `run ${run}: ${waiting} orders wait but no alarm is set`).not.toBeNull();
    }
    await faults({});
    await eventually(async () => ((await gate().status("erp")).waiting === 0 ? true : undefined), 20_000, "the waiting orders drained");
  });
});
