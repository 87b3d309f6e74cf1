// The worker under test sees wrangler.toml and vitest.config.ts, never a developer's .dev.vars: the plugin is
// handed a copy of wrangler.toml in a directory of its own (vitest.config.ts, isolatedWranglerConfig), so a
// local override (ERP_AUTH, CONSOLE_URL, a partner secret…) cannot change what a test run means.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const bindings = env as unknown as Record<string, unknown>;

describe("the tests' environment", () => {
  it("has wrangler.toml's value for every var the test config leaves alone, whatever .dev.vars says", () => {
    const vars = JSON.parse(String(bindings.TEST_WRANGLER_VARS)) as Record<string, unknown>;
    expect(Object.keys(vars).length).toBeGreaterThan(10);
    for (const [name, value] of Object.entries(vars)) expect(bindings[name], name).toEqual(value);
  });

  it("has the test secrets, not the development ones of .dev.vars.example", () => {
    expect(env.OPS_TOKEN).toBe("test-ops-token");
    expect(env.ERP_INBOUND_TOKEN).toBe("test-erp-inbound-token");
  });
});
