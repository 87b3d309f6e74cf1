// One source of truth: /openapi.json is generated from the same zod schemas that validate requests, and
// it lists every route the worker serves.
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { CanonicalWebhook } from "../../src/partners/canonical/adapter";
import { call } from "../helpers/http";

interface OpenApi {
  openapi: string;
  servers: { url: string; description?: string }[];
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<string, unknown>;
        parameters?: { name: string; in: string }[];
        tags?: string[];
        requestBody?: { content: Record<string, { example?: unknown }> };
      }
    >
  >;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

/** The ops console: HTML for people, deliberately not in the API document (exempt here by name). */
const isConsole = (path: string) => path === "/ops" || path === "/ops/logout" || path.startsWith("/ops/login") || path.startsWith("/ops/console/");

describe("/openapi.json", () => {
  it("is an OpenAPI 3.1 document that lists every route the worker serves", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApi;
    expect(doc.openapi).toBe("3.1.0");
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && r.path !== "/openapi.json" && !isConsole(r.path))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}").replace(/^\/v1\/webhooks\/\{partnerId\}$/, "/v1/webhooks/{partnerId}")}`),
    );
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect(documented.size).toBeGreaterThanOrEqual(18);
    expect(
      app.routes.some((r) => isConsole(r.path)),
      "the console is still served",
    ).toBe(true);
  });

  it("leaves the ops console (HTML for people) out of the API document", async () => {
    const doc = (await (await call("/openapi.json")).json()) as OpenApi;
    expect(Object.keys(doc.paths).filter(isConsole)).toEqual([]);
    const tags = Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? []));
    expect(tags).not.toContain("console");
  });

  it("shows the webhook ingress with an example per content type, the JSON one in the canonical format", async () => {
    const doc = (await (await call("/openapi.json")).json()) as OpenApi;
    const op = doc.paths["/v1/webhooks/{partnerId}"]?.post;
    const content = op?.requestBody?.content ?? {};
    expect(Object.keys(content).sort()).toEqual(["application/edi-x12", "application/json"]);
    expect(CanonicalWebhook.safeParse(content["application/json"]?.example).success).toBe(true);
    expect(String(content["application/edi-x12"]?.example)).toMatch(/^ISA\*[\s\S]*\nST\*214\*[\s\S]*IEA\*1\*000000001~$/);
    expect(doc.components.schemas.WebhookResult).toHaveProperty("example");
  });

  it("names its servers: the serving origin and the local stack", async () => {
    const doc = (await (await call("/openapi.json")).json()) as OpenApi;
    expect(doc.servers.map((s) => s.url)).toEqual(["/", "http://127.0.0.1:8787"]);
    for (const s of doc.servers) expect(s.description).toBeTruthy();
  });

  it("declares every path parameter and at least one response per operation", async () => {
    const doc = (await (await call("/openapi.json")).json()) as OpenApi;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        const declared = (op.parameters ?? []).filter((p) => p.in === "path").map((p) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual([...names].sort());
      }
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["customerKey", "erpInbound", "ops"]);
    expect(doc.components.schemas).toHaveProperty("Order");
    expect(doc.components.schemas).toHaveProperty("Problem");
  });
});

describe("docs/api.md", () => {
  it("is exactly what `npm run docs:api` renders from /openapi.json (regenerate it when this fails)", async () => {
    const { renderApiMarkdown } = await import("../../src/http/api-markdown");
    const committed = (await import("../../docs/api.md?raw")).default;
    const doc = await (await call("/openapi.json")).json();
    expect(renderApiMarkdown(doc as Parameters<typeof renderApiMarkdown>[0])).toBe(committed);
  });
});
