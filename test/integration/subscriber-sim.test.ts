// The subscriber simulator (tools/subscriber-sim) inside workerd, reached the way dockline's subscription
// deliveries reach it: at https://hooks.test, which test-peers routes to it. It verifies Standard Webhooks
// with the scheme's reference package, answers as Slack and PagerDuty do, fails on demand, and records every
// request with the status it was answered with.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import type { FaultConfig } from "../../tools/subscriber-sim/src/faults";
import type { InboxView } from "../../tools/subscriber-sim/src/ledger";

const SIM = "https://hooks.test";
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NEXT_SECRET = "whsec_bmV4dCBzdWJzY3JpYmVyIHNlY3JldCBmb3Igcm90YXRpb24=";
const OTHER_SECRET = "whsec_c29tZWJvZHkgZWxzZSdzIHNlY3JldA==";
/** 32 alphanumeric characters, as a PagerDuty integration key is. */
const ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF";

let counter = 0;
/** One uniquely named inbox per test: the simulator is shared by every test of the file. */
const inboxFor = (name: string) => `${name}-${Date.now().toString(36)}-${++counter}`;

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${SIM}/admin/inboxes/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });
}

async function inbox(name: string): Promise<InboxView> {
  const res = await admin("GET", name);
  expect(res.status).toBe(200);
  return (await res.json()) as InboxView;
}

async function register(name: string, secrets: string[]): Promise<void> {
  expect((await admin("PUT", name, { secrets })).status).toBe(200);
}

async function setFaults(name: string, faults: Record<string, unknown>): Promise<FaultConfig> {
  const res = await admin("PUT", `${name}/faults`, faults);
  expect(res.status).toBe(200);
  return (await res.json()) as FaultConfig;
}

interface HookOptions {
  id?: string;
  secrets?: string[];
  at?: Date;
}

/** POSTs `payload` to /hooks/<inbox> as a Standard Webhooks sender: one v1 signature per secret, space-separated. */
function sendHook(name: string, payload: object, o: HookOptions = {}): Promise<Response> {
  const body = JSON.stringify(payload);
  const id = o.id ?? `msg_${crypto.randomUUID()}`;
  const at = o.at ?? new Date();
  const signature = (o.secrets ?? [SECRET]).map((s) => new Webhook(s).sign(id, at, body)).join(" ");
  return fetch(`${SIM}/hooks/${name}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body,
  });
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${SIM}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function expectProblem(res: Response, status: number, slug: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(await res.json()).toMatchObject({ type: `https://dockline.dev/problems/subscriber-sim/${slug}`, status });
}

const EVENT = { type: "order.status_changed", data: { orderId: "SO-SUB-1", status: "shipped" } };

describe("hooks: a Standard Webhooks receiver", () => {
  it("verifies a request signed with the inbox's secret, answers 200 and records it with its headers and parsed body", async () => {
    const name = inboxFor("signed");
    await register(name, [SECRET]);
    const at = new Date();
    const res = await sendHook(name, EVENT, { id: "msg_signed_1", at });
    expect(res.status).toBe(200);

    const view = await inbox(name);
    expect(view.secrets).toBe(1);
    expect(view.requests).toEqual([
      expect.objectContaining({
        kind: "hooks",
        webhookId: "msg_signed_1",
        timestamp: String(Math.floor(at.getTime() / 1000)),
        verified: true,
        status: 200,
        repeat: 0,
        body: EVENT,
        rawBody: JSON.stringify(EVENT),
      }),
    ]);
    expect(view.requests[0]?.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(Date.parse(view.requests[0]?.receivedAt ?? "")).not.toBeNaN();
  });

  it("refuses a signature made with another secret with 401 problem+json, and records the request unverified", async () => {
    const name = inboxFor("wrong");
    await register(name, [SECRET]);
    await expectProblem(await sendHook(name, EVENT, { secrets: [OTHER_SECRET] }), 401, "unauthorized");
    expect((await inbox(name)).requests).toEqual([expect.objectContaining({ verified: false, status: 401, body: EVENT })]);
  });

  it("refuses a signature older than the 5-minute tolerance", async () => {
    const name = inboxFor("stale");
    await register(name, [SECRET]);
    await expectProblem(await sendHook(name, EVENT, { at: new Date(Date.now() - 10 * 60_000) }), 401, "unauthorized");
    expect((await inbox(name)).requests[0]).toMatchObject({ verified: false, status: 401 });
  });

  it("accepts a signature made with either secret during a rotation, or a header carrying both, and still refuses any other", async () => {
    const name = inboxFor("rotation");
    await register(name, [SECRET, NEXT_SECRET]);
    expect((await sendHook(name, EVENT, { secrets: [SECRET] })).status).toBe(200);
    expect((await sendHook(name, EVENT, { secrets: [NEXT_SECRET] })).status).toBe(200);
    expect((await sendHook(name, EVENT, { secrets: [OTHER_SECRET, NEXT_SECRET] })).status).toBe(200);
    expect((await sendHook(name, EVENT, { secrets: [OTHER_SECRET] })).status).toBe(401);
    expect((await inbox(name)).requests.map((r) => r.verified)).toEqual([true, true, true, false]);
  });

  it("answers a repeated webhook-id 200 like the first and counts it as a repeat", async () => {
    const name = inboxFor("repeat");
    await register(name, [SECRET]);
    for (let i = 0; i < 3; i++) expect((await sendHook(name, EVENT, { id: "msg_repeat" })).status).toBe(200);
    expect((await sendHook(name, EVENT, { id: "msg_other" })).status).toBe(200);
    const view = await inbox(name);
    expect(view.requests.map((r) => [r.webhookId, r.repeat])).toEqual([
      ["msg_repeat", 0],
      ["msg_repeat", 1],
      ["msg_repeat", 2],
      ["msg_other", 0],
    ]);
  });

  it("checks nothing when no secret is registered: every request is taken, recorded with verified null", async () => {
    const name = inboxFor("open");
    const res = await post(`hooks/${name}`, EVENT);
    expect(res.status).toBe(200);
    expect((await inbox(name)).requests).toEqual([expect.objectContaining({ verified: null, status: 200, webhookId: null, timestamp: null })]);
  });

  it("refuses secrets that are not whsec_<base64> with 400 naming them", async () => {
    const res = await admin("PUT", inboxFor("bad-secret"), { secrets: [SECRET, "whsec_not base64!"] });
    await expectProblem(res, 400, "invalid-inbox");
  });
});

describe("faults per inbox", () => {
  it("answers the next 3 requests 500 and records each, then takes the retry; only the accepted delivery counts for repeats", async () => {
    const name = inboxFor("count");
    await register(name, [SECRET]);
    expect(await setFaults(name, { status: 500, count: 3, retryAfterSeconds: 2 })).toEqual({
      status: 500,
      remaining: 3,
      down: false,
      delayMs: 0,
      retryAfterSeconds: 2,
    });
    for (let i = 0; i < 3; i++) {
      const res = await sendHook(name, EVENT, { id: "msg_retried" });
      await expectProblem(res, 500, "injected-fault");
      expect(res.headers.get("retry-after")).toBe("2");
    }
    expect((await sendHook(name, EVENT, { id: "msg_retried" })).status).toBe(200);
    expect((await sendHook(name, EVENT, { id: "msg_retried" })).status).toBe(200);

    const view = await inbox(name);
    expect(view.requests.map((r) => [r.status, r.verified, r.repeat])).toEqual([
      [500, true, 0],
      [500, true, 0],
      [500, true, 0],
      [200, true, 0],
      [200, true, 1],
    ]);
    expect(view.faults.remaining).toBe(0);
  });

  it("is down (503 by default) for every kind until the faults are cleared", async () => {
    const name = inboxFor("down");
    await setFaults(name, { down: true });
    await expectProblem(await post(`hooks/${name}`, EVENT), 503, "injected-fault");
    await expectProblem(await post(`slack/${name}`, { text: "hi" }), 503, "injected-fault");
    await expectProblem(await post(`hooks/${name}`, EVENT), 503, "injected-fault");
    const cleared = await admin("DELETE", `${name}/faults`);
    expect(await cleared.json()).toMatchObject({ down: false, remaining: 0 });
    expect((await post(`hooks/${name}`, EVENT)).status).toBe(200);
    expect((await inbox(name)).requests.map((r) => r.status)).toEqual([503, 503, 503, 200]);
  });

  it("waits delayMs before answering", async () => {
    const name = inboxFor("slow");
    await setFaults(name, { delayMs: 300 });
    const started = Date.now();
    expect((await post(`hooks/${name}`, EVENT)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("refuses a fault configuration it cannot apply, naming the field", async () => {
    const name = inboxFor("bad-faults");
    const res = await admin("PUT", `${name}/faults`, { status: 500 });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ path: "status" }] });
    await expectProblem(await admin("PUT", `${name}/faults`, { count: 2, down: true }), 400, "invalid-fault-config");
    await expectProblem(await admin("PUT", `${name}/faults`, { status: 200, count: 1 }), 400, "invalid-fault-config");
  });
});

describe("slack: an incoming webhook", () => {
  it("answers 200 ok to a message with text, or with blocks only", async () => {
    const name = inboxFor("slack");
    for (const message of [{ text: "Order SO-1 shipped" }, { blocks: [{ type: "section", text: { type: "mrkdwn", text: "*SO-1* shipped" } }] }]) {
      const res = await post(`slack/${name}`, message);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("ok");
    }
    expect((await inbox(name)).requests.map((r) => [r.kind, r.status, r.verified])).toEqual([
      ["slack", 200, null],
      ["slack", 200, null],
    ]);
  });

  it("answers 400 no_text without text or blocks, and 400 invalid_payload to a body that is not a JSON object", async () => {
    const name = inboxFor("slack-bad");
    const cases: [unknown, string][] = [
      [{ text: "" }, "no_text"],
      [{ blocks: [] }, "no_text"],
      [{ username: "dockline" }, "no_text"],
      ["not json", "invalid_payload"],
      [[{ text: "hi" }], "invalid_payload"],
      [{ text: 42 }, "invalid_payload"],
    ];
    for (const [body, error] of cases) {
      const res = await post(`slack/${name}`, body);
      expect(res.status).toBe(400);
      expect(await res.text()).toBe(error);
    }
    expect((await inbox(name)).requests.every((r) => r.status === 400)).toBe(true);
  });
});

describe("pagerduty: the Events API v2", () => {
  const trigger = (dedupKey?: string) => ({
    routing_key: ROUTING_KEY,
    event_action: "trigger",
    ...(dedupKey === undefined ? {} : { dedup_key: dedupKey }),
    payload: { summary: "Order SO-1 is late", source: "dockline", severity: "warning", timestamp: "2026-11-20T09:00:00Z", custom_details: { orderId: "SO-1" } },
    links: [{ href: "https://dockline.test/orders/SO-1", text: "Order" }],
  });

  it("opens an incident on trigger, folds a second trigger into it and resolves it, answering 202 each time", async () => {
    const name = inboxFor("pd");
    const res = await post(`pagerduty/${name}`, trigger("sla:SO-1"));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "success", message: "Event processed", dedup_key: "sla:SO-1" });
    expect((await post(`pagerduty/${name}`, trigger("sla:SO-1"))).status).toBe(202);
    expect((await inbox(name)).incidents).toEqual([{ dedup_key: "sla:SO-1", status: "triggered", triggers: 2, acknowledges: 0, resolves: 0 }]);

    expect((await post(`pagerduty/${name}`, { routing_key: ROUTING_KEY, event_action: "resolve", dedup_key: "sla:SO-1" })).status).toBe(202);
    const view = await inbox(name);
    expect(view.incidents).toEqual([{ dedup_key: "sla:SO-1", status: "resolved", triggers: 2, acknowledges: 0, resolves: 1 }]);
    expect(view.requests.map((r) => [r.kind, r.status, r.dedupKey])).toEqual([
      ["pagerduty", 202, "sla:SO-1"],
      ["pagerduty", 202, "sla:SO-1"],
      ["pagerduty", 202, "sla:SO-1"],
    ]);
  });

  it("gives a trigger without dedup_key a key of its own, and drops a resolve for a key with no incident", async () => {
    const name = inboxFor("pd-keys");
    const res = await post(`pagerduty/${name}`, trigger());
    const { dedup_key } = (await res.json()) as { dedup_key: string };
    expect(res.status).toBe(202);
    expect(dedup_key).toMatch(/^[0-9a-f]{32}$/);
    expect((await post(`pagerduty/${name}`, { routing_key: ROUTING_KEY, event_action: "resolve", dedup_key: "never-triggered" })).status).toBe(202);
    expect((await inbox(name)).incidents).toEqual([{ dedup_key, status: "triggered", triggers: 1, acknowledges: 0, resolves: 0 }]);
  });

  it("refuses invalid events with 400 and PagerDuty's list of errors, leaving the incidents as they were", async () => {
    const name = inboxFor("pd-invalid");
    const invalid: [unknown, string[]][] = [
      [{ ...trigger("k"), routing_key: "short" }, ["Length of 'routing_key' is incorrect (should be 32 characters)"]],
      [{ ...trigger("k"), event_action: "escalate" }, ["'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')"]],
      [{ routing_key: ROUTING_KEY, event_action: "resolve" }, ["'dedup_key' is missing or blank"]],
      [{ routing_key: ROUTING_KEY, event_action: "acknowledge", dedup_key: "x".repeat(256) }, ["Length of 'dedup_key' is too long (max 255 characters)"]],
      [
        { routing_key: ROUTING_KEY, event_action: "trigger", dedup_key: "k", payload: { summary: "s".repeat(1025), severity: "fatal" } },
        [
          "Length of 'payload.summary' is too long (max 1024 characters)",
          "'payload.source' is missing or blank",
          "'payload.severity' is invalid (must be one of the following: 'critical', 'error', 'warning' or 'info')",
        ],
      ],
      [{ routing_key: ROUTING_KEY, event_action: "trigger", dedup_key: "k" }, ["'payload' is missing or blank"]],
      ["{", ["Event object is not a JSON object"]],
    ];
    for (const [body, errors] of invalid) {
      const res = await post(`pagerduty/${name}`, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ status: "invalid event", message: "Event object is invalid", errors });
    }
    const view = await inbox(name);
    expect(view.incidents).toEqual([]);
    expect(view.requests.map((r) => r.status)).toEqual(invalid.map(() => 400));
  });

  it("does not move an incident for an event answered with a fault: the sender will send it again", async () => {
    const name = inboxFor("pd-fault");
    await setFaults(name, { status: 502, count: 1 });
    expect((await post(`pagerduty/${name}`, trigger("k1"))).status).toBe(502);
    expect((await inbox(name)).incidents).toEqual([]);
    expect((await post(`pagerduty/${name}`, trigger("k1"))).status).toBe(202);
    expect((await inbox(name)).incidents).toEqual([expect.objectContaining({ dedup_key: "k1", triggers: 1 })]);
  });
});

describe("admin", () => {
  it("DELETE /admin/inboxes/<inbox> forgets its requests, incidents, secrets and faults; other inboxes keep theirs", async () => {
    const name = inboxFor("reset");
    const other = inboxFor("kept");
    await register(name, [SECRET]);
    await setFaults(name, { delayMs: 1 });
    await sendHook(name, EVENT);
    await post(`pagerduty/${name}`, { routing_key: ROUTING_KEY, event_action: "trigger", payload: { summary: "s", source: "d", severity: "info" } });
    await post(`slack/${other}`, { text: "hi" });

    expect((await admin("DELETE", name)).status).toBe(204);
    expect(await inbox(name)).toEqual({
      inbox: name,
      secrets: 0,
      faults: { status: 503, remaining: 0, down: false, delayMs: 0, retryAfterSeconds: null },
      requests: [],
      incidents: [],
    });
    expect((await inbox(other)).requests).toHaveLength(1);
  });

  it("answers 405 to another method on a receiver, 404 problem+json to an unknown route, and /health", async () => {
    await expectProblem(await fetch(`${SIM}/hooks/${inboxFor("get")}`), 405, "method-not-allowed");
    await expectProblem(await fetch(`${SIM}/nowhere`), 404, "not-found");
    expect(await (await fetch(`${SIM}/health`)).json()).toEqual({ ok: true });
  });
});
