// The audit log in Chromium: a person signs in, runs a reconcile from the overview by keyboard, and finds
// both actions under their session in the console's audit log, filtered by keyboard too; on a phone the
// page fits the screen. Screenshots kept in test-results/.
import { describe, expect, it } from "vitest";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { eventually, SECRETS } from "./stack";

const env = useStackAndBrowser();

type Page = { items: { action: string; actor: string; actorKind: string }[] };

/** Waits until the API lists an action of ours: entries are written just after the answer. */
const recorded = (action: string, actorKind: string) =>
  eventually(async () => {
    const res = await env.stack().fetch(`/ops/audit?action=${encodeURIComponent(action)}`, { headers: { Authorization: `Bearer ${SECRETS.OPS_TOKEN}` } });
    const page = (await res.json()) as Page;
    return page.items.some((i) => i.action === action && i.actorKind === actorKind) ? true : undefined;
  });

describe("the audit log in Chromium", () => {
  it("shows who signed in and ran a reconcile, and filters by keyboard", async () => {
    const context = await env.browser().newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL("/ops/login", env.stack().url).toString());
    await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/ops$/);

    await page.getByTestId("reconcile").focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/msg=/);
    expect(await page.getByTestId("flash").textContent()).toMatch(/Reconciled \d+ orders/);
    await recorded("Sign in", "token");
    await recorded("Reconcile", "session");

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL(/\/ops\/console\/audit$/);
    const rows = page.getByTestId("audit-row");
    const signIn = rows.filter({ hasText: "Sign in" }).first();
    expect(await signIn.textContent()).toContain("Ops token");
    expect(await signIn.locator("td.outcome").textContent()).toContain("Done");
    const reconcile = rows.filter({ hasText: "Reconcile" }).first();
    expect(await reconcile.textContent()).toMatch(/Console session, signed in (just now|\d+ s ago|\d+ min ago)/);
    expect(await reconcile.textContent()).toMatch(/Reconciled \d+ orders/);
    await page.screenshot({ path: `${ARTIFACTS}/console-audit.png`, fullPage: true });

    await page.getByLabel("What").focus();
    await page.keyboard.type("reconcile");
    await page.keyboard.press("Enter");
    await page.waitForURL(/action=reconcile/);
    const actions = await page.locator("[data-testid=audit-row] td:nth-child(3)").allTextContents();
    expect(actions.length).toBeGreaterThan(0);
    expect(new Set(actions)).toEqual(new Set(["Reconcile"]));
    expect(await page.getByRole("link", { name: "Clear filters" }).count()).toBe(1);
    await context.close();
  });

  it("fits a phone's screen", async () => {
    const context = await env.browser().newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(new URL("/ops/login", env.stack().url).toString());
    await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/ops$/);
    await recorded("Sign in", "token");
    await page.goto(new URL("/ops/console/audit", env.stack().url).toString());
    expect(await page.getByTestId("audit-row").count()).toBeGreaterThan(0);
    // The table scrolls inside its card; the page itself is as wide as the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${ARTIFACTS}/console-audit-phone.png`, fullPage: true });
    await context.close();
  });
});
