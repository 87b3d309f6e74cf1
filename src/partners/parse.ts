// Body parsing shared by adapters: malformed bytes are 400, a well-formed body that breaks OUR schema 422,
// and a vendor payload that breaks the vendor's schema is described for its Unmappable reason.
import type { z } from "zod";
import { assertJsonDepth } from "../platform/json-depth";
import { HttpProblem } from "../platform/problem";
import { Unmappable } from "./types";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function parseJson(raw: Uint8Array): unknown {
  const text = decodeJsonText(raw);
  try {
    return JSON.parse(text);
  } catch {
    throw malformedJson();
  }
}

/** The body as text, refused (400) if it is not UTF-8 or nests deeper than MAX_JSON_DEPTH. */
export function decodeJsonText(raw: Uint8Array): string {
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    throw malformedJson();
  }
  assertJsonDepth(text);
  return text;
}

const malformedJson = () => new HttpProblem(400, "malformed-body", "Malformed request body", "The body is not valid UTF-8 JSON.");

/**
 * `value` read with a vendor's schema. A payload that breaks it is authentic but not mappable, so it is
 * Unmappable (quarantined, not lost), its reason `what` and the first violation as "where message" for ops;
 * `where` turns the violation's path into the place named (by default the path, or "body" at the root).
 */
export function readVendor<T extends z.ZodType>(schema: T, value: unknown, what: string, where = (path: string) => path || "body"): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Unmappable(`${what}: ${where(issue?.path.join(".") ?? "")} ${issue?.message ?? ""}`.trim());
}

/**
 * 422 for a body that breaks our schema: `detail` names each field and what it must be, in plain words
 * ("Body field lines.0.quantity: must be at least 1."); `errors` keeps the validator's codes for programs.
 */
export function schemaProblem(error: z.ZodError): HttpProblem {
  const detail = error.issues.map((i) => `${i.path.length ? `Body field ${i.path.join(".")}` : "Body"}: ${inPlainWords(i)}.`).join(" ");
  return new HttpProblem(422, "schema-violation", "The payload does not match the schema", detail, {
    errors: error.issues.map((i) => ({ path: i.path.join("."), code: i.code, message: i.message })),
  });
}

type Issue = z.ZodError["issues"][number];

/** What a value must be, in words a caller can act on, for one validation issue (no validator jargon). */
export function inPlainWords(issue: Issue): string {
  switch (issue.code) {
    case "too_small":
      return issue.origin === "string"
        ? `must be at least ${issue.minimum} characters long`
        : issue.origin === "array" || issue.origin === "set"
          ? `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`
          : issue.inclusive === false
            ? `must be greater than ${issue.minimum}`
            : `must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string"
        ? `must be at most ${issue.maximum} characters long`
        : issue.origin === "array" || issue.origin === "set"
          ? `must have at most ${issue.maximum} items`
          : issue.inclusive === false
            ? `must be less than ${issue.maximum}`
            : `must be at most ${issue.maximum}`;
    case "invalid_type":
      // zod reports a missing field as the wrong type; "received undefined" is the only sign of it.
      if (issue.message.endsWith("received undefined")) return `is required (${aType(issue.expected)})`;
      return `must be ${aType(issue.expected)}`;
    case "invalid_format":
      return issue.format === "datetime"
        ? "must be an ISO 8601 date-time with a time zone, e.g. 2026-11-20T10:00:00Z"
        : issue.format === "date"
          ? "must be a date like 2026-11-20"
          : issue.format === "regex"
            ? "is not in the expected format"
            : `must be a valid ${issue.format}`;
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${show(issue.values[0])}` : `must be one of ${issue.values.map(show).join(", ")}`;
    case "invalid_union": {
      // A union of literals is an enum by another name: list what it accepts.
      const allowed = issue.errors.flatMap((branch) => (branch.length === 1 && branch[0]?.code === "invalid_value" ? branch[0].values : [undefined]));
      return allowed.every((v) => v !== undefined) && allowed.length > 0
        ? `must be one of ${allowed.map(show).join(", ")}`
        : "does not match any of the allowed shapes (see the schema)";
    }
    case "unrecognized_keys":
      return `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")} not allowed`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    default:
      // Our own refinements already speak plainly.
      return issue.message;
  }
}

const aType = (t: string) =>
  t === "int" ? "a whole number" : t === "number" ? "a number" : t === "object" ? "an object" : t === "array" ? "a list" : `a ${t}`;
const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
