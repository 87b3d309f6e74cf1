// Body parsing shared by adapters: malformed bytes are 400, a well-formed body that breaks the schema 422.
import type { z } from "zod";
import { HttpProblem } from "../platform/problem";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function parseJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(raw));
  } catch {
    throw new HttpProblem(400, "malformed-body", "Malformed request body", "The body is not valid UTF-8 JSON.");
  }
}

export function schemaProblem(error: z.ZodError): HttpProblem {
  return new HttpProblem(422, "schema-violation", "The payload does not match the schema", "See `errors` for each violation.", {
    errors: error.issues.map((i) => ({ path: i.path.join("."), code: i.code, message: i.message })),
  });
}
