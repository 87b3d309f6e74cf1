// Who owns the ERP retry schedule: the order's Durable Object (its delivery cursor and alarm), not Queues'
// retry count (docs/decisions/0012). A reported failure acks its queue message; the order's alarm sends a
// fresh one when the backoff ends; a command dies "expired" only once the retry horizon has passed, however
// few or many attempts that took, and a bulk replay then delivers it exactly once.
import { createExecutionContext, createMessageBatch, evictDurableObject, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import type { ErpMessage } from "../../src/domain/messages";
import worker from "../../src/index";
import { orderStub } from "../../src/orders";
import { call, erpRecords, erpRecordsEventually, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const faults = (f: Record<string, unknown>) =>
  fetch("http://erp.test/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });
const ops = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}`, ...init.headers } });

afterEach(async () => {
  vi.restoreAllMocks();
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
});

const dispatch = (orderId: string) =>
  sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1", trackingNumber: `T-${orderId}` }));

describe("the ERP retry schedule lives in the order", () => {
  it("acks the queue message of a transient failure, and the order's alarm sends the retry that delivers it", async () => {
    const orderId = "SO-RETRY-ALARM-1";
    await faults({ downForMs: 60_000, scope: orderId });
    expect((await releaseOrder(orderId)).status).toBe(202);
    // Counts what the order hands to the ERP queue; its first message is dropped, so only the batch below
    // makes the first attempt, and only the order itself can make the second.
    const sent: number[] = [];
    await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
      const queue = (instance as unknown as { env: Env }).env.ERP_QUEUE;
      const real = queue.sendBatch.bind(queue);
      let first = true;
      vi.spyOn(queue, "sendBatch").mockImplementation(async (messages, options) => {
        const mine = [...messages].filter((m) => (m.body as ErpMessage).orderId === orderId);
        sent.push(...mine.map((m) => (m.body as ErpMessage).seq));
        if (first && mine.length > 0) {
          first = false;
          return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
        }
        return real(messages, options);
      });
    });
    expect((await dispatch(orderId)).status).toBe(202);
    await eventually(async () => (sent.length === 1 ? true : undefined), 10_000, "the dropped first message");

    const batch = createMessageBatch<ErpMessage>("dockline-erp-writes", [
      { id: "retry-alarm-1", timestamp: new Date(), attempts: 1, body: { kind: "erp", orderId, seq: 1, correlationId: "corr-retry-alarm-1" } },
    ]);
    await worker.queue(batch, env);
    // The failure is reported to the order: the message is done, Queues' retry counter is not involved.
    expect(await getQueueResult(batch, createExecutionContext())).toMatchObject({ explicitAcks: ["retry-alarm-1"], retryMessages: [] });
    const waiting = await orderStub(env, orderId).inspect();
    expect(waiting.commands[0]).toMatchObject({ seq: 1, attempts: 1, deadAt: null, ackedAt: null });
    expect(waiting.commands[0]?.lastError).toMatch(/503|unavailable|down/i);
    expect(waiting.erp.nextAttemptAt).not.toBeNull();

    await faults({}); // the ERP is back
    const [record] = await erpRecordsEventually(orderId, 1);
    expect(record).toMatchObject({ orderId, seq: 1, kind: "shipment-confirmations" });
    // The retry came from the order: a fresh message it sent once the backoff ended.
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((seq) => seq === 1)).toBe(true);
    const done = await eventually(async () => {
      const v = await orderStub(env, orderId).inspect();
      return v.erp.ackedSeq === 1 ? v : undefined;
    });
    expect(done.commands[0]?.attempts).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await erpRecords(orderId)).toHaveLength(1);
  });

  it("kills a command 'expired' once the horizon has passed, not after a number of retries; bulk replay then delivers it once", async () => {
    const orderId = "SO-RETRY-HORIZON-1";
    const horizonMs = 3000;
    await faults({ downForMs: 120_000, scope: orderId });
    expect((await releaseOrder(orderId)).status).toBe(202);
    // A horizon of three seconds for this test's orders (the deployed default is 168 hours); restored below.
    const orderEnv = await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => (instance as unknown as { env: Env }).env);
    const saved = orderEnv.DELIVERY_RETRY_HORIZON_HOURS;
    Object.assign(orderEnv, { DELIVERY_RETRY_HORIZON_HOURS: String(horizonMs / 3_600_000) });
    try {
      expect((await dispatch(orderId)).status).toBe(202);
      const dead = await eventually(
        async () => {
          const r = (await (await ops("/ops/dead-letters?status=open")).json()) as { items: { id: string; orderId: string; seq: number; cause: string }[] };
          return r.items.find((d) => d.orderId === orderId);
        },
        20_000,
        "the expired dead letter",
      );
      // Recorded under the read model's name for "expired" (docs/erp.md).
      expect(dead).toMatchObject({ seq: 1, cause: "exhausted" });
      const command = (await orderStub(env, orderId).inspect()).commands[0];
      // Retried on the order's schedule until the horizon passed, then dead: time decided, not a count.
      expect(command?.attempts).toBeGreaterThan(1);
      expect(Date.parse(command?.deadAt ?? "") - Date.parse(command?.createdAt ?? "")).toBeGreaterThanOrEqual(horizonMs);
      expect(command?.lastError).toBeTruthy();
    } finally {
      Object.assign(orderEnv, { DELIVERY_RETRY_HORIZON_HOURS: saved });
    }
    expect(await erpRecords(orderId)).toEqual([]);

    await faults({}); // the ERP is back
    const replay = await ops("/ops/dead-letters/replay", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reason: "expired", orderIds: [orderId] }),
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ matched: 1, replayed: 1, failed: [] });
    const records = await erpRecordsEventually(orderId, 1);
    expect(records.map((r) => [r.seq, r.kind])).toEqual([[1, "shipment-confirmations"]]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await erpRecords(orderId)).toHaveLength(1);
    expect((await orderStub(env, orderId).inspect()).erp).toMatchObject({ ackedSeq: 1, pending: 0, deadSeq: null });
  });
});

describe("an order written before the cursor existed", () => {
  it("derives its cursor from its commands: the acknowledged prefix stays done, the pending head is delivered once, in order", async () => {
    const orderId = "SO-LEGACY-CURSOR-1";
    // The ERP is down, so the order's two commands stay pending.
    await faults({ downForMs: 60_000, scope: orderId });
    await releaseOrder(orderId);
    await dispatch(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", shipmentId: "S1", trackingNumber: `T-${orderId}` }));
    await eventually(async () => ((await orderStub(env, orderId).inspect()).commands.length === 2 ? true : undefined), 10_000, "two commands");
    // Rewrite its storage as the SQL state machine left it: command 1 acknowledged (the ERP has it: book
    // it there directly, as it would have been), command 2 pending with three failed attempts, no cursor.
    const [first] = (await orderStub(env, orderId).inspect()).commands;
    await fetch("http://erp.test/admin/faults", { method: "DELETE" });
    const booked = await fetch(`http://erp.test/shipment-confirmations`, {
      method: "POST",
      headers: { Authorization: "Bearer test-erp-token", "Content-Type": "application/json", "Idempotency-Key": `${orderId}:1` },
      body: JSON.stringify({ ...(first?.payload as object), orderId, seq: 1, commandKey: first?.key }),
    });
    expect(booked.status).toBeLessThan(300);
    await runInDurableObject(env.ORDERS.getByName(orderId), (_i: OrderDO, state) => {
      const sql = state.storage.sql;
      sql.exec("DELETE FROM meta WHERE k IN ('delivery:erp', 'erp_lease')");
      sql.exec("INSERT INTO meta (k, v) VALUES ('erp_acked', '1') ON CONFLICT(k) DO UPDATE SET v = excluded.v");
      sql.exec("UPDATE commands SET acked_at = '2026-11-20T10:01:00.000Z', attempts = 1, last_error = NULL WHERE seq = 1");
      sql.exec("UPDATE commands SET acked_at = NULL, attempts = 3, last_error = 'HTTP 503' WHERE seq = 2");
    });
    await evictDurableObject(env.ORDERS.getByName(orderId));
    // The ERP is back; ops replay the order (what reconcile's re-nudge would do): the head goes out.
    expect((await ops(`/ops/orders/${orderId}/replay`, { method: "POST" })).status).toBe(200);
    const records = await erpRecordsEventually(orderId, 2);
    expect(records.map((r) => [r.seq, r.kind])).toEqual([
      [1, "shipment-confirmations"],
      [2, "delivery-confirmations"],
    ]);
    const view = await orderStub(env, orderId).inspect();
    expect(view.erp).toMatchObject({ ackedSeq: 2, pending: 0, deadSeq: null });
    // Command 1 was never tried again (its acknowledgement carried over); command 2 kept its history.
    expect(view.commands.map((c) => c.attempts)).toEqual([1, 4]);
  });
});
