// The events view in Chromium: requests partners sent (accepted, quarantined, rejected) are listed, found by
// a tracking number typed on the keyboard, and opened with their payload and headers; on a phone too.
import { describe, expect, it } from "vitest";
import { signFor } from "../../src/partners/signers";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { eventually, SECRETS } from "./stack";

const env = useStackAndBrowser();
const ORDER = "SO-EVENTS-E2E";
const TRACKING = "1ZEVENTS0001";

async function signIn(page: import("playwright-core").Page): Promise<void> {
  await page.goto(new URL("/ops/login", env.stack().url).toString());
  await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/ops$/);
}

describe("the events view in Chromium", () => {
  it("lists what partners sent, finds a request by tracking number from the keyboard, and shows its payload and headers", async () => {
    const stack = env.stack();
    await stack.release({
      orderId: ORDER,
      customerId: "CUST-EV",
      lines: [{ sku: "WID-1", quantity: 1 }],
      shipTo: { country: "US" },
      releasedAt: "2026-11-20T09:00:00Z",
    });
    expect(
      (await stack.milestone({ orderId: ORDER, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: TRACKING }))
        .status,
    ).toBe(202);
    // Quarantined: an authentic AfterShip payload with a tag nobody maps.
    const unmapped = new TextEncoder().encode(
      JSON.stringify({
        event: "tracking_update",
        event_id: "ev-e2e-1",
        msg: {
          tracking_number: "1ZEVENTS0002",
          slug: "ups",
          tag: "InTransit",
          checkpoints: [{ tag: "Teleported", subtag: "Teleported_001", checkpoint_time: "2026-11-20T12:00:00+00:00" }],
        },
        ts: 1763629200,
      }),
    );
    const q = await stack.fetch("/v1/webhooks/aftership", {
      method: "POST",
      headers: await signFor("aftership", SECRETS.PARTNER_SECRET_AFTERSHIP, unmapped),
      body: unmapped,
    });
    expect(((await q.json()) as { results: { outcome: string }[] }).results[0]?.outcome).toBe("quarantined");
    // Rejected: signed with a secret acme-3pl does not have.
    const forged = new TextEncoder().encode(
      JSON.stringify({ type: "milestone", data: { orderId: ORDER, code: "shipment.delivered", occurredAt: "2026-11-20T15:00:00Z" } }),
    );
    const headers = await signFor("canonical", "whsec_Zm9yZ2VkIHNlY3JldCBub2JvZHkgaGFz", forged);
    expect((await stack.fetch("/v1/webhooks/acme-3pl", { method: "POST", headers, body: forged })).status).toBe(401);
    // The log is written after each answer: wait until all three are listed.
    await eventually(async () => {
      const r = await stack.fetch("/ops/console/events", { headers: { Authorization: `Bearer ${SECRETS.OPS_TOKEN}` } });
      return ((await r.text()).match(/data-testid="inbound-event"/g) ?? []).length >= 3 ? true : undefined;
    });

    const context = await env.browser().newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole("link", { name: "Events", exact: true }).click();
    await page.waitForURL(/\/ops\/console\/events$/);
    const rows = page.getByTestId("inbound-event");
    expect(await rows.count()).toBe(3);
    const outcomes = await page.locator("[data-testid=inbound-event] td:nth-child(3)").allTextContents();
    expect(outcomes.sort()).toEqual(["Accepted", "Quarantined", "Rejected"]);
    expect(await page.locator("[data-testid=inbound-event] td:nth-child(3) .bad").count()).toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}/console-events.png`, fullPage: true });

    // Search from the keyboard: focus the box, type, Enter.
    await page.getByTestId("event-search").focus();
    await page.keyboard.type(TRACKING);
    await page.keyboard.press("Enter");
    await page.waitForURL(/[?&]q=1ZEVENTS0001/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(ORDER);

    // Open it from the keyboard: focus its link, Enter.
    await rows.first().locator("td:first-child a").focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/ops\/console\/events\/[0-9a-z-]+$/);
    expect(await page.getByTestId("event-title").textContent()).toBe("Request from acme-3pl: Accepted");
    expect(await page.getByTestId("payload").textContent()).toContain(`"trackingNumber": "${TRACKING}"`);
    const headerNames = await page.locator("[data-testid=event-headers] th").allTextContents();
    expect(headerNames).toEqual(expect.arrayContaining(["content-type", "webhook-id", "webhook-signature"]));
    expect(await page.getByTestId("download-raw").getAttribute("href")).toMatch(/\/raw$/);
    await page.screenshot({ path: `${ARTIFACTS}/console-event-detail.png`, fullPage: true });
    await context.close();

    const phone = await env.browser().newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    await signIn(small);
    await small.goto(new URL("/ops/console/events", stack.url).toString());
    expect(await small.getByTestId("inbound-event").count()).toBe(3);
    // The table scrolls inside its card; the page itself is no wider than the screen.
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await small.screenshot({ path: `${ARTIFACTS}/console-events-phone.png`, fullPage: true });
    await phone.close();
  });
});
