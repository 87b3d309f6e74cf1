// Renders docs/api.md from the OpenAPI document, so the reference can never drift from the code:
// `npm run docs:api` writes it, and a test fails when the committed file is stale.
interface Example {
  summary?: string;
  description?: string;
  value: unknown;
  /** The headers of a signed request (the webhook ingress's examples). */
  "x-headers"?: Record<string, string>;
}
interface Media {
  schema?: { $ref?: string; example?: unknown };
  example?: unknown;
  examples?: Record<string, Example>;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: { type?: string } }[];
  requestBody?: { content?: Record<string, Media> };
  responses: Record<string, { description?: string; content?: Record<string, Media> }>;
}
interface Doc {
  info: { title: string; description?: string };
  servers?: { url: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<
      string,
      {
        description?: string;
        example?: unknown;
        properties?: Record<string, { type?: string | string[]; description?: string; $ref?: string; enum?: unknown[] }>;
        required?: string[];
      }
    >;
  };
}

const ref = (s?: { $ref?: string }) => (s?.$ref ? `\`${s.$ref.split("/").pop()}\`` : "");

/** A fenced block: JSON pretty-printed, text (X12, HTML) as it is. */
function fenced(value: unknown, type: string): string[] {
  if (typeof value === "string") return [`\`\`\`${type.includes("html") ? "html" : "text"}`, value, "```"];
  return ["```json", JSON.stringify(value, null, 2), "```"];
}

/** A medium's examples: its own, its named ones (a signed request shown whole, headers and exact bytes), else its schema's. */
function examples(doc: Doc, label: string, type: string, media: Media, path: string): string[] {
  const named = Object.entries(media.examples ?? {});
  if (named.length)
    return named.flatMap(([name, e]) => {
      const heading = `${label} (${type}), ${e.summary ?? name}:`;
      if (!e["x-headers"]) return [heading, "", ...fenced(e.value, type), ""];
      const body = typeof e.value === "string" ? e.value : JSON.stringify(e.value);
      const head = Object.entries(e["x-headers"]).map(([h, v]) => `${h}: ${v}`);
      return [heading, "", "```http", `POST ${path.replace("{partnerId}", name)}`, ...head, "", body, "```", ""];
    });
  const schemaExample = media.schema?.$ref ? doc.components?.schemas?.[media.schema.$ref.split("/").pop() ?? ""]?.example : media.schema?.example;
  const value = media.example ?? schemaExample;
  return value === undefined ? [] : [`${label} (${type}):`, "", ...fenced(value, type), ""];
}

export function renderApiMarkdown(doc: Doc): string {
  const out: string[] = [
    "# HTTP API",
    "",
    "<!-- Generated from /openapi.json by `npm run docs:api`; a test fails when this file is stale. Do not edit by hand. -->",
    "",
    doc.info.description ?? "",
    "",
    "Servers:",
    "",
    ...(doc.servers ?? []).map((sv) => `- \`${sv.url}\`: ${sv.description ?? ""}`),
    "",
    "Every error is `application/problem+json` (RFC 9457): `{ type, title, status, detail, correlationId }`, plus `errors` on 422.",
    "Every response carries `X-Correlation-Id` (yours when valid, otherwise generated).",
    "",
  ];
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags?.[0] ?? "other";
      const lines: string[] = [`### \`${method.toUpperCase()} ${path}\``, "", op.summary ?? "", "", ...(op.description ? [op.description, ""] : [])];
      const auth = op.security?.flatMap((s) => Object.keys(s)) ?? [];
      lines.push(`Auth: ${auth.length ? auth.map((a) => `\`${a}\``).join(", ") : "none"}`, "");
      if (op.parameters?.length) {
        lines.push("| parameter | in | required | description |", "|---|---|---|---|");
        for (const p of op.parameters)
          lines.push(`| \`${p.name}\` | ${p.in} | ${p.required ? "yes" : "no"} | ${(p.description ?? "").replaceAll("|", "\\|")} |`);
        lines.push("");
      }
      const body = op.requestBody?.content;
      if (body)
        lines.push(
          `Body: ${Object.entries(body)
            .map(([type, c]) => `${type} ${ref(c.schema)}`.trim())
            .join("; ")}`,
          "",
        );
      lines.push("| status | meaning | body |", "|---|---|---|");
      for (const [status, r] of Object.entries(op.responses)) {
        const content = Object.entries(r.content ?? {})
          .map(([type, c]) => `${type} ${ref(c.schema)}`.trim())
          .join("; ");
        lines.push(`| ${status} | ${(r.description ?? "").replaceAll("|", "\\|")} | ${content} |`);
      }
      lines.push("");
      for (const [type, media] of Object.entries(body ?? {})) lines.push(...examples(doc, "Request", type, media, path));
      const success = Object.entries(op.responses).find(([status]) => status.startsWith("2"));
      const problem = Object.entries(op.responses).find(([status]) => /^[45]/.test(status));
      for (const [status, r] of [success, problem].flatMap((e) => (e ? [e] : [])))
        for (const [type, media] of Object.entries(r.content ?? {})) lines.push(...examples(doc, `Response ${status}`, type, media, path));
      byTag.set(tag, [...(byTag.get(tag) ?? []), ...lines]);
    }
  }
  for (const [tag, lines] of byTag) out.push(`## ${tag}`, "", ...lines);
  out.push("## Schemas", "");
  for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
    out.push(`### ${name}`, "");
    if (schema.description) out.push(schema.description, "");
    const props = Object.entries(schema.properties ?? {});
    if (props.length) {
      out.push("| field | type | required | description |", "|---|---|---|---|");
      for (const [field, p] of props) {
        const type = p.$ref
          ? ref(p)
          : p.enum
            ? p.enum.map((v) => `\`${String(v)}\``).join(" \\| ")
            : Array.isArray(p.type)
              ? p.type.join(" \\| ")
              : (p.type ?? "object");
        out.push(`| \`${field}\` | ${type} | ${schema.required?.includes(field) ? "yes" : "no"} | ${(p.description ?? "").replaceAll("|", "\\|")} |`);
      }
      out.push("");
    }
  }
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}
