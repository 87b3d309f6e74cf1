// JSON as the simulators read it: a parse that never throws, an admin body checked against a zod schema (with
// the field errors to answer), and canonical JSON (what "the same body" means for an idempotent replay).
import type { z } from "zod";

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export interface FieldError {
  path: string;
  message: string;
}

/** A zod error's issues, as the simulators list them in a problem's `errors`. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

/** `text` parsed as JSON and checked with `schema`; otherwise what is wrong (a body that is not JSON says so). */
export function checkJson<T>(text: string, schema: z.ZodType<T>): { ok: true; data: T } | { ok: false; errors: FieldError[] } {
  const parsed = parseJson(text);
  const input = schema.safeParse(parsed.ok ? parsed.value : undefined);
  if (input.success) return { ok: true, data: input.data };
  return { ok: false, errors: parsed.ok ? fieldErrors(input.error) : [{ path: "", message: "The body is not valid JSON." }] };
}

/** JSON with object keys sorted recursively, so equal bodies compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    // fromEntries defines own properties, so a "__proto__" key stays data and never touches the prototype.
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
