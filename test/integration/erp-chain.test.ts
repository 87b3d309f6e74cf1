// How an order's ERP backlog leaves: only the next deliverable command gets a queue message when it is
// emitted, and a consumer that delivers one command goes on down the order's chain in the same invocation.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import type { ErpMessage, ProjectionMessage } from "../../src/domain/messages";
import worker from "../../src/index";
import { orderStub } from "../../src/orders";
import { erpRecords, erpRecordsEventually, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

afterEach(() => {
  vi.restoreAllMocks();
});

const shipment = { shipmentId: "S1", trackingNumber: "TRK-CHAIN" };

describe("an order's ERP chain", () => {
  it("sends a queue message for the next deliverable command only; the acknowledgement sends the next one", async () => {
    const orderId = "SO-CHAIN-1";
    await releaseOrder(orderId);
    // Delivered before dispatched: the delivery confirmation waits, then both commands appear in one commit.
    expect((await sendAcme(milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", ...shipment }))).status).toBe(202);
    await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
      // The ERP hand-off of the next commit fails, so its outbox rows stay visible.
      vi.spyOn((instance as unknown as { env: Env }).env.ERP_QUEUE, "sendBatch").mockRejectedValueOnce(new Error("queue unavailable"));
    });
    expect((await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...shipment }))).status).toBe(202);

    const stuck = await eventually(async () => {
      const v = await orderStub(env, orderId).inspect();
      return v.outbox.some((r) => r.queue === "erp" && r.attempts > 0) ? v : undefined;
    });
    expect(stuck.commands.map((c) => [c.seq, c.type])).toEqual([
      [1, "ShipmentConfirmation"],
      [2, "DeliveryConfirmation"],
    ]);
    expect(stuck.outbox.filter((r) => r.queue === "erp").map((r) => (r.body as { seq: number }).seq)).toEqual([1]);

    // The alarm re-sends seq 1; its acknowledgement is what puts seq 2 on its way.
    await orderStub(env, orderId).kick();
    const records = await erpRecordsEventually(orderId, 2);
    expect(records.map((r) => [r.seq, r.kind])).toEqual([
      [1, "shipment-confirmations"],
      [2, "delivery-confirmations"],
    ]);
  });

  it("delivers an order's whole backlog in the invocation that delivers its head", async () => {
    const orderId = "SO-CHAIN-2";
    await releaseOrder(orderId);
    const order = orderStub(env, orderId);
    // No ERP message of this order reaches the queue: only the message the test hands the consumer moves it.
    await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
      vi.spyOn((instance as unknown as { env: Env }).env.ERP_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    });
    for (const body of [
      milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...shipment }),
      milestone({ orderId, code: "shipment.exception", occurredAt: "2026-11-20T20:00:00Z", shipmentId: "S1", reason: "damaged" }),
      milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", ...shipment }),
    ])
      expect((await sendAcme(body)).status).toBe(202);
    await eventually(async () => ((await order.inspect()).commands.length === 3 ? true : undefined));
    expect(await erpRecords(orderId)).toEqual([]);

    const batch = createMessageBatch<ErpMessage>("dockline-erp-writes", [
      { id: "chain-1", timestamp: new Date(), attempts: 1, body: { kind: "erp", orderId, seq: 1, correlationId: "corr-chain-0001" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<ErpMessage | ProjectionMessage>, env);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["chain-1"], retryMessages: [] });

    // All three were booked by that one invocation, in sequence, once each.
    expect((await erpRecords(orderId)).map((r) => [r.seq, r.kind])).toEqual([
      [1, "shipment-confirmations"],
      [2, "fulfillment-exceptions"],
      [3, "delivery-confirmations"],
    ]);
    const view = await order.inspect();
    expect(view.erp).toMatchObject({ ackedSeq: 3, pending: 0, lease: null });
    // Each acknowledgement still wrote the next command's message, the safety net should the invocation
    // have died; once they go out they find their commands done and book nothing twice.
    expect(view.outbox.filter((r) => r.queue === "erp").map((r) => (r.body as { seq: number }).seq)).toEqual([1, 2, 3]);
    vi.restoreAllMocks();
    await order.kick();
    await eventually(async () => ((await order.inspect()).outbox.length === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await erpRecords(orderId)).length).toBe(3);
  });
});
