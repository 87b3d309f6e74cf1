// Fulfillment requests a 3PL has not acknowledged (DESIGN §3.9): the read model keeps each request from the
// order's projections (fulfillment_requests), and GET /ops/stuck and the console list the ones waiting past
// STUCK_UNACKNOWLEDGED_HOURS, by partner. Driven through the projector itself (and once through the
// projection queue's consumer), with request times set in the past rather than waited for.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ErpMessage, FulfillmentRow, ProjectionMessage } from "../../src/domain/messages";
import worker from "../../src/index";
import { project } from "../../src/readmodel/projector";
import { call, consoleLogin, SECRETS } from "../helpers/http";

type Snapshot = Extract<ProjectionMessage, { kind: "projection" }>;

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

function snapshot(orderId: string, version: number, fulfillment: FulfillmentRow[] | undefined, customerId = "CUST-FS"): Snapshot {
  return {
    kind: "projection",
    correlationId: `corr-${orderId}-${version}`,
    order: {
      orderId,
      customerId,
      status: "released",
      statusAt: ago(10),
      destination: null,
      shipments: [],
      timeline: [],
      openExceptions: [],
      version,
      updatedAt: new Date().toISOString(),
    },
    ...(fulfillment ? { fulfillment } : {}),
  };
}

function request(orderId: string, partner: string, at: string, extra: Partial<FulfillmentRow> = {}): FulfillmentRow {
  return {
    requestId: `${orderId}:${partner}:1`,
    orderId,
    partner,
    lines: [{ sku: "SKU-1", quantity: 2 }],
    at,
    acknowledgedAt: null,
    cancelledAt: null,
    ...extra,
  };
}

interface StuckItem {
  orderId: string;
  customerId: string;
  reason: string;
  since: string | null;
  detail: string;
  partner?: string;
  requestId?: string;
  lines?: { sku: string; quantity: number }[];
  requestedAt?: string;
  ageHours?: number;
}
interface Stuck {
  thresholds: Record<string, number>;
  items: StuckItem[];
  unacknowledgedByPartner: { partner: string; count: number; oldestRequestedAt: string; oldestAgeHours: number }[];
}

async function stuck(query = ""): Promise<Stuck> {
  const res = await call(`/ops/stuck${query}`, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Stuck;
}

const unacked = (s: Stuck, partner: string) => s.items.filter((i) => i.reason === "fulfillment_not_acknowledged" && i.partner === partner);
const row = (requestId: string) =>
  env.DB.prepare("SELECT * FROM fulfillment_requests WHERE request_id = ?").bind(requestId).first<{
    order_id: string;
    customer_id: string;
    partner: string;
    lines: string;
    requested_at: string;
    acknowledged_at: string | null;
    cancelled_at: string | null;
    version: number;
  }>();

describe("GET /ops/stuck: fulfillment requests not acknowledged in time", () => {
  it("lists an old unacknowledged request under its partner, and not an acknowledged, cancelled or recent one", async () => {
    const p = "fs-3pl-a";
    const q = "fs-3pl-b";
    const old = ago(10);
    await project(env.DB, [
      snapshot("SO-FS-OLD", 3, [
        request("SO-FS-OLD", p, old, {
          lines: [
            { sku: "SKU-1", quantity: 2 },
            { sku: "SKU-2", quantity: 1 },
          ],
        }),
      ]),
      snapshot("SO-FS-ACKED", 4, [request("SO-FS-ACKED", p, ago(10), { acknowledgedAt: ago(9) })]),
      snapshot("SO-FS-CANCELLED", 4, [request("SO-FS-CANCELLED", p, ago(10), { cancelledAt: ago(9) })]),
      snapshot("SO-FS-NEW", 2, [request("SO-FS-NEW", p, ago(1))]),
      // A split order: one request per partner, each listed under its own.
      snapshot("SO-FS-SPLIT", 2, [request("SO-FS-SPLIT", p, ago(6)), request("SO-FS-SPLIT", q, ago(5), { acknowledgedAt: null })]),
    ]);

    const s = await stuck();
    expect(s.thresholds.unacknowledgedHours).toBe(4);
    const mine = unacked(s, p);
    expect(mine.map((i) => i.orderId)).toEqual(["SO-FS-OLD", "SO-FS-SPLIT"]); // oldest first
    expect(mine[0]).toMatchObject({
      orderId: "SO-FS-OLD",
      customerId: "CUST-FS",
      partner: p,
      requestId: `SO-FS-OLD:${p}:1`,
      lines: [
        { sku: "SKU-1", quantity: 2 },
        { sku: "SKU-2", quantity: 1 },
      ],
      requestedAt: old,
      since: old,
    });
    expect(mine[0]?.ageHours).toBeGreaterThanOrEqual(9.9);
    expect(mine[0]?.ageHours).toBeLessThan(10.5);
    expect(mine[0]?.detail).toContain("not acknowledged for over 4 h");
    expect(unacked(s, q).map((i) => i.requestId)).toEqual([`SO-FS-SPLIT:${q}:1`]);
    // Grouped by partner: every waiting request counted.
    expect(s.unacknowledgedByPartner.find((b) => b.partner === p)).toMatchObject({ count: 2, oldestRequestedAt: old });
    expect(s.unacknowledgedByPartner.find((b) => b.partner === q)).toMatchObject({ count: 1 });
    // Within the category, one partner's requests together.
    const partners = s.items.filter((i) => i.reason === "fulfillment_not_acknowledged").map((i) => i.partner ?? "");
    expect(partners).toEqual([...partners].sort());
    for (const id of ["SO-FS-ACKED", "SO-FS-CANCELLED", "SO-FS-NEW"])
      expect(s.items.some((i) => i.orderId === id && i.reason === "fulfillment_not_acknowledged")).toBe(false);

    // The threshold is ops' to override, like the others.
    const lenient = await stuck("?unacknowledgedHours=8");
    expect(lenient.thresholds.unacknowledgedHours).toBe(8);
    expect(unacked(lenient, p).map((i) => i.orderId)).toEqual(["SO-FS-OLD"]);
    expect(unacked(lenient, q)).toEqual([]);
    expect(lenient.unacknowledgedByPartner.some((b) => b.partner === q)).toBe(false);

    // Acknowledged later (a newer version): no longer stuck.
    await project(env.DB, [snapshot("SO-FS-OLD", 4, [request("SO-FS-OLD", p, old, { acknowledgedAt: ago(0.5) })])]);
    const after = await stuck();
    expect(unacked(after, p).map((i) => i.orderId)).toEqual(["SO-FS-SPLIT"]);
    expect(after.unacknowledgedByPartner.find((b) => b.partner === p)?.count).toBe(1);
  });

  it("never lets a stale projection clear an acknowledgement or a cancellation", async () => {
    const orderId = "SO-FS-STALE";
    const p = "fs-3pl-stale";
    const at = ago(10);
    const ackAt = ago(8);
    await project(env.DB, [snapshot(orderId, 5, [request(orderId, p, at, { acknowledgedAt: ackAt, lines: [{ sku: "SKU-1", quantity: 3 }] })])]);
    // An older copy (redelivered, or overtaken in the queue) that still has the request open.
    await project(env.DB, [snapshot(orderId, 3, [request(orderId, p, at, { lines: [{ sku: "SKU-1", quantity: 2 }] })])]);
    const r = await row(`${orderId}:${p}:1`);
    expect(r).toMatchObject({ acknowledged_at: ackAt, version: 5 });
    expect(JSON.parse(r?.lines ?? "")).toEqual([{ sku: "SKU-1", quantity: 3 }]); // the newer lines stay
    expect(unacked(await stuck(), p)).toEqual([]);

    // Even a copy of the same version, or one that does not know of the acknowledgement, cannot reopen it;
    // a cancellation likewise.
    const cancelled = "SO-FS-STALE-CANCEL";
    await project(env.DB, [snapshot(cancelled, 7, [request(cancelled, p, at, { cancelledAt: ago(7) })])]);
    await project(env.DB, [snapshot(cancelled, 7, [request(cancelled, p, at)]), snapshot(orderId, 5, [request(orderId, p, at)])]);
    expect((await row(`${cancelled}:${p}:1`))?.cancelled_at).not.toBeNull();
    expect((await row(`${orderId}:${p}:1`))?.acknowledged_at).toBe(ackAt);
    expect(unacked(await stuck(), p)).toEqual([]);
  });

  it("keeps the first time a request was stated as its requestedAt", async () => {
    const orderId = "SO-FS-FIRST";
    const p = "fs-3pl-first";
    const first = ago(9);
    await project(env.DB, [snapshot(orderId, 2, [request(orderId, p, first)])]);
    // Later projections restate the request with a later `at` (and the row's other fields move on).
    await project(env.DB, [snapshot(orderId, 3, [request(orderId, p, ago(2), { lines: [{ sku: "SKU-1", quantity: 1 }] })])]);
    await project(env.DB, [snapshot(orderId, 4, [request(orderId, p, ago(1))])]);
    const r = await row(`${orderId}:${p}:1`);
    expect(r).toMatchObject({ requested_at: first, version: 4, customer_id: "CUST-FS", order_id: orderId, partner: p });
    // Still stuck by its first time, not made young by a restatement.
    expect(unacked(await stuck(), p)).toEqual([expect.objectContaining({ orderId, requestedAt: first })]);
    // A stale copy that arrives late with the earlier original time: the earliest time is the request's.
    const original = ago(11);
    await project(env.DB, [snapshot(orderId, 1, [request(orderId, p, original)])]);
    expect((await row(`${orderId}:${p}:1`))?.requested_at).toBe(original);
  });

  it("takes each order's newest snapshot in a batch, and ignores projections without requests", async () => {
    const orderId = "SO-FS-BATCH";
    const p = "fs-3pl-batch";
    await project(env.DB, [
      snapshot(orderId, 2, [request(orderId, p, ago(10))]),
      snapshot(orderId, 3, [request(orderId, p, ago(10), { acknowledgedAt: ago(9) })]),
    ]);
    expect((await row(`${orderId}:${p}:1`))?.acknowledged_at).not.toBeNull();
    // A message from before fulfillment requests existed, or a row without its identity: nothing written,
    // nothing failed (the order row still lands).
    await project(env.DB, [
      snapshot("SO-FS-LEGACY", 1, undefined),
      snapshot("SO-FS-BROKEN", 1, [{ ...request("SO-FS-BROKEN", p, ago(10)), requestId: undefined as unknown as string }]),
    ]);
    const n = await env.DB.prepare("SELECT count(*) AS n FROM fulfillment_requests WHERE order_id IN ('SO-FS-LEGACY', 'SO-FS-BROKEN')").first<{ n: number }>();
    expect(n?.n).toBe(0);
    const o = await env.DB.prepare("SELECT version FROM orders WHERE order_id = 'SO-FS-BROKEN'").first<{ version: number }>();
    expect(o?.version).toBe(1);
  });

  it("arrives through the projection queue's consumer", async () => {
    const orderId = "SO-FS-QUEUE";
    const p = "fs-3pl-queue";
    const batch = createMessageBatch<ProjectionMessage>("dockline-projections", [
      { id: "fs-q-1", timestamp: new Date(), attempts: 1, body: snapshot(orderId, 2, [request(orderId, p, ago(6))]) },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<ErpMessage | ProjectionMessage>, env);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ ackAll: true, retryMessages: [] });
    expect(unacked(await stuck(), p).map((i) => i.orderId)).toEqual([orderId]);
  });
});

describe("the ops console", () => {
  it("shows the requests waiting on each partner's acknowledgement", async () => {
    const p = "fs-3pl-console";
    await project(env.DB, [snapshot("SO-FS-CONSOLE", 2, [request("SO-FS-CONSOLE", p, ago(7), { lines: [{ sku: "SKU-CON", quantity: 4 }] })])]);
    const login = await consoleLogin();
    const cookie = (login.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const res = await call("/ops", { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-testid="unacknowledged"');
    expect(html).toContain('data-testid="unacknowledged-count"');
    const perPartner = new RegExp(`data-testid="unacknowledged-${p}"><td>${p}</td><td class="bad">1</td>`);
    expect(html).toMatch(perPartner);
    expect(html).toContain(`SO-FS-CONSOLE:${p}:1`);
    expect(html).toContain("4 × SKU-CON");
    expect(html).toContain('href="/ops/console/orders?orderId=SO-FS-CONSOLE"');
  });
});
