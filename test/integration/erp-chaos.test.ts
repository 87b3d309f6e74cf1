// Chaos at the ERP: outages, error rates, throttling, lost responses and permanent refusals, while many
// orders progress. The ERP simulator is the witness: it enforces idempotency keys and per-order
// sequencing, so its record shows every command exactly once and in order, or the test fails.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { ErpMessage, ProjectionMessage } from "../../src/domain/messages";
import worker from "../../src/index";
import { orderStub } from "../../src/orders";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

interface SimRecord {
  orderId: string;
  seq: number;
  kind: string;
  idempotencyKey: string;
}
interface SimState {
  records: SimRecord[];
  stats: { applied: number; replays: number; rejectedGaps: number; injectedFailures: number; loginPageVisits: number };
}

const sim = async (): Promise<SimState> => (await fetch("http://erp.test/admin/records")).json() as Promise<SimState>;
const faults = (f: Record<string, unknown>) =>
  fetch("http://erp.test/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });
const ops = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}`, ...init.headers } });

afterEach(async () => {
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
});

/** Releases `n` orders and sends each a dispatch and a delivery (two ERP commands per order). */
async function progressOrders(prefix: string, n: number, extra: (orderId: string) => object[] = () => []): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  await Promise.all(
    ids.map(async (orderId) => {
      expect((await releaseOrder(orderId)).status).toBe(202);
      const s = { shipmentId: "S1", trackingNumber: `T-${orderId}` };
      // Delivery first on purpose: the ERP must still see the shipment confirmation first.
      for (const body of [
        milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", ...s }),
        milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...s }),
        ...extra(orderId),
      ]) {
        expect((await sendAcme(body)).status).toBe(202);
      }
    }),
  );
  return ids;
}

/** Waits for `expected` commands per order at the simulator, then checks exactly-once and order. */
async function expectDeliveredInOrder(ids: string[], expected: string[], timeoutMs = 25_000): Promise<SimState> {
  const state = await eventually(
    async () => {
      const s = await sim();
      const mine = s.records.filter((r) => ids.includes(r.orderId));
      return mine.length >= ids.length * expected.length ? s : undefined;
    },
    timeoutMs,
    `${ids.length * expected.length} ERP records`,
  );
  for (const orderId of ids) {
    const records = state.records.filter((r) => r.orderId === orderId);
    expect(records.map((r) => r.seq)).toEqual(expected.map((_, i) => i + 1));
    expect(records.map((r) => r.kind)).toEqual(expected);
    expect(new Set(records.map((r) => r.idempotencyKey)).size).toBe(expected.length);
  }
  // dockline never sent a command before its predecessor was acknowledged.
  expect(state.stats.rejectedGaps).toBe(0);
  return state;
}

const TWO = ["shipment-confirmations", "delivery-confirmations"];

describe("ERP delivery under chaos", () => {
  it("delivers every command exactly once and in per-order order after an outage, with the lag visible meanwhile", async () => {
    await faults({ downForMs: 3000, scope: "CHAOS-DOWN-" });
    const ids = await progressOrders("CHAOS-DOWN-", 12);
    const lag = await eventually(async () => {
      const m = (await (await ops("/ops/metrics")).json()) as { erp: { pendingCommands: number; oldestPendingAgeSeconds: number | null } };
      return m.erp.pendingCommands >= 12 ? m.erp : undefined;
    });
    expect(lag.oldestPendingAgeSeconds).not.toBeNull();
    await expectDeliveredInOrder(ids, TWO);
    const view = await orderStub(env, ids[0] as string).inspect();
    expect(view.erp).toMatchObject({ ackedSeq: 2, pending: 0, deadSeq: null });
  });

  it("delivers exactly once and in order through a 30 % error rate", async () => {
    await faults({ errorRate: 0.3, scope: "CHAOS-ERR-" });
    const ids = await progressOrders("CHAOS-ERR-", 10, (orderId) => [
      milestone({ orderId, code: "shipment.exception", occurredAt: "2026-11-20T20:00:00Z", shipmentId: "S1", reason: "damaged" }),
    ]);
    // Commands reach the ERP in the order they were emitted: the exception arrived last.
    await expectDeliveredInOrder(ids, ["shipment-confirmations", "delivery-confirmations", "fulfillment-exceptions"]);
  });

  it("honours 429 with Retry-After and still delivers exactly once and in order", async () => {
    await faults({ rate429: 0.5, retryAfterSeconds: 1, scope: "CHAOS-429-" });
    await expectDeliveredInOrder(await progressOrders("CHAOS-429-", 10), TWO);
  });

  it("never books twice when the ERP applied a command but the answer was lost", async () => {
    await faults({ lostResponseRate: 0.5, scope: "CHAOS-LOST-" });
    const before = (await sim()).stats.replays;
    const state = await expectDeliveredInOrder(await progressOrders("CHAOS-LOST-", 8), TWO);
    // The retries of lost answers were recognised by their idempotency keys.
    expect(state.stats.replays).toBeGreaterThan(before);
  });

  it("dead-letters a permanent refusal without blocking other orders, and its replay delivers it", async () => {
    await faults({ permanentFor: ["CHAOS-PERM-0"], scope: "CHAOS-PERM-" });
    const [refused, healthy] = (await progressOrders("CHAOS-PERM-", 2)) as [string, string];
    await expectDeliveredInOrder([healthy], TWO);
    const dead = await eventually(async () => {
      const r = (await (await ops("/ops/dead-letters?status=open")).json()) as {
        items: { id: string; orderId: string; seq: number; cause: string; erpStatus: number; reason: string }[];
      };
      return r.items.find((d) => d.orderId === refused);
    });
    expect(dead).toMatchObject({ seq: 1, cause: "rejected", erpStatus: 422 });
    expect(dead.reason).toMatch(/rejected-by-erp/);
    // Its own order is held back: the delivery confirmation waits behind the dead shipment confirmation.
    expect((await sim()).records.filter((r) => r.orderId === refused)).toEqual([]);
    const metrics = (await (await ops("/ops/metrics")).json()) as { erp: { ordersBlockedByDeadLetter: number }; deadLetters: { open: number } };
    expect(metrics.deadLetters.open).toBeGreaterThanOrEqual(1);
    expect(metrics.erp.ordersBlockedByDeadLetter).toBeGreaterThanOrEqual(1);

    await faults({}); // the ERP's data was fixed
    const replay = await ops(`/ops/dead-letters/${dead.id}/replay`, { method: "POST" });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ status: "replayed", revived: true });
    await expectDeliveredInOrder([refused], TWO);
    expect((await ops(`/ops/dead-letters/${dead.id}/replay`, { method: "POST" })).status).toBe(409);
  });

  it("records a command whose message ran out of retries as a dead letter", async () => {
    const orderId = "CHAOS-DLQ-0";
    await faults({ downForMs: 60_000, scope: orderId });
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1" }));
    const batch = createMessageBatch<ErpMessage>("dockline-erp-writes-dlq", [
      { id: "dlq-1", timestamp: new Date(), attempts: 1, body: { kind: "erp", orderId, seq: 1, correlationId: "corr-dlq-0001" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<ErpMessage | ProjectionMessage>, env);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["dlq-1"], retryMessages: [] });
    const view = await orderStub(env, orderId).inspect();
    expect(view.commands[0]?.deadAt).not.toBeNull();
    const dead = await eventually(async () => {
      const r = (await (await ops("/ops/dead-letters")).json()) as { items: { orderId: string; cause: string }[] };
      return r.items.find((d) => d.orderId === orderId);
    });
    expect(dead.cause).toBe("exhausted");
  });
});

describe("ERP answers that are not a plain success", () => {
  /** Releases the order and dispatches it: one ShipmentConfirmation for the ERP. */
  async function dispatched(orderId: string): Promise<void> {
    expect((await releaseOrder(orderId)).status).toBe(202);
    const s = { shipmentId: "S1", trackingNumber: `T-${orderId}` };
    expect((await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...s }))).status).toBe(202);
  }

  it.each([301, 307])(
    "never takes a %i to the ERP's sign-in page as done: the command waits, the page is never visited, and it goes through once the ERP answers again",
    async (status) => {
      const orderId = `CHAOS-REDIRECT-${status}`;
      await faults({ redirect: { status, location: "/login?next=%2Fshipment-confirmations" }, scope: orderId });
      const visitsBefore = (await sim()).stats.loginPageVisits;
      await dispatched(orderId);
      // The failed attempt is on the order for ops to see, naming where the ERP points (the host only).
      const command = await eventually(
        async () => {
          const c = (await orderStub(env, orderId).inspect()).commands[0];
          return c?.lastError ? c : undefined;
        },
        10_000,
        "a failed delivery attempt",
      );
      expect(command.lastError).toBe(`HTTP ${status} redirect to erp.test: check ERP_BASE_URL and any proxy in front of the ERP`);
      expect(command.ackedAt).toBeNull();
      expect(command.deadAt).toBeNull();
      const during = await sim();
      expect(during.records.filter((r) => r.orderId === orderId)).toEqual([]);
      // Neither the bearer token nor the body went to the page the ERP pointed at.
      expect(during.stats.loginPageVisits).toBe(visitsBefore);

      await faults({}); // ERP_BASE_URL fixed, or the proxy lets us through again
      await expectDeliveredInOrder([orderId], ["shipment-confirmations"]);
      expect((await orderStub(env, orderId).inspect()).erp).toMatchObject({ ackedSeq: 1, pending: 0, deadSeq: null });
    },
  );

  it("takes a 409 already-applied that names our Idempotency-Key as done: a lost answer's retry is neither booked twice nor dead-lettered", async () => {
    const orderId = "CHAOS-409-SAME-KEY";
    // Every first answer is lost, and the ERP answers the retry with 409 already-applied instead of 200.
    await faults({ lostResponseRate: 1, replayConflict: true, scope: orderId });
    const before = (await sim()).stats.replays;
    await dispatched(orderId);
    const view = await eventually(async () => {
      const v = await orderStub(env, orderId).inspect();
      return v.erp.ackedSeq === 1 || v.erp.deadSeq !== null ? v : undefined;
    });
    expect(view.erp).toMatchObject({ ackedSeq: 1, pending: 0, deadSeq: null });
    const state = await expectDeliveredInOrder([orderId], ["shipment-confirmations"]);
    expect(state.stats.replays).toBeGreaterThan(before);
  });
});
