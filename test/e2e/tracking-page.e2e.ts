// The end customer's tracking page in a real browser on a phone-sized screen: it renders, its CSP holds
// (no violation reported), it shows this order only; a screenshot is kept in test-results/.
import { describe, expect, it } from "vitest";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { eventually } from "./stack";

const env = useStackAndBrowser();
// Runs in the page; the Node-side type check has no DOM library, so the page's globals are typed here.
type PageGlobals = { getComputedStyle(e: unknown): { backgroundColor: string }; document: { documentElement: { scrollWidth: number } } };
const BACKGROUND = (el: unknown) => (globalThis as unknown as PageGlobals).getComputedStyle(el).backgroundColor;

describe("the tracking page in Chromium", () => {
  it("shows status, ETA, exception, parcels and history, readable on a phone, with no CSP violation", async () => {
    const orderId = "SO-E2E-1";
    expect(
      (
        await env.stack().release({
          orderId,
          customerId: "CUST-E2E",
          lines: [{ sku: "WID-1", quantity: 2 }],
          shipTo: { country: "US" },
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
        location: { city: "Memphis", region: "TN", country: "US" },
      },
      {
        orderId,
        code: "shipment.in_transit",
        occurredAt: "2026-11-21T06:00:00Z",
        shipmentId: "S1",
        location: { city: "Louisville", region: "KY", country: "US" },
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

    // A reader in Tokyo: the page's script shows its times in the reader's zone (the HTML says UTC).
    const context = await env.browser().newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "en-GB",
      timezoneId: "Asia/Tokyo",
    });
    const page = await context.newPage();
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
    expect(await page.getByTestId("shipment").count()).toBe(1);
    expect(await page.locator("[data-testid=timeline] li").count()).toBe(5);
    const text = (await page.textContent("body")) ?? "";
    expect(text).not.toContain("SO-E2E-OTHER");
    expect(text).not.toContain("1ZOTHER999");
    // Styles applied (the nonce'd block was allowed): the cards have a white background.
    expect(await page.locator(".card:not(.alert)").first().evaluate(BACKGROUND)).toBe("rgb(255, 255, 255)");
    expect(await page.locator(".alert").evaluate(BACKGROUND)).toBe("rgb(255, 244, 229)");
    // Nothing overflows sideways on a phone.
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(violations).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/tracking-page.png`, fullPage: true });
    await context.close();
  });

  it("shows a plain not-found page for a forged link", async () => {
    const page = await env.browser().newPage();
    const res = await page.goto(new URL("/track/U08tRTJFLTE.AAAAAAAAAAAAAAAAAAAAAA", env.stack().url).toString());
    expect(res?.status()).toBe(404);
    expect(await page.textContent("h1")).toBe("We could not find this order");
    await page.close();
  });
});
