// The ops console: sign-in, session cookie, CSRF protection on every action, and the pages ops need.
import { describe, expect, it } from "vitest";
import { CONSOLE_ORIGIN, call, consoleLogin, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const ORIGIN = CONSOLE_ORIGIN;

async function signIn(): Promise<string> {
  const res = await consoleLogin();
  expect(res.status).toBe(303);
  const cookie = res.headers.get("Set-Cookie") ?? "";
  expect(cookie).toMatch(/^dockline_ops=\d+\.[\w-]+;/);
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).not.toContain(SECRETS.ops);
  return cookie.split(";")[0] ?? "";
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("the ops console", () => {
  it("sends a signed-out browser to the sign-in page, and refuses a wrong token", async () => {
    const res = await call("/ops", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/ops/login");
    const wrong = await call("/ops/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN },
      body: "token=nope",
      redirect: "manual",
    });
    expect(wrong.headers.get("Location")).toBe("/ops/login?failed=1");
    expect(wrong.headers.get("Set-Cookie")).toBeNull();
  });

  it("shows health, partners, stuck orders, dead letters and quarantine to a signed-in user", async () => {
    await releaseOrder("SO-CONSOLE-1");
    const cookie = await signIn();
    const res = await call("/ops", { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Content-Security-Policy")).toMatch(/form-action 'self'/);
    const html = await res.text();
    for (const part of [
      'data-testid="health"',
      "Partners, last 15 minutes",
      'data-testid="stuck"',
      'data-testid="dead-letters"',
      'data-testid="quarantine"',
      "Reconcile now",
    ]) {
      expect(html).toContain(part);
    }
    expect(html).toContain("acme-3pl");
  });

  it("also admits the ops bearer token (scripts) without a cookie", async () => {
    expect((await call("/ops", { headers: { Authorization: `Bearer ${SECRETS.ops}` } })).status).toBe(200);
  });

  it("opens an order's full log from the search", async () => {
    const orderId = "SO-CONSOLE-2";
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1" }));
    const cookie = await signIn();
    const html = await eventually(async () => {
      const t = await (await call(`/ops/console/orders?orderId=${orderId}`, { headers: { Cookie: cookie } })).text();
      return t.includes("shipment.dispatched") ? t : undefined;
    });
    expect(html).toContain(`Order ${orderId}: Shipped`);
    expect(html).toContain("Shipment confirmation");
  });

  it("refuses an action without the CSRF token, or from another origin, and performs it with both", async () => {
    const cookie = await signIn();
    const csrf = csrfOf(await (await call("/ops", { headers: { Cookie: cookie } })).text());
    expect(csrf).not.toBe("");
    const post = (body: string, origin = ORIGIN) =>
      call("/ops/console/reconcile", {
        method: "POST",
        headers: { Cookie: cookie, Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
        body,
        redirect: "manual",
      });
    expect((await post("")).status).toBe(403);
    expect((await post("csrf=forged")).status).toBe(403);
    expect((await post(`csrf=${csrf}`, "https://evil.example")).status).toBe(403);
    const ok = await post(`csrf=${csrf}`);
    expect(ok.status).toBe(303);
    expect(decodeURIComponent(ok.headers.get("Location") ?? "")).toMatch(/^\/ops\?msg=Reconciled \d+ orders/);
  });

  it("ties the CSRF token to the session: another session's token is refused", async () => {
    const a = await signIn();
    await new Promise((r) => setTimeout(r, 5)); // a different expiry, so a different session
    const b = await signIn();
    const csrfA = csrfOf(await (await call("/ops", { headers: { Cookie: a } })).text());
    const res = await call("/ops/console/reconcile", {
      method: "POST",
      headers: { Cookie: b, Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
      body: `csrf=${csrfA}`,
      redirect: "manual",
    });
    expect(res.status).toBe(403);
  });
});
