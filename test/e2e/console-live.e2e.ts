// The console's shared behaviour in Chromium, on a phone: a keyboard user skips to the content, the
// navigation reaches every page, and a page whose state moves refreshes itself (a payload quarantined
// while the overview is open shows up without a reload), but not while the reader is filling in a form.
import { describe, expect, it } from "vitest";
import { signFor } from "../../src/partners/signers";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { SECRETS } from "./stack";

const env = useStackAndBrowser();

/** An authentic AfterShip payload with a tag nobody maps: it is quarantined. */
async function quarantineOne(n: number): Promise<void> {
  const raw = new TextEncoder().encode(
    JSON.stringify({
      event: "tracking_update",
      event_id: `live-${n}`,
      msg: {
        tracking_number: `1ZLIVE000${n}`,
        slug: "ups",
        tag: "InTransit",
        checkpoints: [{ tag: "Teleported", subtag: "Teleported_001", checkpoint_time: "2026-11-20T12:00:00+00:00", message: "Beamed up" }],
      },
      ts: 1763629200,
    }),
  );
  const res = await env
    .stack()
    .fetch("/v1/webhooks/aftership", { method: "POST", headers: await signFor("aftership", SECRETS.PARTNER_SECRET_AFTERSHIP, raw), body: raw });
  expect(((await res.json()) as { results: { outcome: string }[] }).results[0]?.outcome).toBe("quarantined");
}

describe("the console's layout in Chromium", () => {
  it("on a phone: skip link, navigation to every page, and live refresh that waits for the reader", async () => {
    const context = await env.browser().newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(new URL("/ops/login", env.stack().url).toString());
    await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/ops$/);

    // The first Tab lands on the skip link; Enter moves to the content.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Skip to content");
    await page.keyboard.press("Enter");
    await page.waitForURL(/#content$/);

    // Nothing overflows sideways on a phone: the page is as wide as the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const nav = await page.locator("header nav a").allTextContents();
    expect(nav).toEqual(["Overview", "Events", "Charts", "Quarantine", "Conflicts", "Dead letters", "Subscriptions", "Audit log"]);
    expect(await page.locator('header nav a[aria-current="page"]').textContent()).toBe("Overview");
    await page.screenshot({ path: `${ARTIFACTS}/ops-console-phone.png`, fullPage: true });

    // Live: a payload quarantined now shows on the open page without a reload.
    const before = Number((await page.getByTestId("quarantine-count").locator("b").textContent()) ?? "0");
    const url = page.url();
    await page.evaluate(() => {
      (window as unknown as { loaded: number }).loaded = 1;
    });
    await quarantineOne(1);
    await expect
      .poll(async () => Number(await page.getByTestId("quarantine-count").locator("b").textContent()), { timeout: 30_000, interval: 500 })
      .toBe(before + 1);
    expect(page.url()).toBe(url);
    // The same document (not a reload): the marker set above is still there.
    expect(await page.evaluate(() => (window as unknown as { loaded?: number }).loaded)).toBe(1);

    // Typing in a form pauses it: the page keeps what the reader typed and does not change under them.
    await page.fill("header input[name=orderId]", "SO-HALF-TYPED");
    await quarantineOne(2);
    await page.waitForTimeout(12_000);
    expect(await page.inputValue("header input[name=orderId]")).toBe("SO-HALF-TYPED");
    expect(Number(await page.getByTestId("quarantine-count").locator("b").textContent())).toBe(before + 1);

    // Every page in the navigation answers (signed in, on a phone) without overflowing sideways; each is
    // kept as a phone screenshot (test-results/phone-<page>.png).
    for (const href of await page.locator("header nav a").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href") ?? ""))) {
      const res = await page.goto(new URL(href, env.stack().url).toString());
      expect(res?.status(), href).toBe(200);
      expect(await page.locator("h1").first().textContent()).toBe("dockline ops");
      expect(await page.evaluate(() => document.documentElement.scrollWidth), href).toBeLessThanOrEqual(390);
      await page.screenshot({ path: `${ARTIFACTS}/phone-${href.split("/").pop()}.png`, fullPage: true });
    }
    await context.close();
  });
});
