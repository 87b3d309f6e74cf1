// What-if measurements for the optimisations proposed for src/: the same traffic through dockline as it
// is and through builds with one binding intercepted (bench/variants/worker.ts) or one consumer setting
// changed, each on a fresh runtime in this run. The control runs first and last: the spread between its
// two runs is the noise to read the other differences against.
import { check } from "./check";
import { probeFreshness } from "./freshness";
import { benchDocklineConfig, Served } from "./harness";
import type { LoadResult } from "./load";
import { round, type Summary, summarize } from "./metrics";
import { type Ctx, ingest, type OutageDrill, outageDrill, release, settle } from "./phases";
import { issueKeys } from "./portal";
import { Reference } from "./reference";
import { meter } from "./system";
import { CUSTOMERS } from "./config";
import { planOrders, REALISTIC, schedule } from "./traffic";

interface Variant {
  name: string;
  /** BENCH_VARIANT of bench/variants/worker.ts. */
  flags: string;
  projectionBatchTimeout?: number;
  /** Serve it with Miniflare's local observability collector, which bench/env.ts turns off. */
  collector?: boolean;
}

const VARIANTS: Variant[] = [
  { name: "as is (control)", flags: "" },
  { name: "no MetricsDO.record() per webhook", flags: "no-metrics" },
  { name: "no rate-limiter call", flags: "no-limiter" },
  { name: "no bound-key memory: every carrier scan through its CorrelationDO (before 2026-12-02)", flags: "no-key-cache" },
  // wrangler.toml moved the projection consumer to max_batch_timeout = 0 on 2026-11-23; this puts the
  // earlier 1 s back, to measure what the change bought.
  { name: "projection consumer max_batch_timeout = 1 (the earlier setting)", flags: "", projectionBatchTimeout: 1 },
  { name: "Miniflare's observability collector on (wrangler's default; see bench/env.ts)", flags: "", collector: true },
  { name: "as is (control, again)", flags: "" },
];

export interface VariantResult {
  name: string;
  ingest: LoadResult;
  cpuMsPerRequest: { ingest: number; total: number };
  freshness: { underLoad: Summary; idle: Summary };
  checkOk: boolean;
}

export async function ablations(ctx: Ctx, erpUrl: URL, orders: number, only?: number[]): Promise<VariantResult[]> {
  const out: VariantResult[] = [];
  for (const [i, v] of VARIANTS.entries()) {
    if (only && !only.includes(i)) continue;
    const config = benchDocklineConfig({
      main: "bench/variants/worker.ts",
      file: `wrangler.variant${i}.toml`,
      ...(v.projectionBatchTimeout === undefined ? {} : { projectionBatchTimeout: v.projectionBatchTimeout }),
    });
    const served = new Served({
      name: `variant ${i}`,
      configPath: config,
      vars: { ERP_BASE_URL: erpUrl.origin, BENCH_VARIANT: v.flags },
      secrets: ctx.secrets,
    });
    try {
      // wrangler reads X_LOCAL_OBSERVABILITY when it starts the runtime.
      const setting = process.env.X_LOCAL_OBSERVABILITY;
      if (v.collector) process.env.X_LOCAL_OBSERVABILITY = "true";
      try {
        await served.start();
      } finally {
        if (setting === undefined) delete process.env.X_LOCAL_OBSERVABILITY;
        else process.env.X_LOCAL_OBSERVABILITY = setting;
      }
      await served.applyMigrations("DB");
      await ctx.erp.reset();
      const vctx: Ctx = { ...ctx, dockline: served, keys: await issueKeys(served.direct, ctx.secrets.OPS_TOKEN ?? "", CUSTOMERS) };
      out.push(await measure(vctx, v, `A${i}`, orders));
      ctx.log(`variant "${v.name}": ${out.at(-1)?.ingest.rps} req/s, ${out.at(-1)?.cpuMsPerRequest.ingest} CPU-ms/request`);
    } finally {
      await served.close();
    }
  }
  return out;
}

async function measure(ctx: Ctx, v: Variant, prefix: string, count: number): Promise<VariantResult> {
  const ref = new Reference();
  const noEasyPost = { ...REALISTIC, easypostShare: 0 };
  const warmup = planOrders(`${prefix}W`, 20, ctx.rnd);
  const main = planOrders(prefix, count, ctx.rnd);
  const probe = planOrders(`${prefix}F`, 4, ctx.rnd, noEasyPost);
  const idle = planOrders(`${prefix}I`, 2, ctx.rnd, noEasyPost);
  await release(ctx, ref, [...warmup, ...probe, ...idle]);
  await ingest(ctx, ref, schedule(warmup, ctx.rnd), 16);
  await settle(ctx, ref);

  const stop = meter(ctx.dockline.pid);
  await release(ctx, ref, main);
  const sends = schedule(main, ctx.rnd);
  let loaded = true;
  const opts = { base: ctx.dockline.direct, secrets: ctx.secrets, keys: ctx.keys, ref };
  const prober = probeFreshness(probe, { ...opts, workers: probe.length, loaded: () => loaded, stopWithLoad: true });
  const r = await ingest(ctx, ref, sends, 64);
  loaded = false;
  const ingestUsage = stop();
  const loadedSamples = await prober;
  await settle(ctx, ref);
  const total = stop();
  const idleSamples = await probeFreshness(idle, { ...opts, workers: idle.length, loaded: () => false });
  const result = await check(
    ctx.dockline.direct,
    ctx.secrets.OPS_TOKEN ?? "",
    ctx.erp,
    ref,
    ref.orderIds().filter((_, i) => i % 5 === 0),
  );
  if (!result.ok) ctx.problems.push(`variant "${v.name}": check failed: ${result.problems.slice(0, 3).join("; ")}`);
  const requests = main.length + sends.length;
  return {
    name: v.name,
    ingest: r,
    cpuMsPerRequest: { ingest: round(ingestUsage.workerdCpuMs / requests, 3), total: round(total.workerdCpuMs / requests, 3) },
    freshness: {
      underLoad: summarize(loadedSamples.samples.filter((s) => s.underLoad).map((s) => s.ms)),
      idle: summarize(idleSamples.samples.map((s) => s.ms)),
    },
    checkOk: result.ok,
  };
}

export interface DrainVariant {
  maxChain: number;
  /** ERP_MAX_CONCURRENCY: ERP deliveries in flight at once (the gate, decision 0013). */
  maxConcurrency: number;
  /** Before the gate (2026-12-03) the variants set ERP_WAKE_ORDERS instead; kept to read older results. */
  wakeOrders?: number;
  drill: OutageDrill;
  checkOk: boolean;
}

/** The configuration first and last (the noise), then the cap raised to what the consumers allowed before the gate (4 × 10), then no chaining. */
const DRAIN_VARIANTS: { maxChain: number; maxConcurrency: number }[] = [
  { maxChain: 10, maxConcurrency: 10 },
  { maxChain: 10, maxConcurrency: 40 },
  { maxChain: 1, maxConcurrency: 10 },
  { maxChain: 10, maxConcurrency: 10 },
];

/**
 * The ERP outage drill on fresh runtimes that differ only in how a backlog drains once the ERP is back:
 * as configured (chained delivery, ERP_MAX_CHAIN 10; ERP_MAX_CONCURRENCY 10), with the cap at what the
 * queue consumers allowed before the gate, and without chaining, then as configured again.
 */
export async function drainComparison(ctx: Ctx, erpUrl: URL, variants = DRAIN_VARIANTS): Promise<DrainVariant[]> {
  const out: DrainVariant[] = [];
  for (const [i, { maxChain, maxConcurrency }] of variants.entries()) {
    const served = new Served({
      name: `drain ${i}`,
      configPath: benchDocklineConfig({ file: `wrangler.drain${i}.toml` }),
      vars: { ERP_BASE_URL: erpUrl.origin, ERP_MAX_CHAIN: String(maxChain), ERP_MAX_CONCURRENCY: String(maxConcurrency) },
      secrets: ctx.secrets,
    });
    try {
      await served.start();
      await served.applyMigrations("DB");
      await ctx.erp.reset();
      const vctx: Ctx = { ...ctx, dockline: served };
      const ref = new Reference();
      const drill = await outageDrill(vctx, ref, `C${i}-`);
      const result = await check(served.direct, ctx.secrets.OPS_TOKEN ?? "", ctx.erp, ref, ref.orderIds());
      const label = `ERP_MAX_CHAIN ${maxChain}, ERP_MAX_CONCURRENCY ${maxConcurrency}`;
      if (!result.ok) ctx.problems.push(`drain variant ${i} (${label}): check failed: ${result.problems.slice(0, 3).join("; ")}`);
      out.push({ maxChain, maxConcurrency, drill, checkOk: result.ok });
      ctx.log(`drain variant ${label}: drained ${drill.drainMs} ms after the outage, ${drill.commandsPerSecond} commands/s`);
    } finally {
      await served.close();
    }
  }
  return out;
}
