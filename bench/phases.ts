// The measured phases of a run. Each one plans its own orders (unique ids and tracking numbers), releases
// them, sends their webhooks, and adds everything that was answered 202 to the reference.
import type { Sizes } from "./config";
import type { ErpSim } from "./erp";
import { type FreshnessSample, probeFreshness } from "./freshness";
import type { Served } from "./harness";
import { type LoadResult, sendAll, sendFor, sendInSegments } from "./load";
import { round } from "./metrics";
import { portalReads } from "./portal";
import type { Reference } from "./reference";
import { type Prepared, releases, signSends } from "./sign";
import { meter, quiet, type Usage } from "./system";
import { type OrderPlan, type PlanOptions, planOrders, REALISTIC, type Send, schedule } from "./traffic";

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
}

function expectStatus(ctx: Ctx, what: string, r: LoadResult, status: string): void {
  const bad = Object.entries(r.statuses).filter(([s]) => s !== status);
  if (bad.length > 0 || r.errors > 0) ctx.problems.push(`${what}: ${JSON.stringify(r.statuses)} (errors ${r.errors}, timeouts ${r.timeouts})`);
}

/** Releases the orders (POST /v1/orders, 64 connections) and records them in the reference. */
export async function release(ctx: Ctx, ref: Reference, orders: OrderPlan[]): Promise<LoadResult> {
  const r = await sendAll(ctx.dockline.direct, releases(orders, ctx.secrets), 64);
  expectStatus(ctx, "releases", r, "202");
  for (const o of orders) ref.release(o);
  return r;
}

/** Sends the webhooks in signed segments and records them in the reference. */
export async function ingest(ctx: Ctx, ref: Reference, sends: Send[], connections: number): Promise<LoadResult> {
  const r = await sendInSegments(ctx.dockline.direct, sends, connections, ctx.sizes.segment, (slice) => signSends(slice, ctx.secrets));
  expectStatus(ctx, `ingest at ${connections} connections`, r, "202");
  for (const s of sends) await ref.webhook(s.webhook);
  return r;
}

/** Waits for the ERP to book what the reference predicts so far, then for the runtime to go idle. */
export async function settle(ctx: Ctx, ref: Reference): Promise<void> {
  if ((await ctx.erp.waitForApplied(ref.commandCount(), 180_000)) === null) ctx.problems.push(`ERP backlog not drained (${ref.commandCount()} expected)`);
  await quiet([ctx.dockline.pid]);
}

export interface LatencyRun {
  connections: number;
  orders: number;
  webhooks: number;
  duplicates: number;
  late: number;
  releases: LoadResult;
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

/** One ack-latency run: baseline then dockline at `connections`, optionally with the freshness prober alongside. */
export async function latencyRun(ctx: Ctx, ref: Reference, connections: 16 | 64 | 256, probe: OrderPlan[] = []): Promise<LatencyRun> {
  const orders = planOrders(`L${connections}`, ctx.sizes.latencyOrders[connections], ctx.rnd);
  const sends = schedule(orders, ctx.rnd);
  const rel = await release(ctx, ref, orders);
  await settle(ctx, ref);
  // The baseline gets the same requests (it ignores the signatures), cycled for a fixed time.
  const sample: Prepared[] = await signSends(sends.slice(0, 2_000), ctx.secrets);
  const base = await sendFor(ctx.baseline.direct, sample, connections, ctx.sizes.baselineSeconds);
  expectStatus(ctx, `baseline at ${connections} connections`, base, "202");
  ctx.log(`baseline  c=${connections}: ${base.rps} req/s, p99 ${base.latencyMs.p99} ms`);

  let loaded = true;
  const prober =
    probe.length > 0
      ? probeFreshness(probe, { base: ctx.dockline.direct, secrets: ctx.secrets, keys: ctx.keys, ref, workers: ctx.sizes.freshnessProbers, loaded: () => loaded })
      : undefined;
  const stop = meter(ctx.dockline.pid);
  const r = await ingest(ctx, ref, sends, connections);
  loaded = false;
  const usage = stop();
  const freshness = prober ? await prober : undefined;
  ctx.log(`dockline  c=${connections}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (${sends.length} webhooks)`);
  return {
    connections,
    orders: orders.length,
    webhooks: sends.length,
    duplicates: sends.filter((s) => s.duplicate).length,
    late: sends.filter((s) => s.late).length,
    releases: rel,
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

export async function portalRuns(ctx: Ctx, orders: OrderPlan[]): Promise<Record<string, LoadResult>> {
  const reads = portalReads(orders, ctx.keys);
  const out: Record<string, LoadResult> = {};
  for (const c of [16, 64]) {
    const r = await sendFor(ctx.dockline.direct, reads, c, ctx.sizes.portalSeconds);
    expectStatus(ctx, `portal reads at ${c} connections`, r, "200");
    ctx.log(`portal    c=${c}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
    out[c] = r;
  }
  return out;
}

export interface OutageDrill {
  orders: number;
  webhooks: number;
  commands: number;
  outageMs: number;
  ingestMs: number;
  /** From the end of the outage (or of ingestion, if later) to the last command booked. */
  drainMs: number | null;
  commandsPerSecond: number | null;
  /** Booked before the outage ended: must be zero, the ERP was down. */
  bookedDuringOutage: number;
}

/** The ERP goes down; orders are ingested meanwhile; how long until the ERP has booked everything. */
export async function outageDrill(ctx: Ctx, ref: Reference): Promise<OutageDrill> {
  const orders = planOrders("O", ctx.sizes.outageOrders, ctx.rnd);
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
  const waitFor = Math.max(0, downUntil - Date.now());
  await new Promise((r) => setTimeout(r, waitFor));
  const bookedDuringOutage = (await ctx.erp.stats()).applied - appliedBefore;
  const start = Math.max(downUntil, t0 + ingestMs);
  const done = await ctx.erp.waitForApplied(ref.commandCount(), 600_000, 100);
  await ctx.erp.clearFaults();
  const drainMs = done === null ? null : done - start;
  ctx.log(`ERP drill: ${commands} commands, outage ${ctx.sizes.outageMs} ms, drained ${drainMs} ms after it ended`);
  return {
    orders: orders.length,
    webhooks: sends.length,
    commands,
    outageMs: ctx.sizes.outageMs,
    ingestMs,
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
  const ref = await fresh();
  const orders = planOrders(label, count, ctx.rnd, options);
  const sends = schedule(orders, ctx.rnd);
  await quiet([ctx.dockline.pid], 30_000);
  const stop = meter(ctx.dockline.pid);
  await release(ctx, ref, orders);
  const r = await ingest(ctx, ref, sends, 64);
  const ingestUsage = stop();
  await settle(ctx, ref);
  const totalUsage = stop();
  const requests = orders.length + sends.length;
  const events = ref.eventCount();
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
  };
  ctx.log(
    `curve ${label}: ${requests} requests, ${events} events, ${r.rps} req/s, ${point.cpuMsPerRequest.total} CPU-ms/request, ${point.memKiBPerEvent} KiB/event`,
  );
  return { point, ref, orders };
}

export { REALISTIC };
