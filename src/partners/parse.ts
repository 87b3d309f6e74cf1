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

export function schemaProblem(error: z.ZodError): HttpProblem {
  return new HttpProblem(422, "schema-violation", "The payload does not match the schema", "See `errors` for each violation.", {
    errors: error.issues.map((i) => ({ path: i.path.join("."), code: i.code, message: i.message })),
  });
}
