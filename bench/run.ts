// `npm run bench [-- --quick]` (issue 8): the real dockline worker on local workerd next to a baseline
// Hono worker and the ERP simulator, each in its own wrangler test harness, loaded with signed webhooks.
// Progress goes to stderr; stdout gets the figures table and, as its LAST line, one JSON summary.
// Exits non-zero when a correctness check fails or a request was not answered as expected.
import "./env";
import { check } from "./check";
import { mkdirSync, writeFileSync } from "node:fs";
import { ablations, drainComparison } from "./ablation";
import { coldTable, coldVsWarm } from "./cold";
import { CUSTOMERS, FULL, localSecrets, QUICK, withOverrides } from "./config";
import { ErpSim } from "./erp";
import { benchDocklineConfig, Served, serveDocklineWithErp } from "./harness";
import { round, summarize } from "./metrics";
import { probeFreshness } from "./freshness";
import { type CurvePoint, type Ctx, curvePoint, latencyRun, outageDrill, portalRuns, REALISTIC, release, settle, steadyFreshness } from "./phases";
import { issueKeys } from "./portal";
import { profileStages } from "./profile";
import { memoryMiB } from "./proc";
import { Reference } from "./reference";
import { costGrowth, markdown, type Results, verdicts, writeResults } from "./report";
import { machine, sourceDigest, versions } from "./system";
import { type PlanOptions, planOrders, random } from "./traffic";
import { unstable_readConfig } from "wrangler";

const PATH =
  "wrangler createTestHarness (wrangler 4 test harness, Miniflare), requests sent straight to the runtime's entry socket in workerd — not through the dev proxy that listen() returns (wrangler's ProxyWorker in a second workerd process)";

/** What every phase needs; the problems list starts empty, the outbox alarm delay comes from wrangler.toml. */
function runContext(o: Omit<Ctx, "problems" | "outboxRetrySeconds">): Ctx {
  const vars = unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true }).vars;
  return { ...o, problems: [], outboxRetrySeconds: Number(vars.OUTBOX_RETRY_SECONDS ?? "5") || 5 };
}

/** Progress lines on stderr, stamped with the seconds since `started`. */
function progressLog(started: number): (msg: string) => void {
  return (msg) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
}

/** Runs the benchmark; returns the exit code and what to print once every harness is closed. */
async function main(): Promise<{ code: number; stdout: string }> {
  const started = Date.now();
  const sizes = withOverrides(process.argv.includes("--quick") ? QUICK : FULL);
  const log = progressLog(started);
  const secrets = localSecrets();
  const sourceAtStart = sourceDigest();
  const opsToken = secrets.OPS_TOKEN ?? "";
  const served: Served[] = [];
  // Harnesses start one after the other, so each finds its own workerd process.
  const serve = async (s: Served) => {
    served.push(s);
    await s.start();
    return s;
  };
  try {
    const erpSim = await serve(new Served({ name: "erp-sim", configPath: "tools/erp-sim/wrangler.toml" }));
    const baseline = await serve(new Served({ name: "baseline", configPath: "bench/baseline/wrangler.toml" }));
    const dockline = await serve(new Served({ name: "dockline", configPath: benchDocklineConfig(), vars: { ERP_BASE_URL: erpSim.direct.origin }, secrets }));
    await dockline.applyMigrations("DB");
    log(
      `dockline ${dockline.direct.origin} (workerd pid ${dockline.pid}; dev proxy ${dockline.proxy.origin}), baseline ${baseline.direct.origin}, erp-sim ${erpSim.direct.origin}`,
    );

    const erp = new ErpSim(erpSim.direct);
    await erp.reset();
    const ctx = runContext({
      sizes,
      secrets,
      dockline,
      baseline,
      erp,
      keys: await issueKeys(dockline.direct, opsToken, CUSTOMERS),
      rnd: random(20261123),
      log,
    });
    const ref = new Reference();

    // 1. Ack latency and throughput at 1, 16, 64 and 256 connections; freshness sampled during the 64 run.
    // Every order these phases use is released up front, in one go.
    const noEasyPost = { ...REALISTIC, easypostShare: 0 };
    const plans = {
      1: planOrders("L1", sizes.latencyOrders[1], ctx.rnd),
      16: planOrders("L16", sizes.latencyOrders[16], ctx.rnd),
      64: planOrders("L64", sizes.latencyOrders[64], ctx.rnd),
      256: planOrders("L256", sizes.latencyOrders[256], ctx.rnd),
    };
    const probeOrders = planOrders("F", sizes.freshnessOrders, ctx.rnd, noEasyPost);
    const steadyProbe = planOrders("G", sizes.freshnessOrders, ctx.rnd, noEasyPost);
    const idleOrders = planOrders("I", sizes.idleFreshnessOrders, ctx.rnd, noEasyPost);
    // Enough for half of 200 webhooks/s, above anything measured here so far.
    const steadyPool = planOrders("R", Math.ceil((100 * sizes.steadySeconds) / 9.5), ctx.rnd);
    const releases = await release(ctx, ref, [...Object.values(plans).flat(), ...probeOrders, ...steadyProbe, ...idleOrders, ...steadyPool]);
    log(`released ${releases.requests} orders: ${releases.rps} req/s, p99 ${releases.latencyMs.p99} ms`);
    const r1 = await latencyRun(ctx, ref, 1, plans[1]);
    const r16 = await latencyRun(ctx, ref, 16, plans[16]);
    const r64 = await latencyRun(ctx, ref, 64, plans[64], probeOrders);
    const r256 = await latencyRun(ctx, ref, 256, plans[256]);
    await settle(ctx, ref);

    // 2. Freshness under a load the worker sustains (half its capacity), and on an idle system.
    const steady = await steadyFreshness(ctx, ref, r64.ingest.rps, 0.5, steadyPool, steadyProbe);
    await settle(ctx, ref);
    const idle = await probeFreshness(idleOrders, { base: dockline.direct, secrets, keys: ctx.keys, ref, workers: idleOrders.length, loaded: () => false });
    const loadedSamples = r64.freshness?.samples ?? [];
    const freshness = {
      halfLoad: summarize(steady.freshness.samples.filter((s) => s.underLoad).map((s) => s.ms)),
      halfLoadRate: steady.rate,
      halfLoadAckMs: steady.ingest.latencyMs,
      underLoad: summarize(loadedSamples.filter((s) => s.underLoad).map((s) => s.ms)),
      // Only the idle probe: samples a prober took after its load ended still wait behind that load's backlog.
      idle: summarize(idle.samples.map((s) => s.ms)),
      failures: [...(r64.freshness?.failures ?? []), ...steady.freshness.failures, ...idle.failures],
    };
    log(
      `freshness at half load p50 ${freshness.halfLoad.p50} / p99 ${freshness.halfLoad.p99} ms; saturated p50 ${freshness.underLoad.p50} / p99 ${freshness.underLoad.p99} ms; idle p50 ${freshness.idle.p50} / p99 ${freshness.idle.p99} ms`,
    );

    // 3. Portal reads over the 64-connection run's orders.
    const portal = await portalRuns(ctx, r64.orderPlans);

    // 4. ERP outage and drain.
    const drill = await outageDrill(ctx, ref);

    // 5. Where the time goes: the same webhooks through a ladder of stages, and through dockline as duplicates.
    const profile = await profileStages(ctx, ref, r64.sendList, sizes.stageSeconds, {
      rps: r64.ingest.rps,
      p50: r64.ingest.latencyMs.p50,
      p99: r64.ingest.latencyMs.p99,
      cpuMsPerRequest: r64.workerdCpuMsPerWebhook,
    });

    // 6. Correctness of everything so far: every order's state, every ERP record.
    const checks: Results["checks"] = [];
    const main = await check(dockline.direct, opsToken, erp, ref, ref.orderIds());
    checks.push({ name: "main", result: main });
    log(`check main: ${main.ok ? "passed" : "FAILED"} (${main.ordersChecked} orders, ${main.erp.recorded} ERP records)`);
    const memory = {
      docklinePeakMiB: round(memoryMiB(dockline.pid).peak, 1),
      docklineRssMiB: round(memoryMiB(dockline.pid).rss, 1),
      erpSimPeakMiB: round(memoryMiB(erpSim.pid).peak, 1),
      baselinePeakMiB: round(memoryMiB(baseline.pid).peak, 1),
    };

    // 7. What-if variants of the proposed optimisations (full run only), each on a fresh runtime.
    const variants = sizes.ablationOrders > 0 ? await ablations(ctx, erpSim.direct, sizes.ablationOrders) : [];
    // The ERP drill again by chained delivery and concurrency cap (ERP_MAX_CHAIN, ERP_MAX_CONCURRENCY), each on a fresh runtime.
    const drain = sizes.ablationOrders > 0 ? await drainComparison(ctx, erpSim.direct) : [];

    // 8. Cost curves, each point on a freshly reset runtime and ERP.
    const curve = (label: string, count: number, options: PlanOptions, sampleSize: number) =>
      checkedCurvePoint(ctx, opsToken, checks, label, count, options, sampleSize);
    const scale: CurvePoint[] = [];
    for (const n of sizes.scaleOrders) scale.push(await curve(`S${n}`, n, REALISTIC, 300));
    const depth: CurvePoint[] = [];
    for (const extra of sizes.depthExtraScans)
      depth.push(await curve(`D${extra}`, sizes.depthOrders, { ...REALISTIC, easypostShare: 0, extraScans: extra }, sizes.depthOrders));

    // 9. Warm vs evicted orders (full run only): what the 10,000-order point pays for.
    const cold = sizes.ablationOrders > 0 ? await coldVsWarm(log) : undefined;
    if (cold) for (const p of cold.problems) ctx.problems.push(`cold/warm: ${p}`);
    if (cold && !cold.check) ctx.problems.push("cold/warm: correctness check failed");

    const results: Results = {
      date: new Date().toISOString().slice(0, 10),
      mode: sizes.mode,
      path: PATH,
      machine: machine(),
      versions: versions(dockline.pid, sourceAtStart),
      releases,
      latency: [r1, r16, r64, r256].map(({ orderPlans: _o, sendList: _s, freshness: _f, ...rest }) => rest),
      freshness,
      portal,
      erp: drill,
      memory,
      curves: { scale, depth },
      profile,
      variants,
      drain,
      ...(cold ? { cold } : {}),
      checks,
      problems: ctx.problems,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    const file = writeResults(results);
    const passed = checks.every((c) => c.result.ok) && ctx.problems.length === 0 && freshness.failures.length === 0;
    for (const c of checks.filter((c) => !c.result.ok)) log(`check ${c.name} FAILED: ${c.result.problems.slice(0, 5).join("; ")}`);
    for (const p of ctx.problems) log(`problem: ${p}`);

    const table = `${markdown(results)}\n\nresults: ${file}\n`;
    const summary = {
      mode: sizes.mode,
      path: "createTestHarness → workerd entry socket (no dev proxy)",
      check: passed ? "passed" : "failed",
      ingestRatio: r64.ratio,
      ingestRps: r64.ingest.rps,
      baselineRps: r64.baseline.rps,
      ackP50Ms: r64.ingest.latencyMs.p50,
      ackP99Ms: r64.ingest.latencyMs.p99,
      ackMaxMs: r64.ingest.latencyMs.max,
      ackP99MsOneConnection: r1.ingest.latencyMs.p99,
      freshnessP50Ms: freshness.halfLoad.p50,
      freshnessP99Ms: freshness.halfLoad.p99,
      freshnessP99MsSaturated: freshness.underLoad.p99,
      freshnessP99MsIdle: freshness.idle.p99,
      portalP50Ms: portal["64"]?.latencyMs.p50,
      portalP99Ms: portal["64"]?.latencyMs.p99,
      portalP99MsOneConnection: portal["1"]?.latencyMs.p99,
      portalP99MsHalfLoad: portal.half?.latencyMs.p99,
      erpDrainMs: drill.drainMs,
      erpDrainPerSecond: drill.commandsPerSecond,
      peakMemoryMiB: memory.docklinePeakMiB,
      costGrowth: costGrowth(scale),
      ...(cold ? { coldOverWarm: cold.coldOverWarm } : {}),
      targetsMet: verdicts(results).filter((v) => v.met).length,
      targets: verdicts(results).length,
      results: file,
    };
    return { code: passed ? 0 : 1, stdout: `${table}${JSON.stringify(summary)}\n` };
  } finally {
    for (const s of served) await s.close().catch(() => undefined);
  }
}

/** One cost-curve point on a freshly reset runtime and ERP, with its correctness check (a sample of orders). */
async function checkedCurvePoint(
  ctx: Ctx,
  opsToken: string,
  checks: Results["checks"],
  label: string,
  count: number,
  options: PlanOptions,
  sampleSize: number,
): Promise<CurvePoint> {
  const fresh = async () => {
    await ctx.dockline.reset();
    await ctx.dockline.applyMigrations("DB");
    await ctx.erp.reset();
    return new Reference();
  };
  const { point, ref, orders } = await curvePoint(ctx, label, count, options, fresh);
  const every = Math.max(1, Math.floor(orders.length / sampleSize));
  const sample = orders.filter((_, i) => i % every === 0).map((o) => o.orderId);
  const result = await check(ctx.dockline.direct, opsToken, ctx.erp, ref, sample);
  checks.push({ name: label, result });
  if (!result.ok) ctx.log(`check ${label} FAILED`);
  return { ...point, check: { ok: result.ok, ordersChecked: result.ordersChecked, erpRecords: result.erp.recorded } };
}

/**
 * `--scale`: only the cost curve over the size of the run (BENCH_SCALE_ORDERS, default 120, 1,200 and
 * 11,100 orders: ≈ 1k, 11k and 100k events), on the same runtime and ERP simulator as the full run uses.
 */
async function scaleOnly(): Promise<{ code: number; stdout: string }> {
  const started = Date.now();
  const log = progressLog(started);
  const sizes = withOverrides({ ...FULL, scaleOrders: [120, 1_200, 11_100] });
  const secrets = localSecrets();
  const source = sourceDigest();
  const served: Served[] = [];
  try {
    const { erpSim, dockline } = await serveDocklineWithErp(secrets, served);
    const erp = new ErpSim(erpSim.direct);
    const ctx = runContext({
      sizes,
      secrets,
      dockline,
      baseline: dockline,
      erp,
      keys: new Map(),
      rnd: random(20261125),
      log,
    });
    const checks: Results["checks"] = [];
    const scale: CurvePoint[] = [];
    for (const n of sizes.scaleOrders) scale.push(await checkedCurvePoint(ctx, secrets.OPS_TOKEN ?? "", checks, `S${n}`, n, REALISTIC, 300));
    const date = new Date().toISOString().slice(0, 10);
    const file = `bench/results/${date}-scale.json`;
    mkdirSync("bench/results", { recursive: true });
    const durationSeconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(
      file,
      `${JSON.stringify({ date, mode: "scale", machine: machine(), versions: versions(dockline.pid, source), scale, checks, problems: ctx.problems, durationSeconds }, null, 2)}\n`,
    );
    const ok = checks.every((c) => c.result.ok) && ctx.problems.length === 0;
    for (const p of ctx.problems) log(`problem: ${p}`);
    const table = [
      "| curve point | orders | requests | events | req/s | CPU-ms/request (ingest / total) | CPU-ms/event | KiB/event |",
      "|---|---|---|---|---|---|---|---|",
      ...scale.map(
        (p) =>
          `| ${p.label} | ${p.orders} | ${p.requests} | ${p.events} | ${p.ingest.rps} | ${p.cpuMsPerRequest.ingest} / ${p.cpuMsPerRequest.total} | ${p.cpuMsPerEvent} | ${p.memKiBPerEvent} |`,
      ),
    ].join("\n");
    const summary = {
      mode: "scale",
      check: ok ? "passed" : "failed",
      costGrowth: costGrowth(scale),
      points: scale.map((p) => [p.label, p.events, p.cpuMsPerRequest.total]),
      results: file,
    };
    return { code: ok ? 0 : 1, stdout: `${table}\n\nresults: ${file}\n${JSON.stringify(summary)}\n` };
  } finally {
    for (const s of served) await s.close().catch(() => undefined);
  }
}

/**
 * `--freshness`: only the freshness phases at the full run's sizes, about 4 minutes: capacity at 64
 * connections (with the prober alongside, as in the full run), then half of it with smooth arrivals and the
 * prober, then an idle probe; checked like the full run.
 */
async function freshnessOnly(): Promise<{ code: number; stdout: string }> {
  const started = Date.now();
  const log = progressLog(started);
  const sizes = FULL;
  const secrets = localSecrets();
  const source = sourceDigest();
  const served: Served[] = [];
  try {
    const { erpSim, dockline } = await serveDocklineWithErp(secrets, served);
    const baseline = new Served({ name: "baseline", configPath: "bench/baseline/wrangler.toml" });
    served.push(baseline);
    await baseline.start();
    const erp = new ErpSim(erpSim.direct);
    await erp.reset();
    const ctx = runContext({
      sizes,
      secrets,
      dockline,
      baseline,
      erp,
      keys: await issueKeys(dockline.direct, secrets.OPS_TOKEN ?? "", CUSTOMERS),
      rnd: random(20261202),
      log,
    });
    const ref = new Reference();
    const noEasyPost = { ...REALISTIC, easypostShare: 0 };
    const load = planOrders("L64", sizes.latencyOrders[64], ctx.rnd);
    const probe = planOrders("F", sizes.freshnessOrders, ctx.rnd, noEasyPost);
    const steadyProbe = planOrders("G", sizes.freshnessOrders, ctx.rnd, noEasyPost);
    const idleOrders = planOrders("I", sizes.idleFreshnessOrders, ctx.rnd, noEasyPost);
    const steadyPool = planOrders("R", Math.ceil((100 * sizes.steadySeconds) / 9.5), ctx.rnd);
    await release(ctx, ref, [...load, ...probe, ...steadyProbe, ...idleOrders, ...steadyPool]);
    const r64 = await latencyRun(ctx, ref, 64, load, probe);
    await settle(ctx, ref);
    const steady = await steadyFreshness(ctx, ref, r64.ingest.rps, 0.5, steadyPool, steadyProbe);
    await settle(ctx, ref);
    const idle = await probeFreshness(idleOrders, { base: dockline.direct, secrets, keys: ctx.keys, ref, workers: idleOrders.length, loaded: () => false });
    const result = await check(dockline.direct, secrets.OPS_TOKEN ?? "", erp, ref, ref.orderIds());
    const freshness = {
      halfLoad: summarize(steady.freshness.samples.filter((x) => x.underLoad).map((x) => x.ms)),
      halfLoadRate: steady.rate,
      halfLoadAckMs: steady.ingest.latencyMs,
      halfLoadRps: steady.ingest.rps,
      underLoad: summarize((r64.freshness?.samples ?? []).filter((x) => x.underLoad).map((x) => x.ms)),
      idle: summarize(idle.samples.map((x) => x.ms)),
      failures: [...(r64.freshness?.failures ?? []), ...steady.freshness.failures, ...idle.failures],
    };
    const date = new Date().toISOString().slice(0, 10);
    const file = `bench/results/${date}-freshness.json`;
    mkdirSync("bench/results", { recursive: true });
    const durationSeconds = Math.round((Date.now() - started) / 1000);
    const capacity = { rps: r64.ingest.rps, baselineRps: r64.baseline.rps, ratio: r64.ratio };
    writeFileSync(
      file,
      `${JSON.stringify({ date, mode: "freshness", machine: machine(), versions: versions(dockline.pid, source), capacity, freshness, check: result.ok, problems: ctx.problems, durationSeconds }, null, 2)}\n`,
    );
    const ok = result.ok && ctx.problems.length === 0 && freshness.failures.length === 0;
    const summary = {
      mode: "freshness",
      check: ok ? "passed" : "failed",
      capacityRps: capacity.rps,
      halfLoadRate: steady.rate,
      halfLoadRps: steady.ingest.rps,
      freshnessP50Ms: freshness.halfLoad.p50,
      freshnessP99Ms: freshness.halfLoad.p99,
      samples: freshness.halfLoad.count,
      ackP99MsHalfLoad: steady.ingest.latencyMs.p99,
      freshnessP99MsIdle: freshness.idle.p99,
      results: file,
    };
    return { code: ok ? 0 : 1, stdout: `results: ${file}\n${JSON.stringify(summary)}\n` };
  } finally {
    for (const s of served) await s.close().catch(() => undefined);
  }
}

/** `--cold`: only the warm-vs-evicted comparison (bench/cold.ts), about 6 minutes. */
async function coldOnly(): Promise<{ code: number; stdout: string }> {
  const started = Date.now();
  const log = progressLog(started);
  const source = sourceDigest();
  const r = await coldVsWarm(log);
  const date = new Date().toISOString().slice(0, 10);
  const file = `bench/results/${date}-cold.json`;
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ date, mode: "cold", machine: machine(), source, ...r, durationSeconds: Math.round((Date.now() - started) / 1000) }, null, 2)}\n`,
  );
  const table = coldTable(r.passes);
  const ok = r.check && r.problems.length === 0;
  for (const p of r.problems) log(`problem: ${p}`);
  const summary = { mode: "cold", check: ok ? "passed" : "failed", coldOverWarm: r.coldOverWarm, passes: r.passes, results: file };
  return { code: ok ? 0 : 1, stdout: `${table}\n\nresults: ${file}\n${JSON.stringify(summary)}\n` };
}

const mode = process.argv.includes("--cold")
  ? coldOnly()
  : process.argv.includes("--scale")
    ? scaleOnly()
    : process.argv.includes("--freshness")
      ? freshnessOnly()
      : main();
mode.then(
  // Printed after the harnesses closed, so that the summary is the last line of stdout.
  ({ code, stdout }) => {
    process.stdout.write(stdout);
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
