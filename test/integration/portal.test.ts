// The portal: fast, fresh order status for the right customer only — every read path isolated by
// customer, ETag/304, cursor pagination, tracking-number lookup, D1 session bookmarks.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call, eventually, issueKey, milestone, releaseOrder, sendAcme } from "../helpers/http";

interface Order {
  orderId: string;
  customerId: string;
  status: string;
  version: number;
  trackingUrl: string;
  timeline: { code: string; source: string }[];
  shipments: { trackingNumber: string | null }[];
}

const get = (path: string, key: string, headers: Record<string, string> = {}) => call(path, { headers: { Authorization: `Bearer ${key}`, ...headers } });

let keyA = "";
let keyB = "";

async function shippedOrder(orderId: string, customerId: string, trackingNumber: string): Promise<void> {
  await releaseOrder(orderId, customerId);
  await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber }));
  await eventually(async () => {
    const r = await env.DB.prepare("SELECT version FROM orders WHERE order_id = ?").bind(orderId).first<{ version: number }>();
    return r?.version === 2 ? true : undefined;
  });
}

beforeAll(async () => {
  keyA = await issueKey("CUST-PORTAL-A");
  keyB = await issueKey("CUST-PORTAL-B");
  await shippedOrder("SO-PA-1", "CUST-PORTAL-A", "1ZPORTALA1");
  await shippedOrder("SO-PA-2", "CUST-PORTAL-A", "1ZPORTALA2");
  await shippedOrder("SO-PA-3", "CUST-PORTAL-A", "1ZPORTALA3");
  await shippedOrder("SO-PB-1", "CUST-PORTAL-B", "1ZPORTALB1");
});

describe("portal isolation", () => {
  it("answers 401 without a valid key on every read path", async () => {
    for (const path of ["/v1/orders", "/v1/orders/SO-PA-1", "/v1/tracking/1ZPORTALA1"]) {
      expect((await call(path)).status).toBe(401);
      const res = await get(path, "dk_not-a-real-key");
      expect(res.status).toBe(401);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    }
  });

  it("answers 404, never 403, for another customer's order by id", async () => {
    expect((await get("/v1/orders/SO-PB-1", keyA)).status).toBe(404);
    expect((await get("/v1/orders/SO-PA-1", keyB)).status).toBe(404);
    expect((await get("/v1/orders/SO-PB-1", keyB)).status).toBe(200);
  });

  it("answers 404 for another customer's tracking number", async () => {
    expect((await get("/v1/tracking/1ZPORTALB1", keyA)).status).toBe(404);
    const own = await get("/v1/tracking/1z portal-b1", keyB);
    expect(own.status).toBe(200);
    expect(((await own.json()) as Order).orderId).toBe("SO-PB-1");
  });

  it("lists only the customer's own orders", async () => {
    const a = (await (await get("/v1/orders?limit=100", keyA)).json()) as { items: { orderId: string }[] };
    expect(a.items.map((o) => o.orderId).sort()).toEqual(["SO-PA-1", "SO-PA-2", "SO-PA-3"]);
    const b = (await (await get("/v1/orders?limit=100", keyB)).json()) as { items: { orderId: string }[] };
    expect(b.items.map((o) => o.orderId)).toEqual(["SO-PB-1"]);
  });

  it("stops answering for a revoked key", async () => {
    const res = await call("/ops/api-keys", {
      method: "POST",
      headers: { Authorization: "Bearer test-ops-token", "Content-Type": "application/json" },
      body: JSON.stringify({ customerId: "CUST-PORTAL-A" }),
    });
    const { id, key } = (await res.json()) as { id: string; key: string };
    expect((await get("/v1/orders/SO-PA-1", key)).status).toBe(200);
    expect((await call(`/ops/api-keys/${id}`, { method: "DELETE", headers: { Authorization: "Bearer test-ops-token" } })).status).toBe(204);
    expect((await get("/v1/orders/SO-PA-1", key)).status).toBe(401);
  });

  it("stores keys hashed: the key itself is nowhere in D1", async () => {
    const rows = await env.DB.prepare("SELECT * FROM api_keys").all();
    expect(JSON.stringify(rows.results)).not.toContain(keyA);
  });
});

describe("portal reads", () => {
  it("returns the order with an ETag and answers 304 when it has not changed", async () => {
    const res = await get("/v1/orders/SO-PA-1", keyA);
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBe('"v2"');
    expect(res.headers.get("Cache-Control")).toBe("private, no-cache");
    const order = (await res.json()) as Order;
    expect(order).toMatchObject({ orderId: "SO-PA-1", customerId: "CUST-PORTAL-A", status: "shipped", version: 2 });
    expect(order.trackingUrl).toMatch(/\/track\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const again = await get("/v1/orders/SO-PA-1", keyA, { "If-None-Match": '"v2"' });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    // A new event changes the version, and so the ETag.
    await sendAcme(milestone({ orderId: "SO-PA-1", code: "shipment.in_transit", occurredAt: "2026-11-20T15:00:00Z", shipmentId: "S1" }));
    const changed = await eventually(async () => {
      const r = await get("/v1/orders/SO-PA-1", keyA, { "If-None-Match": '"v2"' });
      return r.status === 200 ? r : undefined;
    });
    expect(changed.headers.get("ETag")).toBe('"v3"');
  });

  it("pages through the customer's orders with a cursor, oldest change first, and filters by status", async () => {
    const first = (await (await get("/v1/orders?limit=2", keyA)).json()) as { items: { orderId: string; updatedAt: string }[]; nextCursor: string | null };
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = (await (await get(`/v1/orders?limit=2&cursor=${first.nextCursor}`, keyA)).json()) as {
      items: { orderId: string }[];
      nextCursor: string | null;
    };
    expect(second.nextCursor).toBeNull();
    const seen = [...first.items, ...second.items].map((o) => o.orderId);
    expect(new Set(seen).size).toBe(3);
    const shipped = (await (await get("/v1/orders?status=shipped", keyA)).json()) as { items: { orderId: string; status: string }[] };
    expect(shipped.items.every((o) => o.status === "shipped")).toBe(true);
    expect((await get("/v1/orders?status=teleported", keyA)).status).toBe(422);
    expect((await get("/v1/orders?cursor=garbage", keyA)).status).toBe(400);
    const since = (await (await get(`/v1/orders?updatedSince=${encodeURIComponent(first.items[1]?.updatedAt ?? "")}`, keyA)).json()) as { items: unknown[] };
    expect(since.items.length).toBeLessThanOrEqual(2);
  });

  it.each([
    ["not base64url", "garbage!"],
    ["not JSON", "bm90IGpzb24"],
    ["JSON of another shape", "eyJhIjoxfQ"],
    ["standard base64 with padding", "WyJhIiwiYiJd=="],
  ])("answers 400 invalid-cursor, naming the parameter, for a cursor it did not issue (%s)", async (_what, cursor) => {
    const res = await get(`/v1/orders?cursor=${encodeURIComponent(cursor)}`, keyA);
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    const p = (await res.json()) as { type: string; detail: string };
    expect(p.type).toBe("https://dockline.dev/problems/invalid-cursor");
    expect(p.detail).toMatch(/^The cursor parameter is not one this API (issued|gave out)/);
  });

  it("says which query parameter is wrong, in plain words", async () => {
    const detail = async (query: string) => {
      const res = await get(`/v1/orders?${query}`, keyA);
      expect(res.status).toBe(422);
      return ((await res.json()) as { detail: string }).detail;
    };
    expect(await detail("limit=0")).toBe("Query parameter limit: must be at least 1.");
    expect(await detail("limit=101")).toBe("Query parameter limit: must be at most 100.");
    expect(await detail("limit=ten")).toBe("Query parameter limit: must be a number.");
    expect(await detail("limit=2.5")).toBe("Query parameter limit: must be a whole number.");
    expect(await detail("updatedSince=yesterday")).toBe(
      "Query parameter updatedSince: must be an ISO 8601 date-time with a time zone, e.g. 2026-11-20T10:00:00Z.",
    );
    expect(await detail("status=shipped,teleported")).toMatch(
      /^Query parameter status: must be a comma-separated list of: awaiting_release, released, .*delivered/,
    );
  });

  it("returns a D1 session bookmark and accepts it back", async () => {
    const res = await get("/v1/orders/SO-PA-2", keyA);
    const bookmark = res.headers.get("X-D1-Bookmark");
    expect(bookmark).toBeTruthy();
    const next = await get("/v1/orders/SO-PA-2", keyA, { "X-D1-Bookmark": bookmark ?? "" });
    expect(next.status).toBe(200);
    expect(next.headers.get("X-D1-Bookmark")).toBeTruthy();
  });

  it("shows only customer-facing milestones: no ERP postings in the read model", async () => {
    const order = (await (await get("/v1/orders/SO-PA-3", keyA)).json()) as Order;
    expect(order.timeline.map((t) => t.code)).toEqual(["order.released", "shipment.dispatched"]);
    const tables = (await env.DB.prepare("SELECT group_concat(name) AS n FROM pragma_table_info('orders')").first<{ n: string }>())?.n ?? "";
    expect(tables).not.toMatch(/erp|command|seq/);
  });
});

describe("the projection", () => {
  it("never regresses a row when batches are redelivered or reordered", async () => {
    const { project } = await import("../../src/readmodel/projector");
    const base = {
      orderId: "SO-PROJ-1",
      customerId: "CUST-PROJ",
      statusAt: null,
      destination: null,
      shipments: [],
      openExceptions: [],
      updatedAt: "2026-11-20T00:00:00Z",
    };
    const v = (version: number, status: "released" | "shipped" | "delivered") => ({
      kind: "projection" as const,
      correlationId: "corr-proj-0001",
      order: {
        ...base,
        version,
        status,
        timeline: [],
        shipments: [
          {
            shipmentId: "S1",
            carrier: null,
            trackingNumber: "T",
            status: status === "delivered" ? ("delivered" as const) : ("dispatched" as const),
            lastEvent: null,
            eta: null,
            lines: null,
          },
        ],
      },
    });
    await project(env.DB, [v(3, "delivered")]);
    // A stale batch, then one with a duplicate and an older copy inside the same batch.
    await project(env.DB, [v(2, "shipped")]);
    await project(env.DB, [v(1, "released"), v(3, "delivered"), v(2, "shipped")]);
    const row = await env.DB.prepare("SELECT status, version FROM orders WHERE order_id = 'SO-PROJ-1'").first();
    expect(row).toEqual({ status: "delivered", version: 3 });
    const ship = await env.DB.prepare("SELECT status, version FROM shipments WHERE order_id = 'SO-PROJ-1'").first();
    expect(ship).toEqual({ status: "delivered", version: 3 });
  });
});
