// `npm run check` (with the type checks): wrangler.toml's partner configuration, in every environment, is one
// the worker can run with. PARTNERS and FULFILLMENT_ROUTES parse as the worker parses them, and every partner's
// PARTNER_SECRET_<ID> is in that environment's `[secrets] required`, and no other partner secret is: locally
// wrangler drops every .dev.vars secret not listed there, and a deploy insists only on the listed ones, so a
// partner left out answers 503 to every webhook. .dev.vars.example (a fresh clone's .dev.vars) holds each one.
// `tsx tools/check-config.ts [--config path]` runs it alone; docs/partners.md walks through it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";
import { ConfigError, fulfillmentRoutes, partners, secretName } from "../src/partners/registry";
import { slaPolicies } from "../src/sla-config";

/** One environment of a wrangler config, as wrangler resolves it (vars and secrets are not inherited). */
export interface EnvironmentConfig {
  /** undefined: the top level (local development); otherwise the name of an `[env.<name>]`. */
  env: string | undefined;
  vars: Readonly<Record<string, unknown>>;
  /** The environment's `[secrets] required`; undefined when it has no `[secrets]` table. */
  requiredSecrets: readonly string[] | undefined;
}

export interface Findings {
  /** What makes `npm run check` fail: one sentence each, naming the environment and what to change. */
  errors: string[];
  /** Worth knowing, not failing: your own .dev.vars missing a secret (it is not in the repository). */
  warnings: string[];
}

const label = (env: string | undefined) => (env ? `[env.${env}]` : "top level (local development)");
const secretsTable = (env: string | undefined) => (env ? `[env.${env}.secrets] required` : "[secrets] required");
const PARTNER_SECRET = /^PARTNER_SECRET_/;
// What a secret missing from `[secrets] required` costs (wrangler's behaviour, checked by test/node/partner-guide.test.ts).
const WHY = {
  local: "wrangler dev loads only the listed secrets from .dev.vars: every webhook of the partner would answer 503",
  deployed: "a deploy does not insist on an unlisted secret: if it is never set, every webhook of the partner answers 503",
};

/** What is wrong with one environment's partner configuration (the pure core of the check). */
export function checkEnvironment({ env, vars, requiredSecrets }: EnvironmentConfig): string[] {
  const where = label(env);
  const source = vars.PARTNERS;
  if (typeof source !== "string") return [`${where}: PARTNERS is not set (a JSON list of partners)`];
  let configured: string[];
  try {
    configured = [...partners(source).keys()];
  } catch (err) {
    if (err instanceof ConfigError) return [`${where}: ${err.message}`];
    throw err;
  }
  const errors: string[] = [];
  const required = new Set(requiredSecrets ?? []);
  const expected = new Set(configured.map(secretName));
  for (const id of configured) {
    if (!required.has(secretName(id))) {
      errors.push(`${where}: partner "${id}" is in PARTNERS but ${secretName(id)} is not in ${secretsTable(env)} (${WHY[env ? "deployed" : "local"]})`);
    }
  }
  for (const name of required) {
    if (PARTNER_SECRET.test(name) && !expected.has(name)) {
      errors.push(`${where}: ${secretsTable(env)} lists ${name}, but no partner in PARTNERS has that secret (remove it, or add the partner)`);
    }
  }
  try {
    fulfillmentRoutes({ PARTNERS: source, FULFILLMENT_ROUTES: typeof vars.FULFILLMENT_ROUTES === "string" ? vars.FULFILLMENT_ROUTES : undefined });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errors.push(`${where}: ${err.message}`);
  }
  try {
    slaPolicies({ SLA_POLICIES: typeof vars.SLA_POLICIES === "string" ? vars.SLA_POLICIES : undefined });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    errors.push(`${where}: ${err.message}`);
  }
  errors.push(...trackingPageErrors(vars).map((e) => `${where}: ${e}`));
  return errors;
}

/**
 * The tracking page's vars. A bad lifetime would silently fall back to 90 days; a help link that is not
 * https is not shown to customers, which nobody would notice.
 */
export function trackingPageErrors(vars: Readonly<Record<string, unknown>>): string[] {
  const errors: string[] = [];
  const ttl = vars.TRACKING_LINK_TTL_DAYS;
  if (ttl !== undefined && !(typeof ttl === "string" && /^\d{1,5}$/.test(ttl.trim()))) {
    errors.push(`TRACKING_LINK_TTL_DAYS must be a whole number of days ("0": links never expire), not ${JSON.stringify(ttl)}`);
  }
  const help = vars.TRACKING_HELP_URL;
  if (help !== undefined && help !== "" && !(typeof help === "string" && URL.canParse(help) && new URL(help).protocol === "https:")) {
    errors.push(`TRACKING_HELP_URL must be an https:// address (the tracking page links only to those), not ${JSON.stringify(help)}`);
  }
  return errors;
}

/** The names a .dev.vars-style file gives a value to. */
export function devVarNames(text: string): Set<string> {
  return new Set(
    text
      .split("\n")
      .map((line) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
}

/**
 * Every environment checked; the top level's required secrets also against .dev.vars.example (an error: a
 * fresh clone's `npm start` copies it) and your own .dev.vars (a warning), when they are given.
 */
export function checkConfig(environments: readonly EnvironmentConfig[], local: { devVarsExample?: string; devVars?: string } = {}): Findings {
  const errors = environments.flatMap(checkEnvironment);
  const warnings: string[] = [];
  const top = environments.find((e) => e.env === undefined);
  for (const [file, text, into] of [
    [".dev.vars.example", local.devVarsExample, errors],
    [".dev.vars", local.devVars, warnings],
  ] as const) {
    if (text === undefined || !top) continue;
    const names = devVarNames(text);
    for (const name of top.requiredSecrets ?? []) {
      if (!names.has(name)) into.push(`top level (local development): ${file} has no ${name}= line (locally the worker would not have it)`);
    }
  }
  return { errors, warnings };
}

/** The top level and every `[env.*]` of the wrangler config at `configPath`, as wrangler resolves each. */
export function readEnvironments(configPath: string): EnvironmentConfig[] {
  const raw: { rawConfig: { env?: Record<string, unknown> } } = experimental_readRawConfig({ config: configPath });
  return [undefined, ...Object.keys(raw.rawConfig.env ?? {})].map((env) => {
    const config: { vars: Record<string, unknown>; secrets?: { required?: string[] } } = unstable_readConfig(
      { config: configPath, ...(env ? { env } : {}) },
      { hideWarnings: true },
    );
    return { env, vars: config.vars, requiredSecrets: config.secrets?.required };
  });
}

/** The whole check of the config at `configPath`, with the .dev.vars files beside it. */
export function checkConfigFile(configPath: string): Findings {
  const read = (name: string) => {
    const path = join(dirname(configPath), name);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  };
  const devVarsExample = read(".dev.vars.example");
  const devVars = read(".dev.vars");
  return checkConfig(readEnvironments(configPath), {
    ...(devVarsExample === undefined ? {} : { devVarsExample }),
    ...(devVars === undefined ? {} : { devVars }),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf("--config");
  const configPath = (i >= 0 ? process.argv[i + 1] : undefined) ?? "wrangler.toml";
  const { errors, warnings } = checkConfigFile(configPath);
  for (const w of warnings) console.warn(`! ${w}`);
  for (const e of errors) console.error(`✖ ${e}`);
  if (errors.length > 0) process.exit(1);
  console.log(`✔ ${configPath}: PARTNERS, [secrets] required, FULFILLMENT_ROUTES and SLA_POLICIES agree in every environment`);
}
