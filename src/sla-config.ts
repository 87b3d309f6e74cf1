// SLA_POLICIES of this environment (src/domain/sla.ts), parsed once per isolate and configuration. An
// invalid value throws ConfigError naming the variable: a 500 "configuration error" for the API, a failure
// of `npm run check` before deploy.
import { parseSlaPolicies, type SlaPolicy } from "./domain/sla";
import { ConfigError } from "./partners/registry";

let cache: { text: string | undefined; parsed: SlaPolicy[] } | null = null;

export function slaPolicies(vars: { SLA_POLICIES?: string | undefined }): SlaPolicy[] {
  if (cache && cache.text === vars.SLA_POLICIES) return cache.parsed;
  const r = parseSlaPolicies(vars.SLA_POLICIES);
  if (!r.ok) throw new ConfigError("SLA_POLICIES", r.error);
  cache = { text: vars.SLA_POLICIES, parsed: r.policies };
  return r.policies;
}
