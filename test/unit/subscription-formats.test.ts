// The three delivery formats: signatures checked by the Standard Webhooks reference verifier (not our own),
// the standard body byte for byte, Slack's message shape and escaping, and each PagerDuty mapping.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { formatDelivery, type OutboundEvent, newSubscriptionSecret, SUBSCRIPTION_FORMATS, summarize } from "../../src/subscriptions/formats";

const CURRENT = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PREVIOUS = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=";
const NOW = new Date("2026-11-03T14:05:00.900Z");
const CONSOLE = "https://dockline.example.com/console";

const orderView = {
  orderId: "O-1",
  customerId: "CUST-1",
  status: "in_transit",
  statusAt: "2026-11-03T13:59:00.000Z",
  shipments: [],
  openExceptions: [],
  version: 7,
  updatedAt: "2026-11-03T14:00:00.000Z",
  timeline: [],
};
const exception = {
  id: "X-9",
  kind: "shipment_exception",
  reason: "address",
  shipmentId: "S-1",
  occurredAt: "2026-11-03T13:00:00.000Z",
  description: "Address not found",
};

const event = (type: string, data: Record<string, unknown>): OutboundEvent => ({ id: `evt_${type}`, type, timestamp: "2026-11-03T14:00:00.000Z", data });

const EVENTS = {
  statusChanged: event("order.status_changed", { ...orderView, previousStatus: "released" }),
  updated: event("order.updated", orderView),
  exceptionOpened: event("order.exception_opened", { ...orderView, exception }),
  exceptionResolved: event("order.exception_resolved", { ...orderView, exception }),
  slaBreached: event("ops.sla_breached", {
    breachId: "B-1",
    orderId: "O-1",
    customerId: "CUST-1",
    check: "dispatch",
    dueAt: "2026-11-03T14:00:00.000Z",
    breachedAt: "2026-11-03T14:00:05.000Z",
    resolvedAt: null,
    description: "order O-1 not dispatched within 24 h (due 14:00 UTC)",
    status: "open",
  }),
  slaResolved: event("ops.sla_resolved", {
    breachId: "B-1",
    orderId: "O-1",
    customerId: "CUST-1",
    check: "dispatch",
    dueAt: "2026-11-03T14:00:00.000Z",
    breachedAt: "2026-11-03T14:00:05.000Z",
    resolvedAt: "2026-11-03T16:00:00.000Z",
    description: "order O-1 not dispatched within 24 h (due 14:00 UTC)",
    status: "resolved",
  }),
  deadLetter: event("ops.dead_letter", {
    orderId: "O-1",
    destination: "erp",
    seq: 3,
    commandKey: "O-1:erp:3",
    type: "shipment.post",
    reason: "422 unknown SKU",
    status: 422,
    deadAt: "2026-11-03T14:00:00.000Z",
  }),
  quarantined: event("ops.quarantined", {
    quarantineId: "Q-5",
    partner: "acme-3pl",
    reason: "not assigned",
    orderId: "O-1",
    receivedAt: "2026-11-03T14:00:00.000Z",
  }),
  subscriptionDisabled: event("ops.subscription_disabled", {
    subscriptionId: "sub_1",
    customerId: "CUST-1",
    url: "https://hooks.example.com/secret-path",
    reason: "failing for 72 h",
    failingSince: "2026-10-31T14:00:00.000Z",
    disabledAt: "2026-11-03T14:00:00.000Z",
  }),
  test: event("webhook.test", { subscriptionId: "sub_1", message: "Hello from dockline" }),
};

const options = { secrets: [CURRENT], now: NOW };

describe("every format: Standard Webhooks headers", () => {
  for (const format of SUBSCRIPTION_FORMATS) {
    it(`${format}: signs with each secret, verifiable by the reference library`, async () => {
      const now = new Date(); // the reference verifier checks the timestamp against the real clock
      const sent = await formatDelivery(format, EVENTS.slaBreached, { secrets: [CURRENT, PREVIOUS], now, routingKey: "R", consoleUrl: CONSOLE });
      if (!sent) throw new Error("expected a delivery");
      expect(sent.headers["webhook-id"]).toBe("evt_ops.sla_breached");
      expect(sent.headers["webhook-timestamp"]).toBe(String(Math.floor(now.getTime() / 1000)));
      expect(sent.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
      expect(sent.headers["content-type"]).toBe("application/json");
      expect(sent.headers["user-agent"]).toBe("dockline-webhooks/1");
      expect(new Webhook(CURRENT).verify(sent.body, sent.headers)).toEqual(JSON.parse(sent.body));
      expect(new Webhook(PREVIOUS).verify(sent.body, sent.headers)).toEqual(JSON.parse(sent.body));
      expect(() => new Webhook(newSubscriptionSecret()).verify(sent.body, sent.headers)).toThrow();
    });
  }

  it("puts the timestamp in whole seconds, rounded down", async () => {
    const sent = await formatDelivery("standard", EVENTS.updated, options);
    expect(sent?.headers["webhook-timestamp"]).toBe(String(Math.floor(NOW.getTime() / 1000)));
  });

  it("keeps webhook-id and the signature stable for a retry of the same event at the same second", async () => {
    const a = await formatDelivery("standard", EVENTS.updated, options);
    const b = await formatDelivery("standard", EVENTS.updated, { ...options, now: new Date(NOW.getTime() + 50) });
    expect(b).toEqual(a);
  });

  it("refuses to send without a secret", async () => {
    await expect(formatDelivery("standard", EVENTS.updated, { secrets: [], now: NOW })).rejects.toThrow(/signing secret/);
  });
});

describe("newSubscriptionSecret", () => {
  it("is whsec_ and the base64 of 32 random bytes, different each time", () => {
    const a = newSubscriptionSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(a.slice("whsec_".length))).toHaveLength(32);
    expect(newSubscriptionSecret()).not.toBe(a);
  });
});

describe("standard format", () => {
  it("sends exactly { type, timestamp, data }, in that order", async () => {
    const sent = await formatDelivery("standard", EVENTS.statusChanged, options);
    expect(sent?.body).toBe(
      JSON.stringify({ type: "order.status_changed", timestamp: "2026-11-03T14:00:00.000Z", data: { ...orderView, previousStatus: "released" } }),
    );
    expect(Object.keys(JSON.parse(sent?.body ?? "{}"))).toEqual(["type", "timestamp", "data"]);
  });

  it("sends every event type, ops or not (nothing is filtered by the format)", async () => {
    for (const e of Object.values(EVENTS)) expect(await formatDelivery("standard", e, options)).not.toBeNull();
  });
});

interface SlackBody {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[];
}

const slack = async (e: OutboundEvent, consoleUrl?: string): Promise<SlackBody> => {
  const sent = await formatDelivery("slack", e, { ...options, consoleUrl });
  return JSON.parse(sent?.body ?? "null") as SlackBody;
};

describe("slack format", () => {
  it("sends a one-line text fallback, a mrkdwn section and a context line", async () => {
    const body = await slack(EVENTS.slaBreached, CONSOLE);
    expect(body.text).toBe("SLA breached: order O-1 not dispatched within 24 h (due 14:00 UTC)");
    expect(body.blocks.map((b) => b.type)).toEqual(["section", "context"]);
    expect(body.blocks[0]?.text).toEqual({
      type: "mrkdwn",
      text: [
        "*SLA breached: order O-1 not dispatched within 24 h (due 14:00 UTC)*",
        "*Order:* O-1   *Customer:* CUST-1",
        "*When:* 2026-11-03 14:00 UTC",
        `<${CONSOLE}/orders?orderId=O-1|Open order O-1 in the dockline console>`,
      ].join("\n"),
    });
    expect(body.blocks[1]?.elements).toEqual([{ type: "mrkdwn", text: "dockline · ops.sla_breached · evt_ops.sla_breached" }]);
  });

  it("names the partner, destination or subscription an event concerns", async () => {
    expect((await slack(EVENTS.quarantined)).blocks[0]?.text?.text).toContain("*Order:* O-1   *Partner:* acme-3pl");
    expect((await slack(EVENTS.deadLetter)).blocks[0]?.text?.text).toContain("*Order:* O-1   *Destination:* erp");
    expect((await slack(EVENTS.subscriptionDisabled)).blocks[0]?.text?.text).toContain("*Customer:* CUST-1   *Subscription:* sub_1");
  });

  it("links to the order only when a console URL is configured and the event concerns an order", async () => {
    expect((await slack(EVENTS.statusChanged)).blocks[0]?.text?.text).not.toContain("console");
    expect((await slack(EVENTS.test, CONSOLE)).blocks[0]?.text?.text).not.toContain("/orders?");
    expect((await slack(EVENTS.statusChanged, CONSOLE)).blocks[0]?.text?.text).toContain(`<${CONSOLE}/orders?orderId=O-1|`);
  });

  it("never shows the subscriber's URL (a Slack webhook URL is itself a secret)", async () => {
    expect(JSON.stringify(await slack(EVENTS.subscriptionDisabled, CONSOLE))).not.toContain("secret-path");
  });

  it("escapes &, < and > in text that came from outside, so it cannot mention a channel or forge a link", async () => {
    const hostile = event("ops.quarantined", {
      quarantineId: "Q-6",
      partner: "acme & <sons>",
      reason: "<!channel> see <https://evil.example|your bank>",
      orderId: "O&1",
      receivedAt: "2026-11-03T14:00:00.000Z",
    });
    const body = await slack(hostile, CONSOLE);
    const all = [body.text, ...body.blocks.flatMap((b) => [b.text?.text ?? "", ...(b.elements ?? []).map((x) => x.text)])].join("\n");
    expect(body.text).toBe(
      "Quarantined: a webhook from acme &amp; &lt;sons&gt; about order O&amp;1: &lt;!channel&gt; see &lt;https://evil.example|your bank&gt;",
    );
    expect(all).not.toContain("<!channel>");
    expect(all).not.toContain("<https://evil");
    expect(all).toContain("*Partner:* acme &amp; &lt;sons&gt;");
    // The console link is the one link: its target is percent-encoded and its label escaped.
    expect(all).toContain(`<${CONSOLE}/orders?orderId=O%261|Open order O&amp;1 in the dockline console>`);
    expect(all.split("<")).toHaveLength(2);
  });

  it("keeps the section within Slack's 3000 characters without splitting an entity", async () => {
    const long = event("ops.quarantined", { quarantineId: "Q-7", partner: "&".repeat(2000), reason: "<".repeat(2000), receivedAt: "2026-11-03T14:00:00.000Z" });
    const section = (await slack(long)).blocks[0]?.text?.text ?? "";
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.endsWith("…")).toBe(true);
    expect(section.slice(0, -1)).toMatch(/(&amp;|&lt;|&gt;|[^&;])$/);
  });
});

interface PagerDutyBody {
  routing_key: string;
  event_action: string;
  dedup_key: string;
  payload: { summary: string; source: string; severity: string; timestamp: string; component: string; group: string; class: string; custom_details: unknown };
  links?: { href: string; text: string }[];
}

const pagerDuty = async (e: OutboundEvent, consoleUrl?: string): Promise<PagerDutyBody | null> => {
  const sent = await formatDelivery("pagerduty", e, { ...options, routingKey: "ROUTING-KEY-1", consoleUrl });
  return sent && (JSON.parse(sent.body) as PagerDutyBody);
};

describe("pagerduty format", () => {
  const table: { event: OutboundEvent; action: string; severity: string; dedupKey: string; summary: string }[] = [
    {
      event: EVENTS.slaBreached,
      action: "trigger",
      severity: "error",
      dedupKey: "sla:B-1",
      summary: "SLA breached: order O-1 not dispatched within 24 h (due 14:00 UTC)",
    },
    {
      event: EVENTS.slaResolved,
      action: "resolve",
      severity: "info",
      dedupKey: "sla:B-1",
      summary: "SLA breach resolved: order O-1 not dispatched within 24 h (due 14:00 UTC)",
    },
    {
      event: EVENTS.deadLetter,
      action: "trigger",
      severity: "error",
      dedupKey: "dead-letter:erp:O-1:3",
      summary: "Dead letter: shipment.post #3 for order O-1 to erp gave up: 422 unknown SKU",
    },
    {
      event: EVENTS.quarantined,
      action: "trigger",
      severity: "warning",
      dedupKey: "quarantine:Q-5",
      summary: "Quarantined: a webhook from acme-3pl about order O-1: not assigned",
    },
    {
      event: EVENTS.subscriptionDisabled,
      action: "trigger",
      severity: "warning",
      dedupKey: "subscription-disabled:sub_1",
      summary: "Subscription sub_1 (customer CUST-1) disabled: failing for 72 h",
    },
    {
      event: EVENTS.exceptionOpened,
      action: "trigger",
      severity: "warning",
      dedupKey: "exception:O-1:X-9",
      summary: "Exception on order O-1: Address not found",
    },
    {
      event: EVENTS.exceptionResolved,
      action: "resolve",
      severity: "info",
      dedupKey: "exception:O-1:X-9",
      summary: "Exception resolved on order O-1: Address not found",
    },
  ];
  for (const t of table) {
    it(`${t.event.type} → ${t.action} ${t.dedupKey}`, async () => {
      const body = await pagerDuty(t.event);
      expect(body).toMatchObject({
        routing_key: "ROUTING-KEY-1",
        event_action: t.action,
        dedup_key: t.dedupKey,
        payload: { summary: t.summary, source: "dockline", severity: t.severity, timestamp: t.event.timestamp, custom_details: t.event.data },
      });
      expect(Object.keys(body?.payload ?? {})).toEqual(["summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"]);
      expect(body?.links).toBeUndefined();
    });
  }

  it("resolves an incident with the key that triggered it", async () => {
    expect((await pagerDuty(EVENTS.slaResolved))?.dedup_key).toBe((await pagerDuty(EVENTS.slaBreached))?.dedup_key);
    expect((await pagerDuty(EVENTS.exceptionResolved))?.dedup_key).toBe((await pagerDuty(EVENTS.exceptionOpened))?.dedup_key);
  });

  it("sets component, group and class from the event", async () => {
    expect((await pagerDuty(EVENTS.slaBreached))?.payload).toMatchObject({ component: "orders", group: "customer:CUST-1", class: "sla:dispatch" });
    expect((await pagerDuty(EVENTS.deadLetter))?.payload).toMatchObject({ component: "erp", group: "deliveries", class: "dead_letter" });
    expect((await pagerDuty(EVENTS.quarantined))?.payload).toMatchObject({ component: "acme-3pl", group: "ingest", class: "quarantine" });
    expect((await pagerDuty(EVENTS.exceptionOpened))?.payload).toMatchObject({ component: "orders", group: "customer:CUST-1", class: "shipment_exception" });
  });

  it("links to the order in the console when one is configured", async () => {
    expect((await pagerDuty(EVENTS.deadLetter, CONSOLE))?.links).toEqual([
      { href: `${CONSOLE}/orders?orderId=O-1`, text: "Order O-1 in the dockline console" },
    ]);
    expect((await pagerDuty(EVENTS.subscriptionDisabled, CONSOLE))?.links).toBeUndefined();
  });

  for (const e of [EVENTS.statusChanged, EVENTS.updated, EVENTS.test, event("ops.something_new", {})]) {
    it(`sends nothing for ${e.type} (not an incident)`, async () => {
      expect(await formatDelivery("pagerduty", e, { ...options, routingKey: "R" })).toBeNull();
    });
  }

  it("throws a clear error without a routing key", async () => {
    await expect(formatDelivery("pagerduty", EVENTS.slaBreached, options)).rejects.toThrow(/routing key/);
  });

  it("throws rather than send an incident whose key field is missing (it would merge unrelated incidents)", async () => {
    await expect(pagerDuty(event("ops.sla_breached", { orderId: "O-1" }))).rejects.toThrow(/data\.breachId/);
    await expect(pagerDuty(event("order.exception_opened", { ...orderView }))).rejects.toThrow(/data\.id/);
  });

  it("keeps the summary within PagerDuty's 1024 characters", async () => {
    const body = await pagerDuty(event("ops.quarantined", { quarantineId: "Q-8", partner: "p", reason: "x".repeat(5000) }));
    expect(body?.payload.summary).toHaveLength(1024);
  });
});

describe("summarize", () => {
  const table: [OutboundEvent, string][] = [
    [EVENTS.statusChanged, "Order O-1 is now in transit"],
    [EVENTS.updated, "Order O-1 updated (in transit, version 7)"],
    [EVENTS.exceptionOpened, "Exception on order O-1: Address not found"],
    [EVENTS.test, "Hello from dockline"],
    [
      event("ops.sla_breached", { breachId: "B-2", orderId: "O-2", check: "dispatch", dueAt: "2026-11-03T14:00:00Z" }),
      "SLA breached: order O-2 missed its dispatch deadline (due 2026-11-03 14:00 UTC)",
    ],
    [event("ops.sla_breached", { breachId: "B-3", description: "SLA breached: order O-3 late" }), "SLA breached: order O-3 late"],
    [event("ops.sla_resolved", { breachId: "B-3", description: "SLA breached: order O-3 late" }), "SLA breach resolved: order O-3 late"],
    [event("ops.quarantined", { quarantineId: "Q-1", partner: "shopify", reason: "unmappable" }), "Quarantined: a webhook from shopify: unmappable"],
    [event("webhook.test", { subscriptionId: "sub_2" }), "Test event for subscription sub_2"],
    [event("order.exception_opened", { orderId: "O-4", exception: { id: "X", kind: "returned_to_sender" } }), "Exception on order O-4: returned to sender"],
    [
      event("ops.dead_letter", { orderId: "O-5", destination: "erp", seq: 1, reason: "line one\nline two" }),
      "Dead letter: command #1 for order O-5 to erp gave up: line one line two",
    ],
    [event("something.else", { orderId: "O-6" }), "something.else on order O-6"],
  ];
  for (const [e, expected] of table) {
    it(`${e.type}: ${expected}`, () => {
      expect(summarize(e)).toBe(expected);
    });
  }
});
