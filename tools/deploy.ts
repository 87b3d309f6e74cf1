// `npm run deploy -- --env staging|production [--dry-run]`
// Ships dockline to one environment of wrangler.toml, in order, stopping at the first failure:
//   1. npm run check                                           generated types current, TypeScript
//   2. npm run lint                                            biome
//   3. npm test                                                the whole suite, in workerd
//   4. wrangler d1 migrations apply DB --remote --env <env>    the schema first (expand before the code)
//   5. wrangler deploy --env <env>                             the worker, its Durable Object migrations, queues, cron
// Refuses to run without --env: the top level of wrangler.toml is local development and is never deployed.
// --dry-run prints the five commands and runs only `wrangler deploy --dry-run --env <env>` (bundles and
// validates the environment's config, offline). docs/deploy.md explains the first deploy and rollbacks.
import { spawnSync } from "node:child_process";
import { unstable_readConfig } from "wrangler";
import { environmentArg, fail, PLACEHOLDER_ID, WRANGLER } from "./cli";

const env = environmentArg(
  (environments) =>
    `usage: npm run deploy -- --env <${environments.join("|")}> [--dry-run]\n` +
    "  --env is required: the top level of wrangler.toml is local development and is never deployed.",
);
const dryRun = process.argv.includes("--dry-run");

/** The parts of the environment's resolved config this script reads (wrangler's own Config type comes from
 * @cloudflare/workers-utils, which is not installed, so it is declared here). */
interface EnvConfig {
  name: string;
  vars: Record<string, unknown>;
  d1_databases: { binding: string; database_name?: string; database_id?: string }[];
  queues: { producers?: { queue: string }[] };
}
const config: EnvConfig = unstable_readConfig({ config: "wrangler.toml", env }, { hideWarnings: true });

// Guards that would otherwise fail halfway (after the tests) or, worse, deploy something half-configured.
const db = config.d1_databases.find((d) => d.binding === "DB");
const warnings: string[] = [];
if (!db?.database_id || PLACEHOLDER_ID.test(db.database_id)) {
  const message = `[[env.${env}.d1_databases]] still has the placeholder database_id: run \`npm run provision -- --env ${env}\` and paste the id it prints (docs/deploy.md)`;
  if (dryRun) warnings.push(message);
  else fail(message);
}
if (!config.vars.ACCESS_TEAM_DOMAIN || !config.vars.ACCESS_AUD) {
  warnings.push(`ACCESS_TEAM_DOMAIN / ACCESS_AUD are empty for ${env}: /ops is then protected by OPS_TOKEN alone (docs/deploy.md, "Cloudflare Access")`);
}

interface Step {
  title: string;
  command: string;
  args: string[];
}
const steps: Step[] = [
  { title: "type check (generated types current, tsc)", command: "npm", args: ["run", "check"] },
  { title: "lint (biome)", command: "npm", args: ["run", "lint"] },
  { title: "tests (workerd)", command: "npm", args: ["test"] },
  { title: `D1 migrations on dockline's ${env} database`, command: WRANGLER, args: ["d1", "migrations", "apply", "DB", "--remote", "--env", env] },
  { title: `deploy ${config.name}`, command: WRANGLER, args: ["deploy", "--env", env] },
];
const shown = (s: Step) => `${s.command === WRANGLER ? "wrangler" : s.command} ${s.args.join(" ")}`;

function run(step: Step, index: number, total: number): void {
  console.log(`\n▶ [${index}/${total}] ${step.title}\n  $ ${shown(step)}`);
  const started = Date.now();
  const result = spawnSync(step.command, step.args, { stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.error) fail(`[${index}/${total}] could not start ${step.command}: ${result.error.message}`, 1);
  if (result.status !== 0) {
    fail(
      `[${index}/${total}] ${shown(step)} failed (exit ${result.status ?? result.signal}) after ${seconds}s; stopped, nothing after it ran.`,
      result.status ?? 1,
    );
  }
  console.log(`✔ [${index}/${total}] ${step.title} (${seconds}s)`);
}

console.log(`dockline → ${env} (worker ${config.name}, D1 ${db?.database_name ?? "?"}, queues ${config.queues.producers?.map((p) => p.queue).join(", ")})`);
for (const w of warnings) console.log(`! ${w}`);

if (dryRun) {
  console.log("\nDry run. A deploy would run, in order, stopping at the first failure:");
  steps.forEach((s, i) => {
    console.log(`  ${i + 1}. ${shown(s)}`);
  });
  console.log("Running only the offline check of step 5:");
  run(
    { title: `wrangler deploy --dry-run for ${env} (bundle and config check, no upload)`, command: WRANGLER, args: ["deploy", "--dry-run", "--env", env] },
    1,
    1,
  );
  console.log(`\nDry run for ${env} passed.`);
} else {
  steps.forEach((s, i) => {
    run(s, i + 1, steps.length);
  });
  console.log(`\n✔ ${config.name} deployed. Check it: wrangler deployments list --env ${env}; roll back: wrangler rollback --env ${env} (docs/deploy.md).`);
}
