// The console's order page in Chromium, as an on-call engineer uses it: an order with a dispatched parcel
// and an open exception, its ERP command failing (the stack's ERP is a closed port), the command's attempts
// unfolded with the keyboard and still unfolded after the page refreshed itself. Screenshots at desktop and
// phone sizes in test-results/.
import { describe, expect, it } from "vitest";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { eventually, SECRETS } from "./stack";

const env = useStackAndBrowser();

describe("the order page in Chromium", () => {
  it("shows the order in words, and unfolds a command's attempts from the keyboard", async () => {
    const orderId = `SO-ORDER-PAGE-E2E-${Date.now()}`;
    expect(
      (
        await env.stack().release({
          orderId,
          customerId: "CUST-OPS",
          serviceLevel: "NEXT_DAY",
          promisedDate: "2026-11-24",
          lines: [{ sku: "WID-1", quantity: 2 }],
          shipTo: { name: "Ada", city: "Memphis", country: "US" },
          releasedAt: "2026-11-20T09:00:00Z",
        })
      ).status,
    ).toBe(202);
    const dispatched = await env.stack().milestone({
      orderId,
      code: "shipment.dispatched",
      occurredAt: "2026-11-20T11:00:00Z",
      shipmentId: "S1",
      carrier: "ups",
      trackingNumber: "1ZORDERPAGE01",
      lines: [{ sku: "WID-1", quantity: 2 }],
    });
    expect(dispatched.status).toBe(202);
    const problem = await env.stack().milestone({
      orderId,
      code: "shipment.exception",
      occurredAt: "2026-11-20T13:00:00Z",
      shipmentId: "S1",
      trackingNumber: "1ZORDERPAGE01",
      reason: "address_issue",
      description: "Door code missing",
    });
    expect(problem.status).toBe(202);

    const context = await env.browser().newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL("/ops/login", env.stack().url).toString());
    await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForURL(/\/ops$/);
    const orderUrl = new URL(`/ops/console/orders?orderId=${orderId}`, env.stack().url).toString();
    // The ERP command's first attempt (no answer: the stack's ERP is a closed port) reaches the delivery log.
    await eventually(async () => {
      await page.goto(orderUrl);
      return (await page.locator("[data-testid=attempts-erp-1]").count()) > 0 ? true : undefined;
    });

    expect(await page.getByTestId("order-title").textContent()).toContain(`Order ${orderId}: Shipped`);
    expect(await page.getByTestId("order-facts").textContent()).toContain("Memphis, US");
    expect(await page.getByTestId("shipments").textContent()).toContain("1ZORDERPAGE01");
    expect(await page.getByTestId("exceptions-customer").textContent()).toContain("Door code missing");
    expect(await page.getByTestId("command-1").textContent()).toMatch(/(Pending|Being sent now) — attempt \d+/);

    const attempts = page.getByTestId("attempts-erp-1");
    expect(await attempts.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await attempts.locator("summary").first().focus();
    await page.keyboard.press("Enter");
    expect(await attempts.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    const first = attempts.locator("[data-testid=attempt]").first();
    expect(await first.isVisible()).toBe(true);
    // The closed port's failure in words: the local proxy's error page, without its stack frames.
    expect(await first.textContent()).toContain("Failed (will retry)");
    expect(await attempts.textContent()).toContain("stack trace left out");
    expect(await attempts.textContent()).not.toContain("node:internal");
    await page.screenshot({ path: `${ARTIFACTS}/console-order.png`, fullPage: true });

    // The page refreshes itself; what the reader unfolded stays unfolded.
    await page.waitForFunction(() => (document.getElementById("refreshed")?.textContent ?? "") !== "", null, { timeout: 20_000 });
    expect(await page.getByTestId("attempts-erp-1").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);

    const phone = await env.browser().newContext({ viewport: { width: 390, height: 844 }, isMobile: true, storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(orderUrl);
    expect(await small.getByTestId("order-title").textContent()).toContain(orderId);
    // Nothing wider than the screen but the tables, which scroll inside their cards.
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await small.getByTestId("attempts-erp-1").locator("summary").first().focus();
    await small.keyboard.press("Enter");
    await small.screenshot({ path: `${ARTIFACTS}/console-order-phone.png`, fullPage: true });
    await phone.close();
    await context.close();
  });
});
