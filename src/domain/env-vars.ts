// Numbers from env-like strings (wrangler vars), for the policies of the pure delivery engine: a missing,
// empty, non-numeric or non-positive value takes the fallback, so a typo never turns into a zero (a retry
// storm, an instant dead letter, or a cap of nothing).
export function positiveVar(env: object, name: string, fallback: number, opts: { integer?: boolean } = {}): number {
  const raw = (env as Readonly<Record<string, unknown>>)[name];
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
  const ok = opts.integer ? Number.isInteger(n) : Number.isFinite(n);
  return ok && n > 0 ? n : fallback;
}
