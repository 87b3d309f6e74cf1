// The transactional outbox inside workerd: a queue hand-off that fails after the commit is re-sent by
// the order's alarm, and evicting the object mid-stream loses nothing.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import { orderStub } from "../../src/orders";
import { erpRecordsEventually, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

/** Makes the order's next hand-off to `queue` fail, as a Queues outage between commit and send would. */
async function failNextSend(orderId: string, queue: "ERP_QUEUE" | "PROJECTION_QUEUE", times = 1): Promise<void> {
  await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
    const binding = (instance as unknown as { env: Env }).env[queue];
    const spy = vi.spyOn(binding, "sendBatch");
    for (let i = 0; i < times; i++) spy.mockRejectedValueOnce(new Error("queue unavailable"));
  });
}

const d1Version = async (orderId: string) =>
  (await env.DB.prepare("SELECT version FROM orders WHERE order_id = ?").bind(orderId).first<{ version: number }>())?.version;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the outbox", () => {
  it("keeps rows whose send failed after the commit, and the alarm re-sends them", async () => {
    const orderId = "SO-OUTBOX-1";
    await releaseOrder(orderId); // creates the object so its binding can be made to fail
    await eventually(async () => ((await d1Version(orderId)) === 1 ? true : undefined));
    await failNextSend(orderId, "ERP_QUEUE");
    // Three refusals: the rows sent together, then each on its own (one bad row must not hold back others).
    await failNextSend(orderId, "PROJECTION_QUEUE", 3);

    const res = await sendAcme(
      milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T14:00:00Z", shipmentId: "S1", trackingNumber: "TRK1" }),
    );
    expect(res.status).toBe(202);
    // The commit stands (the partner got its 202), the hand-off failed: the rows wait in the outbox.
    const stuck = await eventually(async () => {
      const v = await orderStub(env, orderId).inspect();
      return v.outbox.length >= 2 && v.outbox.every((r) => r.attempts > 0) ? v : undefined;
    });
    expect(stuck.state?.version).toBe(2);
    // The ERP command, and the order's projection and ERP cursor for the read model.
    expect([...new Set(stuck.outbox.map((r) => r.queue))].sort()).toEqual(["erp", "projection"]);

    expect(await runDurableObjectAlarm(env.ORDERS.getByName(orderId))).toBe(true);
    expect((await orderStub(env, orderId).inspect()).outbox).toEqual([]);
    await eventually(async () => ((await d1Version(orderId)) === 2 ? true : undefined), 10_000, "the projection");
    const records = await erpRecordsEventually(orderId, 1);
    expect(records[0]).toMatchObject({ seq: 1, kind: "shipment-confirmations" });
  });

  it("cancels its safety-net alarm once everything went out, and keeps it while rows wait", async () => {
    const orderId = "SO-OUTBOX-4";
    await releaseOrder(orderId);
    const pendingAlarm = () => runInDurableObject(env.ORDERS.getByName(orderId), (_: OrderDO, state) => state.storage.getAlarm());
    // The release went out: no alarm is left to wake the idle order.
    await eventually(async () => ((await orderStub(env, orderId).inspect()).outbox.length === 0 && (await pendingAlarm()) === null ? true : undefined));
    expect(await runDurableObjectAlarm(env.ORDERS.getByName(orderId))).toBe(false);

    await failNextSend(orderId, "PROJECTION_QUEUE");
    expect((await sendAcme(milestone({ orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T12:00:00Z" }))).status).toBe(202);
    await eventually(async () => ((await orderStub(env, orderId).inspect()).outbox.some((r) => r.attempts > 0) ? true : undefined));
    // The hand-off failed: the alarm stays armed, and when it fires it sends the rows and is not re-armed.
    expect(await pendingAlarm()).not.toBeNull();
    expect(await runDurableObjectAlarm(env.ORDERS.getByName(orderId))).toBe(true);
    expect((await orderStub(env, orderId).inspect()).outbox).toEqual([]);
    expect(await pendingAlarm()).toBeNull();
  });

  it("re-arms the alarm while the queue keeps failing, and loses nothing", async () => {
    const orderId = "SO-OUTBOX-2";
    await releaseOrder(orderId);
    await eventually(async () => ((await d1Version(orderId)) === 1 ? true : undefined));
    await failNextSend(orderId, "PROJECTION_QUEUE", 3);
    await sendAcme(milestone({ orderId, code: "fulfillment.acknowledged", occurredAt: "2026-11-20T10:00:00Z" }));
    // The hand-off after the commit runs after the answer: wait for its failure, or the alarm would join it.
    await eventually(async () => ((await orderStub(env, orderId).inspect()).outbox.some((r) => r.attempts > 0) ? true : undefined));
    const stub = env.ORDERS.getByName(orderId);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // second failure
    expect(await runDurableObjectAlarm(stub)).toBe(true); // third failure, alarm armed again
    expect((await orderStub(env, orderId).inspect()).outbox).toHaveLength(1);
    expect(await runDurableObjectAlarm(stub)).toBe(true); // queue is back
    expect((await orderStub(env, orderId).inspect()).outbox).toEqual([]);
    await eventually(async () => ((await d1Version(orderId)) === 2 ? true : undefined));
  });

  it("loses nothing when the object is evicted mid-stream", async () => {
    const orderId = "SO-EVICT-1";
    await releaseOrder(orderId);
    const stub = env.ORDERS.getByName(orderId);
    const steps = [
      ["shipment.dispatched", "2026-11-20T10:00:00Z"],
      ["shipment.in_transit", "2026-11-20T12:00:00Z"],
      ["shipment.out_for_delivery", "2026-11-21T08:00:00Z"],
      ["shipment.delivered", "2026-11-21T11:00:00Z"],
    ] as const;
    for (const [code, occurredAt] of steps) {
      const res = await sendAcme(milestone({ orderId, code, occurredAt, shipmentId: "S1", trackingNumber: "TRK-E" }));
      expect(res.status).toBe(202);
      await evictDurableObject(stub);
    }
    // Eviction with an outbox row pending: the row is durable, the alarm finds it after the restart.
    await failNextSend(orderId, "PROJECTION_QUEUE", 3);
    await sendAcme(milestone({ orderId, code: "shipment.in_transit", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "TRK-E" }));
    await evictDurableObject(stub);
    const view = await orderStub(env, orderId).inspect();
    expect(view.events).toHaveLength(6);
    expect(view.state?.status).toBe("delivered");
    // At least the failed projection waits; an eviction may also have cut other hand-offs short.
    expect(view.outbox.some((r) => r.queue === "projection" && r.attempts > 0)).toBe(true);
    // Each alarm run takes one pass; how many of the three refusals are left depends on how many rows the
    // cut hand-offs left behind, so the alarm may need a second or third run, as it would get on its own.
    for (let run = 0; run < 3 && (await orderStub(env, orderId).inspect()).outbox.length > 0; run++) {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
    }
    expect((await orderStub(env, orderId).inspect()).outbox).toEqual([]);
    await eventually(async () => ((await d1Version(orderId)) === 6 ? true : undefined), 10_000, "the projection after eviction");
    const records = await erpRecordsEventually(orderId, 2);
    expect(records.map((r) => [r.seq, r.kind])).toEqual([
      [1, "shipment-confirmations"],
      [2, "delivery-confirmations"],
    ]);
  });
});
