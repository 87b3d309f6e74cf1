// Fulfillment orchestration inside workerd (DESIGN §3.9): a release routed to the right partners, each
// request delivered exactly once, cancellations before dispatch, and the assignment rule for what the
// partners report back.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import edi945 from "../../src/partners/x12/fixtures/two-945s.edi?raw";
import { orderStub } from "../../src/orders";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";
import { sendAs } from "../helpers/partners";

const ops = (path: string) => call(path, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });

describe("assignment", () => {
  it("quarantines a 945 from edi for an order assigned only to acme-3pl ('not assigned'); the order records nothing of it", async () => {
    // SO-1001 is the order the 945 fixture reports on; shipped to the US, its one line goes to acme-3pl.
    expect((await releaseOrder("SO-1001")).status).toBe(202);
    const res = await sendAs("edi", edi945);
    expect(res.status).toBeLessThan(300);
    const answer = (await res.json()) as { correlationId: string; results: { orderId?: string; outcome: string; quarantineId?: string; reason?: string }[] };
    const mine = answer.results.find((r) => r.orderId === "SO-1001");
    expect(mine).toMatchObject({ outcome: "quarantined", reason: "not assigned: order SO-1001 is not assigned to edi" });
    const view = await orderStub(env, "SO-1001").inspect();
    expect(view.events.filter((e) => e.source === "edi")).toEqual([]);
    expect(view.state?.shipments ?? []).toEqual([]);
    const entry = await eventually(async () => {
      const items = ((await (await ops("/ops/quarantine?limit=200")).json()) as { items: { id: string; correlationId: string; reason: string }[] }).items;
      return items.find((i) => i.correlationId === answer.correlationId);
    });
    expect(entry.reason).toContain("not assigned: order SO-1001 is not assigned to edi");
    // (The same 945 for an order assigned to edi is accepted: test/integration/partners.test.ts.)
  });
});

describe("requests on release", () => {
  it("a US order with a BULK- line and another line: a request for acme-3pl and one for edi, each with its lines", async () => {
    const orderId = "SO-FUL-SPLIT-1";
    expect(
      (
        await releaseOrder(orderId, "CUST-1", {
          lines: [
            { sku: "BULK-PALLET-1", quantity: 4 },
            { sku: "WID-1", quantity: 2 },
          ],
        })
      ).status,
    ).toBe(202);
    const view = await orderStub(env, orderId).inspect();
    expect(
      view.deliveries.map((d) => [d.destination, d.type, (d.payload as { requestId: string }).requestId, (d.payload as { lines: unknown }).lines]),
    ).toEqual([
      ["fulfillment:acme-3pl", "fulfillment.requested", `${orderId}:acme-3pl:1`, [{ sku: "WID-1", quantity: 2 }]],
      ["fulfillment:edi", "fulfillment.requested", `${orderId}:edi:1`, [{ sku: "BULK-PALLET-1", quantity: 4 }]],
    ]);
    expect(view.unroutable).toEqual([]);
    // A duplicate release sends nothing new.
    expect(
      (
        await releaseOrder(orderId, "CUST-1", {
          lines: [
            { sku: "BULK-PALLET-1", quantity: 4 },
            { sku: "WID-1", quantity: 2 },
          ],
        })
      ).status,
    ).toBe(202);
    expect((await orderStub(env, orderId).inspect()).deliveries).toHaveLength(2);
  });

  it("the assigned partner's fulfillment.acknowledged marks its request acknowledged; the other request stays unacknowledged", async () => {
    const orderId = "SO-FUL-ACK-1";
    expect(
      (
        await releaseOrder(orderId, "CUST-1", {
          lines: [
            { sku: "BULK-1", quantity: 1 },
            { sku: "WID-1", quantity: 1 },
          ],
        })
      ).status,
    ).toBe(202);
    expect((await sendAcme(milestone({ orderId, code: "fulfillment.acknowledged", occurredAt: "2026-11-20T09:05:00Z" }))).status).toBe(202);
    const view = await orderStub(env, orderId).inspect();
    expect(view.deliveries.map((d) => [d.partner, d.acknowledgedAt])).toEqual([
      ["acme-3pl", "2026-11-20T09:05:00.000Z"],
      ["edi", null],
    ]);
  });
});
