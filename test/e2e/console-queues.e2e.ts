// The console's quarantine, conflicts and dead letters in Chromium: reach them from the overview's tiles,
// discard a payload with the keyboard, resolve another through the two-step bulk form, resolve a conflict,
// each ending in a flash. Screenshots (desktop and phone) kept in test-results/.
import { describe, expect, it } from "vitest";
import { signFor } from "../../src/partners/signers";
import { ARTIFACTS, useStackAndBrowser } from "./browser";
import { eventually, SECRETS } from "./stack";

const env = useStackAndBrowser();
const asOps = { headers: { Authorization: `Bearer ${SECRETS.OPS_TOKEN}` } };

/** An authentic AfterShip payload with a checkpoint tag nobody maps: quarantined. Returns its quarantine id. */
async function quarantine(eventId: string, message: string): Promise<string> {
  const raw = new TextEncoder().encode(
    JSON.stringify({
      event: "tracking_update",
      event_id: eventId,
      msg: {
        tracking_number: `1Z${eventId.toUpperCase()}`,
        slug: "ups",
        tag: "InTransit",
        checkpoints: [{ tag: "Teleported", subtag: "Teleported_001", checkpoint_time: "2026-11-20T12:00:00+00:00", message }],
      },
      ts: 1763629200,
    }),
  );
  const res = await env
    .stack()
    .fetch("/v1/webhooks/aftership", { method: "POST", headers: await signFor("aftership", SECRETS.PARTNER_SECRET_AFTERSHIP, raw), body: raw });
  const result = ((await res.json()) as { results: { outcome: string; quarantineId?: string }[] }).results[0];
  expect(result?.outcome).toBe("quarantined");
  return result?.quarantineId as string;
}

describe("the console's quarantine, conflicts and dead letters in Chromium", () => {
  it("discards with the keyboard, bulk-resolves after a confirmation, resolves a conflict, and shows dead letters in words", async () => {
    const stack = env.stack();
    const first = await quarantine("q-e2e-1", "Beamed up");
    const second = await quarantine("q-e2e-2", "Beamed down");
    // Two orders dispatched with one tracking number: the second one's claim is a conflict.
    for (const orderId of ["SO-QUEUES-E2E-A", "SO-QUEUES-E2E-B"]) {
      await stack.release({
        orderId,
        customerId: "CUST-OPS",
        lines: [{ sku: "WID-1", quantity: 1 }],
        shipTo: { country: "US" },
        releasedAt: "2026-11-20T09:00:00Z",
      });
      await stack.milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZQUEUESE2E" });
    }
    await eventually(async () => {
      const r = (await (await stack.fetch("/ops/conflicts", asOps)).json()) as { items: { key: string }[] };
      return r.items.some((i) => i.key === "trk:1ZQUEUESE2E") ? true : undefined;
    });
    // The ERP is unreachable here, so nothing is refused for good: one refusal is written as the projector would.
    const { DB } = (await stack.harness.getWorker().getEnv()) as { DB: D1Database };
    await DB.prepare(
      "INSERT INTO dead_letters (id, order_id, seq, command_key, type, cause, reason, erp_status, correlation_id, created_at, status) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    )
      .bind(
        "dl-e2e-1",
        "SO-QUEUES-E2E-A",
        1,
        "SO-QUEUES-E2E-A:1",
        "ShipmentConfirmation",
        "rejected",
        `HTTP 422: ${JSON.stringify({ type: "https://erp.example/problems/unknown-sku", title: "Unprocessable", detail: "Unknown SKU WID-1 for customer CUST-OPS" })}`,
        422,
        "e2e",
        new Date(Date.now() - 13 * 60_000).toISOString(),
        "open",
      )
      .run();

    const context = await env.browser().newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL("/ops", stack.url).toString());
    await page.fill("input[name=token]", SECRETS.OPS_TOKEN);
    await page.click("button[type=submit]");
    await page.waitForURL(/\/ops$/);

    // The tile is a link: reached and followed with the keyboard.
    await page.getByTestId("quarantine-count").getByRole("link", { name: "Quarantined" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/ops\/console\/quarantine$/);
    expect(await page.locator("[data-testid^=quarantine-row-]").count()).toBe(2);
    expect(await page.getByTestId("quarantine-list").textContent()).toContain("Unknown AfterShip tag");

    await page.getByTestId(`discard-quarantine-${first}`).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/msg=/);
    expect(await page.getByTestId("flash").textContent()).toBe("Quarantined payload discarded.");
    expect(await page.locator("[data-testid^=quarantine-row-]").count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS}/console-quarantine.png`, fullPage: true });

    await page.getByRole("checkbox", { name: /Select the payload from aftership/ }).check();
    await page.getByLabel("Note").fill("Handled with the carrier by phone");
    await page.getByTestId("bulk-quarantine-resolve").click();
    expect(await page.getByTestId("quarantine-bulk-confirm").textContent()).toContain("Resolve 1 quarantined payload?");
    await page.getByTestId("quarantine-bulk-confirm-button").click();
    await page.waitForURL(/msg=/);
    expect(await page.getByTestId("flash").textContent()).toBe("Resolve: 1 resolved of 1.");
    const detail = (await (await stack.fetch(`/ops/quarantine/${second}`, asOps)).json()) as { status: string; closeNote: string };
    expect(detail).toMatchObject({ status: "resolved", closeNote: "Handled with the carrier by phone" });
    await page.goto(new URL(`/ops/console/quarantine/${second}`, stack.url).toString());
    expect(await page.getByTestId("quarantine-history").textContent()).toMatch(/Resolved by console session .*: Handled with the carrier by phone/);
    expect(await page.getByTestId("quarantine-payload").textContent()).toContain('"message": "Beamed down"');

    await page.goto(new URL("/ops/console/conflicts", stack.url).toString());
    const row = page.getByTestId("conflict-trk:1ZQUEUESE2E-SO-QUEUES-E2E-B");
    expect(await row.textContent()).toContain("tracking number 1ZQUEUESE2E");
    await page.screenshot({ path: `${ARTIFACTS}/console-conflicts.png`, fullPage: true });
    await row.getByLabel("What was decided").fill("Carrier reused the label; B gets a new one");
    await row.getByLabel("What was decided").press("Enter");
    await page.waitForURL(/msg=/);
    expect(await page.getByTestId("flash").textContent()).toBe("Conflict over trk:1ZQUEUESE2E resolved; the key stays with SO-QUEUES-E2E-A.");

    await page.goto(new URL("/ops/console/dead-letters", stack.url).toString());
    const dead = await page.getByTestId("dead-letter-list").textContent();
    expect(dead).toContain("HTTP 422: Unknown SKU WID-1 for customer CUST-OPS");
    expect(dead).toContain("13 min ago");
    await page.screenshot({ path: `${ARTIFACTS}/console-dead-letters.png`, fullPage: true });
    await context.close();

    const phone = await env.browser().newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    await small.goto(new URL("/ops/login", stack.url).toString());
    await small.fill("input[name=token]", SECRETS.OPS_TOKEN);
    await small.click("button[type=submit]");
    await small.waitForURL(/\/ops$/);
    await small.goto(new URL("/ops/console/quarantine?status=resolved", stack.url).toString());
    expect(await small.getByTestId(`quarantine-row-${second}`).textContent()).toContain("Resolved");
    // Wide tables scroll inside their card; the page itself fits the phone.
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await small.screenshot({ path: `${ARTIFACTS}/console-quarantine-phone.png`, fullPage: true });
    await phone.close();
  });
});
