// The console's charts in Chromium: after some partner traffic, the charts page draws every chart with a
// summary; a keyboard user switches the range and the partner; nothing overflows sideways on a phone.
// Screenshots kept in test-results/.
import type { Browser, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { SECRETS } from "./stack";

const env = useStackAndBrowser();

async function signedIn(browser: Browser, options: Parameters<Browser["newContext"]>[0]): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await page.goto(new URL("/ops/login", env.stack().url).toString());
  await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/ops$/);
  return page;
}

describe("the charts page in Chromium", () => {
  it("draws the charts after traffic, switches range and partner by keyboard, and fits a phone", async () => {
    for (let i = 0; i < 4; i++) {
      const orderId = `SO-CHARTS-E2E-${i}`;
      await env
        .stack()
        .release({ orderId, customerId: "CUST-CHARTS", lines: [{ sku: "WID-1", quantity: 1 }], shipTo: { country: "US" }, releasedAt: "2026-11-20T09:00:00Z" });
      const res = await env
        .stack()
        .milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: `1ZCHART${i}` });
      expect(res.status).toBe(202);
    }
    // One refused: a signature made with the wrong secret.
    const bad = await env.stack().fetch("/v1/webhooks/acme-3pl", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(bad.status).toBeGreaterThanOrEqual(400);

    const page = await signedIn(env.browser(), { viewport: { width: 1280, height: 900 } });
    await page.goto(new URL("/ops/console/charts", env.stack().url).toString());
    expect(await page.locator('svg[role="img"]').count()).toBe(7);
    const volume = (await page.getByTestId("chart-volume").locator("svg[role=img]").getAttribute("aria-label")) ?? "";
    expect(volume).toMatch(/^Webhook volume, all partners: \d+ in all \(4 accepted, 1 rejected\)/);
    expect(await page.getByTestId("range-1h").getAttribute("aria-current")).toBe("true");

    // Keyboard: the "Last 6 h" link, then Enter.
    await page.getByTestId("range-6h").focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/range=6h/);
    expect(await page.getByTestId("range-6h").getAttribute("aria-current")).toBe("true");
    expect(await page.getByTestId("range-shown").textContent()).toContain("in steps of 5 min");

    // Keyboard: choose one partner in the select, Tab to its button, Enter.
    await page.locator("select[name=partner]").focus();
    await page.locator("select[name=partner]").selectOption("acme-3pl");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForURL(/partner=acme-3pl/);
    expect(page.url()).toContain("range=6h");
    expect(await page.getByTestId("chart-volume").locator("svg[role=img]").getAttribute("aria-label")).toMatch(/^Webhook volume, acme-3pl: 5 in all/);

    // The figures as a table, for a keyboard user: open the details with Enter.
    await page.getByTestId("chart-volume").locator("summary").focus();
    await page.keyboard.press("Enter");
    expect(await page.getByTestId("table-volume").isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/console-charts.png`, fullPage: true });

    // The page refreshes itself (a relative range moves): after a refresh its own styles still apply.
    await page.waitForFunction(() => document.getElementById("refreshed")?.textContent !== "", null, { timeout: 30_000 });
    expect(await page.locator(".charts").evaluate((e) => getComputedStyle(e).display)).toBe("grid");
    expect(await page.getByTestId("table-volume").isVisible()).toBe(true);
    expect(await page.locator('svg[role="img"]').count()).toBe(7);

    const phone = await signedIn(env.browser(), { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(new URL("/ops/console/charts?range=1h", env.stack().url).toString());
    expect(await phone.locator('svg[role="img"]').count()).toBe(7);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const width = await phone
      .getByTestId("chart-volume")
      .locator("svg[role=img]")
      .evaluate((svg) => svg.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(300);
    await phone.screenshot({ path: `${ARTIFACTS}/console-charts-phone.png`, fullPage: true });
  });
});
