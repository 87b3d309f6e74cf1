// Tests run inside workerd with the real bindings of wrangler.toml (Durable Objects, D1, Queues), via the
// Cloudflare vitest integration. The ERP simulator runs beside the worker as a second worker, and every
// outbound fetch of the worker under test is routed to it: the ERP adapter speaks real HTTP to it.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { build } from "esbuild";
import { defineConfig } from "vitest/config";

export const TEST_SECRETS = {
  ERP_INBOUND_TOKEN: "test-erp-inbound-token",
  ERP_TOKEN: "test-erp-token",
  OPS_TOKEN: "test-ops-token",
  PARTNER_SECRET_ACME_3PL: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // Auxiliary workers must be plain JavaScript: bundle the simulator the way wrangler would.
  await build({
    entryPoints: ["tools/erp-sim/src/index.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    outfile: ".cache/erp-sim.mjs",
    logLevel: "warning",
  });
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_SECRETS,
            TEST_MIGRATIONS: migrations,
            ERP_BASE_URL: "http://erp.test",
            // The outbox alarm is a safety net; tests that exercise it run it explicitly.
            OUTBOX_RETRY_SECONDS: "60",
            // Fast clocks for tests: ERP retries in about a second instead of minutes.
            ERP_RETRY_BASE_SECONDS: "1",
            ERP_RETRY_MAX_SECONDS: "2",
          },
          outboundService: "erp-sim",
          workers: [
            {
              name: "erp-sim",
              modules: true,
              scriptPath: ".cache/erp-sim.mjs",
              compatibilityDate: "2026-11-01",
              durableObjects: { LEDGER: { className: "ErpLedger", useSQLite: true } },
              bindings: { ERP_TOKEN: TEST_SECRETS.ERP_TOKEN },
            },
          ],
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      // Integration tests wait for real queue deliveries (about max_batch_timeout each).
      testTimeout: 30_000,
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    },
  };
});
