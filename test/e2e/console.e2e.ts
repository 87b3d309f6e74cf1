// The ops console in a real browser: sign in, see health and the quarantine, open an order's log, run a
// reconcile and an order replay through the CSRF-protected forms. Screenshots kept in test-results/.
import { describe, expect, it } from "vitest";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { eventually, SECRETS } from "./stack";
import { signFor } from "../../src/partners/signers";

const env = useStackAndBrowser();

describe("the ops console in Chromium", () => {
  it("signs in, shows health and quarantine, opens an order and runs repairs", async () => {
    const orderId = "SO-CONSOLE-E2E";
    await env.stack().release({
      orderId,
      customerId: "CUST-OPS",
      lines: [{ sku: "WID-1", quantity: 1 }],
      shipTo: { country: "US" },
      releasedAt: "2026-11-20T09:00:00Z",
    });
    await env.stack().milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZOPS0001" });
    await env.stack().milestone({ orderId, code: "shipment.exception", occurredAt: "2026-11-20T13:00:00Z", shipmentId: "S1", reason: "address_issue" });
    // One authentic payload we cannot map: an AfterShip-style partner sending a tag nobody knows.
    const raw = new TextEncoder().encode(
      JSON.stringify({
        event: "tracking_update",
        event_id: "e2e-1",
        msg: {
          tracking_number: "1ZOPS0001",
          slug: "ups",
          tag: "InTransit",
          checkpoints: [{ tag: "Teleported", subtag: "Teleported_001", checkpoint_time: "2026-11-20T12:00:00+00:00", message: "Beamed up" }],
        },
        ts: 1763629200,
      }),
    );
    const q = await env.stack().fetch("/v1/webhooks/aftership", {
      method: "POST",
      headers: await signFor("aftership", SECRETS.PARTNER_SECRET_AFTERSHIP, raw),
      body: raw,
    });
    expect(((await q.json()) as { results: { outcome: string }[] }).results[0]?.outcome).toBe("quarantined");
    await eventually(async () => {
      const r = await env.stack().fetch("/ops/stuck", { headers: { Authorization: `Bearer ${SECRETS.OPS_TOKEN}` } });
      return ((await r.json()) as { items: { orderId: string }[] }).items.some((i) => i.orderId === orderId) ? true : undefined;
    });

    const context = await env.browser().newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL("/ops", env.stack().url).toString());
    expect(page.url()).toMatch(/\/ops\/login$/);
    await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForURL(/\/ops$/);
    expect(await page.getByTestId("quarantine-count").textContent()).toContain("1");
    expect(await page.getByTestId("stuck").textContent()).toContain(orderId);
    expect(await page.getByTestId("quarantine").textContent()).toContain("aftership");
    await page.screenshot({ path: `${ARTIFACTS}/ops-console.png`, fullPage: true });

    await page.getByTestId("reconcile").click();
    await page.waitForURL(/msg=/);
    expect(await page.getByTestId("flash").textContent()).toMatch(/Reconciled \d+ orders/);

    await page.fill("header input[name=orderId]", orderId);
    await page.click("header button[type=submit]");
    await page.waitForURL(/console\/orders\?orderId=/);
    expect(await page.getByTestId("order-title").textContent()).toContain(`Order ${orderId}`);
    expect(await page.locator("[data-testid=events] tbody tr").count()).toBe(3);
    await page.getByTestId("replay-order").click();
    await page.waitForURL(/msg=/);
    expect(await page.getByTestId("flash").textContent()).toContain(`Replayed ${orderId}`);
    await page.screenshot({ path: `${ARTIFACTS}/ops-console-order.png`, fullPage: true });
    await context.close();
  });
});
