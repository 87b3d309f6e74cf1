// `npm start`: the whole stack locally. Prepares local secrets and the D1 schema, then runs the dockline
// worker (http://127.0.0.1:8787), the ERP simulator (:8788), the 3PL simulator (:8789) and the subscriber
// simulator (:8790) under wrangler dev, with local Durable Objects, D1 and Queues; prints one banner once all
// four answer /health. Their output goes through tools/start-output.ts: wrangler's noise hidden, errors kept.
// Ctrl-C stops all.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type FilterState, filterLine, INITIAL_STATE } from "./start-output";

const WRANGLER = "node_modules/.bin/wrangler";
const SERVERS = [
  { name: "erp-sim", port: 8788, config: "tools/erp-sim/wrangler.toml", inspector: 9230 },
  // The 3PL simulator signs and checks with the partners' secrets: dockline's own .dev.vars, so the two agree
  // (absolute: wrangler resolves --env-file against the config's directory).
  { name: "3pl-sim", port: 8789, config: "tools/3pl-sim/wrangler.toml", inspector: 9231, envFile: resolve(".dev.vars") },
  { name: "subscriber-sim", port: 8790, config: "tools/subscriber-sim/wrangler.toml", inspector: 9232 },
  { name: "dockline", port: 8787, config: "wrangler.toml", inspector: 9229 },
] as const;
const url = (port: number) => `http://127.0.0.1:${port}`;

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example (local development secrets)");
}

// Migrations are idempotent: wrangler records what it applied in the local database. Its output is shown
// only when it failed or applied something.
const migrate = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local"], { encoding: "utf8", env: { ...process.env, CI: "true" } });
if (migrate.status !== 0 || !migrate.stdout.includes("No migrations to apply")) {
  const out = `${migrate.stdout}${migrate.stderr}`.split("\n").filter((l) => filterLine(INITIAL_STATE, l).keep);
  console.log(out.join("\n"));
}
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children: ChildProcess[] = [];
function run(name: string, args: string[]): void {
  const child = spawn(WRANGLER, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
  for (const [stream, sink] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    // One filter state per stream: a stack trace continues on the stream that began it.
    let state: FilterState = INITIAL_STATE;
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        const r = filterLine(state, line);
        state = r.state;
        if (r.keep) sink.write(`[${name}] ${line}\n`);
      }
    });
  }
  child.on("exit", (code) => {
    console.error(`[${name}] exited with ${code}`);
    shutdown(code || 1);
  });
  children.push(child);
}

function shutdown(code: number): void {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

for (const s of SERVERS) {
  run(s.name, [
    "dev",
    ...(s.config === "wrangler.toml" ? [] : ["-c", s.config]),
    ...("envFile" in s ? ["--env-file", s.envFile] : []),
    ...["--ip", "127.0.0.1", "--port", String(s.port), "--inspector-port", String(s.inspector), "--show-interactive-dev-session=false"],
  ]);
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`${url(port)}/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** The local OPS_TOKEN when it is the example's (a shared development value, fine to print); else where it is. */
function opsTokenHint(): string {
  const read = (file: string) => (existsSync(file) ? /^OPS_TOKEN=(.*)$/m.exec(readFileSync(file, "utf8"))?.[1]?.trim() : undefined);
  const token = read(".dev.vars");
  return token && token === read(".dev.vars.example") ? `sign in with ${token}` : "sign in with OPS_TOKEN from .dev.vars";
}

// One banner, once every server answers: before that, a URL that does not answer yet would mislead.
const started = Date.now();
let waitingNoted = false;
for (;;) {
  const down = [];
  for (const s of SERVERS) if (!(await answers(s.port))) down.push(s);
  if (down.length === 0) break;
  if (!waitingNoted && Date.now() - started > 60_000) {
    console.error(`still waiting for ${down.map((s) => `${s.name} (${url(s.port)}/health)`).join(", ")}; see its output above`);
    waitingNoted = true;
  }
  await new Promise((r) => setTimeout(r, 500));
}
console.log(
  [
    "",
    `dockline is ready (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `  dockline        ${url(8787)}       the worker: Durable Objects, D1, Queues`,
    `  ops console     ${url(8787)}/ops   ${opsTokenHint()}`,
    `  ERP sim         ${url(8788)}       GET /admin/records: what the ERP received`,
    `  3PL sim         ${url(8789)}       GET /admin/requests: the fulfilment requests (it acknowledges each)`,
    `  subscriber sim  ${url(8790)}       GET /admin/inboxes/<inbox>: what a subscription URL received`,
    "",
    "Next, in a second terminal: the 5-minute tour in README.md (release an order, send a partner's webhook):",
    "  npm run send -- --help      the partners and how each signs",
    "  npm run demo                a realistic day of traffic",
    `  curl ${url(8787)}/cdn-cgi/local/scheduled   runs the cron (not triggered locally)`,
    "Ctrl-C stops all.",
    "",
  ].join("\n"),
);
