// `npm run provision -- --env staging|production [--secrets-file <path>] [--overwrite-secrets] [--queue-retention-seconds <n>] [--dry-run]`
// The one-time Cloudflare resources of an environment, read from wrangler.toml's [env.<env>]:
//   - the D1 database (prints its id and exactly where it goes in wrangler.toml),
//   - every queue the environment produces to, consumes from or dead-letters into, created with Queues'
//     longest message retention (14 days; --queue-retention-seconds for the free plan's 86,400): a
//     dead-letter message waits out a D1 or order outage on its own retries (30 s doubling to an hour,
//     100 of them ≈ 4 days), longer than the default retention of 4 days,
//   - every secret in the environment's `secrets.required`, from --secrets-file (.dev.vars format) or a
//     hidden prompt; values are piped to `wrangler secret put` on stdin and never printed.
// Idempotent: each resource is looked up first and only created when missing (a "does not exist" answer is
// the only one taken as missing; an "already exists" answer to a create is taken as success), and secrets
// already set are left alone unless --overwrite-secrets. R2 is not used by dockline: nothing to create.
// --dry-run prints the exact commands and contacts nothing (offline-safe).
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { unstable_readConfig } from "wrangler";
import { CONFIG, environmentArg, fail, flag, PLACEHOLDER_ID, WRANGLER } from "./cli";

const env = environmentArg(
  (environments) =>
    `usage: npm run provision -- --env <${environments.join("|")}> [--secrets-file <path>] [--overwrite-secrets] [--queue-retention-seconds <n>] [--dry-run]\n` +
    "  --env is required: the top level of wrangler.toml is local development (no Cloudflare resources).",
);
const dryRun = process.argv.includes("--dry-run");
const overwrite = process.argv.includes("--overwrite-secrets");
const secretsFile = flag("--secrets-file");
/** Queues' maximum on Workers Paid (the free plan allows at most 86,400). */
const MAX_QUEUE_RETENTION_SECONDS = 1_209_600;
const retention = Number(flag("--queue-retention-seconds") ?? MAX_QUEUE_RETENTION_SECONDS);
if (!Number.isInteger(retention) || retention < 60 || retention > MAX_QUEUE_RETENTION_SECONDS) {
  fail(`--queue-retention-seconds must be a whole number from 60 to ${MAX_QUEUE_RETENTION_SECONDS}`);
}
if (secretsFile && !existsSync(secretsFile)) fail(`--secrets-file ${secretsFile} does not exist`);

/** The parts of the environment's resolved config this script reads (wrangler's own Config type comes from
 * @cloudflare/workers-utils, which is not installed, so it is declared here). */
interface EnvConfig {
  name: string;
  vars: Record<string, unknown>;
  secrets?: { required?: string[] };
  d1_databases: { binding: string; database_name?: string; database_id?: string }[];
  queues: { producers?: { queue: string }[]; consumers?: { queue: string; dead_letter_queue?: string }[] };
  r2_buckets: { bucket_name?: string }[];
  analytics_engine_datasets: { dataset?: string }[];
  ratelimits: { namespace_id: string }[];
}
const config: EnvConfig = unstable_readConfig({ config: CONFIG, env }, { hideWarnings: true });
const database = config.d1_databases.find((d) => d.binding === "DB");
if (!database?.database_name) fail(`[env.${env}] has no D1 binding DB with a database_name`);
const queues = [
  ...new Set([
    ...(config.queues.producers ?? []).map((p) => p.queue),
    ...(config.queues.consumers ?? []).flatMap((c) => [c.queue, ...(c.dead_letter_queue ? [c.dead_letter_queue] : [])]),
  ]),
];
const secretNames = config.secrets?.required ?? [];
const buckets = config.r2_buckets.map((b) => b.bucket_name).filter((b): b is string => Boolean(b));

// ─── running wrangler ────────────────────────────────────────────────────────────────────────────────

interface Ran {
  ok: boolean;
  out: string;
}

const shown = (args: string[]) => `wrangler ${args.join(" ")}`;

/** Runs wrangler with its output captured (so it can be read); the value of `input` goes to its stdin. */
function wrangler(args: string[], input?: string): Ran {
  console.log(`  $ ${shown(args)}`);
  if (dryRun) return { ok: true, out: "" };
  const r: SpawnSyncReturns<string> = spawnSync(WRANGLER, args, {
    encoding: "utf8",
    input: input ?? "",
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error) fail(`could not run wrangler: ${r.error.message}`, 1);
  return { ok: r.status === 0, out: `${r.stdout ?? ""}\n${r.stderr ?? ""}` };
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

function indentOut(out: string): string {
  return out
    .replace(ANSI, "")
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l && !/^[\s─]*$/.test(l) && !l.includes("⛅") && !l.includes("wrangler 4."))
    .map((l) => `      ${l}`)
    .join("\n");
}

function stop(step: string, ran: Ran): never {
  console.error(indentOut(ran.out));
  fail(
    `${step} failed; stopped. Fix the cause and run provision again — it skips what exists. Not authenticated? ` +
      "Run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID when the token sees several accounts).",
    1,
  );
}

const ALREADY = /already exists|already taken|already in use/i;
const report: string[] = [];

// ─── 1. D1 ───────────────────────────────────────────────────────────────────────────────────────────

function listDatabases(): { name: string; uuid: string }[] {
  const ran = wrangler(["d1", "list", "--json"]);
  if (dryRun) return [];
  if (!ran.ok) stop("listing D1 databases", ran);
  const start = ran.out.indexOf("[");
  const end = ran.out.lastIndexOf("]");
  try {
    const list = JSON.parse(ran.out.slice(start, end + 1)) as unknown;
    return Array.isArray(list)
      ? list
          .filter((d): d is { name: string; uuid: string } => typeof d === "object" && d !== null && "name" in d && "uuid" in d)
          .map((d) => ({ name: String(d.name), uuid: String(d.uuid) }))
      : [];
  } catch {
    return stop("reading `wrangler d1 list --json`", ran);
  }
}

/** Where the id goes: the database_id line of this environment's [[env.<env>.d1_databases]] block. */
function pasteLocation(name: string): { line: number; current: string } | null {
  const lines = readFileSync(CONFIG, "utf8").split("\n");
  const at = lines.findIndex((l) => new RegExp(`^\\s*database_name\\s*=\\s*"${name}"`).test(l));
  if (at < 0) return null;
  for (let i = at - 3; i < lines.length && i < at + 6; i++) {
    const m = /^\s*database_id\s*=\s*"([^"]*)"/.exec(lines[i] ?? "");
    if (i >= 0 && m) return { line: i + 1, current: m[1] ?? "" };
  }
  return null;
}

function provisionDatabase(name: string): void {
  console.log(`\n1. D1 database ${name}`);
  let id = listDatabases().find((d) => d.name === name)?.uuid;
  if (id) {
    console.log(`  ✔ exists (${id})`);
    report.push(`D1 ${name}: existed`);
  } else {
    const ran = wrangler(["d1", "create", name, "--env", env as string]);
    if (dryRun) {
      console.log("    (only when `wrangler d1 list --json` does not list it)");
      return;
    }
    if (!ran.ok && !ALREADY.test(ran.out)) stop(`creating D1 database ${name}`, ran);
    id = /database_id["'\s]*[=:]\s*["']([0-9a-f-]{36})["']/i.exec(ran.out)?.[1] ?? listDatabases().find((d) => d.name === name)?.uuid;
    if (!id) stop(`finding the id of D1 database ${name}`, ran);
    console.log(`  ✔ ${ran.ok ? "created" : "already existed"} (${id})`);
    report.push(`D1 ${name}: ${ran.ok ? "created" : "existed"}`);
  }
  const where = pasteLocation(name);
  if (where?.current === id) {
    console.log(`  ✔ ${CONFIG}:${where.line} already has database_id = "${id}"`);
    return;
  }
  console.log(
    `\n  ➜ Paste the id in ${CONFIG}${where ? `, line ${where.line}` : ""}, in the [[env.${env}.d1_databases]] block (binding "DB", database_name "${name}"):`,
  );
  console.log(`        database_id = "${id}"`);
  if (where)
    console.log(
      `     replacing database_id = "${where.current}"${PLACEHOLDER_ID.test(where.current) ? " (the placeholder)" : ""}. Commit it: the id is not a secret.`,
    );
  report.push(`paste database_id = "${id}" into ${CONFIG}${where ? `:${where.line}` : ""}`);
}

// ─── 2. Queues ───────────────────────────────────────────────────────────────────────────────────────

function provisionQueues(names: readonly string[]): void {
  console.log(`\n2. Queues (${names.length}: main queues and their dead-letter queues)`);
  for (const name of names) {
    // `wrangler queues info` answers `Queue "<name>" does not exist.` for a missing queue: the only answer
    // taken as "create it". Any other failure (not logged in, no network) stops the run.
    const info = wrangler(["queues", "info", name, "--env", env as string]);
    if (!dryRun && info.ok) {
      console.log(`  ✔ ${name} exists`);
      report.push(`queue ${name}: existed`);
      continue;
    }
    if (!dryRun && !/does not exist/i.test(info.out)) stop(`looking up queue ${name}`, info);
    const created = wrangler(["queues", "create", name, "--message-retention-period-secs", String(retention), "--env", env as string]);
    if (dryRun) {
      console.log("    (only when `wrangler queues info` says it does not exist)");
      continue;
    }
    if (!created.ok && !ALREADY.test(created.out)) stop(`creating queue ${name}`, created);
    console.log(`  ✔ ${name} ${created.ok ? "created" : "already existed"}`);
    report.push(`queue ${name}: ${created.ok ? "created" : "existed"}`);
  }
}

// ─── 3. Secrets ──────────────────────────────────────────────────────────────────────────────────────

/** Names of the secrets the Worker already has (none when the Worker does not exist yet). */
function existingSecrets(): Set<string> {
  const ran = wrangler(["secret", "list", "--env", env as string, "--format", "json"]);
  if (dryRun) return new Set();
  if (!ran.ok) {
    // A Worker that was never deployed has no secrets; `wrangler secret put` creates it as a draft.
    if (/does not exist|not found|10007/i.test(ran.out)) return new Set();
    stop("listing secrets", ran);
  }
  try {
    const list = JSON.parse(ran.out.slice(ran.out.indexOf("["), ran.out.lastIndexOf("]") + 1)) as unknown;
    return new Set(Array.isArray(list) ? list.map((s) => String((s as { name?: unknown }).name)) : []);
  } catch {
    return stop("reading `wrangler secret list`", ran);
  }
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    let value = "";
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          process.stdout.write("\n");
          resolve(value.trim());
          return;
        }
        if (ch === "\u0003") {
          stdin.setRawMode(false);
          process.stdout.write("\n");
          process.exit(130);
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** Local development values must never reach Cloudflare. */
function localValues(): Set<string> {
  if (!existsSync(".dev.vars.example")) return new Set();
  const values = Object.values(parseEnv(readFileSync(".dev.vars.example", "utf8"))).filter((v): v is string => Boolean(v));
  return new Set(values.flatMap((v) => [v, ...v.split(",").map((x) => x.trim())]));
}

async function provisionSecrets(names: readonly string[]): Promise<string[]> {
  console.log(`\n3. Secrets of ${config.name} (${names.length}, from secrets.required)${secretsFile ? ` — values from ${secretsFile}` : ""}`);
  const fromFile = secretsFile ? parseEnv(readFileSync(secretsFile, "utf8")) : {};
  const forbidden = localValues();
  const existing = existingSecrets();
  const interactive = Boolean(process.stdin.isTTY) && !dryRun;
  const missing: string[] = [];
  for (const name of names) {
    if (existing.has(name) && !overwrite) {
      console.log(`  ✔ ${name} is set (left alone; rotate with \`wrangler secret put ${name} --env ${env}\`, docs/deploy.md)`);
      report.push(`secret ${name}: already set`);
      continue;
    }
    let value = fromFile[name]?.trim() ?? "";
    let source = secretsFile ? `from ${secretsFile}` : "prompted";
    if (value && forbidden.has(value)) {
      console.log(`  ✖ ${name} in ${secretsFile} is the local development value from .dev.vars.example: not uploaded`);
      value = "";
    }
    if (dryRun) {
      console.log(
        `  $ ${shown(["secret", "put", name, "--env", env as string])}   (value on stdin, ${value ? source : secretsFile ? `MISSING from ${secretsFile}` : "prompted"})`,
      );
      if (!value && secretsFile) missing.push(name);
      continue;
    }
    if (!value && interactive) {
      value = await promptHidden(`  ${name} (input hidden; empty to skip): `);
      source = "prompted";
      if (value && forbidden.has(value)) {
        console.log(`  ✖ that is the local development value from .dev.vars.example: not uploaded`);
        value = "";
      }
    }
    if (!value) {
      console.log(`  … ${name} skipped: no value`);
      missing.push(name);
      continue;
    }
    const ran = wrangler(["secret", "put", name, "--env", env as string], value);
    if (!ran.ok) stop(`setting secret ${name}`, ran);
    console.log(`  ✔ ${name} set (${source}; ${value.length} characters)`);
    report.push(`secret ${name}: set`);
  }
  return missing;
}

// ─── the run ─────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  console.log(`dockline provisioning for ${env}: worker ${config.name}${dryRun ? "  (dry run: commands are printed, nothing is contacted)" : ""}`);
  provisionDatabase(database?.database_name as string);
  provisionQueues(queues);
  const missing = await provisionSecrets(secretNames);

  console.log("\n4. Nothing to create for the rest of the environment:");
  console.log(
    buckets.length === 0
      ? "  - R2: not used by dockline (no r2_buckets in wrangler.toml); no `wrangler r2 bucket create`."
      : `  - R2: ${buckets.join(", ")} — create with \`wrangler r2 bucket create <name>\` (not automated: dockline does not use R2 today).`,
  );
  console.log("  - Durable Objects (OrderDO, CorrelationDO, MetricsDO): created by `wrangler deploy` from the [[migrations]] tags.");
  console.log(`  - Analytics Engine dataset ${config.analytics_engine_datasets.map((d) => d.dataset).join(", ")}: created on the first write.`);
  console.log(`  - Rate limit namespace ${config.ratelimits.map((r) => r.namespace_id).join(", ")}: an id you choose in wrangler.toml, nothing to create.`);
  console.log("  - Cron trigger and observability: applied by `wrangler deploy`.");

  console.log("\nNext:");
  console.log(`  - D1 id in ${CONFIG} (above), then: npm run deploy -- --env ${env}`);
  console.log(`  - Cloudflare Access for /ops: set ACCESS_TEAM_DOMAIN and ACCESS_AUD in [env.${env}.vars] (docs/deploy.md)`);
  if (missing.length > 0) {
    console.log(`\n! ${missing.length} secret(s) without a value: ${missing.join(", ")}`);
    console.log(`  Set them with \`wrangler secret put <NAME> --env ${env}\`, or run provision again with --secrets-file.`);
    process.exitCode = 1;
  }
  if (!dryRun && report.length > 0) console.log(`\nDone: ${report.length} step(s) — ${report.join("; ")}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
