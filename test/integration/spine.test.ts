// The spine, end to end inside workerd with real bindings: ERP release → signed partner webhook →
// OrderDO → Queues → D1 read model (portal API) and → ERP simulator over HTTP.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { orderStub } from "../../src/orders";
import { call, erpRecords, eventually, issueKey, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const dispatched = (orderId: string, extra: Record<string, unknown> = {}) =>
  milestone({
    orderId,
    code: "shipment.dispatched",
    occurredAt: "2026-11-20T14:03:00Z",
    shipmentId: "SHP-1",
    carrier: "ups",
    trackingNumber: "1Z999AA10123456784",
    lines: [{ sku: "WID-1", quantity: 2 }],
    location: { city: "Memphis", country: "US" },
    ...extra,
  });

async function portalOrder(orderId: string, key: string) {
  const res = await call(`/v1/orders/${orderId}`, { headers: { Authorization: `Bearer ${key}` } });
  return res.status === 200 ? ((await res.json()) as Record<string, unknown> & { version: number; status: string }) : undefined;
}

describe("the spine", () => {
  it("carries a signed webhook to the portal read model and the shipment confirmation to the ERP", async () => {
    const orderId = "SO-SPINE-1";
    expect((await releaseOrder(orderId, "CUST-A")).status).toBe(202);
    const res = await sendAcme(dispatched(orderId), { headers: { "X-Correlation-Id": "corr-spine-0001" } });
    expect(res.status).toBe(202);
    expect(res.headers.get("X-Correlation-Id")).toBe("corr-spine-0001");
    const body = (await res.json()) as { correlationId: string; results: unknown[] };
    expect(body.correlationId).toBe("corr-spine-0001");
    expect(body.results).toEqual([{ eventId: expect.stringMatching(/^acme-3pl:/), orderId, outcome: "accepted" }]);

    const key = await issueKey("CUST-A");
    const order = await eventually(
      async () => {
        const o = await portalOrder(orderId, key);
        return o && o.version >= 2 ? o : undefined;
      },
      10_000,
      "the portal to show the dispatch",
    );
    expect(order).toMatchObject({
      orderId,
      customerId: "CUST-A",
      status: "shipped",
      statusAt: "2026-11-20T14:03:00.000Z",
      shipments: [{ shipmentId: "SHP-1", carrier: "ups", trackingNumber: "1Z999AA10123456784", status: "dispatched" }],
      version: 2,
    });
    expect((order.timeline as { code: string }[]).map((t) => t.code)).toEqual(["order.released", "shipment.dispatched"]);

    const records = await eventually(
      async () => {
        const r = await erpRecords(orderId);
        return r.length > 0 ? r : undefined;
      },
      10_000,
      "the ERP to receive the shipment confirmation",
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ orderId, seq: 1, kind: "shipment-confirmations", idempotencyKey: `${orderId}:1`, correlationId: "corr-spine-0001" });
    expect(records[0]?.body).toMatchObject({ shipmentId: "SHP-1", trackingNumber: "1Z999AA10123456784", lines: [{ sku: "WID-1", quantity: 2 }] });
  });

  it("answers a duplicate webhook with `duplicate` and changes nothing, whether retried or re-sent as a new message", async () => {
    const orderId = "SO-SPINE-DUP";
    await releaseOrder(orderId);
    const first = await sendAcme(dispatched(orderId), { id: "msg_dup_1" });
    expect(first.status).toBe(202);
    const before = await orderStub(env, orderId).inspect();
    const outcome = async (r: Response) => ((await r.json()) as { results: { outcome: string }[] }).results[0]?.outcome;
    // The partner's retry of the same message, then the same milestone under a new message id.
    expect(await outcome(await sendAcme(dispatched(orderId), { id: "msg_dup_1" }))).toBe("duplicate");
    expect(await outcome(await sendAcme(dispatched(orderId), { id: "msg_dup_2" }))).toBe("duplicate");
    const after = await orderStub(env, orderId).inspect();
    expect(after.events).toHaveLength(before.events.length);
    expect(after.state?.version).toBe(before.state?.version);
    expect(after.commands).toHaveLength(1);
  });

  it("releases an order idempotently and refuses a different release under the same id", async () => {
    const orderId = "SO-SPINE-REL";
    const first = await releaseOrder(orderId);
    expect(await first.json()).toMatchObject({ orderId, outcome: "accepted" });
    const again = await releaseOrder(orderId, "CUST-1", { releasedAt: "2026-11-20T09:30:00Z" });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ orderId, outcome: "duplicate" });
    const changed = await releaseOrder(orderId, "CUST-2");
    expect(changed.status).toBe(409);
    expect(await changed.json()).toMatchObject({ type: "https://dockline.dev/problems/order-conflict" });
    expect((await orderStub(env, orderId).inspect()).state?.details?.customerId).toBe("CUST-1");
  });

  it("rejects a bad signature with 401 problem+json and writes nothing", async () => {
    const orderId = "SO-SPINE-BADSIG";
    const res = await sendAcme(dispatched(orderId), { secret: "whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==" });
    expect(res.status).toBe(401);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    const p = (await res.json()) as Record<string, unknown>;
    expect(p).toMatchObject({ type: "https://dockline.dev/problems/invalid-signature", status: 401, title: "Invalid signature" });
    expect(typeof p.correlationId).toBe("string");
    expect((await orderStub(env, orderId).inspect()).orderId).toBeNull();
  });

  it("answers a malformed body with 400 and writes nothing", async () => {
    const res = await sendAcme('{"type": "milestone", "data": {');
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 400, type: "https://dockline.dev/problems/malformed-body" });
  });

  it("answers a schema violation with 422 and the issues", async () => {
    const res = await sendAcme(milestone({ orderId: "SO-SPINE-422", code: "shipment.teleported", occurredAt: "yesterday" }));
    expect(res.status).toBe(422);
    const p = (await res.json()) as { errors: { path: string }[] };
    expect(p.errors.map((e) => e.path).sort()).toEqual(["data.code", "data.occurredAt"]);
    expect((await orderStub(env, "SO-SPINE-422").inspect()).orderId).toBeNull();
  });

  it("never leaks a stack trace: unknown routes are problem+json too", async () => {
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.headers.get("X-Correlation-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("generates a correlation id when the given one is not acceptable", async () => {
    const res = await call("/health", { headers: { "X-Correlation-Id": "bad id with spaces" } });
    expect(res.headers.get("X-Correlation-Id")).not.toBe("bad id with spaces");
    expect(res.headers.get("X-Correlation-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("requires the ERP inbound token to release an order", async () => {
    const res = await call("/v1/orders", { method: "POST", headers: { Authorization: `Bearer ${SECRETS.ops}` }, body: "{}" });
    expect(res.status).toBe(401);
  });
});
