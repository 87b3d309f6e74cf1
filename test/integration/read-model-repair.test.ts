// The read model converges to each order's truth whatever is lost on the way: a projection out of
// retries is re-driven from the order, orders known to be dirty are reconciled first, a dead letter that
// never reached D1 is restored from the order (the source of truth), and one row the queue refuses does
// not hold back the rows behind it.
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES, messagesOf, packMessages } from "../../durable-objects/outbox";
import type { ErpMessage, ProjectionMessage } from "../../src/domain/messages";
import type { PortalOrder } from "../../src/domain/view";
import worker from "../../src/index";
import { reconcileOnSchedule } from "../../src/ops/reconcile";
import { chunkJson, project, TIMELINE_PARAM_BYTES } from "../../src/readmodel/projector";
import { orderStub } from "../../src/orders";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const d1Version = async (orderId: string) =>
  (await env.DB.prepare("SELECT version FROM orders WHERE order_id = ?").bind(orderId).first<{ version: number }>())?.version;
const ops = (path: string, body?: unknown) =>
  call(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function released(orderId: string): Promise<void> {
  await releaseOrder(orderId);
  await eventually(async () => ((await d1Version(orderId)) === 1 ? true : undefined), 10_000, `${orderId} in D1`);
}

afterEach(() => vi.restoreAllMocks());

describe("projections out of retries", () => {
  it("are re-driven from the order's own state, not logged and dropped", async () => {
    const orderId = "SO-DLQ-PROJ-1";
    await released(orderId);
    await sendAcme(milestone({ orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z" }));
    await eventually(async () => ((await d1Version(orderId)) === 2 ? true : undefined));
    // D1 lost the row (or never got it): the message that carried it is now in the dead-letter queue.
    await env.DB.prepare("DELETE FROM orders WHERE order_id = ?").bind(orderId).run();
    const view = (await orderStub(env, orderId).inspect()).state;
    const batch = createMessageBatch<ProjectionMessage>("dockline-projections-dlq", [
      {
        id: "pdlq-1",
        timestamp: new Date(),
        attempts: 1,
        body: {
          kind: "erp-progress",
          progress: { orderId, lastSeq: 0, ackedSeq: 0, deadSeq: null, oldestPendingAt: null, erpVersion: 1, updatedAt: "" },
          correlationId: "corr-pdlq",
        },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<ErpMessage | ProjectionMessage>, env);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["pdlq-1"], retryMessages: [] });
    // Noted for reconciliation, and re-projected by the order right away.
    const noted = await env.DB.prepare("SELECT reason FROM reconcile_queue WHERE order_id = ?").bind(orderId).first<{ reason: string }>();
    expect(noted?.reason).toBe("projection out of retries");
    await eventually(async () => ((await d1Version(orderId)) === view?.version ? true : undefined), 10_000, "the re-driven projection");
  });

  it("wait in their queue while D1 is still down, instead of being dropped", async () => {
    const batch = createMessageBatch<ProjectionMessage>("dockline-projections-dlq", [
      {
        id: "pdlq-2",
        timestamp: new Date(),
        attempts: 3,
        body: {
          kind: "erp-progress",
          progress: { orderId: "SO-DLQ-PROJ-2", lastSeq: 0, ackedSeq: 0, deadSeq: null, oldestPendingAt: null, erpVersion: 1, updatedAt: "" },
          correlationId: "c",
        },
      },
    ]);
    const ctx = createExecutionContext();
    const down = {
      ...env,
      DB: {
        ...env.DB,
        prepare: () => {
          throw new Error("D1_ERROR: database unavailable");
        },
      } as unknown as D1Database,
    };
    vi.spyOn(console, "warn").mockImplementation(() => {});
    await worker.queue(batch as MessageBatch<ErpMessage | ProjectionMessage>, down);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages).toEqual([expect.objectContaining({ msgId: "pdlq-2" })]);
  });

  it("a noted order is reconciled first by the cron run, wherever its sweep stands", async () => {
    const orderId = "SO-DIRTY-0";
    await released(orderId);
    await env.DB.prepare("DELETE FROM orders WHERE order_id = ?").bind(orderId).run();
    // The sweep is far past this order: without the note, it would be reached only next cycle.
    await env.DB.prepare(
      "INSERT INTO worker_state (key, value) VALUES ('reconcile_cursor', 'SO-ZZZ') ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run();
    await env.DB.prepare("INSERT INTO reconcile_queue (order_id, reason, noted_at) VALUES (?, 'test', '2026-11-20T00:00:00Z')").bind(orderId).run();
    const report = await reconcileOnSchedule({ ...env, RECONCILE_BATCH: "4" }, "corr-cron");
    expect(report.orders.map((o) => o.orderId)).toContain(orderId);
    await eventually(async () => ((await d1Version(orderId)) === 1 ? true : undefined), 10_000, "the repaired row");
    expect(await env.DB.prepare("SELECT 1 FROM reconcile_queue WHERE order_id = ?").bind(orderId).first()).toBeNull();
  });
});

describe("dead letters", () => {
  it("are restored from the order when their D1 record vanished, and can then be replayed", async () => {
    const orderId = "SO-DL-VANISH-1";
    await released(orderId);
    // The ERP refuses the order's command permanently: the order marks it dead.
    await fetch("http://erp.test/admin/faults", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ permanentFor: [orderId], scope: "SO-DL-VANISH-" }),
    });
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZVANISH1" }));
    const listed = async () =>
      ((await (await ops("/ops/dead-letters")).json()) as { items: { id: string; orderId: string; status: string }[] }).items.filter(
        (d) => d.orderId === orderId,
      );
    const first = await eventually(async () => ((await listed()).length === 1 ? await listed() : undefined), 10_000, "the dead letter in D1");
    // The record never made it (or was lost): ops would see nothing to replay.
    await env.DB.prepare("DELETE FROM dead_letters WHERE order_id = ?").bind(orderId).run();
    const report = (await (await ops("/ops/reconcile", { orderIds: [orderId], graceSeconds: 0 })).json()) as { orders: { issues: string[] }[] };
    expect(report.orders[0]?.issues).toContain("dead-letter-missing");
    const restored = await eventually(async () => ((await listed()).length === 1 ? await listed() : undefined), 10_000, "the restored dead letter");
    expect(restored[0]?.id).toBe(first[0]?.id);
    const replay = await ops(`/ops/dead-letters/${encodeURIComponent(restored[0]?.id ?? "")}/replay`, {});
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { revived: boolean }).revived).toBe(true);
    await fetch("http://erp.test/admin/faults", { method: "DELETE" });
  });
});

describe("the outbox under Queues' limits", () => {
  const entry = (i: number): PortalOrder["timeline"][number] => ({
    eventId: `e${i}`,
    code: "shipment.in_transit",
    occurredAt: new Date(Date.UTC(2026, 10, 20, 0, i)).toISOString(),
    shipmentId: null,
    location: { city: `City ${i}`, country: "US" },
    description: "x".repeat(400),
    source: "acme-3pl",
  });
  const snapshot = (n: number): Extract<ProjectionMessage, { kind: "projection" }> => ({
    kind: "projection",
    correlationId: "c",
    order: {
      orderId: "SO-BIG",
      customerId: "C",
      status: "in_transit",
      statusAt: null,
      destination: null,
      shipments: [],
      timeline: Array.from({ length: n }, (_, i) => entry(i)),
      openExceptions: [],
      version: n,
      updatedAt: "2026-11-20T00:00:00.000Z",
    },
  });

  it("splits a snapshot too big for one message into timeline chunks that each fit, then the view", () => {
    const parts = messagesOf({ queue: "projection", body: JSON.stringify(snapshot(1000)) });
    expect(parts.length).toBeGreaterThan(4);
    for (const p of parts) expect(new TextEncoder().encode(JSON.stringify(p.body)).length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const chunks = parts.filter((p) => (p.body as ProjectionMessage).kind === "timeline");
    expect(chunks.flatMap((c) => (c.body as Extract<ProjectionMessage, { kind: "timeline" }>).entries.map((e) => e.eventId))).toEqual(
      Array.from({ length: 1000 }, (_, i) => `e${i}`),
    );
    expect(parts.at(-1)?.body).toMatchObject({ kind: "projection", order: { version: 1000, timeline: [] } });
  });

  it("writes a re-projected long order's whole timeline in statements D1 takes (3,000 entries, 1.4 MB of JSON)", async () => {
    const entries = Array.from({ length: 3000 }, (_, i) => entry(i));
    // What one consumer batch can bring for one order: its timeline chunks, then the view.
    const parts = messagesOf({
      queue: "projection",
      body: JSON.stringify({ ...snapshot(0), order: { ...snapshot(0).order, orderId: "SO-LONG-REPROJECT", timeline: entries, version: 3000 } }),
    });
    expect(JSON.stringify(entries).length).toBeGreaterThan(1_000_000);
    await project(
      env.DB,
      parts.map((p) => p.body as ProjectionMessage),
    );
    const n = await env.DB.prepare("SELECT count(*) AS n FROM timeline WHERE order_id = 'SO-LONG-REPROJECT'").first<{ n: number }>();
    expect(n?.n).toBe(3000);
    for (const part of chunkJson(entries, TIMELINE_PARAM_BYTES)) expect(part.length).toBeLessThanOrEqual(TIMELINE_PARAM_BYTES);
  });

  it("packs sends within 100 messages and the batch byte limit", () => {
    const many = Array.from({ length: 250 }, (_, i) => ({ i, bytes: 500 }));
    expect(packMessages(many).map((b) => b.length)).toEqual([100, 100, 50]);
    const big = Array.from({ length: 7 }, (_, i) => ({ i, bytes: 90_000 }));
    const batches = packMessages(big);
    for (const b of batches) expect(b.reduce((n, m) => n + m.bytes, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(batches.flat()).toHaveLength(7);
    expect(MAX_BATCH_MESSAGES).toBe(100);
  });

  it("collapses an order's pending snapshots into the newest, carrying every new timeline entry", async () => {
    const orderId = "SO-COLLAPSE-1";
    await released(orderId);
    await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
      vi.spyOn((instance as unknown as { env: Env }).env.PROJECTION_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    });
    vi.spyOn(console, "warn").mockImplementation(() => {});
    for (let i = 0; i < 5; i++) {
      await sendAcme(
        milestone({ orderId, code: "shipment.in_transit", occurredAt: `2026-11-20T1${i}:00:00Z`, shipmentId: "S1", trackingNumber: "1ZCOLLAPSE" }),
      );
    }
    const outbox = (await orderStub(env, orderId).inspect()).outbox.filter((r) => r.queue === "projection");
    const snapshots = outbox.filter((r) => (r.body as ProjectionMessage).kind === "projection");
    expect(snapshots).toHaveLength(1);
    const pending = snapshots[0]?.body as Extract<ProjectionMessage, { kind: "projection" }> | undefined;
    expect(pending?.order.version).toBe(6);
    expect(pending?.order.timeline).toHaveLength(5);
    expect(outbox.filter((r) => (r.body as ProjectionMessage).kind === "erp-progress").length).toBeLessThanOrEqual(1);
    vi.restoreAllMocks();
    expect(await runDurableObjectAlarm(env.ORDERS.getByName(orderId))).toBe(true);
    await eventually(async () => ((await d1Version(orderId)) === 6 ? true : undefined), 10_000, "the collapsed snapshot");
    const n = await env.DB.prepare("SELECT count(*) AS n FROM timeline WHERE order_id = ?").bind(orderId).first<{ n: number }>();
    expect(n?.n).toBe(6);
  });

  it("a row the queue refuses does not hold back the rows behind it, and the log says why", async () => {
    const orderId = "SO-POISON-1";
    await released(orderId);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
      const q = (instance as unknown as { env: Env }).env.PROJECTION_QUEUE;
      const real = q.sendBatch.bind(q);
      // The queue refuses any send that carries the ERP cursor, and takes everything else.
      vi.spyOn(q, "sendBatch").mockImplementation(async (messages) => {
        if ([...messages].some((m) => (m.body as ProjectionMessage).kind === "erp-progress")) {
          throw new Error("Queue send failed: message length of 130000 bytes exceeds limit of 128000");
        }
        return real(messages);
      });
    });
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZPOISON1" }));
    // The snapshot behind the refused row reaches D1.
    await eventually(async () => ((await d1Version(orderId)) === 2 ? true : undefined), 10_000, "the snapshot past the refused row");
    const left = (await orderStub(env, orderId).inspect()).outbox;
    expect(left.map((r) => (r.body as ProjectionMessage).kind)).toEqual(["erp-progress"]);
    expect(left[0]?.attempts).toBeGreaterThan(0);
    const line = warn.mock.calls.map((c) => String(c[0])).find((l) => l.includes("outbox send failed") && l.includes(orderId));
    expect(line).toContain("exceeds limit of 128000");
  });
});
