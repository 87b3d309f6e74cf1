// The ops console's subscription pages, end to end: a subscription made through the ops API, an order
// whose event is delivered to the subscriber simulator (https://hooks.test), then the console's list, the
// delivery log with its attempts, and its forms (replay, test event, re-enable, rotate, delete), each
// refused without the session's CSRF token. No secret shows anywhere but in the answer to a rotation.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { endpointLabel } from "../../src/routes/console-subscriptions";
import { CONSOLE_ORIGIN, call, consoleLogin, eventually, releaseOrder, SECRETS } from "../helpers/http";

const SINK = "https://hooks.test";
/** 32 alphanumeric characters, as a PagerDuty integration key is. */
const ROUTING_KEY = "C0NS0LEROUTINGKEY0123456789abcde";

interface Created {
  id: string;
  secret: string;
}
interface Received {
  webhookId: string | null;
  status: number;
  body: { type: string };
}

const inbox = async (name: string) => ((await (await fetch(`${SINK}/admin/inboxes/${name}`)).json()) as { requests: Received[] }).requests;

async function opsSubscribe(body: Record<string, unknown>): Promise<Created> {
  const res = await call("/ops/subscriptions", {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Created;
}

interface Delivery {
  id: string;
  status: string;
  eventType: string;
}

async function deliveries(id: string): Promise<Delivery[]> {
  const res = await call(`/ops/subscriptions/${id}/deliveries`, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
  return ((await res.json()) as { items: Delivery[] }).items;
}

/** Releases an order of `customerId` and waits until the subscription has delivered `count` events. */
async function deliveredTo(id: string, orderId: string, customerId: string, count = 1): Promise<Delivery[]> {
  expect((await releaseOrder(orderId, customerId)).status).toBe(202);
  return eventually(
    async () => {
      const items = await deliveries(id);
      return items.length === count && items.every((d) => d.status === "delivered") ? items : undefined;
    },
    20_000,
    `${count} deliveries to ${id}`,
  );
}

let cookie = "";
let csrf = "";

const page = async (path: string) => {
  const res = await call(path, { headers: { Cookie: cookie } });
  return { status: res.status, html: await res.text() };
};

/** Posts a console form as the browser would: our origin, the session cookie, and (unless left out) the CSRF token. */
const post = (path: string, fields: Record<string, string> = {}, opts: { csrf?: string | null; origin?: string; cookie?: string } = {}) => {
  const token = opts.csrf === undefined ? csrf : opts.csrf;
  const body = new URLSearchParams({ ...(token === null ? {} : { csrf: token }), ...fields });
  return call(path, {
    method: "POST",
    headers: { Cookie: opts.cookie ?? cookie, Origin: opts.origin ?? CONSOLE_ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    body: body.toString(),
    redirect: "manual",
  });
};

/** Where a form's redirect goes, and its flash message and level. */
function flashOf(res: Response): { to: string; msg: string; error: boolean } {
  expect(res.status).toBe(303);
  const location = new URL(res.headers.get("Location") ?? "", CONSOLE_ORIGIN);
  return { to: location.pathname, msg: location.searchParams.get("msg") ?? "", error: location.searchParams.get("level") === "error" };
}

beforeAll(async () => {
  const res = await consoleLogin();
  cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  csrf = /name="csrf" value="([^"]+)"/.exec((await page("/ops")).html)?.[1] ?? "";
  expect(csrf).not.toBe("");
});

describe("subscriptions in the ops console", () => {
  it("lists every subscription with its endpoint's origin only, and its page shows the delivery log with each attempt", async () => {
    const customerId = "CUST-CSUB-1";
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-list`, events: ["order.status_changed"], customerId, description: "ops <b>watch</b>" });
    const [delivery] = await deliveredTo(sub.id, "SO-CSUB-1", customerId);

    const list = await page("/ops/console/subscriptions");
    expect(list.status).toBe(200);
    const row = new RegExp(`data-testid="subscription-${sub.id}">(.*?)</tr>`, "s").exec(list.html)?.[1] ?? "";
    expect(row).toContain(`href="/ops/console/subscriptions/${sub.id}"`);
    expect(row).toContain(customerId);
    expect(row).toContain("https://hooks.test/hooks/…");
    expect(row).toContain("order.status_changed");
    expect(row).toContain("standard");
    expect(row).toContain("active");
    expect(row).toContain("ops &lt;b&gt;watch&lt;/b&gt;");
    expect(list.html).not.toContain("console-sub-list");

    const { status, html } = await page(`/ops/console/subscriptions/${sub.id}`);
    expect(status).toBe(200);
    const entry = new RegExp(`data-testid="delivery-${delivery?.id}">(.*?)</tr>`, "s").exec(html)?.[1] ?? "";
    expect(entry).toContain("order.status_changed");
    expect(entry).toContain(`href="/ops/console/orders?orderId=SO-CSUB-1"`);
    expect(entry).toMatch(/<td>delivered<\/td>\s*<td>1<\/td>\s*<td>HTTP 200/);
    const details = new RegExp(`data-testid="delivery-details-${delivery?.id}">(.*?)</details>`, "s").exec(html)?.[1] ?? "";
    expect(details).toContain("1 attempt and the event");
    expect(details).toMatch(/data-testid="attempt"><td class="muted">[^<]+<\/td><td>200<\/td><td>\d+<\/td><td>delivered<\/td>/);
    // The body, pretty-printed and escaped: quotes are entities, the data is there.
    expect(details).toContain("&quot;orderId&quot;: &quot;SO-CSUB-1&quot;");
    expect(html).not.toContain("console-sub-list");
    expect(html).not.toContain(sub.secret);
  });

  it("pages the log by (created, id): one change's events, created together, are never lost between pages", async () => {
    const customerId = "CUST-CSUB-2";
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-page`, events: ["order.status_changed", "order.updated"], customerId });
    const both = await deliveredTo(sub.id, "SO-CSUB-2", customerId, 2);
    const first = await page(`/ops/console/subscriptions/${sub.id}?limit=1`);
    const href = /<a href="([^"]+)" data-testid="older"/.exec(first.html)?.[1]?.replaceAll("&amp;", "&");
    expect(href, "the Older link").toMatch(/^\/ops\/console\/subscriptions\/sub_\w+\?before=.+&beforeId=.+&limit=1$/);
    const second = await page(href ?? "");
    const shown = (html: string) => both.map((d) => d.id).filter((id) => html.includes(`data-testid="delivery-${id}"`));
    expect([...shown(first.html), ...shown(second.html)].sort()).toEqual(both.map((d) => d.id).sort());
    expect(shown(first.html)).toHaveLength(1);
    expect(second.html).not.toContain('data-testid="older"');
  });

  it("replays a delivery from its form: the subscriber gets the same webhook-id again", async () => {
    const customerId = "CUST-CSUB-3";
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-replay`, events: ["order.status_changed"], customerId });
    const [delivery] = await deliveredTo(sub.id, "SO-CSUB-3", customerId);
    const res = await post(`/ops/console/subscriptions/${sub.id}/deliveries/${delivery?.id}/replay`);
    const flash = flashOf(res);
    expect(flash.to).toBe(`/ops/console/subscriptions/${sub.id}`);
    expect(flash.error).toBe(false);
    expect(flash.msg).toContain(`Delivery ${delivery?.id}`);
    const received = await eventually(
      async () => {
        const r = await inbox("console-sub-replay");
        return r.length >= 2 ? r : undefined;
      },
      20_000,
      "the replayed delivery",
    );
    expect(received.map((r) => r.webhookId)).toEqual([delivery?.id, delivery?.id]);
    const unknown = flashOf(await post(`/ops/console/subscriptions/${sub.id}/deliveries/msg_unknown/replay`));
    expect(unknown).toMatchObject({ error: true, msg: "Not done: No such delivery for this subscription." });
    // The flash is shown on the page it comes back to.
    const back = await page(res.headers.get("Location") ?? "");
    expect(back.html).toContain('class="flash" role="status" data-testid="flash"');
  });

  it("sends a test event and says how the endpoint answered; a failing answer is shown as an error", async () => {
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-test`, events: ["order.updated"], customerId: "CUST-CSUB-4" });
    const ok = flashOf(await post(`/ops/console/subscriptions/${sub.id}/test`));
    expect(ok.error).toBe(false);
    expect(ok.msg).toMatch(/^Test event msg_test_\w+ delivered: HTTP 200 in \d+ ms\.$/);
    const received = await inbox("console-sub-test");
    expect(received.map((r) => r.body.type)).toEqual(["webhook.test"]);
    expect((await page(`/ops/console/subscriptions/${sub.id}`)).html).toContain("webhook.test");

    await fetch(`${SINK}/admin/inboxes/console-sub-test/faults`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ status: 503, count: 1 }),
    });
    const failed = flashOf(await post(`/ops/console/subscriptions/${sub.id}/test`));
    expect(failed.error).toBe(true);
    expect(failed.msg).toMatch(/^Test event msg_test_\w+ not delivered: HTTP 503/);
    const shown = await page(`/ops/console/subscriptions/${sub.id}?msg=${encodeURIComponent(failed.msg)}&level=error`);
    expect(shown.html).toContain('class="flash error" role="alert" data-testid="flash"');
  });

  it("shows a disabled subscription in red with its reason, counts it on the overview, and re-enables it", async () => {
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-enable`, events: ["order.updated"], customerId: "CUST-CSUB-5" });
    await env.DB.prepare("UPDATE subscriptions SET status = 'disabled', disabled_reason = 'its endpoint kept failing', disabled_at = ?1 WHERE id = ?2")
      .bind("2026-11-20T10:00:00.000Z", sub.id)
      .run();
    const { html } = await page(`/ops/console/subscriptions/${sub.id}`);
    expect(html).toContain('<span class="bad" data-testid="status">disabled since 2026-11-20T10:00:00.000Z: its endpoint kept failing</span>');
    expect(html).toContain('data-testid="enable"');
    const overview = (await page("/ops")).html;
    expect(overview).toMatch(/<span class="bad" data-testid="subscriptions-disabled">[1-9]\d* disabled<\/span>/);

    const flash = flashOf(await post(`/ops/console/subscriptions/${sub.id}/enable`));
    expect(flash.error).toBe(false);
    expect(flash.msg).toContain("re-enabled");
    const row = await env.DB.prepare("SELECT status, disabled_reason FROM subscriptions WHERE id = ?").bind(sub.id).first<{ status: string }>();
    expect(row).toEqual({ status: "active", disabled_reason: null });
    const after = (await page(`/ops/console/subscriptions/${sub.id}`)).html;
    expect(after).toContain('<span data-testid="status">active</span>');
    expect(after).not.toContain('data-testid="enable"');
  });

  it("rotates the secret and shows the new one once, in the answer to the form only", async () => {
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-rotate`, events: ["order.updated"], customerId: "CUST-CSUB-6" });
    const res = await post(`/ops/console/subscriptions/${sub.id}/rotate-secret`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Location")).toBeNull();
    const html = await res.text();
    const shown = /data-testid="new-secret">.*?<pre>(whsec_[^<]+)<\/pre>/s.exec(html)?.[1];
    expect(html).toContain("shown once");
    const row = await env.DB.prepare("SELECT secret FROM subscriptions WHERE id = ?").bind(sub.id).first<{ secret: string }>();
    expect(shown).toBe(row?.secret);
    expect(shown).not.toBe(sub.secret);
    expect(html).not.toContain(sub.secret);
    // Never again: not on its page, not in the list.
    for (const path of [`/ops/console/subscriptions/${sub.id}`, "/ops/console/subscriptions", "/ops"]) {
      const again = (await page(path)).html;
      expect(again, path).not.toContain(shown ?? "whsec_");
      expect(again, path).not.toContain(sub.secret);
    }
    expect((await page(`/ops/console/subscriptions/${sub.id}`)).html).toContain("the previous one signs beside it until");
  });

  it("deletes a subscription only when the deletion is confirmed", async () => {
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-delete`, events: ["order.updated"], customerId: "CUST-CSUB-7" });
    const unconfirmed = flashOf(await post(`/ops/console/subscriptions/${sub.id}/delete`));
    expect(unconfirmed.error).toBe(true);
    expect(unconfirmed.msg).toContain("Not deleted");
    expect((await page(`/ops/console/subscriptions/${sub.id}`)).status).toBe(200);

    const done = flashOf(await post(`/ops/console/subscriptions/${sub.id}/delete`, { confirm: "yes" }));
    expect(done).toEqual({ to: "/ops/console/subscriptions", msg: `Subscription ${sub.id} deleted, with its delivery log.`, error: false });
    expect((await page(`/ops/console/subscriptions/${sub.id}`)).status).toBe(404);
    expect((await page("/ops/console/subscriptions")).html).not.toContain(sub.id);
    const again = flashOf(await post(`/ops/console/subscriptions/${sub.id}/delete`, { confirm: "yes" }));
    expect(again.error).toBe(true);
  });

  it("refuses every form without the session's CSRF token or from another origin, and changes nothing", async () => {
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-csrf`, events: ["order.updated"], customerId: "CUST-CSUB-8" });
    const base = `/ops/console/subscriptions/${sub.id}`;
    for (const path of [`${base}/test`, `${base}/enable`, `${base}/rotate-secret`, `${base}/delete`, `${base}/deliveries/msg_x/replay`]) {
      expect((await post(path, { confirm: "yes" }, { csrf: null })).status, `${path} without a token`).toBe(403);
      expect((await post(path, { confirm: "yes" }, { csrf: "forged" })).status, `${path} with a forged token`).toBe(403);
      expect((await post(path, { confirm: "yes" }, { origin: "https://evil.example" })).status, `${path} from another origin`).toBe(403);
    }
    const row = await env.DB.prepare("SELECT secret FROM subscriptions WHERE id = ?").bind(sub.id).first<{ secret: string }>();
    expect(row?.secret).toBe(sub.secret);
    expect(await inbox("console-sub-csrf")).toEqual([]);
  });

  it("sends a signed-out browser to the sign-in page and refuses its forms", async () => {
    const sub = await opsSubscribe({ url: `${SINK}/hooks/console-sub-auth`, events: ["order.updated"], customerId: "CUST-CSUB-9" });
    for (const path of ["/ops/console/subscriptions", `/ops/console/subscriptions/${sub.id}`]) {
      const res = await call(path, { redirect: "manual" });
      expect(res.status, path).toBe(303);
      expect(res.headers.get("Location")).toBe("/ops/login");
    }
    const res = await post(`/ops/console/subscriptions/${sub.id}/rotate-secret`, {}, { cookie: "dockline_ops=1.forged" });
    expect(res.status).toBe(401);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    // The bearer token (scripts) is admitted, as on every console page.
    expect((await call("/ops/console/subscriptions", { headers: { Authorization: `Bearer ${SECRETS.ops}` } })).status).toBe(200);
  });

  it("never shows a PagerDuty routing key, a signing secret or a Slack webhook's path", async () => {
    const customerId = "CUST-CSUB-10";
    const pd = await opsSubscribe({
      url: `${SINK}/pagerduty/console-sub-pd`,
      events: ["order.exception_opened", "ops.sla_breached"],
      format: "pagerduty",
      routingKey: ROUTING_KEY,
      customerId,
    });
    const slack = await opsSubscribe({
      url: `${SINK}/slack/c0ns0le-Slack-T0ken`,
      events: ["order.status_changed"],
      format: "slack",
      customerId,
    });
    await deliveredTo(slack.id, "SO-CSUB-10", customerId);
    // The simulator names an inbox by one path segment; a real Slack webhook's path has three, all shown as "…".
    // A test event to each: PagerDuty has no incident for it (an error, logged), Slack takes it.
    expect(flashOf(await post(`/ops/console/subscriptions/${pd.id}/test`)).error).toBe(true);
    expect(flashOf(await post(`/ops/console/subscriptions/${slack.id}/test`)).error).toBe(false);
    for (const path of ["/ops", "/ops/console/subscriptions", `/ops/console/subscriptions/${pd.id}`, `/ops/console/subscriptions/${slack.id}`]) {
      const { status, html } = await page(path);
      expect(status, path).toBe(200);
      for (const secret of [ROUTING_KEY, pd.secret, slack.secret, "c0ns0le-Slack-T0ken"]) expect(html, `${path}: ${secret}`).not.toContain(secret);
    }
    const pdPage = (await page(`/ops/console/subscriptions/${pd.id}`)).html;
    expect(pdPage).toContain("routing key set, never shown");
    expect(pdPage).toContain("https://hooks.test/pagerduty/…");
    expect((await page(`/ops/console/subscriptions/${slack.id}`)).html).toContain("https://hooks.test/slack/…");
  });
});

describe("an endpoint as the console shows it", () => {
  it.each([
    ["https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/xoxbSecretPart", "https://hooks.slack.com/services/…"],
    ["https://discord.com/api/webhooks/123456/tok3n", "https://discord.com/api/…"],
    ["https://example.com/dockline", "https://example.com/dockline"],
    ["https://example.com/a1b2c3d4e5f6", "https://example.com/…"],
    ["https://example.com/hooks?token=s3cret", "https://example.com/hooks/…"],
    ["https://example.com:8443/", "https://example.com:8443/"],
  ])("%s → %s", (url, shown) => {
    expect(endpointLabel(url)).toBe(shown);
  });
});

describe("the overview", () => {
  it("counts subscriptions and labels an SLA breach among the stuck orders", async () => {
    await env.DB.prepare(
      `INSERT INTO sla_breaches (id, order_id, customer_id, check_name, subject, due_at, breached_at, resolved_at, description)
       VALUES ('breach-console-1', 'SO-CSUB-SLA', 'CUST-CSUB-11', 'acknowledged', NULL, '2026-11-20T13:00:00Z', '2026-11-20T13:00:01Z', NULL, 'not acknowledged within 4 h of its release')`,
    ).run();
    const { html } = await page("/ops");
    expect(html).toMatch(/data-testid="subscriptions-summary"><a href="\/ops\/console\/subscriptions">Subscriptions<\/a>: \d+ active/);
    expect(html).toMatch(/deliveries in the last 24 h: \d+ pending/);
    const stuck = /data-testid="stuck">(.*?)<\/section>/s.exec(html)?.[1] ?? "";
    expect(stuck).toMatch(
      /SO-CSUB-SLA<\/a><\/td><td>SLA breached <span class="muted">sla_breached<\/span><\/td><td><time datetime="2026-11-20T13:00:01Z" title="20 Nov 2026, 13:00 UTC">[^<]+ ago<\/time><\/td><td>not acknowledged within 4 h of its release<\/td>/,
    );
  });
});
