// The configuration check of `npm run check` (tools/check-config.ts): the shipped wrangler.toml passes, and
// each way PARTNERS, `[secrets] required` and FULFILLMENT_ROUTES can disagree fails with a sentence naming
// the environment and what to change.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkConfig, checkConfigFile, checkEnvironment, type EnvironmentConfig, readEnvironments } from "../../tools/check-config";

const PARTNERS = JSON.stringify([
  { id: "acme-3pl", adapter: "canonical", fulfillment: { url: "https://acme.example.com/f", format: "canonical" } },
  { id: "edi", adapter: "x12", fulfillment: { url: "https://edi.example.com/940", format: "x12-940" } },
  { id: "ups", adapter: "ups" },
]);
const ROUTES = JSON.stringify([{ partner: "edi", when: { skuPrefixes: ["BULK-"] } }, { partner: "acme-3pl" }]);
const SECRETS = ["OPS_TOKEN", "PARTNER_SECRET_ACME_3PL", "PARTNER_SECRET_EDI", "PARTNER_SECRET_UPS"];

const staging = (over: Partial<EnvironmentConfig> = {}, vars: Record<string, unknown> = {}): EnvironmentConfig => ({
  env: "staging",
  vars: { PARTNERS, FULFILLMENT_ROUTES: ROUTES, ...vars },
  requiredSecrets: SECRETS,
  ...over,
});

describe("the configuration check", () => {
  it("passes the shipped wrangler.toml, in all three environments", () => {
    expect(readEnvironments("wrangler.toml").map((e) => e.env)).toEqual([undefined, "staging", "production"]);
    expect(checkConfigFile("wrangler.toml").errors).toEqual([]);
  });

  it("passes an environment whose partners and required secrets agree and whose routes are valid", () => {
    expect(checkEnvironment(staging())).toEqual([]);
  });

  it("names the missing secret and the environment when a partner's secret is not required there", () => {
    const errors = checkEnvironment(staging({ requiredSecrets: SECRETS.filter((s) => s !== "PARTNER_SECRET_UPS") }));
    expect(errors).toEqual([expect.stringContaining("PARTNER_SECRET_UPS")]);
    expect(errors[0]).toMatch(/^\[env\.staging\]: partner "ups" is in PARTNERS but PARTNER_SECRET_UPS is not in \[env\.staging\.secrets\] required/);
  });

  it("treats an environment without a [secrets] table as requiring nothing: every partner's secret is named", () => {
    const errors = checkEnvironment(staging({ requiredSecrets: undefined }));
    expect(errors.map((e) => /PARTNER_SECRET_\w+/.exec(e)?.[0])).toEqual(["PARTNER_SECRET_ACME_3PL", "PARTNER_SECRET_EDI", "PARTNER_SECRET_UPS"]);
  });

  it("names a required partner secret that no partner has (a partner removed from PARTNERS only)", () => {
    expect(checkEnvironment(staging({ requiredSecrets: [...SECRETS, "PARTNER_SECRET_GLOBEX_3PL"] }))).toEqual([
      expect.stringMatching(/^\[env\.staging\]: \[env\.staging\.secrets\] required lists PARTNER_SECRET_GLOBEX_3PL, but no partner/),
    ]);
  });

  it("says top level for the local configuration", () => {
    expect(checkEnvironment(staging({ env: undefined, requiredSecrets: ["PARTNER_SECRET_ACME_3PL", "PARTNER_SECRET_EDI"] }))).toEqual([
      expect.stringMatching(/^top level \(local development\): partner "ups" .* not in \[secrets\] required \(wrangler dev loads only/),
    ]);
  });

  it.each([
    [
      "a route naming a partner that does not fulfil",
      JSON.stringify([{ partner: "ups" }]),
      /FULFILLMENT_ROUTES\[0\]\.partner: "ups" is not a partner with a "fulfillment" entry/,
    ],
    ["an unknown condition", JSON.stringify([{ partner: "edi", when: { weightOver: 5 } }]), /FULFILLMENT_ROUTES\[0\.when\]/],
    ["text that is not JSON", "[{partner:edi}]", /FULFILLMENT_ROUTES is not valid JSON/],
  ])("names FULFILLMENT_ROUTES and the environment for %s", (_what, routes, message) => {
    const errors = checkEnvironment(staging({}, { FULFILLMENT_ROUTES: routes }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[env\.staging\]: /);
    expect(errors[0]).toMatch(message);
  });

  it("names PARTNERS when it is missing or invalid (and checks nothing that depends on it)", () => {
    expect(checkEnvironment(staging({}, { PARTNERS: undefined }))).toEqual(["[env.staging]: PARTNERS is not set (a JSON list of partners)"]);
    expect(checkEnvironment(staging({}, { PARTNERS: '[{"id":"ups","adapter":"fedex"}]' }))).toEqual([
      expect.stringMatching(/^\[env\.staging\]: PARTNERS\[0\.adapter\]: /),
    ]);
    expect(checkEnvironment(staging({}, { PARTNERS: '[{"id":"ups","adapter":"ups"},{"id":"ups","adapter":"ups"}]' }))).toEqual([
      expect.stringContaining("partner ids must be unique"),
    ]);
  });

  it("fails when .dev.vars.example lacks a top-level required secret, and only warns for your own .dev.vars", () => {
    const top = staging({ env: undefined });
    const example = readFileSync(".dev.vars.example", "utf8");
    expect(checkConfig([top], { devVarsExample: "OPS_TOKEN=x\nPARTNER_SECRET_ACME_3PL=y\nPARTNER_SECRET_EDI=z\nPARTNER_SECRET_UPS=w\n" })).toEqual({
      errors: [],
      warnings: [],
    });
    const { errors, warnings } = checkConfig([top], { devVarsExample: "OPS_TOKEN=x\n# PARTNER_SECRET_UPS=commented out\n", devVars: example });
    expect(errors).toEqual([
      "top level (local development): .dev.vars.example has no PARTNER_SECRET_ACME_3PL= line (locally the worker would not have it)",
      "top level (local development): .dev.vars.example has no PARTNER_SECRET_EDI= line (locally the worker would not have it)",
      "top level (local development): .dev.vars.example has no PARTNER_SECRET_UPS= line (locally the worker would not have it)",
    ]);
    expect(warnings).toEqual([]);
    expect(checkConfig([top], { devVars: "OPS_TOKEN=x\n" }).warnings).toHaveLength(3);
  });
});
