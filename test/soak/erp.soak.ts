// `npm run soak` (not in CI): many orders through a long ERP outage followed by a flaky ERP, inside
// workerd with the real queue consumers. Prints its figures as JSON; docs/erp.md records a run.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

const soakEnv = env as unknown as { SOAK_ORDERS: string; SOAK_OUTAGE_MS: string };
const ORDERS = Number(soakEnv.SOAK_ORDERS);
const OUTAGE_MS = Number(soakEnv.SOAK_OUTAGE_MS);

interface SimState {
  records: { orderId: string; seq: number; kind: string }[];
  stats: { applied: number; replays: number; rejectedGaps: number; injectedFailures: number };
}
const sim = async () => (await fetch("http://erp.test/admin/records")).json() as Promise<SimState>;
const faults = (f: object) =>
  fetch("http://erp.test/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });

describe("ERP soak", () => {
  it(`delivers ${ORDERS} orders exactly once and in order through an outage and a flaky ERP`, { timeout: 30 * 60_000 }, async () => {
    const started = Date.now();
    await faults({ downForMs: OUTAGE_MS, scope: "SOAK-" });
    const ids = Array.from({ length: ORDERS }, (_, i) => `SOAK-${i}`);
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(
        ids.slice(i, i + 20).map(async (orderId) => {
          expect((await releaseOrder(orderId)).status).toBe(202);
          const s = { shipmentId: "S1", trackingNumber: `T-${orderId}` };
          for (const body of [
            milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...s }),
            milestone({ orderId, code: "shipment.exception", occurredAt: "2026-11-20T20:00:00Z", reason: "damaged", ...s }),
            milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", ...s }),
          ]) {
            expect((await sendAcme(body)).status).toBe(202);
          }
        }),
      );
    }
    const ingested = Date.now();
    // The outage ends while the backlog waits; then the ERP stays flaky.
    await new Promise((r) => setTimeout(r, Math.max(0, started + OUTAGE_MS - Date.now())));
    await faults({ errorRate: 0.2, rate429: 0.1, retryAfterSeconds: 1, lostResponseRate: 0.1, slowMs: 20, scope: "SOAK-" });
    const recovered = Date.now();
    const expected = ORDERS * 3;
    const final = await eventually(
      async () => {
        const s = await sim();
        return s.records.filter((r) => r.orderId.startsWith("SOAK-")).length >= expected ? s : undefined;
      },
      25 * 60_000,
      `${expected} records`,
    );
    const drained = Date.now();
    const mine = final.records.filter((r) => r.orderId.startsWith("SOAK-"));
    for (const orderId of ids) {
      expect(mine.filter((r) => r.orderId === orderId).map((r) => r.seq)).toEqual([1, 2, 3]);
    }
    expect(final.stats.rejectedGaps).toBe(0);
    const figures = {
      orders: ORDERS,
      commands: expected,
      outageSeconds: OUTAGE_MS / 1000,
      ingestSeconds: (ingested - started) / 1000,
      drainSecondsAfterRecovery: (drained - recovered) / 1000,
      drainRatePerSecond: Math.round(expected / ((drained - recovered) / 1000)),
      injectedFailures: final.stats.injectedFailures,
      idempotentReplays: final.stats.replays,
      duplicatesAtErp: mine.length - new Set(mine.map((r) => `${r.orderId}:${r.seq}`)).size,
      sequenceGapsAtErp: final.stats.rejectedGaps,
    };
    console.log(JSON.stringify(figures));
  });
});
