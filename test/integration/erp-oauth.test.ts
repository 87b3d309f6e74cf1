// OAuth 2.0 client credentials towards the ERP, against the simulator's token endpoint (real HTTP inside
// workerd): a token is fetched, cached while fresh, replaced before it expires or once after a 401, and a
// token endpoint that fails makes the delivery transient with a reason that carries no secret.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OrderDO } from "../../durable-objects/order";
import type { ErpCommand } from "../../src/domain/commands";
import type { ErpMessage, ProjectionMessage } from "../../src/domain/messages";
import { TokenSource } from "../../src/erp/auth";
import { erpTargetFromEnv, sendToErp } from "../../src/erp/adapter";
import worker from "../../src/index";
import { orderStub } from "../../src/orders";
import { erpRecords, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

const SIM = "http://erp.test";
const CLIENT_SECRET = "test-erp-client-secret";
/** The worker's own configuration (wrangler.toml and vitest.config.ts), switched to OAuth. */
const oauthEnv = { ...env, ERP_AUTH: "oauth2-client-credentials" } as Env;

async function oauth(config: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${SIM}/admin/oauth`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(config) });
  expect(res.status).toBe(200);
}
async function stats(): Promise<{ tokensIssued: number; unauthorized: number; tokenFailures: number }> {
  return ((await (await fetch(`${SIM}/admin/records?orderId=-`)).json()) as { stats: never }).stats;
}
const command = (orderId: string, seq: number): ErpCommand => ({
  orderId,
  seq,
  key: `shipment-confirmation:SHP-${seq}`,
  type: "ShipmentConfirmation",
  payload: {
    orderId,
    shipmentId: `SHP-${seq}`,
    carrier: "ups",
    trackingNumber: null,
    shippedAt: "2026-11-20T10:00:00.000Z",
    lines: [{ sku: "A", quantity: 1 }],
  },
});
const CORRELATION = "corr-oauth-0001";

beforeEach(() => oauth({}));
afterEach(async () => {
  await oauth({});
  vi.restoreAllMocks();
});

describe("OAuth 2.0 client credentials towards the ERP", () => {
  it("delivers with a token from ERP_TOKEN_URL when ERP_AUTH is oauth2-client-credentials", async () => {
    const before = await stats();
    const outcome = await sendToErp(erpTargetFromEnv(oauthEnv, new TokenSource()), command("OAUTH-1", 1), CORRELATION);
    expect(outcome).toEqual({ kind: "done", status: 201 });
    expect((await erpRecords("OAUTH-1")).map((r) => r.seq)).toEqual([1]);
    expect((await stats()).tokensIssued - before.tokensIssued).toBe(1);
  });

  it("asks for one token and reuses it while it is fresh, also for concurrent deliveries", async () => {
    const target = erpTargetFromEnv(oauthEnv, new TokenSource());
    const before = await stats();
    const outcomes = await Promise.all(["OAUTH-2A", "OAUTH-2B", "OAUTH-2C"].map((o) => sendToErp(target, command(o, 1), CORRELATION)));
    expect(await sendToErp(target, command("OAUTH-2A", 2), CORRELATION)).toMatchObject({ kind: "done" });
    expect(outcomes.map((o) => o.kind)).toEqual(["done", "done", "done"]);
    expect((await stats()).tokensIssued - before.tokensIssued).toBe(1);
  });

  it("replaces a token the ERP answers 401 to (expired early, revoked) once, and delivers", async () => {
    const target = erpTargetFromEnv(oauthEnv, new TokenSource());
    const before = await stats();
    expect(await sendToErp(target, command("OAUTH-3", 1), CORRELATION)).toMatchObject({ kind: "done" });
    expect((await (await fetch(`${SIM}/admin/oauth/expire`, { method: "POST" })).json()) as { expired: number }).toMatchObject({ expired: expect.any(Number) });
    expect(await sendToErp(target, command("OAUTH-3", 2), CORRELATION)).toEqual({ kind: "done", status: 201 });
    const after = await stats();
    expect(after.tokensIssued - before.tokensIssued).toBe(2);
    expect(after.unauthorized - before.unauthorized).toBeGreaterThanOrEqual(1);
    expect((await erpRecords("OAUTH-3")).map((r) => r.seq)).toEqual([1, 2]);
  });

  it("replaces a token shortly before its expires_in, without waiting for a 401", async () => {
    await oauth({ tokenTtlSeconds: 120 });
    let now = Date.now();
    const target = erpTargetFromEnv(oauthEnv, new TokenSource(() => now));
    const before = await stats();
    expect(await sendToErp(target, command("OAUTH-4", 1), CORRELATION)).toMatchObject({ kind: "done" });
    now += 30_000; // still fresh
    expect(await sendToErp(target, command("OAUTH-4", 2), CORRELATION)).toMatchObject({ kind: "done" });
    expect((await stats()).tokensIssued - before.tokensIssued).toBe(1);
    now += 31_000; // within a minute of its expiry: replaced before use
    expect(await sendToErp(target, command("OAUTH-4", 3), CORRELATION)).toMatchObject({ kind: "done" });
    const after = await stats();
    expect(after.tokensIssued - before.tokensIssued).toBe(2);
    expect(after.unauthorized - before.unauthorized).toBe(0);
  });

  it("makes a failing token endpoint a transient failure with its status and Retry-After, and sends the ERP nothing", async () => {
    await oauth({ failWith: 503, retryAfterSeconds: 7 });
    const target = erpTargetFromEnv(oauthEnv, new TokenSource());
    const outcome = await sendToErp(target, command("OAUTH-5", 1), CORRELATION);
    expect(outcome).toEqual({
      kind: "transient",
      status: null,
      reason: "OAuth token endpoint answered HTTP 503 (temporarily_unavailable)",
      retryAfterSeconds: 7,
    });
    expect(await erpRecords("OAUTH-5")).toEqual([]);
    await oauth({}); // the token endpoint is back
    expect(await sendToErp(target, command("OAUTH-5", 1), CORRELATION)).toMatchObject({ kind: "done" });
  });

  it("makes a refused client (a wrong ERP_CLIENT_SECRET) transient too, with a reason that carries no secret", async () => {
    const wrong = "wrong-client-secret-value";
    const outcome = await sendToErp(erpTargetFromEnv({ ...oauthEnv, ERP_CLIENT_SECRET: wrong } as Env, new TokenSource()), command("OAUTH-6", 1), CORRELATION);
    expect(outcome).toEqual({ kind: "transient", status: null, reason: "OAuth token endpoint answered HTTP 401 (invalid_client)" });
    expect(JSON.stringify(outcome)).not.toContain(wrong);
    expect(JSON.stringify(outcome)).not.toContain(CLIENT_SECRET);
    expect(await erpRecords("OAUTH-6")).toEqual([]);
  });

  it("makes an unreachable token endpoint transient", async () => {
    const target = erpTargetFromEnv({ ...oauthEnv, ERP_TOKEN_URL: `${SIM}/no-such-token-endpoint` } as Env, new TokenSource());
    expect(await sendToErp(target, command("OAUTH-7", 1), CORRELATION)).toEqual({
      kind: "transient",
      status: null,
      reason: "OAuth token endpoint answered HTTP 404",
    });
  });

  it("makes an incomplete OAuth configuration transient, naming what is missing, and sends nothing", async () => {
    const target = erpTargetFromEnv({ ...oauthEnv, ERP_TOKEN_URL: "", ERP_CLIENT_SECRET: "" } as Env, new TokenSource());
    expect(await sendToErp(target, command("OAUTH-8", 1), CORRELATION)).toEqual({
      kind: "transient",
      status: null,
      reason: "ERP_AUTH is oauth2-client-credentials but ERP_TOKEN_URL, ERP_CLIENT_SECRET not set",
    });
    expect(await erpRecords("OAUTH-8")).toEqual([]);
  });

  it("keeps a static bearer token's 401 permanent: there is nothing to refresh", async () => {
    const target = erpTargetFromEnv({ ...env, ERP_TOKEN: "not-the-erp-token" } as Env);
    expect(await sendToErp(target, command("OAUTH-9", 1), CORRELATION)).toMatchObject({ kind: "permanent", status: 401 });
  });

  it("delivers an order's commands through the queue consumer with OAuth", async () => {
    const orderId = "OAUTH-QUEUE-1";
    await releaseOrder(orderId);
    // No ERP message of this order reaches the real queue (whose consumer runs with the bearer default):
    // only the batch this test hands the consumer, with OAuth configured, moves it.
    await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
      vi.spyOn((instance as unknown as { env: Env }).env.ERP_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    });
    const shipment = { shipmentId: "S1", trackingNumber: "1Z999AA10123456784" };
    expect((await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...shipment }))).status).toBe(202);
    expect((await sendAcme(milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", ...shipment }))).status).toBe(202);
    await eventually(async () => ((await orderStub(env, orderId).inspect()).commands.length === 2 ? true : undefined));

    const before = await stats();
    const batch = createMessageBatch<ErpMessage>("dockline-erp-writes", [
      { id: "oauth-1", timestamp: new Date(), attempts: 1, body: { kind: "erp", orderId, seq: 1, correlationId: CORRELATION } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<ErpMessage | ProjectionMessage>, oauthEnv);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["oauth-1"], retryMessages: [] });
    expect((await erpRecords(orderId)).map((r) => [r.seq, r.kind])).toEqual([
      [1, "shipment-confirmations"],
      [2, "delivery-confirmations"],
    ]);
    // The isolate's token source: a token issued now, or one still fresh from an earlier delivery.
    expect((await stats()).tokensIssued - before.tokensIssued).toBeLessThanOrEqual(1);
  });

  it("leaves the command waiting with the token endpoint's reason on the order, and logs no token or secret", async () => {
    const orderId = "OAUTH-QUEUE-2";
    await releaseOrder(orderId);
    await runInDurableObject(env.ORDERS.getByName(orderId), (instance: OrderDO) => {
      vi.spyOn((instance as unknown as { env: Env }).env.ERP_QUEUE, "sendBatch").mockRejectedValue(new Error("queue unavailable"));
    });
    const shipment = { shipmentId: "S2", trackingNumber: "1Z999AA10123456785" };
    expect((await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", ...shipment }))).status).toBe(202);
    await eventually(async () => ((await orderStub(env, orderId).inspect()).commands.length === 1 ? true : undefined));
    const logged: string[] = [];
    for (const level of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    }

    // Whatever token the isolate holds is refused (401), and the token endpoint fails when asked for another.
    await fetch(`${SIM}/admin/oauth/expire`, { method: "POST" });
    await oauth({ failWith: 503 });
    const message = { id: "oauth-2", timestamp: new Date(), attempts: 1, body: { kind: "erp" as const, orderId, seq: 1, correlationId: CORRELATION } };
    const failing = createMessageBatch<ErpMessage>("dockline-erp-writes", [message]);
    const ctx = createExecutionContext();
    await worker.queue(failing as MessageBatch<ErpMessage | ProjectionMessage>, oauthEnv);
    // The failure is the order's to retry (its alarm re-sends the command): the message is acked, not retried.
    expect(await getQueueResult(failing, ctx)).toMatchObject({ explicitAcks: ["oauth-2"], retryMessages: [] });
    const inspected = await orderStub(env, orderId).inspect();
    expect(inspected.commands[0]).toMatchObject({ seq: 1, deadAt: null, lastError: "OAuth token endpoint answered HTTP 503 (temporarily_unavailable)" });
    expect(await erpRecords(orderId)).toEqual([]);

    await oauth({}); // the token endpoint is back: the order's next message goes through once its backoff ends
    const retryAt = Date.parse(inspected.erp.nextAttemptAt ?? "");
    await new Promise((r) => setTimeout(r, Math.max(0, retryAt - Date.now()) + 50));
    const retried = createMessageBatch<ErpMessage>("dockline-erp-writes", [{ ...message, id: "oauth-2b" }]);
    await worker.queue(retried as MessageBatch<ErpMessage | ProjectionMessage>, oauthEnv);
    expect(await getQueueResult(retried, createExecutionContext())).toMatchObject({ explicitAcks: ["oauth-2b"] });
    expect((await erpRecords(orderId)).map((r) => r.seq)).toEqual([1]);

    expect(logged.some((l) => l.includes("OAuth token endpoint answered HTTP 503"))).toBe(true);
    for (const line of logged) {
      expect(line).not.toContain("sim_"); // every token the simulator issues starts so
      expect(line).not.toContain(CLIENT_SECRET);
      expect(line).not.toMatch(/Basic |Bearer /);
    }
  });
});
