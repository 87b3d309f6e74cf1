// Every rejection of the partner ingress (DESIGN §3.1): the right status, problem+json, and nothing written.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { orderStub } from "../../src/orders";
import { signStandardWebhook } from "../../src/partners/schemes/standard-webhooks";
import { call, eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

const SECOND_ACTIVE = "whsec_c2Vjb25kIGFjdGl2ZSBzZWNyZXQgZm9yIHJvdGF0aW9u";
const ROTATED_OUT = "whsec_b2xkIHNlY3JldCB0aGF0IHdhcyByb3RhdGVkIG91dA==";

const dispatch = (orderId: string) => milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1" });

async function expectProblem(res: Response, status: number, slug: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `https://dockline.dev/problems/${slug}`, status });
  expect(JSON.stringify(body)).not.toMatch(/at .*\(|Error:/); // no stack traces
  return body;
}

async function nothingWritten(orderId: string): Promise<void> {
  expect((await orderStub(env, orderId).inspect()).orderId).toBeNull();
}

describe("partner ingress rejections", () => {
  it("accepts a signature made with the second active secret during a rotation", async () => {
    await releaseOrder("SO-ROT-OK");
    expect((await sendAcme(dispatch("SO-ROT-OK"), { secret: SECOND_ACTIVE })).status).toBe(202);
  });

  it("rejects a signature made with a rotated-out secret", async () => {
    await expectProblem(await sendAcme(dispatch("SO-ROT-OUT"), { secret: ROTATED_OUT }), 401, "invalid-signature");
    await nothingWritten("SO-ROT-OUT");
  });

  it("rejects a missing signature", async () => {
    const res = await call("/v1/webhooks/acme-3pl", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(dispatch("SO-NOSIG")),
    });
    const p = await expectProblem(res, 401, "invalid-signature");
    expect(p.detail).toBe("The signature headers are missing.");
    await nothingWritten("SO-NOSIG");
  });

  it("rejects a stale timestamp and a future one", async () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = await expectProblem(await sendAcme(dispatch("SO-STALE"), { timestamp: now - 301 }), 401, "invalid-signature");
    expect(stale.detail).toMatch(/too old/);
    const future = await expectProblem(await sendAcme(dispatch("SO-STALE"), { timestamp: now + 301 }), 401, "invalid-signature");
    expect(future.detail).toMatch(/future/);
    await nothingWritten("SO-STALE");
  });

  it("answers 404 for an unknown partner", async () => {
    await expectProblem(await call("/v1/webhooks/nobody", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }), 404, "not-found");
  });

  it("answers 415 for a content type the partner does not send", async () => {
    await expectProblem(await sendAcme(JSON.stringify(dispatch("SO-415")), { contentType: "text/plain" }), 415, "unsupported-media-type");
    await nothingWritten("SO-415");
  });

  it("answers 413 for a body over 1 MiB announced by Content-Length", async () => {
    const big = JSON.stringify({ ...dispatch("SO-413"), pad: "x".repeat(1024 * 1024) });
    await expectProblem(await sendAcme(big), 413, "payload-too-large");
    await nothingWritten("SO-413");
  });

  it("answers 413 for a streamed body over 1 MiB without buffering it all", async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    // 64 chunks would be 4 MiB: the stream must be cut off long before it is drained.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await call("/v1/webhooks/acme-3pl", { method: "POST", headers: { "Content-Type": "application/json" }, body, duplex: "half" } as RequestInit);
    await expectProblem(res, 413, "payload-too-large");
    expect(sent).toBeLessThan(64);
  });

  it("answers 400 for malformed JSON and 422 with the issues for a canonical schema violation", async () => {
    await expectProblem(await sendAcme("{not json"), 400, "malformed-body");
    const p = await expectProblem(await sendAcme(milestone({ code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z" })), 422, "schema-violation");
    expect(p.errors).toEqual([expect.objectContaining({ path: "data.orderId", message: "one of orderId, orderRef or trackingNumber is required" })]);
  });

  it("refuses order milestones from partners: only the ERP releases and cancels", async () => {
    await expectProblem(await sendAcme(milestone({ orderId: "SO-X", code: "order.cancelled", occurredAt: "2026-11-20T10:00:00Z" })), 422, "schema-violation");
    await nothingWritten("SO-X");
  });

  it("answers 429 with Retry-After once a partner is over its rate limit", async () => {
    // vitest.config.ts gives the limiter the production figure, 1,000 requests per 10 s window (a hot
    // order's burst of scans from one partner must fit in it).
    const LIMIT = 1000;
    const secret = "whsec_cmF0ZSBsaW1pdCB0ZXN0IHBhcnRuZXIgc2VjcmV0";
    const send = async () => {
      const id = `msg_rl_${crypto.randomUUID()}`;
      const ts = Math.floor(Date.now() / 1000);
      const raw = JSON.stringify(milestone({ orderId: "SO-RL", code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z", eventId: id }));
      const sig = await signStandardWebhook(secret, id, ts, new TextEncoder().encode(raw));
      return call("/v1/webhooks/rl-test", {
        method: "POST",
        headers: { "Content-Type": "application/json", "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig },
        body: raw,
      });
    };
    // The local limiter counts in wall-clock windows: start early in a window so the burst fits in one.
    for (;;) {
      const intoWindow = Date.now() % 10_000;
      if (intoWindow < 2_000) break;
      await new Promise((r) => setTimeout(r, 10_000 - intoWindow + 50));
    }
    const statuses: number[] = [];
    // In bursts of 100, so the thousand fit in one window.
    for (let i = 0; i < LIMIT; i += 100) statuses.push(...(await Promise.all(Array.from({ length: 100 }, send))).map((r) => r.status));
    statuses.push((await send()).status);
    expect(statuses.slice(0, LIMIT).every((s) => s === 202)).toBe(true);
    const res = await send();
    const p = await expectProblem(res, 429, "rate-limited");
    expect(res.headers.get("Retry-After")).toBe("10");
    expect(p.detail).toMatch(/rl-test/);
    expect(statuses[LIMIT]).toBe(429);
  });
});

describe("ingest metrics", () => {
  it("counts each partner's outcomes and rejections, with latency, in GET /ops/metrics", async () => {
    await releaseOrder("SO-METRICS-1");
    const body = dispatch("SO-METRICS-1");
    await sendAcme(body);
    await sendAcme(body);
    await sendAcme(body, { secret: ROTATED_OUT });
    const m = await eventually(async () => {
      const r = (await (await call("/ops/metrics", { headers: { Authorization: "Bearer test-ops-token" } })).json()) as {
        partners: Record<string, { minutes: number; counts: Record<string, number>; latency: { count: number; p99Ms: number | null } }[]>;
      };
      const w = r.partners["acme-3pl"]?.find((x) => x.minutes === 60);
      return w && (w.counts.rejected ?? 0) >= 1 && (w.counts.duplicate ?? 0) >= 1 ? w : undefined;
    });
    expect(m.counts.accepted).toBeGreaterThanOrEqual(1);
    expect(m.latency.count).toBeGreaterThanOrEqual(3);
    expect(m.latency.p99Ms).not.toBeNull();
  });
});
