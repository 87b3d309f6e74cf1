// The end customer's tracking page in a real browser, on a phone and a desktop: it renders, its CSP holds
// (no violation reported), it shows this order only, axe finds no WCAG 2 A/AA violation, it works by
// keyboard and without JavaScript, and nothing scrolls sideways at 320 px. Screenshots kept in test-results/.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { BrowserContextOptions, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { eventually, SECRETS } from "./stack";

const env = useStackAndBrowser();
// Runs in the page; the Node-side type check has no DOM library, so the page's globals are typed here.
type PageGlobals = { getComputedStyle(e: unknown): { backgroundColor: string }; document: { documentElement: { scrollWidth: number } } };
const BACKGROUND = (el: unknown) => (globalThis as unknown as PageGlobals).getComputedStyle(el).backgroundColor;
const SCROLL_WIDTH = () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };

/**
 * axe's WCAG 2 A/AA rules on the page, as "rule: elements" lines. The source is evaluated through the
 * DevTools protocol, which the page's CSP (scripts by nonce only) does not govern.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
       .then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))`,
  )) as string[];
}

/** The data-testid of each element Tab reaches, in order, up to `max` presses. */
async function tabStops(page: Page, max = 12): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    stops.push(String(await page.evaluate("document.activeElement && document.activeElement.getAttribute('data-testid')")));
  }
  return stops;
}

describe("the tracking page in Chromium", () => {
  it("shows status, ETA, exception, parcels and history on a phone and a desktop: accessible, by keyboard, with no CSP violation", async () => {
    const orderId = "SO-E2E-1";
    expect(
      (
        await env.stack().release({
          orderId,
          customerId: "CUST-E2E",
          lines: [{ sku: "WID-1", quantity: 2 }],
          shipTo: { name: "Ada Lovelace", line1: "12 Elm Street", city: "Portland", region: "OR", postalCode: "97201", country: "US" },
          releasedAt: "2026-11-20T09:00:00Z",
        })
      ).status,
    ).toBe(202);
    // A second order of another customer: nothing of it may appear.
    await env.stack().release({
      orderId: "SO-E2E-OTHER",
      customerId: "CUST-OTHER",
      lines: [{ sku: "X", quantity: 1 }],
      shipTo: { country: "US" },
      releasedAt: "2026-11-20T09:00:00Z",
    });
    for (const data of [
      { orderId, code: "fulfillment.packed", occurredAt: "2026-11-20T10:30:00Z" },
      {
        orderId,
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T11:00:00Z",
        shipmentId: "S1",
        carrier: "ups",
        trackingNumber: "1ZE2E0001",
        eta: "2026-11-24T18:00:00Z",
        lines: [{ sku: "WID-1", quantity: 2 }],
        location: { city: "Memphis", region: "TN", country: "US" },
      },
      {
        orderId,
        code: "shipment.in_transit",
        occurredAt: "2026-11-21T06:00:00Z",
        shipmentId: "S1",
        location: { city: "Louisville", region: "KY", country: "US" },
        description: "Handed over by Jim at the Louisville hub",
      },
      { orderId, code: "shipment.exception", occurredAt: "2026-11-21T09:00:00Z", shipmentId: "S1", reason: "weather" },
      { orderId: "SO-E2E-OTHER", code: "shipment.dispatched", occurredAt: "2026-11-20T12:00:00Z", shipmentId: "S9", trackingNumber: "1ZOTHER999" },
    ]) {
      expect((await env.stack().milestone(data)).status).toBe(202);
    }
    const key = await env.stack().customerKey("CUST-E2E");
    const trackingUrl = await eventually(async () => {
      const r = await env.stack().fetch(`/v1/orders/${orderId}`, { headers: { Authorization: `Bearer ${key}` } });
      if (r.status !== 200) return undefined;
      const o = (await r.json()) as { version: number; trackingUrl: string };
      return o.version === 5 ? o.trackingUrl : undefined;
    });

    // A reader in Tokyo, on a phone: the page's script shows its times in the reader's zone (the HTML says UTC).
    const phone = await env.browser().newContext({ ...PHONE, locale: "en-GB", timezoneId: "Asia/Tokyo" });
    const page = await phone.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto(trackingUrl);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByTestId("headline").textContent()).toBe("Your order is on its way");
    // 18:00 UTC on the 24th is the 25th in Tokyo.
    expect(await page.getByTestId("eta").textContent()).toMatch(/Wednesday,? 25 November 2026/);
    expect(await page.getByTestId("updated").textContent()).toMatch(/GMT\+9|JST/);
    expect(await page.getByTestId("stepper").locator("[aria-current=step]").textContent()).toBe("Shipped");
    expect(await page.getByTestId("exception").textContent()).toContain("Weather is delaying your delivery.");
    expect(await page.getByTestId("destination").textContent()).toBe("Delivering to Portland, OR, US");
    expect(await page.getByTestId("merchant").textContent()).toBe("Acme Outfitters");
    expect(await page.getByTestId("shipment").count()).toBe(1);
    expect(await page.getByTestId("items").textContent()).toBe("WID-1 × 2");
    // The parcel's history (shipped, in transit, exception) and the order's (received, packed).
    expect(await page.getByTestId("shipment").locator("[data-testid=timeline] li").count()).toBe(3);
    expect(await page.getByTestId("order-history").locator("li").count()).toBe(2);
    const text = (await page.textContent("body")) ?? "";
    for (const absent of ["SO-E2E-OTHER", "1ZOTHER999", "Jim", "Elm", "97201", "Lovelace"]) expect(text).not.toContain(absent);
    // Styles applied (the nonce'd block was allowed): the cards have a white background.
    expect(await page.locator(".card:not(.alert)").first().evaluate(BACKGROUND)).toBe("rgb(255, 255, 255)");
    expect(await page.locator(".alert").evaluate(BACKGROUND)).toBe("rgb(255, 244, 229)");
    // Nothing overflows sideways on a phone, nor on the narrowest one.
    expect(await page.evaluate(SCROLL_WIDTH)).toBeLessThanOrEqual(390);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/tracking-page-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 320, height: 700 });
    expect(await page.evaluate(SCROLL_WIDTH)).toBeLessThanOrEqual(320);
    expect(violations).toEqual([]);
    await phone.close();

    // On a desktop, by keyboard: Tab reaches the carrier's link, then the help link; Enter follows it.
    const desktop = await env.browser().newContext({ ...DESKTOP, locale: "en-GB", timezoneId: "UTC" });
    await desktop.route("https://help.example.com/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<title>Help</title>" }));
    const wide = await desktop.newPage();
    expect((await wide.goto(trackingUrl))?.status()).toBe(200);
    expect(await axeViolations(wide)).toEqual([]);
    await wide.screenshot({ path: `${ARTIFACTS}/tracking-page.png`, fullPage: true });
    const stops = await tabStops(wide);
    expect(stops.indexOf("carrier-link")).toBeGreaterThanOrEqual(0);
    expect(stops.indexOf("help-link")).toBeGreaterThan(stops.indexOf("carrier-link"));
    await wide.getByTestId("help-link").focus();
    await wide.keyboard.press("Enter");
    await wide.waitForURL("https://help.example.com/orders");
    await desktop.close();

    // Without JavaScript the page is complete: the same content, times in UTC with their year.
    const noScript = await env.browser().newContext({ ...PHONE, javaScriptEnabled: false, timezoneId: "Asia/Tokyo" });
    const plain = await noScript.newPage();
    expect((await plain.goto(trackingUrl))?.status()).toBe(200);
    expect(await plain.getByTestId("updated").textContent()).toBe("Updated Sat, 21 Nov 2026, 09:00 UTC");
    expect(await plain.getByTestId("eta").textContent()).toBe("Expected Tuesday 24 November");
    expect(await plain.getByTestId("shipment").locator("[data-testid=timeline] li").count()).toBe(3);
    await noScript.close();
  });

  it("shows plain pages for a forged link (404) and a revoked one (410), with the help link", async () => {
    const page = await env.browser().newPage();
    const forged = await page.goto(new URL("/track/U08tRTJFLTE.MTc2MzYyOTIwMDAwMA.AAAAAAAAAAAAAAAAAAAAAA", env.stack().url).toString());
    expect(forged?.status()).toBe(404);
    expect(await page.textContent("h1")).toBe("We could not find this order");

    const key = await env.stack().customerKey("CUST-E2E");
    const r = await env.stack().fetch("/v1/orders/SO-E2E-1", { headers: { Authorization: `Bearer ${key}` } });
    const { trackingUrl } = (await r.json()) as { trackingUrl: string };
    const revoked = await env
      .stack()
      .fetch("/ops/orders/SO-E2E-1/tracking-links/revoke", { method: "POST", headers: { Authorization: `Bearer ${SECRETS.OPS_TOKEN}` } });
    expect(revoked.status).toBe(200);
    expect((await page.goto(trackingUrl))?.status()).toBe(410);
    expect(await page.textContent("h1")).toBe("This link is no longer valid");
    expect(await page.textContent("main")).toContain("Please ask Acme Outfitters for a new one.");
    expect(await page.getByTestId("help-link").getAttribute("href")).toBe("https://help.example.com/orders");
    expect(await page.textContent("body")).not.toContain("SO-E2E-1");
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });
});
