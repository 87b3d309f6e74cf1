// `npm run bench [-- --quick]` (issue 8): the real dockline worker on local workerd next to a baseline
// Hono worker and the ERP simulator, each in its own wrangler test harness, loaded with signed webhooks.
// Progress goes to stderr; stdout gets the figures table and, as its LAST line, one JSON summary.
// Exits non-zero when a correctness check fails or a request was not answered as expected.
import { check } from "./check";
import { CUSTOMERS, FULL, localSecrets, QUICK } from "./config";
import { ErpSim } from "./erp";
import { benchDocklineConfig, Served } from "./harness";
import { round, summarize } from "./metrics";
import { probeFreshness } from "./freshness";
import { type CurvePoint, type Ctx, curvePoint, latencyRun, outageDrill, portalRuns, REALISTIC, release, settle } from "./phases";
import { issueKeys } from "./portal";
import { profileStages } from "./profile";
import { memoryMiB } from "./proc";
import { Reference } from "./reference";
import { costGrowth, markdown, type Results, verdicts, writeResults } from "./report";
import { machine, versions } from "./system";
import { type PlanOptions, planOrders, random } from "./traffic";

const PATH =
  "wrangler createTestHarness (wrangler 4 test harness, Miniflare), requests sent straight to the runtime's entry socket in workerd — not through the dev proxy that listen() returns (wrangler's ProxyWorker in a second workerd process)";

async function main(): Promise<number> {
  const started = Date.now();
  const sizes = process.argv.includes("--quick") ? QUICK : FULL;
  const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}\n`);
  const secrets = localSecrets();
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
    log(`dockline ${dockline.direct.origin} (workerd pid ${dockline.pid}; dev proxy ${dockline.proxy.origin}), baseline ${baseline.direct.origin}, erp-sim ${erpSim.direct.origin}`);

    const erp = new ErpSim(erpSim.direct);
    await erp.reset();
    const ctx: Ctx = {
      sizes,
      secrets,
      dockline,
      baseline,
      erp,
      keys: await issueKeys(dockline.direct, opsToken, CUSTOMERS),
      rnd: random(20261123),
      log,
      problems: [],
    };
    const ref = new Reference();

    // 1. Ack latency and throughput at 16, 64 and 256 connections; freshness sampled during the 64 run.
    const probeOrders = planOrders("F", sizes.freshnessOrders, ctx.rnd, { ...REALISTIC, easypostShare: 0 });
    const idleOrders = planOrders("I", sizes.idleFreshnessOrders, ctx.rnd, { ...REALISTIC, easypostShare: 0 });
    await release(ctx, ref, [...probeOrders, ...idleOrders]);
    const r16 = await latencyRun(ctx, ref, 16);
    const r64 = await latencyRun(ctx, ref, 64, probeOrders);
    const r256 = await latencyRun(ctx, ref, 256);
    await settle(ctx, ref);

    // 2. Freshness on an idle system, for comparison.
    const idle = await probeFreshness(idleOrders, { base: dockline.direct, secrets, keys: ctx.keys, ref, workers: 1, loaded: () => false });
    const loadedSamples = r64.freshness?.samples ?? [];
    const freshness = {
      underLoad: summarize(loadedSamples.filter((s) => s.underLoad).map((s) => s.ms)),
      idle: summarize([...idle.samples, ...loadedSamples.filter((s) => !s.underLoad)].map((s) => s.ms)),
      failures: [...(r64.freshness?.failures ?? []), ...idle.failures],
    };
    log(`freshness under load p50 ${freshness.underLoad.p50} / p99 ${freshness.underLoad.p99} ms; idle p50 ${freshness.idle.p50} / p99 ${freshness.idle.p99} ms`);

    // 3. Portal reads over the 64-connection run's orders.
    const portal = await portalRuns(ctx, r64.orderPlans);

    // 4. ERP outage and drain.
    const drill = await outageDrill(ctx, ref);

    // 5. Where the time goes: the same webhooks through a ladder of stages, and through dockline as duplicates.
    const profile = await profileStages(ctx, ref, r64.sendList, {
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

    // 7. Cost curves, each point on a freshly reset runtime and ERP.
    const fresh = async () => {
      await dockline.reset();
      await dockline.applyMigrations("DB");
      await erp.reset();
      return new Reference();
    };
    const curve = async (label: string, count: number, options: PlanOptions, sampleSize: number) => {
      const { point, ref: r, orders } = await curvePoint(ctx, label, count, options, fresh);
      const every = Math.max(1, Math.floor(orders.length / sampleSize));
      const result = await check(
        dockline.direct,
        opsToken,
        erp,
        r,
        orders.filter((_, i) => i % every === 0).map((o) => o.orderId),
      );
      checks.push({ name: label, result });
      if (!result.ok) log(`check ${label} FAILED`);
      return { ...point, check: { ok: result.ok, ordersChecked: result.ordersChecked, erpRecords: result.erp.recorded } };
    };
    const scale: CurvePoint[] = [];
    for (const n of sizes.scaleOrders) scale.push(await curve(`S${n}`, n, REALISTIC, 300));
    const depth: CurvePoint[] = [];
    for (const extra of sizes.depthExtraScans) depth.push(await curve(`D${extra}`, sizes.depthOrders, { ...REALISTIC, easypostShare: 0, extraScans: extra }, sizes.depthOrders));

    const results: Results = {
      date: new Date().toISOString().slice(0, 10),
      mode: sizes.mode,
      path: PATH,
      machine: machine(),
      versions: versions(dockline.pid),
      latency: [r16, r64, r256].map(({ orderPlans: _o, sendList: _s, freshness: _f, ...rest }) => rest),
      freshness,
      portal,
      erp: drill,
      memory,
      curves: { scale, depth },
      profile,
      checks,
      problems: ctx.problems,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    const file = writeResults(results);
    const passed = checks.every((c) => c.result.ok) && ctx.problems.length === 0 && freshness.failures.length === 0;
    for (const c of checks.filter((c) => !c.result.ok)) log(`check ${c.name} FAILED: ${c.result.problems.slice(0, 5).join("; ")}`);
    for (const p of ctx.problems) log(`problem: ${p}`);

    process.stdout.write(`${markdown(results)}\n\nresults: ${file}\n`);
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
      freshnessP50Ms: freshness.underLoad.p50,
      freshnessP99Ms: freshness.underLoad.p99,
      portalP50Ms: portal["64"]?.latencyMs.p50,
      portalP99Ms: portal["64"]?.latencyMs.p99,
      erpDrainMs: drill.drainMs,
      erpDrainPerSecond: drill.commandsPerSecond,
      peakMemoryMiB: memory.docklinePeakMiB,
      costGrowth: costGrowth(scale),
      targetsMet: verdicts(results).filter((v) => v.met).length,
      targets: verdicts(results).length,
      results: file,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return passed ? 0 : 1;
  } finally {
    for (const s of served) await s.close().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
