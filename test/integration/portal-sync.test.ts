// Sync-style polling of GET /v1/orders: a client that keeps what it was given (the syncCursor, or the
// largest syncedAt it saw for `updatedSince`) sees every change once, including one that reaches the read
// model late — after changes of other orders that happened later by the orders' own clocks.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import { call, eventually, issueKey, milestone, releaseOrder, sendAcme } from "../helpers/http";

interface Page {
  items: { orderId: string; version: number; updatedAt: string; syncedAt?: string }[];
  nextCursor: string | null;
  syncCursor?: string | null;
}

const d1Version = async (orderId: string) =>
  (await env.DB.prepare("SELECT version FROM orders WHERE order_id = ?").bind(orderId).first<{ version: number }>())?.version;
const settled = (orderId: string, version: number) =>
  eventually(async () => ((await d1Version(orderId)) === version ? true : undefined), 10_000, `${orderId} v${version}`);

afterEach(() => vi.restoreAllMocks());

describe("GET /v1/orders as a sync feed", () => {
  it("a client polling with updatedSince or its syncCursor never misses an update that lands late", async () => {
    const customer = "CUST-SYNC";
    const key = await issueKey(customer);
    const list = async (query: string) => (await (await call(`/v1/orders?${query}`, { headers: { Authorization: `Bearer ${key}` } })).json()) as Page;
    await releaseOrder("SO-SYNC-A", customer);
    await releaseOrder("SO-SYNC-B", customer);
    await settled("SO-SYNC-A", 1);
    await settled("SO-SYNC-B", 1);
    const first = await list("limit=10");
    expect(first.items.map((i) => i.orderId).sort()).toEqual(["SO-SYNC-A", "SO-SYNC-B"]);

    // A changes first, but its projection is held up: the queue refuses A's messages (only A's) for now.
    await runInDurableObject(env.ORDERS.getByName("SO-SYNC-A"), (instance: OrderDO) => {
      const q = (instance as unknown as { env: Env }).env.PROJECTION_QUEUE;
      const real = q.sendBatch.bind(q);
      vi.spyOn(q, "sendBatch").mockImplementation(async (messages) => {
        if (JSON.stringify([...messages].map((m) => m.body)).includes("SO-SYNC-A")) throw new Error("queue unavailable");
        return real(messages);
      });
    });
    vi.spyOn(console, "warn").mockImplementation(() => {});
    await sendAcme(milestone({ orderId: "SO-SYNC-A", code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z" }));
    await new Promise((r) => setTimeout(r, 20));
    // B changes later and lands at once.
    await sendAcme(milestone({ orderId: "SO-SYNC-B", code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z" }));
    await settled("SO-SYNC-B", 2);

    // The client polls: it sees B, and remembers where it stood.
    const watermark = (items: Page["items"]) =>
      items
        .map((i) => i.syncedAt ?? i.updatedAt)
        .sort()
        .at(-1) ?? "";
    const since1 = first.items.length ? watermark(first.items) : "";
    const poll1 = await list(`updatedSince=${encodeURIComponent(since1)}`);
    expect(poll1.items.map((i) => i.orderId)).toEqual(["SO-SYNC-B"]);
    const cursor1 = await list(`cursor=${first.syncCursor ?? first.nextCursor ?? ""}`);
    expect(cursor1.items.map((i) => i.orderId)).toEqual(["SO-SYNC-B"]);

    // A's projection lands late (the outbox alarm), with its own, earlier change time.
    vi.restoreAllMocks();
    expect(await runDurableObjectAlarm(env.ORDERS.getByName("SO-SYNC-A"))).toBe(true);
    await settled("SO-SYNC-A", 2);

    // Both ways of polling see it.
    const poll2 = await list(`updatedSince=${encodeURIComponent(watermark(poll1.items))}`);
    expect(poll2.items.map((i) => [i.orderId, i.version])).toEqual([["SO-SYNC-A", 2]]);
    const cursor2 = await list(`cursor=${cursor1.syncCursor ?? ""}`);
    expect(cursor2.items.map((i) => [i.orderId, i.version])).toEqual([["SO-SYNC-A", 2]]);
    // And nothing more after that.
    expect((await list(`cursor=${cursor2.syncCursor ?? ""}`)).items).toEqual([]);
  });

  it("a repair re-projecting an order is a change the feed shows again", async () => {
    const customer = "CUST-SYNC-R";
    const key = await issueKey(customer);
    const list = async (query: string) => (await (await call(`/v1/orders?${query}`, { headers: { Authorization: `Bearer ${key}` } })).json()) as Page;
    await releaseOrder("SO-SYNC-R", customer);
    await settled("SO-SYNC-R", 1);
    const before = await list("limit=10");
    // The row was lost from D1; reconciliation restores it (its change time is the old one).
    await env.DB.prepare("DELETE FROM orders WHERE order_id = ?").bind("SO-SYNC-R").run();
    await call("/ops/reconcile", {
      method: "POST",
      headers: { Authorization: "Bearer test-ops-token", "Content-Type": "application/json" },
      body: JSON.stringify({ orderIds: ["SO-SYNC-R"], graceSeconds: 0 }),
    });
    await settled("SO-SYNC-R", 1);
    const watermark =
      before.items
        .map((i) => i.syncedAt ?? i.updatedAt)
        .sort()
        .at(-1) ?? "";
    const since = await list(`updatedSince=${encodeURIComponent(watermark)}`);
    expect(since.items.map((i) => i.orderId)).toEqual(["SO-SYNC-R"]);
    expect(before.syncCursor).toEqual(expect.any(String));
    const after = await list(`cursor=${before.syncCursor}`);
    expect(after.items.map((i) => i.orderId)).toEqual(["SO-SYNC-R"]);
  });
});
