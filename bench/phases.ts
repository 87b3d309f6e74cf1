// The measured phases of a run. Each one works on its own orders (unique ids and tracking numbers), releases
// them, sends their webhooks, and adds everything that was answered 202 to the reference.
import type { Sizes } from "./config";
import type { ErpSim } from "./erp";
import { type FreshnessSample, probeFreshness } from "./freshness";
import type { Served } from "./harness";
import { type LoadResult, sendAll, sendFor, sendInSegments } from "./load";
import { round, sleep } from "./metrics";
import { portalReads } from "./portal";
import type { Reference } from "./reference";
import { type Prepared, releases, signSends } from "./sign";
import { meter, quiet, type Usage } from "./system";
import { CURVE_JOURNEY_SENDS, type OrderPlan, type PlanOptions, planOrders, REALISTIC, type Send, schedule } from "./traffic";

export interface Ctx {
  sizes: Sizes;
  secrets: Record<string, string>;
  dockline: Served;
  baseline: Served;
  erp: ErpSim;
  keys: Map<string, string>;
  rnd: () => number;
  log: (msg: string) => void;
  /** Non-2xx answers or failed checks: the run fails, and the reference cannot be trusted past them. */
  problems: string[];
  /** wrangler.toml's OUTBOX_RETRY_SECONDS: how long after its last write each order's alarm fires. */
  outboxRetrySeconds: number;
}

/** Every answer must be `status`: otherwise the reference no longer matches what the worker holds, so stop. */
export function expectStatus(ctx: Ctx, what: string, r: LoadResult, status: string): void {
  const bad = Object.entries(r.statuses).filter(([s]) => s !== status);
  if (bad.length === 0 && r.errors === 0) return;
  const errors = ctx.dockline.harness
    .getLogs()
    .filter((l) => l.level === "error")
    .slice(0, 3)
    .map((l) => l.message.slice(0, 300));
  throw new Error(`${what}: ${JSON.stringify(r.statuses)} (errors ${r.errors}, timeouts ${r.timeouts}); worker errors: ${errors.join(" | ") || "none"}`);
}

/** Releases the orders (POST /v1/orders, 64 connections) and records them in the reference. */
export async function release(ctx: Ctx, ref: Reference, orders: OrderPlan[]): Promise<LoadResult> {
  const r = await sendAll(ctx.dockline.direct, releases(orders, ctx.secrets), 64);
  expectStatus(ctx, "releases", r, "202");
  for (const o of orders) ref.release(o);
  return r;
}

/** Sends the webhooks in signed segments (at most `rate` per second when given) and records them in the reference. */
export async function ingest(ctx: Ctx, ref: Reference, sends: Send[], connections: number, rate?: number): Promise<LoadResult> {
  const r = await sendInSegments(ctx.dockline.direct, sends, connections, ctx.sizes.segment, (slice) => signSends(slice, ctx.secrets), rate);
  expectStatus(ctx, `ingest at ${connections} connections`, r, "202");
  for (const s of sends) await ref.webhook(s.webhook);
  return r;
}

/**
 * Waits for the ERP to book what the reference predicts so far, then for the runtime to go idle: past the
 * outbox alarms when `thorough` (their CPU is part of a cost), or for one calm moment between runs.
 */
export async function settle(ctx: Ctx, ref: Reference, thorough = true): Promise<void> {
  // At least 3 minutes; more for big runs (the 10,000-order point leaves a backlog of thousands of commands).
  const drainBudgetMs = Math.max(180_000, ref.commandCount() * 40);
  if ((await ctx.erp.waitForApplied(ref.commandCount(), drainBudgetMs)) === null) ctx.problems.push(`ERP backlog not drained (${ref.commandCount()} expected)`);
  if (thorough) {
    await sleep((ctx.outboxRetrySeconds + 0.5) * 1000);
    await quiet([ctx.dockline.pid]);
  } else await quiet([ctx.dockline.pid], 60_000, 1);
  // The harness keeps every runtime log line in this process; a long run would hoard them.
  ctx.dockline.harness.clearLogs();
}

export interface LatencyRun {
  connections: number;
  orders: number;
  webhooks: number;
  duplicates: number;
  late: number;
  baseline: LoadResult;
  ingest: LoadResult;
  /** dockline's webhook throughput over the baseline's, same connections, same bodies. */
  ratio: number;
  usage: Usage;
  workerdCpuMsPerWebhook: number;
  freshness?: { samples: FreshnessSample[]; failures: string[] };
  /** Kept for later phases (portal reads, profiling); not written to the results. */
  orderPlans: OrderPlan[];
  sendList: Send[];
}

/**
 * One ack-latency run over already released `orders`: baseline then dockline at `connections`, optionally
 * with the freshness prober alongside.
 */
export async function latencyRun(ctx: Ctx, ref: Reference, connections: 1 | 16 | 64 | 256, orders: OrderPlan[], probe: OrderPlan[] = []): Promise<LatencyRun> {
  const sends = schedule(orders, ctx.rnd);
  await settle(ctx, ref, false);
  // The baseline gets the same requests (it ignores the signatures), cycled for a fixed time.
  const sample: Prepared[] = await signSends(sends.slice(0, 2_000), ctx.secrets);
  const base = await sendFor(ctx.baseline.direct, sample, connections, ctx.sizes.baselineSeconds);
  expectStatus(ctx, `baseline at ${connections} connections`, base, "202");
  ctx.log(`baseline  c=${connections}: ${base.rps} req/s, p99 ${base.latencyMs.p99} ms`);

  let loaded = true;
  const prober =
    probe.length > 0
      ? probeFreshness(
          probe,
          probing(ctx, ref, () => loaded),
        )
      : undefined;
  const stop = meter(ctx.dockline.pid);
  const r = await ingest(ctx, ref, sends, connections);
  loaded = false;
  const usage = stop();
  const freshness = prober ? await prober : undefined;
  ctx.log(
    `dockline  c=${connections}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (${sends.length} webhooks)`,
  );
  return {
    connections,
    orders: orders.length,
    webhooks: sends.length,
    duplicates: sends.filter((s) => s.duplicate).length,
    late: sends.filter((s) => s.late).length,
    baseline: base,
    ingest: r,
    ratio: round(r.rps / base.rps, 3),
    usage,
    workerdCpuMsPerWebhook: round(usage.workerdCpuMs / sends.length, 3),
    ...(freshness ? { freshness } : {}),
    orderPlans: orders,
    sendList: sends,
  };
}

export interface SteadyFreshness {
  /** Webhooks per second offered: a share of the capacity measured at 64 connections. */
  rate: number;
  ingest: LoadResult;
  freshness: { samples: FreshnessSample[]; failures: string[] };
}

/**
 * Freshness under a load the worker can sustain. At saturation (the 64-connection run) the projection
 * queue only grows, so its freshness measures the backlog, not the pipeline; here the webhooks arrive at
 * a fixed share of the measured capacity while the prober samples. `pool` holds released orders, more
 * than the rate needs (it is only known once the capacity is): the unused ones stay released.
 */
export async function steadyFreshness(
  ctx: Ctx,
  ref: Reference,
  capacity: number,
  share: number,
  pool: OrderPlan[],
  probe: OrderPlan[],
): Promise<SteadyFreshness> {
  const rate = Math.max(1, Math.round(capacity * share));
  const orders = pool.slice(0, Math.max(4, Math.round((rate * ctx.sizes.steadySeconds) / 9.5)));
  await settle(ctx, ref, false);
  let loaded = true;
  const prober = probeFreshness(
    probe,
    probing(ctx, ref, () => loaded),
  );
  const r = await ingest(ctx, ref, schedule(orders, ctx.rnd), 16, rate);
  loaded = false;
  const freshness = await prober;
  ctx.log(`steady load ${rate}/s: ${r.rps} req/s, ack p99 ${r.latencyMs.p99} ms`);
  return { rate, ingest: r, freshness };
}

export type PortalRun = LoadResult & { workerdCpuMsPerRead: number };

export async function portalRuns(ctx: Ctx, orders: OrderPlan[]): Promise<Record<string, PortalRun>> {
  const reads = portalReads(orders, ctx.keys);
  const out: Record<string, PortalRun> = {};
  for (const c of [1, 16, 64]) {
    const stop = meter(ctx.dockline.pid);
    const r = await sendFor(ctx.dockline.direct, reads, c, ctx.sizes.portalSeconds);
    const cpu = stop().workerdCpuMs;
    expectStatus(ctx, `portal reads at ${c} connections`, r, "200");
    ctx.log(`portal    c=${c}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
    out[c] = { ...r, workerdCpuMsPerRead: round(cpu / r.requests, 3) };
  }
  // Latency at a load the worker sustains: half the 64-connection throughput, offered by 16 connections.
  const rate = Math.max(1, Math.round((out["64"]?.rps ?? 0) / 2));
  const stop = meter(ctx.dockline.pid);
  const r = await sendFor(ctx.dockline.direct, reads, 16, ctx.sizes.portalSeconds, rate);
  const cpu = stop().workerdCpuMs;
  expectStatus(ctx, `portal reads at ${rate}/s`, r, "200");
  ctx.log(`portal    ${rate}/s (half capacity): ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
  out.half = { ...r, workerdCpuMsPerRead: round(cpu / r.requests, 3) };
  return out;
}

export interface OutageDrill {
  orders: number;
  webhooks: number;
  commands: number;
  outageMs: number;
  ingestMs: number;
  /** Whether ingestion finished while the ERP was still down (otherwise the drain overlaps ingestion). */
  ingestedDuringOutage: boolean;
  /** From the end of the outage (or of ingestion, if later) to the last command booked. */
  drainMs: number | null;
  commandsPerSecond: number | null;
  /** Booked while the ERP was down: must be zero. */
  bookedDuringOutage: number;
}

/** The ERP goes down (PUT /admin/faults downForMs); orders are ingested meanwhile; how long until it has booked everything. */
export async function outageDrill(ctx: Ctx, ref: Reference, prefix = "O"): Promise<OutageDrill> {
  const orders = planOrders(prefix, ctx.sizes.outageOrders, ctx.rnd);
  const sends = schedule(orders, ctx.rnd);
  await settle(ctx, ref);
  const before = ref.commandCount();
  const appliedBefore = (await ctx.erp.stats()).applied;
  await ctx.erp.setFaults({ downForMs: ctx.sizes.outageMs });
  const downUntil = Date.now() + ctx.sizes.outageMs;
  const t0 = Date.now();
  await release(ctx, ref, orders);
  await ingest(ctx, ref, sends, 64);
  const ingestMs = Date.now() - t0;
  const commands = ref.commandCount() - before;
  // The last moment the ERP is certainly still down: what it booked by then, it booked during the outage.
  await sleep(Math.max(0, downUntil - Date.now() - 200));
  const bookedDuringOutage = (await ctx.erp.stats()).applied - appliedBefore;
  const start = Math.max(downUntil, t0 + ingestMs);
  const done = await ctx.erp.waitForApplied(ref.commandCount(), 600_000, 100);
  await ctx.erp.clearFaults();
  const drainMs = done === null ? null : done - start;
  ctx.log(`ERP drill: ${commands} commands, outage ${ctx.sizes.outageMs} ms (ingest ${ingestMs} ms), drained ${drainMs} ms after it ended`);
  return {
    orders: orders.length,
    webhooks: sends.length,
    commands,
    outageMs: ctx.sizes.outageMs,
    ingestMs,
    ingestedDuringOutage: t0 + ingestMs < downUntil,
    drainMs,
    commandsPerSecond: drainMs === null ? null : round((commands / drainMs) * 1000, 1),
    bookedDuringOutage,
  };
}

export interface CurvePoint {
  label: string;
  orders: number;
  extraScans: number;
  requests: number;
  events: number;
  commands: number;
  ingest: LoadResult;
  ingestUsage: Usage;
  totalUsage: Usage;
  cpuMsPerRequest: { ingest: number; total: number };
  wallMsPerRequest: number;
  cpuMsPerEvent: number;
  memKiBPerEvent: number;
  /** Where the point's wall time went: fresh runtime, warm-up, measured ingest, drain to idle. */
  phaseMs: { reset: number; warm: number; ingest: number; settle: number };
  check?: unknown;
}

/** One point of a cost curve, on a freshly reset runtime: release, ingest, drain, and what it cost. */
export async function curvePoint(
  ctx: Ctx,
  label: string,
  count: number,
  options: PlanOptions,
  fresh: () => Promise<Reference>,
): Promise<{ point: CurvePoint; ref: Reference; orders: OrderPlan[] }> {
  const t0 = Date.now();
  const ref = await fresh();
  const orders = planOrders(label, count, ctx.rnd, options);
  const sends = schedule(orders, ctx.rnd, { journeySends: CURVE_JOURNEY_SENDS });
  const t1 = Date.now();
  // Warm-up, not measured (but checked): a fresh isolate compiles its code on first use, a cost that
  // would otherwise weigh on the smallest point only.
  const warmup = planOrders(`${label}W`, 20, ctx.rnd, options);
  await release(ctx, ref, warmup);
  await ingest(ctx, ref, schedule(warmup, ctx.rnd), 16);
  await settle(ctx, ref, false);
  const eventsBefore = ref.eventCount();
  const t2 = Date.now();
  const stop = meter(ctx.dockline.pid);
  await release(ctx, ref, orders);
  const r = await ingest(ctx, ref, sends, 64);
  const ingestUsage = stop();
  const t3 = Date.now();
  await settle(ctx, ref);
  const totalUsage = stop();
  const phaseMs = { reset: t1 - t0, warm: t2 - t1, ingest: t3 - t2, settle: Date.now() - t3 };
  const requests = orders.length + sends.length;
  const events = ref.eventCount() - eventsBefore;
  const point: CurvePoint = {
    label,
    orders: orders.length,
    extraScans: options.extraScans,
    requests,
    events,
    commands: ref.commandCount(),
    ingest: r,
    ingestUsage,
    totalUsage,
    cpuMsPerRequest: { ingest: round(ingestUsage.workerdCpuMs / requests, 3), total: round(totalUsage.workerdCpuMs / requests, 3) },
    wallMsPerRequest: round(ingestUsage.wallMs / requests, 3),
    cpuMsPerEvent: round(totalUsage.workerdCpuMs / events, 3),
    memKiBPerEvent: round(((totalUsage.rssAfterMiB - totalUsage.rssBeforeMiB) * 1024) / events, 2),
    phaseMs,
  };
  ctx.log(
    `curve ${label}: ${requests} requests, ${events} events, ${r.rps} req/s, ${point.cpuMsPerRequest.ingest} / ${point.cpuMsPerRequest.total} CPU-ms/request, ${point.memKiBPerEvent} KiB/event (${JSON.stringify(phaseMs)})`,
  );
  return { point, ref, orders };
}

export { REALISTIC };

/** The freshness prober's options while a load runs: it stops when `loaded()` turns false. */
function probing(ctx: Ctx, ref: Reference, loaded: () => boolean) {
  return { base: ctx.dockline.direct, secrets: ctx.secrets, keys: ctx.keys, ref, workers: ctx.sizes.freshnessProbers, loaded, stopWithLoad: true };
}
