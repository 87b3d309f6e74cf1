// Tests run inside workerd with the real bindings of wrangler.toml (Durable Objects, D1, Queues), via the
// Cloudflare vitest integration. The ERP, 3PL and subscriber simulators run beside the worker as workers of
// their own, and every outbound fetch of the worker under test is routed to them: the adapters speak real HTTP to them.
import { cloudflareTest, getRunnerName, readD1Migrations } from "@cloudflare/vitest-plugin";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";
import { defineConfig } from "vitest/config";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";

export const TEST_SECRETS = {
  ERP_INBOUND_TOKEN: "test-erp-inbound-token",
  ERP_TOKEN: "test-erp-token",
  // Only used when a test switches ERP_AUTH to oauth2-client-credentials (the simulator knows this client).
  ERP_CLIENT_SECRET: "test-erp-client-secret",
  OPS_TOKEN: "test-ops-token",
  TRACKING_TOKEN_SECRET: "test-tracking-link-secret",
  // Two active secrets: a rotation in progress (the tests sign with the first, and check the second).
  PARTNER_SECRET_ACME_3PL: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,whsec_c2Vjb25kIGFjdGl2ZSBzZWNyZXQgZm9yIHJvdGF0aW9u",
  PARTNER_SECRET_RL_TEST: "whsec_cmF0ZSBsaW1pdCB0ZXN0IHBhcnRuZXIgc2VjcmV0",
  PARTNER_SECRET_RL_FLOOD: "whsec_Zmxvb2QgdGVzdCBwYXJ0bmVyIHNlY3JldCBrZXk=",
  PARTNER_SECRET_SHIPBOB: "whsec_dGVzdC1zaGlwYm9iLXdlYmhvb2stc2VjcmV0",
  PARTNER_SECRET_EASYPOST: "test-easypost-webhook-secret",
  PARTNER_SECRET_AFTERSHIP: "test-aftership-webhook-secret",
  PARTNER_SECRET_SHOPIFY: "test-shopify-app-secret",
  PARTNER_SECRET_SHIPPO: "test-shippo-webhook-secret",
  PARTNER_SECRET_UPS: "test-ups-track-alert-credential",
  PARTNER_SECRET_EDI: "test-edi-gateway-bearer-token",
};

// The shipped partner registry, plus two partners used only by the rate-limit tests (their own limiter keys).
const config = unstable_readConfig({ config: "./wrangler.toml" }, { hideWarnings: true });
const PARTNERS = JSON.stringify([
  ...(JSON.parse(String(config.vars.PARTNERS)) as unknown[]),
  { id: "rl-test", adapter: "canonical" },
  { id: "rl-flood", adapter: "canonical" },
]);

const firstSecret = (list: string) => list.split(",")[0] as string;

/**
 * `source` (wrangler.toml) as wrangler.json in `outDir`, its paths made absolute. Wrangler loads secrets
 * (and overrides of vars) from the .dev.vars, else .env, beside the config it is given, and the plugin has no
 * option against it: handed this copy, in a directory with neither, the tests see wrangler.toml, TEST_SECRETS
 * and the bindings below, never a developer's own values.
 */
export function isolatedWranglerConfig(source = "wrangler.toml", outDir = ".cache/vitest-wrangler"): string {
  // Without `secrets`: when it is declared, wrangler also takes the required names from process.env (a
  // developer's shell); the tests' secrets are TEST_SECRETS, bound below.
  const { secrets: _secrets, ...rawConfig } = experimental_readRawConfig({ config: source }).rawConfig;
  const dir = dirname(resolve(source));
  const config = {
    ...rawConfig,
    ...(rawConfig.main ? { main: resolve(dir, rawConfig.main) } : {}),
    d1_databases: rawConfig.d1_databases?.map((d: { migrations_dir?: string }) =>
      d.migrations_dir ? { ...d, migrations_dir: resolve(dir, d.migrations_dir) } : d,
    ),
  };
  mkdirSync(outDir, { recursive: true });
  const out = resolve(outDir, "wrangler.json");
  writeFileSync(out, JSON.stringify(config, null, 2));
  return out;
}

/** A local Cloudflare Access: an RS256 key pair whose public half test-peers serves as the team's JWKS. */
function accessKeys() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "test-access-key-1";
  return {
    jwks: JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] }),
    privateJwk: JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid, alg: "RS256" }),
  };
}

/** Bundles tools/<name>/src/index.ts into .cache/<name>.mjs, as wrangler would for a worker. */
function bundleSimulator(name: "erp-sim" | "3pl-sim" | "subscriber-sim") {
  return build({
    entryPoints: [`tools/${name}/src/index.ts`],
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    outfile: `.cache/${name}.mjs`,
    logLevel: "warning",
  });
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const access = accessKeys();
  // Auxiliary workers must be plain JavaScript: bundle the simulators the way wrangler would.
  await bundleSimulator("erp-sim");
  await bundleSimulator("3pl-sim");
  await bundleSimulator("subscriber-sim");
  await build({
    entryPoints: ["test/peers/worker.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile: ".cache/test-peers.mjs",
    logLevel: "warning",
  });
  const bindings = {
    ...TEST_SECRETS,
    TEST_MIGRATIONS: migrations,
    PARTNERS,
    ACCESS_TEAM_DOMAIN: "access.test",
    ACCESS_AUD: "test-ops-aud",
    TEST_ACCESS_PRIVATE_JWK: access.privateJwk,
    // Sizes for `npm run soak` (read by the soak test inside workerd).
    SOAK_ORDERS: process.env.SOAK_ORDERS ?? "300",
    SOAK_OUTAGE_MS: process.env.SOAK_OUTAGE_MS ?? "20000",
    SOAK_LONG_ORDERS: process.env.SOAK_LONG_ORDERS ?? "1000",
    ERP_BASE_URL: "http://erp.test",
    ERP_TOKEN_URL: "http://erp.test/oauth/token",
    // The outbox alarm is a safety net; tests that exercise it run it explicitly.
    OUTBOX_RETRY_SECONDS: "60",
    // Fast clocks for tests: ERP retries in about a second instead of minutes.
    ERP_RETRY_BASE_SECONDS: "1",
    ERP_RETRY_MAX_SECONDS: "2",
    SUBSCRIPTION_RETRY_BASE_SECONDS: "1",
    SUBSCRIPTION_RETRY_MAX_SECONDS: "2",
    // The production rule for subscriber URLs (https, public addresses): tests subscribe https://hooks.test.
    ALLOW_INSECURE_SUBSCRIPTION_URLS: "false",
    // The shipped default policy's deadlines, for the SLA tests' customers only: every other test's
    // order is released days in the past, and would otherwise start its life in breach.
    SLA_POLICIES: JSON.stringify([
      {
        when: { customers: ["CUST-SLA-1", "CUST-SLA-2", "CUST-SLA-3"] },
        acknowledgedWithinHours: 4,
        dispatchedWithinHours: 24,
        firstScanWithinHours: 24,
        deliveredByPromisedDate: true,
        exceptionOpenHours: 48,
      },
    ]),
  };
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: isolatedWranglerConfig() },
        miniflare: {
          bindings: {
            ...bindings,
            // wrangler.toml's vars the bindings above leave alone: what the worker must see, whatever a .dev.vars says.
            TEST_WRANGLER_VARS: JSON.stringify(Object.fromEntries(Object.entries(config.vars).filter(([name]) => !(name in bindings)))),
          },
          // The production figure (wrangler.toml): a hot order's burst of scans from one partner must fit in one window.
          ratelimits: { PARTNER_RATE_LIMITER: { namespace_id: "1001", simple: { limit: process.env.DOCKLINE_SOAK ? 1_000_000 : 1000, period: 10 } } },
          // Every outbound fetch goes to test-peers: the local Access JWKS, or the ERP simulator.
          outboundService: "test-peers",
          workers: [
            {
              name: "test-peers",
              modules: true,
              scriptPath: ".cache/test-peers.mjs",
              compatibilityDate: "2026-11-01",
              serviceBindings: { ERP: "erp-sim", THREE_PL: "3pl-sim", SUBSCRIBERS: "subscriber-sim" },
              bindings: { ACCESS_JWKS: access.jwks },
            },
            {
              name: "erp-sim",
              modules: true,
              scriptPath: ".cache/erp-sim.mjs",
              compatibilityDate: "2026-11-01",
              durableObjects: { LEDGER: { className: "ErpLedger", useSQLite: true } },
              bindings: {
                ERP_TOKEN: TEST_SECRETS.ERP_TOKEN,
                ERP_CLIENT_ID: String(config.vars.ERP_CLIENT_ID),
                ERP_CLIENT_SECRET: TEST_SECRETS.ERP_CLIENT_SECRET,
              },
            },
            {
              // The 3PL simulator (dockline's fulfillment destinations, 127.0.0.1:8789): each partner's first secret.
              name: "3pl-sim",
              modules: true,
              scriptPath: ".cache/3pl-sim.mjs",
              compatibilityDate: "2026-11-01",
              durableObjects: { LEDGER: { className: "ThreePlLedger", useSQLite: true } },
              bindings: {
                PARTNER_SECRET_ACME_3PL: firstSecret(TEST_SECRETS.PARTNER_SECRET_ACME_3PL),
                PARTNER_SECRET_EDI: firstSecret(TEST_SECRETS.PARTNER_SECRET_EDI),
              },
              // Its milestone webhooks go to the worker under test, which no URL reaches from an auxiliary
              // worker: the plugin runs it as its runner worker, named after the (unnamed) project.
              serviceBindings: { DOCKLINE: getRunnerName({ name: "" } as Parameters<typeof getRunnerName>[0]) },
            },
            {
              // The subscriber simulator (where dockline's event subscriptions post; hooks.test, 127.0.0.1:8790).
              name: "subscriber-sim",
              modules: true,
              scriptPath: ".cache/subscriber-sim.mjs",
              compatibilityDate: "2026-11-01",
              durableObjects: { LEDGER: { className: "SubscriberLedger", useSQLite: true } },
            },
          ],
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      // Integration tests wait for real queue deliveries (about max_batch_timeout each).
      testTimeout: 30_000,
      // The worker's info-level JSON lines would drown the report; warnings and errors still show.
      onConsoleLog: (line: string) => !line.includes('"level":"info"'),
      // `npm run soak` adds the long-running soak tests; `npm test` never runs them.
      include: process.env.DOCKLINE_SOAK ? ["test/soak/**/*.soak.ts"] : ["test/**/*.test.ts", "src/**/*.test.ts"],
      // Node-side checks have their own run (vitest.node.config.ts).
      exclude: ["test/node/**", "node_modules/**"],
    },
  };
});
