// Waking the orders that wait for the ERP: after an outage each order's head command sleeps in its own
// backoff window; the first retried delivery that the ERP accepts wakes the others (src/queues/erp-wake.ts).
// Here the waiting order's message is gone altogether (as if it slept for minutes), so only a wake can
// deliver it within the test.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import type { ErpMessage } from "../../src/domain/messages";
import worker from "../../src/index";
import { resetWakeWindow } from "../../src/queues/erp-wake";
import { erpRecords, erpRecordsEventually, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

/** Releases and dispatches an order whose ERP message is dropped on the way to the queue: its head waits. */
async function waitingOrder(orderId: string): Promise<void> {
  expect((await releaseOrder(orderId)).status).toBe(202);
  await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
    vi.spyOn((instance as unknown as { env: Env }).env.ERP_QUEUE, "sendBatch").mockResolvedValueOnce({
      metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    });
  });
  const dispatch = milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1", trackingNumber: `T-${orderId}` });
  expect((await sendAcme(dispatch)).status).toBe(202);
  // The read model knows the head waits: that is where a wake looks.
  await eventually(
    async () =>
      (await env.DB.prepare("SELECT oldest_pending_at FROM erp_progress WHERE order_id = ?").bind(orderId).first<{ oldest_pending_at: string | null }>())
        ?.oldest_pending_at
        ? true
        : undefined,
    10_000,
    `${orderId} waiting in erp_progress`,
  );
}

/** Runs the ERP consumer on one message for `orderId`'s head, as the queue would on its `attempts`-th delivery. */
async function deliverHead(orderId: string, attempts: number): Promise<void> {
  const batch = createMessageBatch<ErpMessage>("dockline-erp-writes", [
    { id: `${orderId}-m`, timestamp: new Date(), attempts, body: { kind: "erp", orderId, seq: 1, correlationId: `wake-${orderId}` } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual([`${orderId}-m`]);
  expect(await erpRecords(orderId)).toHaveLength(1);
}

beforeEach(() => resetWakeWindow());
afterEach(() => vi.restoreAllMocks());

describe("waking orders when the ERP answers again", () => {
  it("a retried delivery the ERP accepts wakes an order whose head command waits", async () => {
    await waitingOrder("SO-WAKE-WAITING-1");
    await waitingOrder("SO-WAKE-BACK-1");
    expect(await erpRecords("SO-WAKE-WAITING-1")).toHaveLength(0);

    await deliverHead("SO-WAKE-BACK-1", 3);
    // Nothing else holds a message for the waiting order: only the wake's nudge can have delivered it.
    const [record] = await erpRecordsEventually("SO-WAKE-WAITING-1", 1);
    expect(record).toEqual(expect.objectContaining({ orderId: "SO-WAKE-WAITING-1", seq: 1 }));
  });

  it("a first-attempt delivery wakes nobody", async () => {
    await waitingOrder("SO-WAKE-WAITING-2");
    await waitingOrder("SO-WAKE-FIRST-2");
    await deliverHead("SO-WAKE-FIRST-2", 1);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await erpRecords("SO-WAKE-WAITING-2")).toHaveLength(0);
  });

  it("a wake that cannot read D1 leaves the delivery acknowledged, and logs no delivery failure", async () => {
    await waitingOrder("SO-WAKE-BACK-3");
    const prepare = vi.spyOn(env.DB, "prepare").mockImplementation(() => {
      throw new Error("D1 unavailable");
    });
    const errors = vi.spyOn(console, "error");
    const batch = createMessageBatch<ErpMessage>("dockline-erp-writes", [
      { id: "wake-3", timestamp: new Date(), attempts: 4, body: { kind: "erp", orderId: "SO-WAKE-BACK-3", seq: 1, correlationId: "wake-3" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["wake-3"], retryMessages: [] });
    expect(await erpRecords("SO-WAKE-BACK-3")).toHaveLength(1);
    // The wake was tried, failed, and was reported as a warning, not as a failed delivery.
    expect(prepare).toHaveBeenCalled();
    expect(errors).not.toHaveBeenCalled();
  });
});
