// Fulfillment orchestration inside workerd (DESIGN §3.9): a release routed to the right partners, each
// request delivered exactly once, cancellations before dispatch, and the assignment rule for what the
// partners report back.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import edi945 from "../../src/partners/x12/fixtures/two-945s.edi?raw";
import { orderStub } from "../../src/orders";
import { parseX12 } from "../../src/partners/x12/parse";
import { call, consoleLogin, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";
import { sendAs } from "../helpers/partners";

/** A US order with a BULK- line and another: the default routes split it between edi and acme-3pl. */
const SPLIT = {
  lines: [
    { sku: "BULK-PALLET-1", quantity: 4 },
    { sku: "WID-1", quantity: 2 },
  ],
};

const ops = (path: string) => call(path, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });

describe("assignment", () => {
  it("quarantines a 945 from edi for an order assigned only to acme-3pl ('not assigned'); the order records nothing of it", async () => {
    // SO-1001 is the order the 945 fixture reports on; shipped to the US, its one line goes to acme-3pl.
    expect((await releaseOrder("SO-1001")).status).toBe(202);
    const res = await sendAs("edi", edi945);
    expect(res.status).toBeLessThan(300);
    const answer = (await res.json()) as {
      correlationId: string;
      results: { orderId?: string; outcome: string; quarantineId?: string; reason?: string }[];
      acknowledgement?: { format: string; body: string };
    };
    // Every inbound interchange is acknowledged to the gateway with a 997: its sets were received whole.
    expect(answer.acknowledgement?.format).toBe("x12-997");
    const ack = parseX12(new TextEncoder().encode(answer.acknowledgement?.body ?? ""));
    const segments = ack.groups[0]?.sets[0]?.segments.map((seg) => [seg.id, ...seg.elements].join("*")) ?? [];
    expect(ack.groups[0]?.functionalId).toBe("FA");
    expect(segments.filter((seg) => seg.startsWith("AK5"))).toEqual(["AK5*A", "AK5*A"]);
    expect(segments.find((seg) => seg.startsWith("AK9"))).toMatch(/^AK9\*A\*2\*2\*2/);
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
    expect((await releaseOrder(orderId, "CUST-1", SPLIT)).status).toBe(202);
    const view = await orderStub(env, orderId).inspect();
    expect(
      view.deliveries.map((d) => [d.destination, d.type, (d.payload as { requestId: string }).requestId, (d.payload as { lines: unknown }).lines]),
    ).toEqual([
      ["fulfillment:acme-3pl", "fulfillment.requested", `${orderId}:acme-3pl:1`, [{ sku: "WID-1", quantity: 2 }]],
      ["fulfillment:edi", "fulfillment.requested", `${orderId}:edi:1`, [{ sku: "BULK-PALLET-1", quantity: 4 }]],
    ]);
    expect(view.unroutable).toEqual([]);
    // A duplicate release sends nothing new.
    expect((await releaseOrder(orderId, "CUST-1", SPLIT)).status).toBe(202);
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
    // The console's order view shows each request: partner, lines, delivery, acknowledgement.
    const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const html = await (await call(`/ops/console/orders?orderId=${orderId}`, { headers: { Cookie: cookie } })).text();
    const section = html.slice(html.indexOf('data-testid="fulfillment-requests"'));
    expect(section).toContain("acme-3pl");
    expect(section).toContain("WID-1 × 1");
    expect(section).toContain('Acknowledged by the partner <time datetime="2026-11-20T09:05:00.000Z"');
    expect(section).toContain("Not acknowledged by the partner yet");
  });
});

interface SimRecord {
  requestId: string;
  partner: string;
  type: string;
  orderId: string;
  idempotencyKey: string;
  correlationId: string | null;
  replays: number;
  lines: { sku: string; quantity: number }[];
}
const sim = (path: string, init: RequestInit = {}) => fetch(`http://3pl.test${path}`, init);
const simRecords = async (orderId: string): Promise<SimRecord[]> =>
  ((await (await sim(`/admin/requests?orderId=${encodeURIComponent(orderId)}`)).json()) as { requests: SimRecord[] }).requests;
const simFaults = (f: object) => sim("/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });

afterEach(async () => {
  await sim("/admin/faults", { method: "DELETE" });
});

describe("requests reach the partners (the 3PL simulator is the witness)", () => {
  it("a US order with a BULK- line and another: a canonical request to acme-3pl and a 940 to edi, each once, with its lines, key and correlation id", async () => {
    const orderId = "SO-FUL-WIRE-1";
    const released = await releaseOrder(orderId, "CUST-1", SPLIT);
    expect(released.status).toBe(202);
    const { correlationId } = (await released.json()) as { correlationId: string };
    const records = await eventually(
      async () => {
        const r = await simRecords(orderId);
        return r.length >= 2 ? r : undefined;
      },
      15_000,
      "both requests at the simulator",
    );
    const byPartner = Object.fromEntries(records.map((r) => [r.partner, r]));
    expect(byPartner["acme-3pl"]).toMatchObject({
      type: "fulfillment.requested",
      requestId: `${orderId}:acme-3pl:1`,
      idempotencyKey: `${orderId}:acme-3pl:1`,
      correlationId,
      lines: [{ sku: "WID-1", quantity: 2 }],
    });
    expect(byPartner.edi).toMatchObject({
      requestId: `${orderId}:edi:1`,
      idempotencyKey: `${orderId}:edi:1`,
      correlationId,
      lines: [{ sku: "BULK-PALLET-1", quantity: 4 }],
    });
    // A duplicate release sends nothing new.
    expect((await releaseOrder(orderId, "CUST-1", SPLIT)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await simRecords(orderId)).toHaveLength(2);
    const view = await orderStub(env, orderId).inspect();
    expect(view.deliveries.every((d) => d.ackedAt !== null && d.deadAt === null)).toBe(true);
  });

  it("through a 3PL outage: each request arrives once the partner is back, exactly once", async () => {
    const orderId = "SO-FUL-OUTAGE-1";
    await simFaults({ downForMs: 3000, scope: orderId });
    expect((await releaseOrder(orderId, "CUST-1", SPLIT)).status).toBe(202);
    const records = await eventually(
      async () => {
        const r = await simRecords(orderId);
        return r.length >= 2 ? r : undefined;
      },
      25_000,
      "both requests after the outage",
    );
    expect(records.map((r) => r.partner).sort()).toEqual(["acme-3pl", "edi"]);
    const view = await orderStub(env, orderId).inspect();
    expect(view.deliveries.every((d) => d.attempts >= 2 && d.ackedAt !== null)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await simRecords(orderId)).toHaveLength(2);
  });

  it("a cancel before dispatch reaches every assigned partner once", async () => {
    const orderId = "SO-FUL-CANCEL-1";
    expect((await releaseOrder(orderId, "CUST-1", SPLIT)).status).toBe(202);
    await eventually(async () => ((await simRecords(orderId)).length >= 2 ? true : undefined), 15_000, "the requests");
    const cancel = () =>
      call(`/v1/orders/${orderId}/cancel`, {
        method: "POST",
        headers: { Authorization: `Bearer ${SECRETS.erpInbound}`, "Content-Type": "application/json" },
        body: JSON.stringify({ reason: "customer changed their mind" }),
      });
    expect((await cancel()).status).toBe(202);
    expect((await cancel()).status).toBe(202);
    const cancellations = await eventually(
      async () => {
        const r = (await simRecords(orderId)).filter((x) => x.type === "fulfillment.cancelled");
        return r.length >= 2 ? r : undefined;
      },
      15_000,
      "both cancellations",
    );
    expect(cancellations.map((r) => [r.partner, r.requestId]).sort()).toEqual([
      ["acme-3pl", `${orderId}:acme-3pl:1`],
      ["edi", `${orderId}:edi:1`],
    ]);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await simRecords(orderId)).filter((x) => x.type === "fulfillment.cancelled")).toHaveLength(2);
  });

  it("an unacknowledged request appears in GET /ops/stuck under its partner once its threshold passes, and leaves it when acknowledged", async () => {
    const orderId = "SO-FUL-STUCK-1";
    expect((await releaseOrder(orderId)).status).toBe(202);
    type Stuck = {
      items: { reason: string; orderId: string; partner?: string; requestId?: string }[];
      unacknowledgedByPartner: { partner: string; count: number }[];
    };
    const stuck = async (hours: number) => (await (await ops(`/ops/stuck?unacknowledgedHours=${hours}`)).json()) as Stuck;
    const mine = (s: Stuck) => s.items.filter((i) => i.reason === "fulfillment_not_acknowledged" && i.orderId === orderId);
    // Within the threshold (the default 4 hours): not listed.
    expect(mine(await stuck(4))).toEqual([]);
    // Past it (a threshold of 0 hours): listed under acme-3pl, with its request.
    const listed = await eventually(
      async () => {
        const s = await stuck(0);
        return mine(s).length > 0 ? s : undefined;
      },
      10_000,
      "the unacknowledged request in /ops/stuck",
    );
    expect(mine(listed)).toEqual([expect.objectContaining({ partner: "acme-3pl", requestId: `${orderId}:acme-3pl:1` })]);
    expect(listed.unacknowledgedByPartner.find((p) => p.partner === "acme-3pl")?.count).toBeGreaterThanOrEqual(1);
    expect((await sendAcme(milestone({ orderId, code: "fulfillment.acknowledged", occurredAt: "2026-11-20T09:05:00Z" }))).status).toBe(202);
    await eventually(async () => (mine(await stuck(0)).length === 0 ? true : undefined), 10_000, "the request acknowledged");
  });
});

describe("unroutable lines", () => {
  it("a line no route matches is kept on the order and listed for ops in /ops/stuck (needs review); the routable lines go out", async () => {
    const orderId = "SO-FUL-UNROUTABLE-1";
    // This order's routes have no catch-all: only BULK- lines go anywhere (the shipped routes route everything).
    const orderEnv = await runInDurableObject(env.ORDERS.getByName(orderId), (instance) => (instance as unknown as { env: Env }).env);
    const saved = orderEnv.FULFILLMENT_ROUTES;
    Object.assign(orderEnv, { FULFILLMENT_ROUTES: JSON.stringify([{ partner: "edi", when: { skuPrefixes: ["BULK-"] } }]) });
    try {
      expect((await releaseOrder(orderId, "CUST-1", SPLIT)).status).toBe(202);
    } finally {
      Object.assign(orderEnv, { FULFILLMENT_ROUTES: saved });
    }
    const view = await orderStub(env, orderId).inspect();
    expect(view.deliveries.map((d) => d.partner)).toEqual(["edi"]);
    expect(view.unroutable).toEqual([{ index: 1, sku: "WID-1", quantity: 2 }]);
    const listed = await eventually(
      async () => {
        const s = (await (await ops("/ops/stuck")).json()) as { items: { orderId: string; reason: string; detail: string }[] };
        return s.items.find((i) => i.orderId === orderId && i.detail.includes("no fulfillment route"));
      },
      10_000,
      "the unroutable order in /ops/stuck",
    );
    expect(listed.detail).toContain("WID-1 × 2");
  });
});
