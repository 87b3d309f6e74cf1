// docs/partners.md works as written: the blocks of "Adding a partner on an existing format" and "A fulfilment
// partner", applied to a copy of wrangler.toml in a temporary directory, give a configuration `npm run check`
// passes and whose local worker (wrangler's own reading of .dev.vars) has the new partner's secret; skipping
// the `[secrets] required` step fails the check, naming the secret, and leaves the worker without it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { experimental_generateTypes, unstable_getVarsForDev, unstable_readConfig } from "wrangler";
import { route } from "../../src/domain/routing";
import { fulfillmentRoutes, secretName } from "../../src/partners/registry";
import { checkConfigFile, readEnvironments } from "../../tools/check-config";

const GUIDE = readFileSync("docs/partners.md", "utf8");

/** The text of the `## title` section of the guide, up to the next `## `. */
function section(title: string): string {
  const start = GUIDE.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`docs/partners.md has no section "${title}"`);
  const end = GUIDE.indexOf("\n## ", start + 1);
  return GUIDE.slice(start, end < 0 ? undefined : end);
}

/** The fenced code blocks of a section, in order, with their language and their text (list indentation removed). */
function blocks(text: string): { lang: string; body: string }[] {
  return [...text.matchAll(/^( *)```(\w*)\n([\s\S]*?)^ *```$/gm)].map(([, indent = "", lang = "", body = ""]) => ({
    lang,
    body: body
      .split("\n")
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join("\n")
      .trim(),
  }));
}

function only(list: { lang: string; body: string }[], lang: string, n = 0): string {
  const found = list.filter((b) => b.lang === lang)[n];
  if (!found) throw new Error(`the guide's section has no ${lang} block #${n + 1}`);
  return found.body;
}

const adding = blocks(section("Adding a partner on an existing format"));
const fulfilment = blocks(section("A fulfilment partner"));
const STEP = {
  partner: only(adding, "json"),
  secrets: [...only(adding, "toml").matchAll(/"(PARTNER_SECRET_\w+)"/g)].map((m) => m[1] as string),
  devVars: only(adding, "dotenv"),
  commands: only(adding, "sh"),
  fulfilmentPartner: only(fulfilment, "json", 0),
  route: only(fulfilment, "json", 1),
};
const partner = JSON.parse(STEP.partner) as { id: string; adapter: string };

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * A copy of the repository's wrangler.toml and .dev.vars.example in a temporary directory, with the guide's
 * steps applied: `partner` into every environment's PARTNERS (step 1), the secret names into every
 * `[secrets] required` (step 2), the .dev.vars line into .dev.vars.example and .dev.vars (step 3), and
 * `route` first in every FULFILLMENT_ROUTES (fulfilment partners).
 */
function apply(steps: { partner?: string; secrets?: readonly string[]; devVars?: string; route?: string }): string {
  dir = mkdtempSync(join(tmpdir(), "dockline-guide-"));
  let toml = readFileSync("wrangler.toml", "utf8");
  const environments = readEnvironments("wrangler.toml").length;
  const everywhere = (anchor: string, insert: string) => {
    expect(toml.split(anchor).length - 1, `"${anchor}" once per environment`).toBe(environments);
    toml = toml.replaceAll(anchor, `${anchor}\n  ${insert},`);
  };
  if (steps.partner) everywhere("PARTNERS = '''[", steps.partner);
  for (const name of steps.secrets ?? []) everywhere("required = [", JSON.stringify(name));
  if (steps.route) everywhere("FULFILLMENT_ROUTES = '''[", steps.route);
  writeFileSync(join(dir, "wrangler.toml"), toml);
  const example = readFileSync(".dev.vars.example", "utf8") + (steps.devVars ? `${steps.devVars}\n` : "");
  writeFileSync(join(dir, ".dev.vars.example"), example);
  writeFileSync(join(dir, ".dev.vars"), example);
  return join(dir, "wrangler.toml");
}

/** What `npm start` (wrangler dev) gives the worker locally: vars, and the secrets wrangler loads from .dev.vars. */
function localEnv(configPath: string): Record<string, unknown> {
  const config = unstable_readConfig({ config: configPath }, { hideWarnings: true });
  const bindings = unstable_getVarsForDev(configPath, undefined, config.vars, undefined, true, config.secrets) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(bindings).map(([k, b]) => [k, b.value]));
}

describe('docs/partners.md, "Adding a partner on an existing format", followed as written', () => {
  it("reads as the steps the test applies: one PARTNERS entry, its secret to require, its local line, types then check", () => {
    expect(partner).toEqual({ id: "globex-3pl", adapter: "canonical" });
    expect(STEP.secrets).toEqual([secretName(partner.id)]);
    expect(STEP.devVars).toMatch(new RegExp(`^${secretName(partner.id)}=whsec_[A-Za-z0-9+/=]+$`));
    expect(STEP.commands.split("\n")).toEqual(["npm run types", "npm run check"]);
  });

  it("gives a configuration the check passes, whose local worker has the partner's secret", () => {
    const config = apply({ partner: STEP.partner, secrets: STEP.secrets, devVars: STEP.devVars });
    expect(checkConfigFile(config)).toEqual({ errors: [], warnings: [] });
    const env = localEnv(config);
    expect(JSON.parse(String(env.PARTNERS))).toContainEqual(partner);
    expect(env[secretName(partner.id)]).toBe(STEP.devVars.split("=").slice(1).join("="));
  });

  it("needs `npm run types`: the generated Env gains the secret, so `wrangler types --check` fails until it is run", async () => {
    const types = async (config: string) =>
      (await experimental_generateTypes({ config, includeRuntime: false, includeMainModule: false, strictVars: false })).env ?? "";
    const before = await types(apply({}));
    const after = await types(apply({ partner: STEP.partner, secrets: STEP.secrets, devVars: STEP.devVars }));
    expect(before).not.toContain(`${secretName(partner.id)}: string`);
    expect(after).toContain(`${secretName(partner.id)}: string`);
  });

  it("without the [secrets] required step, fails the check naming the secret in every environment, and the local worker lacks it", () => {
    const config = apply({ partner: STEP.partner, devVars: STEP.devVars });
    const { errors } = checkConfigFile(config);
    expect(errors).toEqual([
      expect.stringMatching(
        /^top level \(local development\): partner "globex-3pl" is in PARTNERS but PARTNER_SECRET_GLOBEX_3PL is not in \[secrets\] required/,
      ),
      expect.stringMatching(/^\[env\.staging\]: .*PARTNER_SECRET_GLOBEX_3PL is not in \[env\.staging\.secrets\] required/),
      expect.stringMatching(/^\[env\.production\]: .*PARTNER_SECRET_GLOBEX_3PL is not in \[env\.production\.secrets\] required/),
    ]);
    // The line is in .dev.vars, and still the worker does not get it: every webhook of the partner is a 503.
    expect(localEnv(config)).not.toHaveProperty(secretName(partner.id));
  });

  it("without the local line, fails the check naming .dev.vars.example", () => {
    const { errors } = checkConfigFile(apply({ partner: STEP.partner, secrets: STEP.secrets }));
    expect(errors).toEqual([expect.stringContaining(".dev.vars.example has no PARTNER_SECRET_GLOBEX_3PL= line")]);
  });
});

describe('docs/partners.md, "A fulfilment partner" and "Routing", followed as written', () => {
  it("with the fulfillment entry and its route, passes the check, and the route sends its lines to it", () => {
    const config = apply({ partner: STEP.fulfilmentPartner, secrets: STEP.secrets, devVars: STEP.devVars, route: STEP.route });
    expect(checkConfigFile(config)).toEqual({ errors: [], warnings: [] });
    for (const { vars } of readEnvironments(config)) {
      const routes = fulfillmentRoutes({ PARTNERS: String(vars.PARTNERS), FULFILLMENT_ROUTES: String(vars.FULFILLMENT_ROUTES) });
      expect(routes[0]).toEqual(JSON.parse(STEP.route));
      const routed = route({ customerId: "C", shipTo: { country: "MX" }, lines: [{ sku: "WID-1", quantity: 1 }] }, routes);
      expect(routed.requests.map((r) => r.partner)).toEqual(["globex-3pl"]);
    }
  });

  it("with the route but no fulfillment entry, fails the check naming FULFILLMENT_ROUTES in every environment", () => {
    const { errors } = checkConfigFile(apply({ partner: STEP.partner, secrets: STEP.secrets, devVars: STEP.devVars, route: STEP.route }));
    expect(errors).toHaveLength(3);
    for (const e of errors) expect(e).toMatch(/FULFILLMENT_ROUTES\[0\]\.partner: "globex-3pl" is not a partner with a "fulfillment" entry/);
  });

  it("shows the routes wrangler.toml ships in every environment, and its split example holds", () => {
    const shipped = JSON.parse(only(blocks(section("Routing")), "json"));
    for (const { vars } of readEnvironments("wrangler.toml")) expect(JSON.parse(String(vars.FULFILLMENT_ROUTES))).toEqual(shipped);
    const split = route(
      {
        customerId: "C",
        shipTo: { country: "CA" },
        lines: [
          { sku: "BULK-PALLET", quantity: 1 },
          { sku: "WID-1", quantity: 2 },
        ],
      },
      shipped,
    );
    expect(split.requests.map((r) => [r.partner, r.lines.map((l) => l.sku)])).toEqual([
      ["edi", ["BULK-PALLET"]],
      ["acme-3pl", ["WID-1"]],
    ]);
    const withoutCatchAll = route({ customerId: "C", shipTo: { country: "MX" }, lines: [{ sku: "WID-1", quantity: 1 }] }, shipped.slice(0, -1));
    expect(withoutCatchAll).toEqual({ requests: [], unroutable: [{ index: 0, sku: "WID-1", quantity: 1 }] });
  });
});
