// Subscriptions on the delivery engine (DESIGN §3.8, §3.10): a dead subscriber delays nobody else, one that
// has failed for days is disabled with a notice to ops, secrets rotate with a grace period, ops hear of dead
// letters and quarantined payloads, the delivery log is purged after its retention, limits hold.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import { purgeSubscriptionLog } from "../../src/subscriptions/store";
import { call, EDI_SHIP_TO, erpRecordsEventually, eventually, issueKey, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const SINK = "https://hooks.test";
const HOUR = 3_600_000;

interface Received {
  status: number;
  verified: boolean | null;
  webhookId: string | null;
  headers: Record<string, string>;
  rawBody: string;
  body: { type: string; data: Record<string, unknown> };
}
const inbox = async (name: string) => ((await (await fetch(`${SINK}/admin/inboxes/${name}`)).json()) as { requests: Received[] }).requests;
const sinkAdmin = (path: string, body: object) =>
  fetch(`${SINK}/admin/inboxes/${path}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

const asKey = (key: string, path: string, init: RequestInit = {}) =>
  call(path, { ...init, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...(init.headers ?? {}) } });

async function create(key: string, path: string, body: object): Promise<{ id: string; secret: string }> {
  const res = await asKey(key, path, { method: "POST", body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

afterEach(async () => {
  vi.useRealTimers();
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
});

describe("isolation between subscribers", () => {
  it("a dead subscriber delays neither another subscriber's events nor the order's ERP facts", async () => {
    const key = await issueKey("CUST-ENG-1");
    await create(key, "/v1/subscriptions", { url: `${SINK}/hooks/eng-dead`, events: ["order.status_changed"] });
    await create(key, "/v1/subscriptions", { url: `${SINK}/hooks/eng-alive`, events: ["order.status_changed"] });
    expect((await sinkAdmin("eng-dead/faults", { down: true })).status).toBe(200);
    const orderId = "SO-ENG-1";
    expect((await releaseOrder(orderId, "CUST-ENG-1")).status).toBe(202);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZENG1" }));
    const alive = await eventually(
      async () => {
        const r = await inbox("eng-alive");
        return r.length >= 2 ? r : undefined;
      },
      20_000,
      "the live subscriber's events",
    );
    expect(alive.map((r) => r.body.data.status)).toEqual(["released", "shipped"]);
    expect((await erpRecordsEventually(orderId, 1))[0]).toMatchObject({ seq: 1, kind: "shipment-confirmations" });
    // The dead one was tried (and keeps being retried), in order: only its first event so far.
    const dead = await inbox("eng-dead");
    expect(dead.length).toBeGreaterThan(0);
    expect(new Set(dead.map((r) => r.body.data.status))).toEqual(new Set(["released"]));
  });
});

describe("a subscriber that fails for days", () => {
  it("is disabled after SUBSCRIPTION_DISABLE_AFTER_HOURS, and ops are told", async () => {
    const key = await issueKey("CUST-ENG-2");
    const sub = await create(key, "/v1/subscriptions", { url: `${SINK}/hooks/eng-gone`, events: ["order.status_changed"] });
    await create(SECRETS.ops, "/ops/subscriptions", { url: `${SINK}/hooks/eng-ops-notices`, events: ["ops.subscription_disabled"] });
    expect((await sinkAdmin("eng-gone/faults", { down: true })).status).toBe(200);
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    const t0 = Date.now();
    const orderId = "SO-ENG-2";
    expect((await releaseOrder(orderId, "CUST-ENG-2")).status).toBe(202);
    await eventually(async () => ((await inbox("eng-gone")).length > 0 ? true : undefined), 20_000, "a first failed attempt");
    const failing = await eventually(
      async () => {
        const s = (await (await asKey(key, `/v1/subscriptions/${sub.id}`)).json()) as { failingSince: string | null; status: string };
        return s.failingSince ? s : undefined;
      },
      10_000,
      "the failing run to start",
    );
    expect(failing.status).toBe("active");
    // Three days and an hour later the order's alarm retries: the run has lasted past 72 h.
    vi.setSystemTime(t0 + 73 * HOUR);
    await runDurableObjectAlarm(env.ORDERS.getByName(orderId));
    await runDurableObjectAlarm(env.DESTINATIONS.getByName(`subscription:${sub.id}`));
    const disabled = await eventually(
      async () => {
        const s = (await (await asKey(key, `/v1/subscriptions/${sub.id}`)).json()) as { status: string; disabledReason: string | null };
        return s.status === "disabled" ? s : undefined;
      },
      20_000,
      "the subscription to be disabled",
    );
    expect(disabled.disabledReason).toMatch(/kept failing/);
    const notice = await eventually(
      async () => (await inbox("eng-ops-notices")).find((r) => r.body.type === "ops.subscription_disabled"),
      20_000,
      "ops' notice",
    );
    expect(notice.body.data).toMatchObject({ subscriptionId: sub.id, customerId: "CUST-ENG-2", url: "https://hooks.test" });
    // Re-enabled, it hears of new changes again.
    vi.useRealTimers();
    await fetch(`${SINK}/admin/inboxes/eng-gone/faults`, { method: "DELETE" });
    expect((await asKey(key, `/v1/subscriptions/${sub.id}/enable`, { method: "POST" })).status).toBe(200);
    expect((await asKey(key, `/v1/subscriptions/${sub.id}`).then((r) => r.json())) as { status: string }).toMatchObject({ status: "active" });
  });
});

describe("secret rotation", () => {
  it("signs with the new and the previous secret during the grace period", async () => {
    const key = await issueKey("CUST-ENG-3");
    const sub = await create(key, "/v1/subscriptions", { url: `${SINK}/hooks/eng-rotate`, events: ["order.status_changed"] });
    const rotated = await asKey(key, `/v1/subscriptions/${sub.id}/rotate-secret`, { method: "POST" });
    expect(rotated.status).toBe(200);
    const { secret, previousSecretExpiresAt } = (await rotated.json()) as { secret: string; previousSecretExpiresAt: string };
    expect(secret).not.toBe(sub.secret);
    expect(Date.parse(previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * HOUR);
    expect((await releaseOrder("SO-ENG-3", "CUST-ENG-3")).status).toBe(202);
    const [got] = await eventually(
      async () => {
        const r = await inbox("eng-rotate");
        return r.length > 0 ? r : undefined;
      },
      20_000,
      "the delivery",
    );
    expect(got?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const s of [secret, sub.secret]) expect(() => new Webhook(s).verify(got?.rawBody ?? "", got?.headers ?? {})).not.toThrow();
    // The list never shows a secret.
    expect(JSON.stringify(await (await asKey(key, "/v1/subscriptions")).json())).not.toContain("whsec_");
  });
});

describe("ops alerts", () => {
  it("tells ops subscriptions of a dead letter and of a quarantined payload", async () => {
    await create(SECRETS.ops, "/ops/subscriptions", { url: `${SINK}/hooks/eng-ops`, events: ["ops.dead_letter", "ops.quarantined"] });
    await fetch("http://erp.test/admin/faults", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ permanentFor: ["SO-ENG-DL"], scope: "SO-ENG-DL" }),
    });
    expect((await releaseOrder("SO-ENG-DL", "CUST-ENG-4")).status).toBe(202);
    await sendAcme(
      milestone({ orderId: "SO-ENG-DL", code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZENGDL" }),
    );
    const dead = await eventually(async () => (await inbox("eng-ops")).find((r) => r.body.type === "ops.dead_letter"), 20_000, "the dead-letter alert");
    expect(dead.body.data).toMatchObject({ orderId: "SO-ENG-DL", destination: "erp", seq: 1, status: 422 });
    // An order routed to the EDI warehouse, reported on by acme-3pl: quarantined as not assigned.
    expect((await releaseOrder("SO-ENG-Q", "CUST-ENG-4", EDI_SHIP_TO)).status).toBe(202);
    await sendAcme(milestone({ orderId: "SO-ENG-Q", code: "fulfillment.picked", occurredAt: "2026-11-20T12:00:00Z" }));
    const q = await eventually(async () => (await inbox("eng-ops")).find((r) => r.body.type === "ops.quarantined"), 20_000, "the quarantine alert");
    expect(q.body.data).toMatchObject({ partner: "acme-3pl", orderId: "SO-ENG-Q", quarantineId: expect.stringMatching(/^q_/) });
    expect(String(q.body.data.reason)).toMatch(/not assigned/);
  });
});

describe("a burst of quarantined payloads", () => {
  it("alerts once per partner a minute, and closes the window with one alert for the rest", async () => {
    await create(SECRETS.ops, "/ops/subscriptions", { url: `${SINK}/hooks/eng-q-burst`, events: ["ops.quarantined"] });
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    // Past any window an earlier test opened for the partner.
    const t0 = Date.now() + 5 * 60_000;
    vi.setSystemTime(t0);
    const orders = ["SO-ENG-QB1", "SO-ENG-QB2", "SO-ENG-QB3"];
    for (const orderId of orders) {
      expect((await releaseOrder(orderId, "CUST-ENG-9", EDI_SHIP_TO)).status).toBe(202);
      const res = await sendAcme(milestone({ orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T12:00:00Z" }));
      expect(((await res.json()) as { results: { outcome: string }[] }).results[0]?.outcome).toBe("quarantined");
    }
    const first = await eventually(
      async () => {
        const r = await inbox("eng-q-burst");
        return r.length > 0 ? r : undefined;
      },
      20_000,
      "the first alert",
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inbox("eng-q-burst")).toHaveLength(1);
    expect(first[0]?.body.data).toMatchObject({ orderId: "SO-ENG-QB1", alsoQuarantinedSinceLastAlert: 0 });
    // The window ends: the feed's alarm alerts the two it counted, once.
    vi.setSystemTime(t0 + 61_000);
    const feed = env.ORDERS.getByName("~ops-feed");
    expect(await runDurableObjectAlarm(feed)).toBe(true);
    const both = await eventually(
      async () => {
        const r = await inbox("eng-q-burst");
        return r.length >= 2 ? r : undefined;
      },
      20_000,
      "the closing alert",
    );
    expect(both[1]?.body.data).toMatchObject({ orderId: "SO-ENG-QB3", alsoQuarantinedSinceLastAlert: 1 });
    await runDurableObjectAlarm(feed);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inbox("eng-q-burst")).toHaveLength(2);
  });
});

describe("limits and housekeeping", () => {
  it("refuses a 26th subscription per customer with 409, and keeps the other customers' count apart", async () => {
    const key = await issueKey("CUST-ENG-5");
    for (let i = 0; i < 25; i++) await create(key, "/v1/subscriptions", { url: `${SINK}/hooks/eng-many-${i}`, events: ["order.updated"] });
    const over = await asKey(key, "/v1/subscriptions", {
      method: "POST",
      body: JSON.stringify({ url: `${SINK}/hooks/eng-many-x`, events: ["order.updated"] }),
    });
    expect(over.status).toBe(409);
    expect(over.headers.get("Content-Type")).toBe("application/problem+json");
    const other = await issueKey("CUST-ENG-6");
    await create(other, "/v1/subscriptions", { url: `${SINK}/hooks/eng-other`, events: ["order.updated"] });
  });

  it("sends a test event on demand and logs it", async () => {
    const key = await issueKey("CUST-ENG-7");
    const sub = await create(key, "/v1/subscriptions", { url: `${SINK}/hooks/eng-test`, events: ["order.updated"] });
    await sinkAdmin("eng-test", { secrets: [sub.secret] });
    const res = await asKey(key, `/v1/subscriptions/${sub.id}/test`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ delivered: true, status: 200 });
    const [got] = await inbox("eng-test");
    expect(got).toMatchObject({ verified: true, body: { type: "webhook.test" } });
    const log = (await (await asKey(key, `/v1/subscriptions/${sub.id}/deliveries`)).json()) as { items: { eventType: string; status: string }[] };
    expect(log.items).toEqual([expect.objectContaining({ eventType: "webhook.test", status: "delivered" })]);
  });

  it("pages the delivery log without losing one change's events (they share their time), within D1's parameter limit", async () => {
    const key = await issueKey("CUST-ENG-8");
    const sub = await create(key, "/v1/subscriptions", { url: `${SINK}/hooks/eng-pages`, events: ["order.status_changed", "order.updated"] });
    expect((await releaseOrder("SO-ENG-8", "CUST-ENG-8")).status).toBe(202);
    await eventually(async () => ((await inbox("eng-pages")).length >= 2 ? true : undefined), 20_000, "both events");
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await asKey(key, `/v1/subscriptions/${sub.id}/deliveries?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      const page = (await res.json()) as { items: { id: string; createdAt: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(2);
    expect((await asKey(key, `/v1/subscriptions/${sub.id}/deliveries?limit=51`)).status).toBe(422);
    expect((await asKey(key, `/v1/subscriptions/${sub.id}/deliveries?limit=50`)).status).toBe(200);
    expect((await asKey(key, `/v1/subscriptions/${sub.id}/deliveries?cursor=garbage`)).status).toBe(400);
  });

  it("purges delivery logs past their retention, and keeps the rest", async () => {
    const now = Date.parse("2026-12-01T00:00:00Z");
    const old = "2026-10-01T00:00:00Z";
    const recent = "2026-11-30T00:00:00Z";
    await env.DB.batch(
      [
        ["old", old],
        ["new", recent],
      ].flatMap(([id, at]) => [
        env.DB.prepare(
          "INSERT INTO subscription_deliveries (subscription_id, id, event_type, status, attempts, body, created_at, updated_at) VALUES ('sub_purge', ?, 'order.updated', 'delivered', 1, '{}', ?, ?)",
        ).bind(id, at, at),
        env.DB.prepare(
          "INSERT INTO subscription_attempts (subscription_id, delivery_id, at, status, latency_ms, outcome) VALUES ('sub_purge', ?, ?, 200, 5, 'delivered')",
        ).bind(id, at),
      ]),
    );
    await purgeSubscriptionLog(env, now);
    const left = await env.DB.prepare("SELECT id FROM subscription_deliveries WHERE subscription_id = 'sub_purge'").all<{ id: string }>();
    const attempts = await env.DB.prepare("SELECT delivery_id FROM subscription_attempts WHERE subscription_id = 'sub_purge'").all<{ delivery_id: string }>();
    expect(left.results.map((r) => r.id)).toEqual(["new"]);
    expect(attempts.results.map((r) => r.delivery_id)).toEqual(["new"]);
  });
});
