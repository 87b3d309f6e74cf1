// Serving workers for the benchmark with wrangler's test harness. `listen()` answers with the URL of
// wrangler's dev proxy (a ProxyWorker in a second workerd process that re-fetches every request); the
// benchmark measures the runtime directly instead: it finds the workerd process that runs the workers and
// the entry socket Miniflare opened in it, the path PLATFORM.md calls "Miniflare directly".
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createTestHarness, type TestHarness } from "wrangler";
import { descendantsNamed, listeningPorts } from "./proc";

export interface ServeOptions {
  name: string;
  configPath: string;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
}

/** workerd processes already attributed to a served worker, so the next start finds only its own. */
const claimed = new Set<number>();

export class Served {
  readonly harness: TestHarness;
  /** The runtime's own entry socket (what the benchmark loads). */
  direct = new URL("http://127.0.0.1/");
  /** wrangler's dev proxy in front of it (reported, not loaded). */
  proxy = new URL("http://127.0.0.1/");
  /** The workerd process running the worker: its CPU and memory are the runtime's cost. */
  pid = 0;
  private proxyPid = 0;

  constructor(readonly options: ServeOptions) {
    this.harness = createTestHarness({
      workers: [{ configPath: options.configPath, vars: options.vars ?? {}, secrets: options.secrets ?? {} }],
    });
  }

  /** Starts the worker; call one at a time so that the new workerd processes can be told apart. */
  async start(): Promise<void> {
    const { url } = await this.harness.listen();
    await this.discover(url);
  }

  /** Fresh storage: the harness tears the runtime down and starts it again (new processes and ports). */
  async reset(): Promise<void> {
    claimed.delete(this.pid);
    claimed.delete(this.proxyPid);
    await this.harness.reset();
    await this.discover((await this.harness.listen()).url);
  }

  async close(): Promise<void> {
    claimed.delete(this.pid);
    claimed.delete(this.proxyPid);
    await this.harness.close();
  }

  async applyMigrations(binding: string): Promise<void> {
    await this.harness.getWorker().applyD1Migrations(binding);
  }

  private async discover(proxyUrl: URL): Promise<void> {
    this.proxy = proxyUrl;
    const mine = descendantsNamed(process.pid, "workerd").filter((p) => !claimed.has(p));
    const proxyPort = Number(proxyUrl.port);
    const proxyPid = mine.find((p) => listeningPorts(p).includes(proxyPort));
    const runtime = mine.filter((p) => p !== proxyPid);
    for (const pid of runtime) {
      for (const port of listeningPorts(pid)) {
        const url = new URL(`http://127.0.0.1:${port}/`);
        if (await answersHealth(url)) {
          this.pid = pid;
          this.proxyPid = proxyPid ?? 0;
          this.direct = url;
          claimed.add(pid);
          if (proxyPid) claimed.add(proxyPid);
          return;
        }
      }
    }
    throw new Error(`${this.options.name}: no workerd entry socket answers /health (workerd processes: ${mine.join(", ") || "none"})`);
  }
}

async function answersHealth(url: URL): Promise<boolean> {
  try {
    const res = await fetch(new URL("/health", url), { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export interface ConfigOptions {
  /** The worker's entry module instead of wrangler.toml's (the what-if builds of bench/variants). */
  main?: string;
  /** max_batch_timeout of the projection consumer instead of wrangler.toml's. */
  projectionBatchTimeout?: number;
  file?: string;
}

/**
 * The dockline configuration for benchmarking: wrangler.toml as it is, except the per-partner rate limit.
 * The harness takes no binding overrides for `[[ratelimits]]` (only vars, secrets and service bindings), and
 * the shipped 1,000 requests per 10 s per partner would turn a throughput run into a 429 count. The file is
 * generated from wrangler.toml at every run (into the git-ignored bench/tmp/), so it cannot drift from it.
 */
export function benchDocklineConfig(o: ConfigOptions = {}, source = "wrangler.toml", outDir = "bench/tmp"): string {
  const out = path.join(outDir, o.file ?? "wrangler.bench.toml");
  const rel = (p: string) => path.relative(outDir, p).split(path.sep).join("/");
  let text = readFileSync(source, "utf8");
  // Every occurrence (the top level and each [env.*]); at least one must be there.
  const replace = (what: string, pattern: RegExp, by: (m: RegExpExecArray) => string) => {
    const all = [...text.matchAll(new RegExp(pattern.source, "gm"))];
    if (all.length === 0) throw new Error(`bench: cannot find ${what} in ${source}; update benchDocklineConfig()`);
    for (const m of all.reverse()) text = text.slice(0, m.index) + by(m) + text.slice(m.index + m[0].length);
  };
  // Relative paths in a config file resolve from the file's own directory.
  replace("main", /^main = "([^"]+)"$/, (m) => `main = "${rel(o.main ?? m[1] ?? "")}"`);
  replace("migrations_dir", /^migrations_dir = "([^"]+)"$/, (m) => `migrations_dir = "${rel(m[1] ?? "")}"`);
  replace("the partner rate limit", /^simple = \{ limit = \d+, period = (\d+) \}$/, (m) => `simple = { limit = 100000000, period = ${m[1]} }`);
  // No fulfilment orchestration: the bench measures ingest, the read model and the ERP, and runs no 3PL
  // simulator (with routes, every release would retry its requests into nothing for the whole run).
  replace("FULFILLMENT_ROUTES", /^FULFILLMENT_ROUTES = '''\[[\s\S]*?\]'''$/, () => `FULFILLMENT_ROUTES = "[]"`);
  if (o.projectionBatchTimeout !== undefined) {
    replace(
      "the projection consumer",
      /^(queue = "dockline-projections"\nmax_batch_size = \d+\nmax_batch_timeout = )\d+$/,
      (m) => `${m[1]}${o.projectionBatchTimeout}`,
    );
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(out, `# Generated by bench/harness.ts from ${source} for \`npm run bench\`: see benchDocklineConfig().\n${text}`);
  return out;
}

/** The ERP simulator, then dockline pointing at it, migrated; both are pushed to `served` for closing. */
export async function serveDocklineWithErp(secrets: Record<string, string>, served: Served[]): Promise<{ erpSim: Served; dockline: Served }> {
  const erpSim = new Served({ name: "erp-sim", configPath: "tools/erp-sim/wrangler.toml" });
  served.push(erpSim);
  await erpSim.start();
  const dockline = new Served({ name: "dockline", configPath: benchDocklineConfig(), vars: { ERP_BASE_URL: erpSim.direct.origin }, secrets });
  served.push(dockline);
  await dockline.start();
  await dockline.applyMigrations("DB");
  return { erpSim, dockline };
}
