// Bulk replay of dead ERP commands (POST /ops/dead-letters/replay and the console's form): the ERP
// simulator refuses some orders permanently, the fault is cleared, and the bulk replay must bring every
// matching command to the ERP exactly once, in per-order order, and be safe to repeat.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { orderStub } from "../../src/orders";
import { CONSOLE_ORIGIN, call, consoleLogin, erpRecords, erpRecordsEventually, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const faults = (f: Record<string, unknown>) =>
  fetch("http://erp.test/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });
const ops = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}`, ...init.headers } });
const bulk = (body: unknown) =>
  ops("/ops/dead-letters/replay", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

interface BulkReport {
  matched: number;
  replayed: number;
  alreadyLive: number;
  failed: { orderId: string; seq: number; problem: string }[];
  more: boolean;
}

afterEach(async () => {
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
});

const TWO = ["shipment-confirmations", "delivery-confirmations"];

/** Releases each order and sends it a dispatch and a delivery: two ERP commands per order. */
async function progress(ids: string[]): Promise<void> {
  for (const orderId of ids) {
    expect((await releaseOrder(orderId)).status).toBe(202);
    const s = { shipmentId: "S1", trackingNumber: `T-${orderId}` };
    for (const body of [
      milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...s }),
      milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", ...s }),
    ]) {
      expect((await sendAcme(body)).status).toBe(202);
    }
  }
}

/** The open dead letters of these orders, once D1 lists one for each. */
async function openDeadLetters(ids: string[]): Promise<{ id: string; orderId: string; seq: number; cause: string }[]> {
  return eventually(
    async () => {
      const r = (await (await ops("/ops/dead-letters?status=open&limit=200")).json()) as {
        items: { id: string; orderId: string; seq: number; cause: string }[];
      };
      const mine = r.items.filter((d) => ids.includes(d.orderId));
      return new Set(mine.map((d) => d.orderId)).size === ids.length ? mine : undefined;
    },
    15_000,
    `dead letters of ${ids.join(", ")}`,
  );
}

/** Orders whose first command the ERP refuses for good: each ends with one dead letter (seq 1). */
async function refusedOrders(prefix: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  await faults({ permanentFor: ids, scope: prefix });
  await progress(ids);
  await openDeadLetters(ids);
  return ids;
}

async function expectDeliveredOnceInOrder(ids: string[]): Promise<void> {
  for (const orderId of ids) {
    const records = await erpRecordsEventually(orderId, 2, 15_000);
    expect(records.map((r) => r.seq)).toEqual([1, 2]);
    expect(records.map((r) => r.kind)).toEqual(TWO);
  }
}

async function d1Status(orderId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT status FROM dead_letters WHERE order_id = ? ORDER BY seq").bind(orderId).all<{ status: string }>();
  return results.map((r) => r.status);
}

describe("POST /ops/dead-letters/replay", () => {
  it("replays the dead letters of the listed orders only, in bounded calls, each command delivered once and in order; a repeat replays nothing", async () => {
    const [a, b, untouched] = (await refusedOrders("BULK-IDS-", 3)) as [string, string, string];
    await faults({}); // the ERP's data was fixed

    const first = await bulk({ orderIds: [a, b], limit: 1 });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ matched: 1, replayed: 1, alreadyLive: 0, failed: [], more: true, filter: { destination: "erp", orderIds: [a, b] } });
    const rest = (await (await bulk({ orderIds: [a, b], limit: 1 })).json()) as BulkReport;
    expect(rest).toMatchObject({ matched: 1, replayed: 1, alreadyLive: 0, failed: [], more: false });

    await expectDeliveredOnceInOrder([a, b]);
    expect(await d1Status(a)).toEqual(["replayed"]);
    expect(await d1Status(b)).toEqual(["replayed"]);
    // The order not named stays dead and held back.
    expect(await erpRecords(untouched)).toEqual([]);
    expect(await d1Status(untouched)).toEqual(["open"]);

    const again = (await (await bulk({ orderIds: [a, b] })).json()) as BulkReport;
    expect(again).toMatchObject({ matched: 0, replayed: 0, alreadyLive: 0, failed: [], more: false });
    await expectDeliveredOnceInOrder([a, b]);
  });

  it("replays by cause, taking the new cause names as synonyms: expired = exhausted, refused = rejected", async () => {
    const [refused] = (await refusedOrders("BULK-CAUSE-R", 1)) as [string];
    // An order whose command ran out of retries while the ERP was down (what the dead-letter queue records).
    const expired = "BULK-CAUSE-X0";
    await faults({ downForMs: 60_000, scope: expired });
    await progress([expired]);
    await eventually(async () => ((await orderStub(env, expired).inspect()).commands.length === 2 ? true : undefined));
    expect(await orderStub(env, expired).exhaustErp(1, "retries exhausted")).toBe(true);
    expect((await openDeadLetters([expired]))[0]?.cause).toBe("exhausted");
    await faults({});

    const byExpired = (await (await bulk({ reason: "expired", orderIds: [refused, expired] })).json()) as BulkReport;
    expect(byExpired).toMatchObject({ matched: 1, replayed: 1, failed: [], more: false });
    await expectDeliveredOnceInOrder([expired]);
    expect(await d1Status(refused)).toEqual(["open"]);

    const byRefused = (await (await bulk({ destination: "erp", reason: "refused", orderIds: [refused, expired] })).json()) as BulkReport;
    expect(byRefused).toMatchObject({ matched: 1, replayed: 1, failed: [], more: false });
    await expectDeliveredOnceInOrder([refused, expired]);
  });

  it("does not count twice a dead command its order already revived: the order decides, and D1 is brought in line", async () => {
    const [orderId] = (await refusedOrders("BULK-RACE-", 1)) as [string];
    await faults({});
    // Revived on the order (a one-by-one replay that had not reached D1 yet): D1 still lists it open.
    expect(await orderStub(env, orderId).reviveErp(1)).toBe(true);
    const r = (await (await bulk({ orderIds: [orderId] })).json()) as BulkReport;
    expect(r).toMatchObject({ matched: 1, replayed: 0, alreadyLive: 1, failed: [] });
    await expectDeliveredOnceInOrder([orderId]);
    expect(await d1Status(orderId)).toEqual(["replayed"]);
  });

  it("answers matched 0 for a filter that matches nothing", async () => {
    const r = await bulk({ orderIds: ["BULK-NONE-0"], reason: "rejected" });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      matched: 0,
      replayed: 0,
      alreadyLive: 0,
      failed: [],
      more: false,
      filter: { destination: "erp", reason: "rejected", orderIds: ["BULK-NONE-0"] },
    });
  });

  it("refuses an empty filter without all: true, and a bad body, with a 422 problem that changes nothing; then all: true replays every open dead letter", async () => {
    const ids = await refusedOrders("BULK-ALL-", 2);
    await faults({});
    for (const body of [
      {},
      { all: false },
      { orderIds: [] },
      { destination: "shipbob" },
      { reason: "bogus" },
      { orderIds: Array.from({ length: 501 }, (_, i) => `BULK-ALL-${i}`) },
      { limit: 0 },
      { all: true, extra: 1 },
    ]) {
      const res = await bulk(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(422);
      expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
    }
    const empty = (await (await bulk({})).json()) as { errors: { message: string }[] };
    expect(empty.errors[0]?.message).toContain('"all": true');
    const other = (await (await bulk({ destination: "shipbob" })).json()) as { errors: { path: string; message: string }[] };
    expect(other.errors[0]?.path).toBe("destination");
    // Nothing changed.
    for (const orderId of ids) {
      expect(await d1Status(orderId)).toEqual(["open"]);
      expect(await erpRecords(orderId)).toEqual([]);
    }

    const all = (await (await bulk({ all: true })).json()) as BulkReport;
    expect(all.replayed).toBeGreaterThanOrEqual(ids.length);
    expect(all).toMatchObject({ failed: [], more: false });
    await expectDeliveredOnceInOrder(ids);
    const again = (await (await bulk({ all: true })).json()) as BulkReport;
    expect(again).toMatchObject({ matched: 0, replayed: 0, alreadyLive: 0, failed: [], more: false });
  });

  it("logs every bulk replay with its filter, counts, correlation id and who asked", async () => {
    const spy = vi.spyOn(console, "log");
    try {
      const res = await ops("/ops/dead-letters/replay", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Correlation-Id": "corr-bulk-log-0001" },
        body: JSON.stringify({ reason: "expired", orderIds: ["BULK-LOG-0"] }),
      });
      expect(res.status).toBe(200);
      const lines = spy.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"bulk dead-letter replay"'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        level: "info",
        identity: "ops-token",
        correlationId: res.headers.get("X-Correlation-Id"),
        filter: { destination: "erp", reason: "expired", orderIds: 1, all: false, limit: 500 },
        matched: 0,
        replayed: 0,
        alreadyLive: 0,
        failed: 0,
        more: false,
      });
    } finally {
      spy.mockRestore();
    }
  });

  it("refuses a caller without ops credentials", async () => {
    const res = await call("/ops/dead-letters/replay", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ all: true }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
  });
});

describe("the console's bulk replay", () => {
  const ORIGIN = CONSOLE_ORIGIN;
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

  async function signIn(): Promise<string> {
    return ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  }

  it("offers the checked orders for replay, asks for a confirmation showing what matches, then replays and says what happened", async () => {
    const [picked, left] = (await refusedOrders("BULK-CONSOLE-", 2)) as [string, string];
    await faults({});
    const cookie = await signIn();
    const overview = await (await call("/ops", { headers: { Cookie: cookie } })).text();
    expect(overview).toContain('action="/ops/console/dead-letters/replay"');
    expect(overview).toContain(`name="orderIds" value="${picked}"`);
    const csrf = csrfOf(overview);
    const post = (body: URLSearchParams, origin = ORIGIN) =>
      call("/ops/console/dead-letters/replay", {
        method: "POST",
        headers: { Cookie: cookie, Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
        redirect: "manual",
      });

    // Without the CSRF token: refused.
    expect((await post(new URLSearchParams({ orderIds: picked }))).status).toBe(403);
    // The first press only shows what would be replayed.
    const review = await post(new URLSearchParams({ csrf, reason: "rejected", orderIds: picked }));
    expect(review.status).toBe(200);
    const page = await review.text();
    expect(page).toContain('data-testid="bulk-confirm"');
    expect(page).toMatch(/1 open dead letter/);
    expect(page).toContain(`value="${picked}"`);
    expect(await erpRecords(picked)).toEqual([]);

    const done = await post(new URLSearchParams({ csrf, reason: "rejected", orderIds: picked, confirm: "yes" }));
    expect(done.status).toBe(303);
    expect(decodeURIComponent(done.headers.get("Location") ?? "")).toMatch(/^\/ops\?msg=Bulk replay: 1 replayed of 1 matched/);
    await expectDeliveredOnceInOrder([picked]);
    expect(await erpRecords(left)).toEqual([]);
    expect(await d1Status(left)).toEqual(["open"]);
  });
});
