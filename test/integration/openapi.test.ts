// One source of truth: /openapi.json is generated from the same zod schemas that validate requests, and
// it lists every route the worker serves.
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { call } from "../helpers/http";

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string; in: string }[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describe("/openapi.json", () => {
  it("is an OpenAPI 3.1 document that lists every route the worker serves", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApi;
    expect(doc.openapi).toBe("3.1.0");
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && r.path !== "/openapi.json")
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}").replace(/^\/v1\/webhooks\/\{partnerId\}$/, "/v1/webhooks/{partnerId}")}`),
    );
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect(documented.size).toBeGreaterThanOrEqual(18);
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
