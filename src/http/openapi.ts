// OpenAPI plumbing: every router validates with the same zod schemas that document it, and a failed
// validation is our 422 problem (with the issues), not the library's default answer.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-types";
import { inPlainWords, schemaProblem } from "../partners/parse";
import { HttpProblem, PROBLEM_BASE } from "../platform/problem";
import { EXAMPLE_CORRELATION_ID, PROBLEM_EXAMPLES, type ProblemExample } from "./examples";

export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      // A query string or a path is typed by hand: say which parameter is wrong and what it must be.
      if (result.target === "query" || result.target === "param") throw parameterProblem(result.target, result.error);
      throw schemaProblem(result.error);
    },
  });
}

/** 422 for invalid query or path parameters, the detail in plain words ("Query parameter limit: …"). */
export function parameterProblem(target: "query" | "param", error: z.ZodError): HttpProblem {
  const where = target === "query" ? "Query parameter" : "Path parameter";
  const detail = error.issues.map((i) => `${where} ${i.path.join(".") || "(all)"}: ${inPlainWords(i)}.`).join(" ");
  return new HttpProblem(422, "schema-violation", "Invalid request parameters", detail, {
    errors: error.issues.map((i) => ({ path: i.path.join("."), code: i.code, message: i.message })),
  });
}

export const Problem = z
  .object({
    type: z.string().openapi({ example: "https://dockline.dev/problems/invalid-signature" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    correlationId: z.string(),
    errors: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem", { description: "RFC 9457 problem details" });

const PROBLEM_TEXT: Record<number, string> = {
  400: "Malformed request",
  401: "Missing or invalid credentials",
  404: "Not found (including another customer's order)",
  409: "Conflict with the current state",
  413: "Body over this route's size limit (see Limits)",
  415: "Wrong content type for this partner",
  422: "Schema violation; `errors` lists the issues",
  429: "Rate limited; see Retry-After",
  503: "Temporarily unable to serve; see Retry-After",
};

/** Response entries for the problems a route can answer, each with an example of the problem. */
export function problems(...statuses: (keyof typeof PROBLEM_TEXT)[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: PROBLEM_TEXT[s] ?? "Problem", content: { "application/problem+json": { schema: Problem, example: problemExample(s) } } },
    ]),
  );
}

/** The problem body a route answers `status` with: the usual one for the status unless `problem` says otherwise. */
export function problemExample(status: number, problem: ProblemExample = PROBLEM_EXAMPLES[status] ?? { slug: "problem", title: "Problem", detail: "" }) {
  const { slug, title, ...rest } = problem;
  return { type: PROBLEM_BASE + slug, title, status, ...rest, correlationId: EXAMPLE_CORRELATION_ID };
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });

export const BEARER = {
  erpInbound: [{ erpInbound: [] }],
  ops: [{ ops: [] }],
  customer: [{ customerKey: [] }],
};

export const SECURITY_SCHEMES = {
  erpInbound: { type: "http", scheme: "bearer", description: "ERP_INBOUND_TOKEN: the ERP releasing and cancelling orders" },
  ops: { type: "http", scheme: "bearer", description: "OPS_TOKEN, or a Cloudflare Access JWT in Cf-Access-Jwt-Assertion when configured" },
  customerKey: { type: "http", scheme: "bearer", description: "A customer API key issued by ops (POST /ops/api-keys); scoped to one customer" },
} as const;
