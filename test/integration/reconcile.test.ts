// Reconciliation repairs every broken link between an order's Durable Object, the D1 read model and the
// ERP: a deleted D1 row, a dropped projection message, a lost ERP delivery. And ops' stuck list.
import { createExecutionContext, createScheduledController, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import worker from "../../src/index";
import type { ReconcileReport } from "../../src/ops/reconcile";
import { orderStub } from "../../src/orders";
import { call, erpRecords, erpRecordsEventually, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const ops = (path: string, body?: unknown) =>
  call(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
// Grace 0: in these tests nothing is "still in flight" unless the test says so.
const reconcile = async (body: object) => (await (await ops("/ops/reconcile", { graceSeconds: 0, ...body })).json()) as ReconcileReport;
const d1Version = async (orderId: string) =>
  (await env.DB.prepare("SELECT version FROM orders WHERE order_id = ?").bind(orderId).first<{ version: number }>())?.version;

/** Makes the order's next hand-off to `queue` fail, then forgets the outbox rows: the message is lost. */
async function loseNextMessage(orderId: string, queue: "ERP_QUEUE" | "PROJECTION_QUEUE", send: () => Promise<unknown>): Promise<void> {
  await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
    vi.spyOn((instance as unknown as { env: Env }).env[queue], "sendBatch").mockRejectedValueOnce(new Error("lost"));
  });
  await send();
  const name = queue === "ERP_QUEUE" ? "erp" : "projection";
  await eventually(async () => ((await orderStub(env, orderId).inspect()).outbox.some((r) => r.queue === name && r.attempts > 0) ? true : undefined));
  await runInDurableObject(env.ORDERS.getByName(orderId), (_i, state) => {
    state.storage.sql.exec("DELETE FROM outbox WHERE queue = ?", name);
  });
}

async function shipped(orderId: string): Promise<void> {
  await releaseOrder(orderId);
  await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1" }));
  // Settled: the read model and the ERP cursor's copy in D1 both caught up.
  await eventually(async () => {
    const acked = await env.DB.prepare("SELECT acked_seq FROM erp_progress WHERE order_id = ?").bind(orderId).first<{ acked_seq: number }>();
    return (await d1Version(orderId)) === 2 && acked?.acked_seq === 1 ? true : undefined;
  });
}

afterEach(() => vi.restoreAllMocks());

describe("POST /ops/reconcile", () => {
  it("restores a deleted D1 row, and a second run finds nothing", async () => {
    const orderId = "SO-REC-DEL";
    await shipped(orderId);
    await env.DB.prepare("DELETE FROM orders WHERE order_id = ?").bind(orderId).run();
    const report = await reconcile({ orderIds: [orderId] });
    expect(report.orders).toEqual([expect.objectContaining({ orderId, issues: ["read-model-missing"], repairs: ["re-projected version 2"] })]);
    await eventually(async () => ((await d1Version(orderId)) === 2 ? true : undefined));
    expect((await reconcile({ orderIds: [orderId] })).drifted).toBe(0);
  });

  it("repairs a read model left behind by a dropped projection message", async () => {
    const orderId = "SO-REC-PROJ";
    await shipped(orderId);
    await loseNextMessage(orderId, "PROJECTION_QUEUE", () =>
      sendAcme(milestone({ orderId, code: "shipment.in_transit", occurredAt: "2026-11-20T15:00:00Z", shipmentId: "S1" })),
    );
    expect(await d1Version(orderId)).toBe(2);
    const report = await reconcile({ orderIds: [orderId] });
    expect(report.orders[0]).toMatchObject({ orderId, issues: expect.arrayContaining(["read-model-stale"]), detail: { doVersion: 3, d1Version: 2 } });
    await eventually(async () => ((await d1Version(orderId)) === 3 ? true : undefined));
  });

  it("re-sends a lost ERP delivery, which the ERP then books exactly once", async () => {
    const orderId = "SO-REC-ERP";
    await shipped(orderId);
    await loseNextMessage(orderId, "ERP_QUEUE", () =>
      sendAcme(milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", shipmentId: "S1" })),
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await erpRecords(orderId)).toHaveLength(1); // the delivery confirmation is lost
    const report = await reconcile({ orderIds: [orderId], stallSeconds: 0 });
    expect(report.orders[0]).toMatchObject({
      orderId,
      issues: expect.arrayContaining(["erp-stalled"]),
      repairs: expect.arrayContaining(["re-sent ERP command 2"]),
    });
    const records = await erpRecordsEventually(orderId, 2);
    expect(records.map((r) => [r.seq, r.kind])).toEqual([
      [1, "shipment-confirmations"],
      [2, "delivery-confirmations"],
    ]);
    // Repeating the repair is harmless: nothing new is booked.
    await reconcile({ orderIds: [orderId], stallSeconds: 0 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await erpRecords(orderId)).toHaveLength(2);
  });

  it("walks released orders in bounded pages with a cursor", async () => {
    for (const id of ["SO-REC-PAGE-1", "SO-REC-PAGE-2", "SO-REC-PAGE-3"]) await releaseOrder(id);
    const first = await reconcile({ limit: 2 });
    expect(first.checked).toBe(2);
    expect(first.nextCursor).not.toBeNull();
    let cursor = first.nextCursor;
    let seen = first.checked;
    while (cursor) {
      const page = await reconcile({ limit: 2, cursor });
      seen += page.checked;
      cursor = page.nextCursor;
    }
    const total = (await env.DB.prepare("SELECT count(*) AS n FROM order_index").first<{ n: number }>())?.n;
    expect(seen).toBe(total);
  });

  it("runs on the cron trigger: remembers where it stopped, purges the logs past retention, samples the backlog", async () => {
    await releaseOrder("SO-REC-CRON");
    const old = "2020-01-01T00:00:00.000Z";
    const recent = new Date().toISOString();
    for (const [id, at] of [
      ["cron-old", old],
      ["cron-new", recent],
    ] as const) {
      await env.DB.prepare(
        "INSERT INTO inbound_requests (id, partner_id, received_at, outcome, http_status, correlation_id, headers, body_bytes) VALUES (?, 'acme-3pl', ?, 'accepted', 202, 'c', '{}', 0)",
      )
        .bind(id, at)
        .run();
      await env.DB.prepare(
        "INSERT INTO delivery_attempts (destination, order_id, seq, command_key, at, status, latency_ms, outcome) VALUES ('erp', ?, 1, 'k', ?, 200, 5, 'delivered')",
      )
        .bind(id, at)
        .run();
    }
    const scheduledTime = Date.now();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime, cron: "*/10 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const cursor = await env.DB.prepare("SELECT value FROM worker_state WHERE key = 'reconcile_cursor'").first<{ value: string }>();
    expect(cursor).not.toBeNull();
    const left = async (sql: string) => (await env.DB.prepare(sql).all<{ id: string }>()).results.map((r) => r.id);
    expect(await left("SELECT id FROM inbound_requests WHERE id LIKE 'cron-%'")).toEqual(["cron-new"]);
    expect(await left("SELECT order_id AS id FROM delivery_attempts WHERE order_id LIKE 'cron-%'")).toEqual(["cron-new"]);
    const points = await env.METRICS.getByName("backlog").series(scheduledTime - 60_000, scheduledTime + 60_000, 1);
    expect(points.some((p) => p.gauges && "pendingCommands" in p.gauges)).toBe(true);
  });
});

describe("GET /ops/stuck and POST /ops/orders/{id}/replay", () => {
  it("lists orders stuck past their thresholds and orders with open exceptions", async () => {
    await releaseOrder("SO-STUCK-REL"); // released 2026-11-20, never acknowledged
    await releaseOrder("SO-STUCK-DISP");
    await sendAcme(
      milestone({ orderId: "SO-STUCK-DISP", code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZSTUCK1" }),
    );
    await releaseOrder("SO-STUCK-EXC");
    await sendAcme(milestone({ orderId: "SO-STUCK-EXC", code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1" }));
    await sendAcme(milestone({ orderId: "SO-STUCK-EXC", code: "shipment.exception", occurredAt: "2026-11-20T12:00:00Z", shipmentId: "S1", reason: "damaged" }));
    const items = await eventually(async () => {
      const res = await ops("/ops/stuck");
      const r = (await res.json()) as { items: { orderId: string; reason: string }[] };
      if (!r.items) throw new Error(`${res.status} ${JSON.stringify(r)}`);
      return ["SO-STUCK-REL", "SO-STUCK-DISP", "SO-STUCK-EXC"].every((id) => r.items.some((i) => i.orderId === id)) ? r.items : undefined;
    });
    expect(items).toContainEqual(expect.objectContaining({ orderId: "SO-STUCK-REL", reason: "released_not_acknowledged" }));
    expect(items).toContainEqual(expect.objectContaining({ orderId: "SO-STUCK-DISP", reason: "dispatched_without_scan" }));
    expect(items).toContainEqual(expect.objectContaining({ orderId: "SO-STUCK-EXC", reason: "open_exception" }));
    // With a generous threshold, the old release is no longer "stuck".
    const lenient = (await (await ops("/ops/stuck?releasedHours=2000")).json()) as { items: { orderId: string; reason: string }[] };
    expect(lenient.items.some((i) => i.orderId === "SO-STUCK-REL")).toBe(false);
  });

  it("replays an order: re-projects it and re-sends its pending ERP command", async () => {
    const orderId = "SO-REPLAY-1";
    await shipped(orderId);
    await env.DB.prepare("DELETE FROM orders WHERE order_id = ?").bind(orderId).run();
    const res = await ops(`/ops/orders/${orderId}/replay`, {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ orderId, reprojected: true });
    await eventually(async () => ((await d1Version(orderId)) === 2 ? true : undefined));
    expect((await ops("/ops/orders/SO-NEVER/replay", {})).status).toBe(404);
  });
});
