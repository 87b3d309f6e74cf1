// One source of truth: /openapi.json is generated from the same zod schemas that validate requests, and
// it lists every route the worker serves, each with examples that its own schemas accept.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import acmeDispatched from "../../examples/acme-dispatched.json?raw";
import wranglerToml from "../../wrangler.toml?raw";
import { app } from "../../src/app";
import { MEDIA_EXAMPLES, OPERATION_PROBLEMS, SCHEMA_EXAMPLES } from "../../src/http/examples";
import { CanonicalWebhook } from "../../src/partners/canonical/adapter";
import { partnerSecrets, partners } from "../../src/partners/registry";
import { signFor } from "../../src/partners/signers";
import { call } from "../helpers/http";

interface Example {
  value: unknown;
  "x-headers"?: Record<string, string>;
}
interface Media {
  schema?: { $ref?: string; anyOf?: { $ref?: string }[]; example?: unknown };
  example?: unknown;
  examples?: Record<string, Example>;
}
interface Operation {
  responses: Record<string, { content?: Record<string, Media> }>;
  parameters?: { name: string; in: string }[];
  tags?: string[];
  requestBody?: { content: Record<string, Media> };
  description?: string;
  "x-dockline-partners"?: { partnerId: string; adapter: string; scheme: { name: string } | null; headers: { name: string }[] }[];
}
interface OpenApi {
  openapi: string;
  servers: { url: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { example?: unknown }>; securitySchemes: Record<string, unknown> };
}

/** The ops console: HTML for people, deliberately not in the API document (exempt here by name). */
const isConsole = (path: string) => path === "/ops" || path === "/ops/logout" || path.startsWith("/ops/login") || path.startsWith("/ops/console/");

const document = async () => (await (await call("/openapi.json")).json()) as OpenApi;
const operations = (doc: OpenApi) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
const componentOf = (doc: OpenApi, s?: { $ref?: string }) => (s?.$ref ? doc.components.schemas[s.$ref.split("/").pop() as string] : undefined);

/** Every example a medium shows: its own, its named ones, and its schema's (inline, through a $ref, or each branch of an anyOf). */
function examplesOf(doc: OpenApi, media: Media): unknown[] {
  const own = [media.example, ...Object.values(media.examples ?? {}).map((e) => e.value), media.schema?.example];
  const schemas = [media.schema, ...(media.schema?.anyOf ?? [])].map((s) => componentOf(doc, s)?.example);
  return [...own, ...schemas].filter((e) => e !== undefined);
}

/** A zod validator for one of the document's schemas, its $refs resolved against the document's components. */
function validator(doc: OpenApi, schema: unknown): z.ZodType {
  const local = (s: unknown) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/schemas/', '"#/$defs/'));
  return z.fromJSONSchema({ ...local(schema), $defs: local(doc.components.schemas) });
}

const issues = (error: z.ZodError) => error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");

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
    const doc = await document();
    expect(Object.keys(doc.paths).filter(isConsole)).toEqual([]);
    const tags = Object.values(doc.paths).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? []));
    expect(tags).not.toContain("console");
  });

  it("shows the webhook ingress with an example per content type, the JSON one in the canonical format", async () => {
    const doc = await document();
    const content = doc.paths["/v1/webhooks/{partnerId}"]?.post?.requestBody?.content ?? {};
    expect(Object.keys(content).sort()).toEqual(["application/edi-x12", "application/json"]);
    expect(CanonicalWebhook.safeParse(content["application/json"]?.examples?.["acme-3pl"]?.value).success).toBe(true);
    expect(content["application/json"]?.examples?.["acme-3pl"]?.value).toEqual(JSON.parse(acmeDispatched));
    expect(String(content["application/edi-x12"]?.examples?.edi?.value)).toMatch(/^ISA\*[\s\S]*\nST\*214\*[\s\S]*IEA\*1\*000000001~$/);
    expect(doc.components.schemas.WebhookResult).toHaveProperty("example");
  });

  it("names its servers: the serving origin and the local stack", async () => {
    const doc = await document();
    expect(doc.servers.map((s) => s.url)).toEqual(["/", "http://127.0.0.1:8787"]);
    for (const s of doc.servers) expect(s.description).toBeTruthy();
  });

  it("declares every path parameter and at least one response per operation", async () => {
    const doc = await document();
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

describe("examples in /openapi.json", () => {
  it("shows every operation's success answer, its request body, and a problem it can answer", async () => {
    const doc = await document();
    const missing: string[] = [];
    for (const { name, op } of operations(doc)) {
      const shown = (content?: Record<string, Media>) => Object.values(content ?? {}).some((m) => examplesOf(doc, m).length > 0);
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith("2"));
      if (!success.some(([, r]) => !r.content || shown(r.content))) missing.push(`${name}: success`);
      if (op.requestBody && !shown(op.requestBody.content)) missing.push(`${name}: request body`);
      const failures = Object.entries(op.responses).filter(([status]) => /^[45]/.test(status));
      if (failures.length && !failures.some(([, r]) => shown(r.content))) missing.push(`${name}: problem`);
    }
    expect(missing).toEqual([]);
  });

  it("has only examples that their own schemas accept", async () => {
    const doc = await document();
    const wrong: string[] = [];
    let checked = 0;
    for (const { name, op } of operations(doc)) {
      const media = [
        ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`${name} request ${type}`, m] as const),
        ...Object.entries(op.responses).flatMap(([status, r]) => Object.entries(r.content ?? {}).map(([type, m]) => [`${name} ${status} ${type}`, m] as const)),
      ];
      for (const [where, m] of media) {
        const check = validator(doc, m.schema ?? {});
        for (const example of examplesOf(doc, m)) {
          checked++;
          const result = check.safeParse(example);
          if (!result.success) wrong.push(`${where}: ${issues(result.error)}`);
        }
      }
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      if (schema.example === undefined) continue;
      const result = validator(doc, schema).safeParse(schema.example);
      if (!result.success) wrong.push(`schema ${name}: ${issues(result.error)}`);
    }
    expect(wrong).toEqual([]);
    // A request, a success and a problem per operation at least.
    expect(checked).toBeGreaterThan(operations(doc).length * 2);
  });

  it("keeps no example for a schema or an operation the document no longer has", async () => {
    const doc = await document();
    const names = new Set(operations(doc).map((o) => o.name));
    expect(Object.keys(SCHEMA_EXAMPLES).filter((name) => !(name in doc.components.schemas))).toEqual([]);
    expect([...Object.keys(MEDIA_EXAMPLES), ...Object.keys(OPERATION_PROBLEMS)].filter((name) => !names.has(name))).toEqual([]);
  });

  it("refuses an example its schema does not allow (the check above can fail)", async () => {
    const doc = await document();
    const order = doc.components.schemas.Order as { example: object };
    expect(validator(doc, order).safeParse(order.example).success).toBe(true);
    expect(validator(doc, order).safeParse({ ...order.example, status: "teleported" }).success).toBe(false);
    expect(validator(doc, { $ref: "#/components/schemas/Order" }).safeParse({ ...order.example, shipments: "none" }).success).toBe(false);
  });
});

describe("the webhook ingress in /openapi.json", () => {
  const configured = [...partners(env.PARTNERS).values()];
  const ingress = async () => (await document()).paths["/v1/webhooks/{partnerId}"]?.post;

  it("describes every configured partner: its adapter, its scheme and every header its module signs with", async () => {
    const op = await ingress();
    const rows = op?.["x-dockline-partners"] ?? [];
    expect(rows.map((r) => r.partnerId)).toEqual(configured.map((p) => p.id));
    const parameters = new Set((op?.parameters ?? []).filter((p) => p.in === "header").map((p) => p.name.toLowerCase()));
    for (const partner of configured) {
      const row = rows.find((r) => r.partnerId === partner.id);
      expect(row?.adapter).toBe(partner.adapter);
      expect(row?.scheme, partner.id).not.toBeNull();
      const signed = await signFor(partner.adapter, "whsec_cmVhbC1sb29raW5nLXNlY3JldC0wMTIzNDU2Nzg5", new Uint8Array(), { topic: "a-topic" });
      const sent = Object.keys(signed)
        .map((h) => h.toLowerCase())
        .filter((h) => h !== "content-type");
      expect(row?.headers.map((h) => h.name.toLowerCase()).sort(), partner.id).toEqual(sent.sort());
      for (const h of sent) expect(parameters, `${partner.id}: ${h}`).toContain(h);
      expect(op?.description).toContain(`| ${partner.id} | ${partner.adapter} | ${row?.scheme?.name} |`);
    }
    expect(op?.description).toContain("at most 300 s from our clock");
  });

  it("has one signed example per configured partner, in its content type, that the ingress accepts", async () => {
    const op = await ingress();
    for (const partner of configured) {
      const type = partner.impl.contentTypes[0] as string;
      const example = op?.requestBody?.content[type]?.examples?.[partner.id];
      expect(example, partner.id).toBeDefined();
      const shown = example?.["x-headers"] ?? {};
      expect(shown["Content-Type"], partner.id).toBe(type);
      const raw = typeof example?.value === "string" ? example.value : JSON.stringify(example?.value);
      const topic = Object.entries(shown).find(([h]) => /topic/i.test(h))?.[1];
      // Signed again with this deployment's secret and the current time: the example's own signature is stale.
      const headers = await signFor(partner.adapter, partnerSecrets(env, partner.id)[0] as string, new TextEncoder().encode(raw), topic ? { topic } : {});
      const res = await call(`/v1/webhooks/${partner.id}`, { method: "POST", headers, body: raw });
      expect(res.status, partner.id).toBe(202);
      const answer = (await res.json()) as { results: { outcome: string }[]; ignored?: string };
      expect(answer.ignored, partner.id).toBeUndefined();
      expect(answer.results.length, partner.id).toBeGreaterThan(0);
      expect(
        answer.results.filter((r) => r.outcome === "quarantined"),
        partner.id,
      ).toEqual([]);
    }
  });

  it("answers a failed signature check with a 401 problem, one example per reason", async () => {
    const op = await ingress();
    const examples = op?.responses["401"]?.content?.["application/problem+json"]?.examples ?? {};
    expect(Object.keys(examples).sort()).toEqual(["future", "invalid", "missing", "stale"]);
    for (const status of ["202", "400", "401", "413", "415", "422", "429", "503"]) expect(op?.responses, status).toHaveProperty(status);
  });
});

describe("docs/api.md", () => {
  it("is exactly what `npm run docs:api` renders from /openapi.json (regenerate it when this fails)", async () => {
    const { renderApiMarkdown } = await import("../../src/http/api-markdown");
    const committed = (await import("../../docs/api.md?raw")).default;
    // The default local configuration, as wrangler.toml's top level writes it (the tests add partners of their own).
    const local = /^PARTNERS = '''([\s\S]*?)'''/m.exec(wranglerToml)?.[1];
    const doc = await (await app.request("/openapi.json", {}, { ...env, PARTNERS: local })).json();
    expect(renderApiMarkdown(doc as Parameters<typeof renderApiMarkdown>[0])).toBe(committed);
  });
});
