// SLA breaches (SLA_POLICIES, DESIGN §3.10's ops.sla_breached) on a controllable clock: the isolate's Date
// is faked (the worker, its Durable Objects and consumers read it) and the test fires the order's alarm as
// the platform would. A breach is recorded once, alerted once to a Slack-format and a PagerDuty-format ops
// subscription (the subscriber simulator checks each format as Slack and PagerDuty do), listed by
// GET /ops/stuck, and resolved when the late milestone arrives — PagerDuty's incident too.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const SINK = "https://hooks.test";
const HOUR = 3_600_000;
const ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF";

interface Inbox {
  requests: { kind: string; status: number; body: { text?: string; event_action?: string; dedup_key?: string; payload?: { summary: string } } }[];
  incidents: { dedup_key: string; status: string; triggers: number; resolves: number }[];
}
const inbox = async (name: string) => (await (await fetch(`${SINK}/admin/inboxes/${name}`)).json()) as Inbox;

async function opsSubscribe(body: object): Promise<void> {
  const res = await call("/ops/subscriptions", {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
}

const stuck = async () =>
  (
    (await (await call("/ops/stuck", { headers: { Authorization: `Bearer ${SECRETS.ops}` } })).json()) as {
      items: { orderId: string; reason: string; detail: string }[];
    }
  ).items;

afterEach(() => {
  vi.useRealTimers();
});

describe("SLA breach alerts", () => {
  it("records a breach once, alerts Slack and PagerDuty once, and resolves it when the late milestone arrives", async () => {
    const customerId = "CUST-SLA-1";
    const orderId = "SO-SLA-1";
    await opsSubscribe({ url: `${SINK}/slack/sla-slack`, events: ["ops.sla_breached"], format: "slack", customerId });
    await opsSubscribe({ url: `${SINK}/pagerduty/sla-pd`, events: ["ops.sla_breached"], format: "pagerduty", routingKey: ROUTING_KEY, customerId });

    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    const t0 = Date.now();
    // The default policy: acknowledged within 4 h of the release.
    expect((await releaseOrder(orderId, customerId, { releasedAt: new Date(t0).toISOString() })).status).toBe(202);
    const order = env.ORDERS.getByName(orderId);

    // Three hours in: nothing is late, the alarm finds nothing to say.
    vi.setSystemTime(t0 + 3 * HOUR);
    await runDurableObjectAlarm(order);
    // Five hours in: the acknowledgement is an hour late. The alarm runs again (a retry, a second
    // instance): still one breach, one alert.
    vi.setSystemTime(t0 + 5 * HOUR);
    await runDurableObjectAlarm(order);
    await runDurableObjectAlarm(order);
    const slack = await eventually(
      async () => {
        const r = await inbox("sla-slack");
        return r.requests.some((x) => x.status === 200) ? r : undefined;
      },
      20_000,
      "the Slack alert",
    );
    const pd = await eventually(
      async () => {
        const r = await inbox("sla-pd");
        return r.incidents.length > 0 ? r : undefined;
      },
      20_000,
      "the PagerDuty incident",
    );
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]?.body.text).toMatch(/SO-SLA-1/);
    // CONSOLE_URL: the alert links on-call to the order in the console.
    expect(JSON.stringify(slack.requests[0]?.body)).toContain("/ops/console/orders?orderId=SO-SLA-1");
    expect(pd.incidents).toEqual([expect.objectContaining({ status: "triggered", triggers: 1, resolves: 0 })]);
    expect(pd.requests[0]?.body.payload?.summary).toMatch(/SO-SLA-1/);
    const breachRows = await eventually(
      async () => {
        const r = await env.DB.prepare("SELECT check_name, resolved_at FROM sla_breaches WHERE order_id = ?")
          .bind(orderId)
          .all<{ check_name: string; resolved_at: string | null }>();
        return r.results.length > 0 ? r.results : undefined;
      },
      10_000,
      "the breach in D1",
    );
    expect(breachRows).toEqual([{ check_name: "acknowledged", resolved_at: null }]);
    expect((await stuck()).filter((s) => s.orderId === orderId && s.reason === "sla_breached")).toHaveLength(1);

    // The warehouse acknowledges, late: the breach clears, PagerDuty's incident resolves, Slack hears no more.
    const ack = await sendAcme(milestone({ orderId, code: "fulfillment.acknowledged", occurredAt: new Date(t0 + 5.5 * HOUR).toISOString() }));
    expect(ack.status).toBe(202);
    const resolved = await eventually(
      async () => {
        const r = await inbox("sla-pd");
        return r.incidents[0]?.status === "resolved" ? r : undefined;
      },
      20_000,
      "the PagerDuty resolution",
    );
    expect(resolved.incidents).toEqual([expect.objectContaining({ status: "resolved", triggers: 1, resolves: 1 })]);
    expect(resolved.requests.map((r) => r.body.event_action)).toEqual(["trigger", "resolve"]);
    await runDurableObjectAlarm(order);
    await eventually(
      async () => {
        const r = await env.DB.prepare("SELECT resolved_at FROM sla_breaches WHERE order_id = ?").bind(orderId).first<{ resolved_at: string | null }>();
        return r?.resolved_at ? true : undefined;
      },
      10_000,
      "the resolution in D1",
    );
    expect((await stuck()).filter((s) => s.orderId === orderId && s.reason === "sla_breached")).toHaveLength(0);
    // Settle, then count again: nothing more went out.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await inbox("sla-slack")).requests).toHaveLength(1);
    expect((await inbox("sla-pd")).requests).toHaveLength(2);
  });
});
