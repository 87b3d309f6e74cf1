// The delivery log (src/readmodel/delivery-attempts.ts) with the real consumers, D1 and simulators: every
// attempt to the ERP and to a fulfilment partner recorded in order, credentials scrubbed from what a peer
// answered, old rows purged; and the console's order page that shows them to people.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { attemptsFor, type DeliveryAttempt, purgeDeliveryAttempts, recordAttempts } from "../../src/readmodel/delivery-attempts";
import { call, consoleLogin, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

const erpFaults = (f: object) =>
  fetch("http://erp.test/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });
const plFaults = (f: object) =>
  fetch("http://3pl.test/admin/faults", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(f) });

afterEach(async () => {
  vi.restoreAllMocks();
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
  await fetch("http://3pl.test/admin/faults", { method: "DELETE" });
});

const dispatch = (orderId: string, extra: Record<string, unknown> = {}) =>
  sendAcme(
    milestone({
      orderId,
      code: "shipment.dispatched",
      occurredAt: "2026-11-20T10:00:00Z",
      shipmentId: "S1",
      trackingNumber: `T-${orderId}`,
      carrier: "ups",
      ...extra,
    }),
  );

/** The attempts of one command, once `ready` holds for them. */
function attemptsOf(orderId: string, destination: string, seq: number, ready: (a: DeliveryAttempt[]) => boolean, what: string): Promise<DeliveryAttempt[]> {
  return eventually(
    async () => {
      const group = (await attemptsFor(env.DB, orderId)).find((g) => g.destination === destination && g.seq === seq);
      return group && ready(group.attempts) ? group.attempts : undefined;
    },
    30_000,
    what,
  );
}

async function orderPage(orderId: string): Promise<Response> {
  const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  return call(`/ops/console/orders?orderId=${encodeURIComponent(orderId)}`, { headers: { Cookie: cookie } });
}

/** The `<details>` with this test id, as HTML. */
function detailsOf(html: string, testid: string): string {
  const start = html.indexOf(`<details data-testid="${testid}"`);
  expect(start, `details ${testid}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</table>", start));
}

/** What a reader sees without opening anything: no folded <details>, no script or style, no attributes. */
function visibleText(html: string): string {
  let out = html.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, "");
  // Innermost first, so nested <details> go whole.
  for (let before = ""; before !== out; ) {
    before = out;
    out = out.replace(/<details\b(?:(?!<details\b)[\s\S])*?<\/details>/g, "");
  }
  return out.replace(/<[^>]*>/g, " ");
}

const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe("every attempt to the ERP is recorded", () => {
  it("an ERP that fails, then takes the command: failures then one delivery, in order, with status, latency and the answer", async () => {
    const orderId = "SO-DA-ERP-1";
    expect((await erpFaults({ errorRate: 1, scope: orderId })).status).toBe(200);
    expect((await releaseOrder(orderId)).status).toBe(202);
    expect((await dispatch(orderId)).status).toBe(202);
    await attemptsOf(orderId, "erp", 1, (a) => a.length >= 2, "two failed attempts");
    await fetch("http://erp.test/admin/faults", { method: "DELETE" });
    const attempts = await attemptsOf(orderId, "erp", 1, (a) => a.at(-1)?.outcome === "delivered", "the delivery");

    const failed = attempts.slice(0, -1);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.map((a) => [a.status, a.outcome, a.error])).toEqual(failed.map(() => [503, "failed", "HTTP 503"]));
    for (const a of failed) expect(a.response).toContain('"title":"ERP error"');
    expect(attempts.at(-1)).toMatchObject({ status: 201, outcome: "delivered", error: null, commandKey: expect.any(String) });
    for (const a of attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    expect(attempts.map((a) => a.at)).toEqual(attempts.map((a) => a.at).sort());

    // The page: the command acknowledged, its attempts listed oldest first, the ERP's problem in words.
    const res = await orderPage(orderId);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/data-testid="command-1"[\s\S]*?Acknowledged <time datetime="[^"]+" title="[^"]+">[^<]+<\/time>/);
    const listed = detailsOf(html, "attempts-erp-1");
    expect(listed).toContain(`<summary>${attempts.length} attempts</summary>`);
    const rows = [...listed.matchAll(/<tr data-testid="attempt">[\s\S]*?<\/tr>/g)].map((m) => m[0]);
    expect(rows).toHaveLength(attempts.length);
    expect(rows.map((r) => r.match(/<td>(\d{3})<\/td>/)?.[1])).toEqual(attempts.map((a) => String(a.status)));
    expect(rows[0]).toContain("Failed (will retry)");
    expect(rows[0]).toContain("ERP error: The ERP failed to process the request; retry later.");
    expect(rows.at(-1)).toContain("Delivered");
    expect(rows[0]).toMatch(/<td>\d+ ms<\/td>/);
  });

  it("a refused command is dead, and the page says why in the ERP's words, not its JSON", async () => {
    const orderId = "SO-DA-ERP-DEAD-1";
    expect((await erpFaults({ permanentFor: [orderId], scope: orderId })).status).toBe(200);
    expect((await releaseOrder(orderId)).status).toBe(202);
    expect((await dispatch(orderId)).status).toBe(202);
    const [refused] = await attemptsOf(orderId, "erp", 1, (a) => a.length === 1, "the refusal");
    expect(refused).toMatchObject({ status: 422, outcome: "refused", error: "HTTP 422" });
    expect(refused?.response).toContain("Rejected by ERP");

    const html = await eventually(async () => {
      const t = await (await orderPage(orderId)).text();
      return t.includes("Dead: the ERP refused it") ? t : undefined;
    });
    const row = html.slice(html.indexOf('data-testid="command-1"'), html.indexOf("</tr>", html.indexOf('data-testid="command-1"')));
    expect(row).toContain(`Dead: the ERP refused it (422 Rejected by ERP: The ERP permanently rejects order ${orderId}.)`);
    expect(row.slice(0, row.indexOf("<details"))).not.toContain("&quot;type&quot;");
  });

  it("scrubs the bearer token and OAuth tokens from an answer that echoes them", async () => {
    const orderId = "SO-DA-SCRUB-1";
    // A misbehaving ERP (or a proxy before it) echoes the request's credentials in its error page, once.
    const real = globalThis.fetch;
    let echoed = false;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const headers = new Headers(init?.headers);
      const url = input instanceof Request ? input.url : String(input);
      if (!echoed && url.startsWith("http://erp.test/") && headers.get("Idempotency-Key") === `${orderId}:1`) {
        echoed = true;
        const body = JSON.stringify({
          title: "Upstream failed",
          detail: `request had Authorization: ${headers.get("Authorization")}`,
          debug: { access_token: "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2ln", refresh_token: "rt-1234567890abcdef" },
        });
        return new Response(body, { status: 500, headers: { "Content-Type": "application/problem+json" } });
      }
      return real(input, init);
    });
    expect((await releaseOrder(orderId)).status).toBe(202);
    expect((await dispatch(orderId)).status).toBe(202);
    const attempts = await attemptsOf(orderId, "erp", 1, (a) => a.at(-1)?.outcome === "delivered", "the delivery after the echo");
    const echo = attempts[0];
    expect(echo).toMatchObject({ status: 500, outcome: "failed" });
    expect(echo?.response).toContain("Upstream failed");
    expect(echo?.response).toContain("[redacted]");
    for (const secret of [env.ERP_TOKEN, "eyJhbGciOiJIUzI1NiJ9", "rt-1234567890abcdef"]) {
      expect(JSON.stringify(attempts)).not.toContain(secret);
      expect(await (await orderPage(orderId)).text()).not.toContain(secret);
    }
  });
});

describe("every attempt to a fulfilment partner is recorded", () => {
  it("a 3PL that fails, then takes the request: its attempts in order, and the request on the page with the partner's acknowledgement", async () => {
    const orderId = "SO-DA-FUL-1";
    expect((await plFaults({ errorRate: 1, scope: orderId })).status).toBe(200);
    expect((await releaseOrder(orderId)).status).toBe(202);
    await attemptsOf(orderId, "fulfillment:acme-3pl", 1, (a) => a.length >= 2, "two failed requests");
    await fetch("http://3pl.test/admin/faults", { method: "DELETE" });
    const attempts = await attemptsOf(orderId, "fulfillment:acme-3pl", 1, (a) => a.at(-1)?.outcome === "delivered", "the request delivered");
    const failed = attempts.slice(0, -1);
    expect(failed.map((a) => [a.status, a.outcome])).toEqual(failed.map(() => [503, "failed"]));
    expect(attempts.at(-1)).toMatchObject({ outcome: "delivered", commandKey: expect.stringContaining(`${orderId}:acme-3pl:1`) });
    expect(attempts.at(-1)?.status).toBeGreaterThanOrEqual(200);
    expect(attempts.at(-1)?.status).toBeLessThan(300);
    // No partner secret in what was kept.
    expect(JSON.stringify(attempts)).not.toMatch(/whsec_/);

    expect((await sendAcme(milestone({ orderId, code: "fulfillment.acknowledged", occurredAt: "2026-11-20T09:05:00Z" }))).status).toBe(202);
    const html = await (await orderPage(orderId)).text();
    const section = html.slice(html.indexOf('data-testid="fulfillment-requests"'));
    expect(section).toContain('Acknowledged by the partner <time datetime="2026-11-20T09:05:00.000Z"');
    const rows = [...detailsOf(html, "attempts-fulfillment:acme-3pl-1").matchAll(/<tr data-testid="attempt">[\s\S]*?<\/tr>/g)];
    expect(rows.map((m) => m[0].match(/<td>(\d{3})<\/td>/)?.[1])).toEqual(attempts.map((a) => String(a.status)));
  });
});

describe("the delivery log's retention", () => {
  it("purges attempts older than SUBSCRIPTION_LOG_RETENTION_DAYS and keeps the rest", async () => {
    const orderId = "SO-DA-PURGE-1";
    const now = Date.parse("2026-12-01T00:00:00Z");
    const row = (seq: number, at: string) => ({
      destination: "erp",
      orderId,
      seq,
      commandKey: `k${seq}`,
      at,
      status: 503,
      latencyMs: 12,
      outcome: "failed" as const,
      response: null,
      error: "HTTP 503",
    });
    await recordAttempts(env.DB, [row(1, "2026-10-31T23:59:59.000Z"), row(2, "2026-11-01T00:00:01.000Z"), row(3, "2026-11-30T12:00:00.000Z")]);
    const before = await purgeDeliveryAttempts({ DB: env.DB, SUBSCRIPTION_LOG_RETENTION_DAYS: "30" }, now);
    expect(before).toBe("2026-11-01T00:00:00.000Z");
    expect((await attemptsFor(env.DB, orderId)).map((g) => g.seq)).toEqual([2, 3]);
  });

  it("reads the newest 20 attempts of a command and counts the older ones", async () => {
    const orderId = "SO-DA-BOUND-1";
    const rows = Array.from({ length: 25 }, (_, i) => ({
      destination: "erp",
      orderId,
      seq: 1,
      commandKey: "k1",
      at: new Date(Date.UTC(2026, 10, 20, 10, i)).toISOString(),
      status: 503,
      latencyMs: i,
      outcome: "failed" as const,
      response: null,
      error: "HTTP 503",
    }));
    await recordAttempts(env.DB, rows);
    const [group] = await attemptsFor(env.DB, orderId);
    expect(group?.older).toBe(5);
    expect(group?.attempts.map((a) => a.latencyMs)).toEqual(Array.from({ length: 20 }, (_, i) => i + 5));
  });
});

describe("the order page", () => {
  it("shows times in words (exact UTC only in titles and folded details), escapes partner text, and separates the exception", async () => {
    const orderId = "SO-DA-PAGE-1";
    expect((await releaseOrder(orderId, "CUST-1", { promisedDate: "2026-11-25", serviceLevel: "NEXT_DAY" })).status).toBe(202);
    expect((await dispatch(orderId)).status).toBe(202);
    expect(
      (
        await sendAcme(
          milestone({
            orderId,
            code: "shipment.exception",
            occurredAt: "2026-11-20T12:00:00Z",
            shipmentId: "S1",
            trackingNumber: `T-${orderId}`,
            reason: "address_issue",
            description: '<img src=x onerror="alert(1)"> Door code missing',
          }),
        )
      ).status,
    ).toBe(202);
    // A long problem from the ERP: shortened at a word, in full inside the attempts.
    const detail = `${"The shipment confirmation could not be booked because the warehouse ledger is closed for stocktaking ".repeat(3)}until Monday.`;
    await recordAttempts(env.DB, [
      {
        destination: "erp",
        orderId,
        seq: 1,
        commandKey: "k1",
        at: "2026-11-20T10:01:00.000Z",
        status: 503,
        latencyMs: 40,
        outcome: "failed",
        response: JSON.stringify({ title: "Ledger closed", detail }),
        error: "HTTP 503",
      },
    ]);
    const res = await orderPage(orderId);
    expect(res.status).toBe(200);
    const html = await res.text();
    const shortened = detailsOf(html, "attempts-erp-1").match(/<td>(Ledger closed: [^<]*)/)?.[1] ?? "";
    expect(shortened).toMatch(/^Ledger closed: The shipment confirmation .* [a-z]+…$/);
    expect(`Ledger closed: ${detail}`.startsWith(shortened.slice(0, -1))).toBe(true);
    expect(`Ledger closed: ${detail}`.charAt(shortened.length - 1)).toBe(" ");
    expect(detailsOf(html, "attempts-erp-1")).toContain("until Monday.");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x");
    expect(html).toContain(`Order ${orderId}: Shipped`);
    expect(html).toContain("NEXT_DAY");
    expect(html).toContain("25 Nov 2026");
    expect(html).toContain("Memphis, US");
    expect(listOf(html, "exceptions-customer")).toContain("Shipment exception (address issue) on parcel S1");
    expect(html).toContain(`action="/ops/console/orders/${orderId}/tracking/revoke"`);
    expect(html).toContain("<summary>Raw state (for engineers)</summary>");
    const visible = visibleText(html);
    expect(visible).toContain("Shipment confirmation");
    expect(visible).not.toMatch(ISO_INSTANT);
  });

  it("answers an unknown order with a 404 in words", async () => {
    const res = await orderPage("SO-DA-NOBODY");
    expect(res.status).toBe(404);
    const text = visibleText(await res.text());
    expect(text).toContain("Order not found");
    expect(text).toContain("No order SO-DA-NOBODY has any events");
  });
});

function listOf(html: string, testid: string): string {
  const start = html.indexOf(`data-testid="${testid}"`);
  expect(start, testid).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</ul>", start));
}
