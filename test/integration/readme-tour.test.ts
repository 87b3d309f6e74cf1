// The README's 5-minute tour (steps 1–5), followed as written, with its example files, inside workerd: what
// each step's comment promises is what this test checks. Two differences from a terminal, both forced by
// the test bed: the subscriber is the subscriber simulator at https://hooks.test (the test suite keeps the
// production URL rule, ALLOW_INSECURE_SUBSCRIPTION_URLS = "false", where the README uses plain http on
// 127.0.0.1), and the 3PL simulator's auto-acknowledgement (on under `npm start`) is switched on here.
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import delivered from "../../examples/acme-delivered.json";
import dispatched from "../../examples/acme-dispatched.json";
import release from "../../examples/release-SO-1001.json";
import { call, erpRecordsEventually, eventually, SECRETS, sendAcme } from "../helpers/http";

const THREE_PL = "http://3pl.test";
const respondMode = (method: "PUT" | "DELETE", body?: object) =>
  fetch(`${THREE_PL}/admin/respond-mode`, { method, headers: { "Content-Type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });

beforeAll(async () => {
  expect((await respondMode("PUT", { auto: true, partners: ["acme-3pl"], dockline: "self-test" })).status).toBe(200);
});
afterAll(async () => {
  await respondMode("DELETE");
});

describe("the README tour", () => {
  let key = "";

  it("1. the ERP releases SO-1001, routed to acme-3pl, which acknowledges", async () => {
    const res = await call("/v1/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${SECRETS.erpInbound}`, "Content-Type": "application/json" },
      body: JSON.stringify(release),
    });
    expect(await res.json()).toMatchObject({ orderId: "SO-1001", outcome: "accepted" });
    const requests = await eventually(async () => {
      const r = (await (await fetch(`${THREE_PL}/admin/requests`)).json()) as { requests: { idempotencyKey: string }[] };
      return r.requests.length > 0 ? r.requests : undefined;
    });
    expect(requests.map((r) => r.idempotencyKey)).toEqual(["SO-1001:acme-3pl:1"]);
    await eventually(
      async () => {
        const r = await env.DB.prepare("SELECT status FROM orders WHERE order_id = 'SO-1001'").first<{ status: string }>();
        return r?.status === "in_fulfillment" ? true : undefined;
      },
      15_000,
      "in_fulfillment",
    );
  });

  it("2. the 3PL reports the dispatch; the same milestone again is a duplicate", async () => {
    const first = (await (await sendAcme(dispatched)).json()) as { results: { orderId: string; outcome: string }[] };
    expect(first.results).toEqual([expect.objectContaining({ orderId: "SO-1001", outcome: "accepted" })]);
    const again = (await (await sendAcme(dispatched)).json()) as { results: { outcome: string }[] };
    expect(again.results[0]?.outcome).toBe("duplicate");
  });

  it('3. the customer reads the order: ETag "v3", shipped, a 304 on If-None-Match, 404 for another customer', async () => {
    const issued = await call("/ops/api-keys", {
      method: "POST",
      headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" },
      body: JSON.stringify({ customerId: "CUST-ACME" }),
    });
    key = ((await issued.json()) as { key: string }).key;
    const res = await eventually(
      async () => {
        const r = await call("/v1/orders/SO-1001", { headers: { Authorization: `Bearer ${key}` } });
        return r.headers.get("ETag") === '"v3"' ? r : undefined;
      },
      15_000,
      'ETag "v3"',
    );
    expect(await res.json()).toMatchObject({ status: "shipped", shipments: [expect.objectContaining({ trackingNumber: "1Z999AA10123456784" })] });
    expect((await call("/v1/orders/SO-1001", { headers: { Authorization: `Bearer ${key}`, "If-None-Match": '"v3"' } })).status).toBe(304);
  });

  it("4. the customer subscribes; the delivery is pushed, signed, status delivered, version 4", async () => {
    const res = await call("/v1/subscriptions", {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ url: "https://hooks.test/hooks/my-portal", events: ["order.status_changed"] }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: expect.stringMatching(/^sub_/), events: ["order.status_changed"], secret: expect.stringMatching(/^whsec_/) });
    expect(((await (await sendAcme(delivered)).json()) as { results: { outcome: string }[] }).results[0]?.outcome).toBe("accepted");
    const inbox = await eventually(
      async () => {
        const r = (await (await fetch("https://hooks.test/admin/inboxes/my-portal")).json()) as {
          requests: { webhookId: string; headers: Record<string, string>; body: { type: string; data: { status: string; version: number } } }[];
        };
        return r.requests.length > 0 ? r.requests : undefined;
      },
      20_000,
      "the pushed event",
    );
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.body).toMatchObject({ type: "order.status_changed", data: { status: "delivered", version: 4 } });
    expect(inbox[0]?.headers["webhook-signature"]).toMatch(/^v1,/);
  });

  it("5. the ERP has the shipment and the delivery confirmations, SO-1001:1 and SO-1001:2", async () => {
    const records = await erpRecordsEventually("SO-1001", 2);
    expect(records.map((r) => [r.seq, r.kind])).toEqual([
      [1, "shipment-confirmations"],
      [2, "delivery-confirmations"],
    ]);
  });
});
