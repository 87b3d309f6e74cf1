// The workerd tests never read a developer's .dev.vars (or .env, or shell): shown here on wrangler's own
// reading of a config, the one the Cloudflare vitest plugin calls, with a .dev.vars that overrides a var and
// a secret. The workerd side (test/integration/no-dev-vars.test.ts) checks the running tests' env.
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { isolatedWranglerConfig } from "../../vitest.config";

/** The plain-text bindings wrangler would give the worker for the config at `path`. */
function bindingsFor(path: string): Record<string, unknown> {
  const bindings: unknown = unstable_getMiniflareWorkerOptions(path).workerOptions.bindings;
  return (bindings ?? {}) as Record<string, unknown>;
}

function projectWithDevVars(): string {
  const dir = mkdtempSync(join(tmpdir(), "dockline-dev-vars-"));
  copyFileSync("wrangler.toml", join(dir, "wrangler.toml"));
  writeFileSync(join(dir, ".dev.vars"), "CONSOLE_URL=https://from-dev-vars.example\nOPS_TOKEN=from-dev-vars\n");
  return dir;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("the tests' wrangler config", () => {
  it("is read without the .dev.vars beside wrangler.toml", () => {
    const dir = projectWithDevVars();
    // Control: handed wrangler.toml itself, wrangler takes the developer's values (and says so, and warns).
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(bindingsFor(join(dir, "wrangler.toml"))).toMatchObject({ CONSOLE_URL: "https://from-dev-vars.example", OPS_TOKEN: "from-dev-vars" });

    const isolated = bindingsFor(isolatedWranglerConfig(join(dir, "wrangler.toml"), join(dir, "isolated")));
    expect(isolated.CONSOLE_URL).toBe("http://127.0.0.1:8787/ops/console");
    expect(isolated).not.toHaveProperty("OPS_TOKEN");
  });

  it("takes no secret from the shell environment", () => {
    vi.stubEnv("OPS_TOKEN", "from-the-shell");
    const dir = projectWithDevVars();
    expect(bindingsFor(isolatedWranglerConfig(join(dir, "wrangler.toml"), join(dir, "isolated")))).not.toHaveProperty("OPS_TOKEN");
  });
});
