// `npm start`: the whole stack locally. Prepares local secrets and the D1 schema, then runs the dockline
// worker (http://127.0.0.1:8787), the ERP simulator (http://127.0.0.1:8788), the 3PL simulator
// (http://127.0.0.1:8789) and the subscriber simulator (http://127.0.0.1:8790) under wrangler dev, with local
// Durable Objects, D1 and Queues. Ctrl-C stops all.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";

const wrangler = ["node_modules/.bin/wrangler"];

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example (local development secrets)");
}

// Migrations are idempotent: wrangler records what it applied in the local database.
const migrate = spawnSync(wrangler[0] as string, ["d1", "migrations", "apply", "DB", "--local"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, CI: "true" },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const children: ChildProcess[] = [];
function run(name: string, args: string[]): void {
  const child = spawn(wrangler[0] as string, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of chunk.split("\n")) if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
  child.on("exit", (code) => {
    console.log(`[${name}] exited with ${code}`);
    shutdown(code ?? 1);
  });
  children.push(child);
}

function shutdown(code: number): void {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

run("erp-sim", [
  "dev",
  "-c",
  "tools/erp-sim/wrangler.toml",
  "--ip",
  "127.0.0.1",
  "--port",
  "8788",
  "--inspector-port",
  "9230",
  "--show-interactive-dev-session=false",
]);
// The 3PL simulator signs and checks with the partners' secrets: dockline's own .dev.vars, so the two agree
// (absolute: wrangler resolves --env-file against the config's directory).
run("3pl-sim", [
  "dev",
  "-c",
  "tools/3pl-sim/wrangler.toml",
  "--env-file",
  resolve(".dev.vars"),
  "--ip",
  "127.0.0.1",
  "--port",
  "8789",
  "--inspector-port",
  "9231",
  "--show-interactive-dev-session=false",
]);
run("subscriber-sim", [
  "dev",
  "-c",
  "tools/subscriber-sim/wrangler.toml",
  "--ip",
  "127.0.0.1",
  "--port",
  "8790",
  "--inspector-port",
  "9232",
  "--show-interactive-dev-session=false",
]);
run("dockline", ["dev", "--ip", "127.0.0.1", "--port", "8787", "--inspector-port", "9229", "--show-interactive-dev-session=false"]);
console.log("dockline  http://127.0.0.1:8787   (worker, Durable Objects, D1, Queues)");
console.log("ERP sim   http://127.0.0.1:8788   (GET /admin/records to see what the ERP received)");
console.log("3PL sim   http://127.0.0.1:8789   (GET /admin/requests to see the fulfillment requests; it acknowledges each)");
console.log("Subs sim  http://127.0.0.1:8790   (GET /admin/inboxes/<inbox> to see what a subscription URL received)");
