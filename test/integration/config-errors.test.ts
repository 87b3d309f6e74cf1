// A configuration the worker cannot run with (PARTNERS or FULFILLMENT_ROUTES invalid) is answered on every API
// route with one problem+json 500 "configuration error" naming the variable; the log says what is wrong. No
// stack trace, and nothing of the configuration's text, reaches the caller.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";

afterEach(() => {
  vi.restoreAllMocks();
});

async function fetchWith(vars: Partial<Env>, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://dockline.test${path}`, init), { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("an invalid configuration", () => {
  const ROUTE_TO_SHIPBOB = JSON.stringify([{ partner: "shipbob" }]);

  it.each([
    ["POST /v1/webhooks/acme-3pl", "/v1/webhooks/acme-3pl", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }],
    ["GET /v1/orders/SO-1", "/v1/orders/SO-1", {}],
    ["GET /ops/stuck", "/ops/stuck", {}],
  ])("answers %s with a 500 configuration error naming FULFILLMENT_ROUTES", async (_what, path, init) => {
    const logged = vi.spyOn(console, "error");
    const res = await fetchWith({ FULFILLMENT_ROUTES: ROUTE_TO_SHIPBOB }, path, init);
    expect(res.status).toBe(500);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      type: "https://dockline.dev/problems/configuration-error",
      title: "Configuration error",
      status: 500,
      detail: "FULFILLMENT_ROUTES is invalid in this deployment's configuration.",
      variable: "FULFILLMENT_ROUTES",
      correlationId: expect.any(String),
    });
    const line = logged.mock.calls.map(([l]) => String(l)).find((l) => l.includes("configuration error"));
    expect(line && JSON.parse(line)).toMatchObject({
      level: "error",
      variable: "FULFILLMENT_ROUTES",
      problem: expect.stringContaining('"shipbob" is not a partner with a "fulfillment" entry'),
      correlationId: body.correlationId,
    });
  });

  it("names PARTNERS when PARTNERS itself is invalid", async () => {
    const res = await fetchWith({ PARTNERS: '[{"id":"acme-3pl","adapter":"nope"}]' }, "/v1/webhooks/acme-3pl", { method: "POST", body: "{}" });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ type: "https://dockline.dev/problems/configuration-error", variable: "PARTNERS" });
  });

  it("leaves /health and the documents answering", async () => {
    expect((await fetchWith({ FULFILLMENT_ROUTES: ROUTE_TO_SHIPBOB }, "/health")).status).toBe(200);
    expect((await fetchWith({ FULFILLMENT_ROUTES: ROUTE_TO_SHIPBOB }, "/openapi.json")).status).toBe(200);
  });
});
