// Renders docs/erp-contract.md from the ERP contract's OpenAPI document (GET /erp/openapi.json), so the
// readable contract can never drift from the machine-readable one: a test compares the committed file.
interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  description?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  discriminator?: { propertyName: string };
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Response {
  description?: string;
  headers?: Record<string, { description?: string }>;
  "x-dockline-outcome"?: string | Record<string, string>;
}
interface Operation {
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, Response>;
}
export interface ErpContractDoc {
  info: { title: string; description?: string };
  paths: Record<string, { post?: Operation }>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { description?: string }> };
}

const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
const refName = (s?: Schema) => s?.$ref?.split("/").pop() ?? "";

function typeOf(s: Schema): string {
  if (s.$ref) return `\`${refName(s)}\``;
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  const types = Array.isArray(s.type) ? s.type : [s.type ?? "object"];
  return types.map((t) => (t === "array" && s.items ? `${typeOf(s.items)}[]` : t === "string" && s.format ? `string (${s.format})` : t)).join(" \\| ");
}

function rules(s: Schema): string {
  const r: string[] = [];
  if (s.pattern) r.push(`pattern \`${s.pattern}\``);
  if (s.minimum !== undefined) r.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) r.push(`≤ ${s.maximum}`);
  if (s.maxItems !== undefined) r.push(`at most ${s.maxItems} items`);
  return r.join(", ");
}

function fields(s: Schema): string[] {
  const out = ["| field | type | required | description |", "|---|---|---|---|"];
  for (const [name, p] of Object.entries(s.properties ?? {})) {
    const text = [p.description, rules(p)].filter(Boolean).join("; ");
    out.push(`| \`${name}\` | ${typeOf(p)} | ${s.required?.includes(name) ? "yes" : "no"} | ${cell(text)} |`);
  }
  return [...out, ""];
}

export function renderErpContractMarkdown(doc: ErpContractDoc): string {
  const schemas = doc.components?.schemas ?? {};
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => (item.post ? [{ path, op: item.post }] : []));
  const out: string[] = [
    "# The ERP contract",
    "",
    "<!-- Generated from GET /erp/openapi.json (docs/erp-openapi.json) by `npm run docs:api`; a test fails when this file is stale. Do not edit by hand. -->",
    "",
    "What an ERP, or a façade in front of it, must serve for dockline to deliver business facts to it. The",
    "machine-readable form is [erp-openapi.json](erp-openapi.json) (OpenAPI 3.1), also served by every dockline",
    "worker at `GET /erp/openapi.json`. How dockline delivers (sequence, retries, dead letters) is in [erp.md](erp.md).",
    "",
    doc.info.description ?? "",
    "",
    "## Endpoints",
    "",
    "| request | body | what it books |",
    "|---|---|---|",
    ...ops.map(({ path, op }) => `| \`POST ${path}\` | \`${refName(op.requestBody?.content?.["application/json"]?.schema)}\` | ${cell(op.summary ?? "")} |`),
    "",
    "## Headers",
    "",
    "| header | required | description |",
    "|---|---|---|",
    "| `Authorization` | yes | `Bearer <token>`: see Authentication |",
    "| `Content-Type` | yes | `application/json` |",
  ];
  for (const p of ops[0]?.op.parameters ?? []) {
    if (p.in !== "header") continue;
    const text = [p.description, p.schema ? rules(p.schema) : ""].filter(Boolean).join("; ");
    out.push(`| \`${p.name}\` | ${p.required ? "yes" : "no"} | ${cell(text)} |`);
  }
  out.push("", "## Answers", "", "The same for every endpoint.", "", "| status | dockline reads it as | meaning |", "|---|---|---|");
  for (const [status, r] of Object.entries(ops[0]?.op.responses ?? {}).sort(([a], [b]) => byStatus(a) - byStatus(b))) {
    const outcome = r["x-dockline-outcome"];
    const how =
      typeof outcome === "string"
        ? `**${outcome}**`
        : Object.entries(outcome ?? {})
            .map(([when, o]) => `${when}: **${o}**`)
            .join("; ");
    const hdrs = Object.keys(r.headers ?? {}).map((h) => `Reads \`${h}\`.`);
    out.push(`| ${status} | ${how} | ${cell([(r.description ?? "").replace(/\*\*\w+\*\*: /g, ""), ...hdrs].join(" "))} |`);
  }
  out.push("", "## Bodies", "");
  const seen = new Set<string>();
  const bodies = ops.map(({ op }) => refName(op.requestBody?.content?.["application/json"]?.schema));
  const queue = [...bodies];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const s = schemas[name];
    if (!s || seen.has(name)) continue;
    seen.add(name);
    out.push(`### ${name}`, "");
    if (s.description) out.push(s.description, "");
    if (s.oneOf) {
      const by = s.discriminator?.propertyName ?? "kind";
      out.push(`One of these, told apart by \`${by}\`:`, "", ...s.oneOf.map((v) => `- \`${refName(v)}\``), "");
      queue.unshift(...s.oneOf.map(refName));
      continue;
    }
    out.push(...fields(s));
    for (const p of Object.values(s.properties ?? {})) {
      const nested = refName(p.items ?? p);
      if (nested) queue.push(nested);
    }
  }
  out.push("## Authentication", "");
  for (const [name, scheme] of Object.entries(doc.components?.securitySchemes ?? {})) out.push(`- \`${name}\`: ${scheme.description ?? ""}`);
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}

/** 2XX, 3XX, 408, 409, 429, 4XX, 5XX: ranges sort after the exact codes they contain. */
function byStatus(s: string): number {
  return s.endsWith("XX") ? Number(s[0]) * 100 + 99 : Number(s);
}
