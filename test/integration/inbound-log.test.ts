// The inbound request log and the console's events view: every request to a known partner is recorded
// with its outcome, redacted headers and exact bytes, found by the ids in it, paged, purged, and shown.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import multistop from "../../src/partners/x12/fixtures/multistop-214.edi?raw";
import { fromBase64 } from "../../src/platform/crypto";
import { getInbound, type InboundRecord, type InboundRow, listInbound, purgeInboundLog, recordInbound } from "../../src/readmodel/inbound-log";
import { call, consoleLogin, EDI_SHIP_TO, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

const ROTATED_OUT = "whsec_b2xkIHNlY3JldCB0aGF0IHdhcyByb3RhdGVkIG91dA==";
let n = 0;
/** A correlation id of our own per request: the log is searched by it. */
const corr = (what: string) => `il-${what}-${Date.now()}-${++n}`;

/** Waits for the request with this correlation id to be logged (it is written after the answer). */
async function logged(correlationId: string): Promise<InboundRow> {
  return eventually(
    async () => {
      const { items } = await listInbound(env.DB, { q: correlationId });
      return items[0] ? ((await getInbound(env.DB, items[0].id)) ?? undefined) : undefined;
    },
    10_000,
    `the log of ${correlationId}`,
  );
}

const bodyOf = (row: InboundRow) => (row.body === null ? null : fromBase64(row.body));

async function cookie(): Promise<string> {
  return ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
}

describe("the inbound request log", () => {
  it("records an accepted request: outcome, status, orders, redacted headers, the exact bytes, and its ids for search", async () => {
    await releaseOrder("SO-IL-ACC");
    const c = corr("acc");
    const raw = JSON.stringify(
      milestone({
        orderId: "SO-IL-ACC",
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T10:00:00Z",
        shipmentId: "SHP-IL-1",
        trackingNumber: "1ZILACC0001",
      }),
    );
    const res = await sendAcme(raw, {
      headers: {
        "X-Correlation-Id": c,
        Authorization: "Bearer leaked-credential",
        Cookie: "s=leaked-cookie",
        "X-Api-Key": "leaked-key",
        "X-Auth-Token": "leaked-token",
      },
    });
    expect(res.status).toBe(202);
    const row = await logged(c);
    expect(row).toMatchObject({
      partnerId: "acme-3pl",
      outcome: "accepted",
      httpStatus: 202,
      correlationId: c,
      orderIds: "SO-IL-ACC",
      contentType: "application/json",
    });
    expect(new TextDecoder().decode(bodyOf(row) ?? new Uint8Array())).toBe(raw);
    expect(row.bodyBytes).toBe(new TextEncoder().encode(raw).byteLength);
    expect(row.headers).toMatchObject({ authorization: "[redacted]", cookie: "[redacted]", "x-api-key": "[redacted]", "x-auth-token": "[redacted]" });
    expect(row.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.stringify(row.headers)).not.toMatch(/leaked/);
    expect(row.search.split(" ")).toEqual(expect.arrayContaining(["so-il-acc", "1zilacc0001", "shp-il-1", c.toLowerCase()]));
    expect(row.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("records a quarantined request with its quarantine id and the order it named", async () => {
    // The default routes send an order to Germany to edi: acme-3pl reporting on it is "not assigned".
    await releaseOrder("SO-IL-QUA", "CUST-1", EDI_SHIP_TO);
    const c = corr("qua");
    const res = await sendAcme(
      milestone({ orderId: "SO-IL-QUA", code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", trackingNumber: "1ZILQUA0001" }),
      {
        headers: { "X-Correlation-Id": c },
      },
    );
    expect(res.status).toBe(202);
    const row = await logged(c);
    expect(row).toMatchObject({ outcome: "quarantined", httpStatus: 202 });
    expect(row.quarantineId).toMatch(/^q_/);
    expect(row.reason).toContain("not assigned: order SO-IL-QUA is not assigned to acme-3pl");
    expect(row.search).toContain("1zilqua0001");
  });

  it("records a bad signature as rejected with the problem's detail, the body kept, and nothing of the unsigned body searchable", async () => {
    const c = corr("sig");
    const raw = JSON.stringify(milestone({ orderId: "SO-IL-SIG", code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z" }));
    const res = await sendAcme(raw, { secret: ROTATED_OUT, headers: { "X-Correlation-Id": c } });
    expect(res.status).toBe(401);
    const row = await logged(c);
    expect(row).toMatchObject({ outcome: "rejected", httpStatus: 401, reason: "The signature does not match.", orderIds: null });
    expect(new TextDecoder().decode(bodyOf(row) ?? new Uint8Array())).toBe(raw);
    expect(row.search).toBe(c.toLowerCase());
    expect((await listInbound(env.DB, { q: "SO-IL-SIG" })).items).toEqual([]);
  });

  it("records a malformed and a non-canonical payload as rejected; the ids in the JSON one are searchable", async () => {
    const bad = corr("400");
    expect((await sendAcme("{not json", { headers: { "X-Correlation-Id": bad } })).status).toBe(400);
    expect(await logged(bad)).toMatchObject({ outcome: "rejected", httpStatus: 400 });
    expect((await logged(bad)).reason).toBeTruthy();

    const wrong = corr("422");
    const res = await sendAcme(
      milestone({ orderId: "SO-IL-422", code: "shipment.teleported", occurredAt: "2026-11-20T10:00:00Z", trackingNumber: "1ZIL4220001" }),
      {
        headers: { "X-Correlation-Id": wrong },
      },
    );
    expect(res.status).toBe(422);
    const row = await logged(wrong);
    expect(row).toMatchObject({ outcome: "rejected", httpStatus: 422 });
    expect(row.reason).toBe(((await res.json()) as { detail: string }).detail);
    // Found by the tracking number and the order id in it, and by nothing that only another request has.
    expect((await listInbound(env.DB, { q: "1zil4220001" })).items.map((r) => r.correlationId)).toEqual([wrong]);
    expect((await listInbound(env.DB, { q: "so-il-422" })).items.map((r) => r.correlationId)).toEqual([wrong]);
    expect(row.search).not.toContain("2026-11-20");
  });

  it("records a body of nearly 1 MB byte for byte", async () => {
    const c = corr("big");
    // Multi-byte characters in it: the bytes are what must survive, not a decoded string.
    const pad = "é✓ 0123456789".repeat(65_000);
    const raw = JSON.stringify(milestone({ orderId: "SO-IL-BIG", code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", note: pad }));
    const sent = new TextEncoder().encode(raw);
    expect(sent.byteLength).toBeGreaterThan(1_000_000);
    expect(sent.byteLength).toBeLessThanOrEqual(1024 * 1024);
    const res = await sendAcme(raw, { headers: { "X-Correlation-Id": c } });
    expect(res.status).toBeLessThan(413);
    const row = await logged(c);
    expect(row.bodyBytes).toBe(sent.byteLength);
    expect(bodyOf(row)).toEqual(sent);
  });

  it("records a body over the limit without reading it: 413, body null, the announced size", async () => {
    const c = corr("413");
    const raw = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
    expect((await sendAcme(raw, { headers: { "X-Correlation-Id": c } })).status).toBe(413);
    const row = await logged(c);
    expect(row).toMatchObject({ outcome: "rejected", httpStatus: 413, body: null, bodyBytes: raw.length });
  });

  it("records a refused content type without reading the body (415)", async () => {
    const c = corr("415");
    expect((await sendAcme("{}", { contentType: "text/plain", headers: { "X-Correlation-Id": c } })).status).toBe(415);
    const row = await logged(c);
    expect(row).toMatchObject({ outcome: "rejected", httpStatus: 415, body: null, contentType: "text/plain" });
    expect(row.reason).toContain("application/json");
  });

  it("records a 503 for a partner whose secret is missing on our side, its X12 text kept and its bearer token redacted", async () => {
    const c = corr("503");
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://dockline.test/v1/webhooks/edi", {
        method: "POST",
        headers: { "Content-Type": "application/edi-x12", Authorization: "Bearer gateway-token-value", "X-Correlation-Id": c },
        body: multistop,
      }),
      { ...env, PARTNER_SECRET_EDI: undefined } as unknown as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    const row = await logged(c);
    expect(row).toMatchObject({ partnerId: "edi", outcome: "rejected", httpStatus: 503, reason: "Webhooks cannot be accepted right now. Retry later." });
    expect(row.headers.authorization).toBe("[redacted]");
    expect(new TextDecoder().decode(bodyOf(row) ?? new Uint8Array())).toBe(multistop);
    // Before the signature check: nothing of the body is searchable.
    expect(row.search).toBe(c.toLowerCase());
    const page = await (await call(`/ops/console/events/${row.id}`, { headers: { Cookie: await cookie() } })).text();
    expect(page).toContain("ISA*00*");
    expect(page).not.toContain("gateway-token-value");
  });

  it("does not record a request to an unknown partner", async () => {
    const c = corr("404");
    expect(
      (await call("/v1/webhooks/nobody", { method: "POST", headers: { "Content-Type": "application/json", "X-Correlation-Id": c }, body: "{}" })).status,
    ).toBe(404);
    const after = corr("after-404");
    await sendAcme("{not json", { headers: { "X-Correlation-Id": after } });
    await logged(after);
    expect((await listInbound(env.DB, { q: c })).items).toEqual([]);
    expect((await listInbound(env.DB, { partnerId: "nobody" })).items).toEqual([]);
  });
});

/** A row written directly, for paging and purging. */
const entry = (partnerId: string, receivedAt: string, extra: Partial<InboundRecord> = {}): InboundRecord => ({
  partnerId,
  receivedAt,
  outcome: "accepted",
  httpStatus: 202,
  correlationId: `${partnerId}-${receivedAt}`,
  headers: new Headers({ "content-type": "application/json" }),
  raw: new TextEncoder().encode("{}"),
  declaredBytes: 0,
  orderIds: [],
  terms: [],
  latencyMs: 1,
  ...extra,
});

describe("listing, paging and purging the log", () => {
  it("lists newest first with filters, and pages by id without skipping or repeating", async () => {
    const base = Date.parse("2026-12-01T10:00:00Z");
    for (let i = 0; i < 5; i++)
      await recordInbound(
        env.DB,
        entry("pager-test", new Date(base + i * 60_000).toISOString(), i === 3 ? { outcome: "rejected", httpStatus: 401, terms: ["1ZPAGER"] } : {}),
      );
    const first = await listInbound(env.DB, { partnerId: "pager-test", limit: 2 });
    expect(first.items.map((r) => r.receivedAt)).toEqual(["2026-12-01T10:04:00.000Z", "2026-12-01T10:03:00.000Z"]);
    const second = await listInbound(env.DB, { partnerId: "pager-test", limit: 2, cursor: first.next ?? "" });
    expect(second.items.map((r) => r.receivedAt)).toEqual(["2026-12-01T10:02:00.000Z", "2026-12-01T10:01:00.000Z"]);
    const third = await listInbound(env.DB, { partnerId: "pager-test", limit: 2, cursor: second.next ?? "" });
    expect(third.items.map((r) => r.receivedAt)).toEqual(["2026-12-01T10:00:00.000Z"]);
    expect(third.next).toBeNull();

    expect((await listInbound(env.DB, { partnerId: "pager-test", outcome: "rejected" })).items.map((r) => r.httpStatus)).toEqual([401]);
    const window = await listInbound(env.DB, { partnerId: "pager-test", from: "2026-12-01T10:01:00.000Z", to: "2026-12-01T10:02:00.000Z" });
    expect(window.items).toHaveLength(2);
    // Search is a plain substring, case-insensitive, and a LIKE wildcard is just a character.
    expect((await listInbound(env.DB, { partnerId: "pager-test", q: "zpage" })).items).toHaveLength(1);
    expect((await listInbound(env.DB, { partnerId: "pager-test", q: "%" })).items).toHaveLength(0);
    expect((await listInbound(env.DB, { partnerId: "pager-test", limit: 500 })).items.length).toBeLessThanOrEqual(50);
  });

  it("purges rows older than the retention, in batches, and keeps the newer ones", async () => {
    const now = Date.parse("2026-12-20T12:00:00Z");
    const day = 86_400_000;
    // 150 rows past the cut-off: more than one batch.
    for (let i = 0; i < 150; i++) await recordInbound(env.DB, entry("purge-test", new Date(now - 15 * day - i * 1000).toISOString()));
    await recordInbound(env.DB, entry("purge-test", new Date(now - 14 * day + 60_000).toISOString()));
    await recordInbound(env.DB, entry("purge-test", new Date(now - day).toISOString()));
    const r = await purgeInboundLog({ DB: env.DB, INBOUND_LOG_RETENTION_DAYS: "14" }, now);
    expect(r.before).toBe(new Date(now - 14 * day).toISOString());
    expect(r.deleted).toBeGreaterThanOrEqual(150);
    const left = await listInbound(env.DB, { partnerId: "purge-test" });
    expect(left.items.map((x) => x.receivedAt)).toEqual([new Date(now - day).toISOString(), new Date(now - 14 * day + 60_000).toISOString()]);
    expect((await purgeInboundLog({ DB: env.DB, INBOUND_LOG_RETENTION_DAYS: "14" }, now)).deleted).toBe(0);
  });
});

describe("the console's events view", () => {
  it("sends a signed-out browser to the sign-in page, from the list, a request and its download", async () => {
    for (const path of ["/ops/console/events", "/ops/console/events/x", "/ops/console/events/x/raw"]) {
      const res = await call(path, { redirect: "manual" });
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toBe("/ops/login");
    }
  });

  it("lists and searches requests, shows one with its headers and payload as text, and downloads the exact bytes", async () => {
    await releaseOrder("SO-IL-UI");
    const c = corr("ui");
    const raw = JSON.stringify(
      milestone({
        orderId: "SO-IL-UI",
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T10:00:00Z",
        trackingNumber: "1ZILUI00001",
        location: { city: "<script>alert(1)</script>", country: "US" },
      }),
    );
    expect((await sendAcme(raw, { headers: { "X-Correlation-Id": c, Authorization: "Bearer leaked-credential" } })).status).toBe(202);
    const row = await logged(c);
    const Cookie = await cookie();

    const list = await call("/ops/console/events?q=1ZILUI00001&range=24h", { headers: { Cookie } });
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain(`/ops/console/events/${row.id}`);
    expect(html).toContain('href="/ops/console/orders?orderId=SO-IL-UI"');
    expect(html).toContain("Accepted");
    expect(html.match(/data-testid="inbound-event"/g)).toHaveLength(1);
    const none = await (await call("/ops/console/events?q=no-such-id-anywhere", { headers: { Cookie } })).text();
    expect(none).toContain("No request matches these filters.");

    const detail = await call(`/ops/console/events/${row.id}`, { headers: { Cookie } });
    expect(detail.status).toBe(200);
    const page = await detail.text();
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("&quot;trackingNumber&quot;: &quot;1ZILUI00001&quot;");
    expect(page).toContain("[redacted]");
    expect(page).not.toContain("leaked-credential");
    expect(page).toContain(c);
    expect(page).toContain(`/ops/console/events/${row.id}/raw`);

    const download = await call(`/ops/console/events/${row.id}/raw`, { headers: { Cookie } });
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Type")).toBe("application/json");
    expect(download.headers.get("Content-Disposition")).toMatch(/^attachment; filename="acme-3pl-.+\.json"$/);
    expect(download.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(new TextEncoder().encode(raw));
  });

  it("says why a payload is missing: not read because too large, or purged after the retention", async () => {
    const c = corr("ui-413");
    expect((await sendAcme(JSON.stringify({ pad: "x".repeat(1024 * 1024) }), { headers: { "X-Correlation-Id": c } })).status).toBe(413);
    const row = await logged(c);
    const Cookie = await cookie();
    expect(await (await call(`/ops/console/events/${row.id}`, { headers: { Cookie } })).text()).toContain("Not read: too large");
    expect((await call(`/ops/console/events/${row.id}/raw`, { headers: { Cookie } })).status).toBe(404);

    const old = await recordInbound(env.DB, entry("purge-ui", new Date(Date.now() - 30 * 86_400_000).toISOString()));
    await purgeInboundLog(env, Date.now());
    const gone = await call(`/ops/console/events/${old}`, { headers: { Cookie } });
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain("was purged: requests are kept 14 days");
  });
});
