// The run's figures against the targets of issue 8, the results file, and a Markdown table of both.
import { mkdirSync, writeFileSync } from "node:fs";
import type { DrainVariant, VariantResult } from "./ablation";
import { type ColdPass, coldTable } from "./cold";
import type { CheckResult } from "./check";
import type { LoadResult } from "./load";
import type { Summary } from "./metrics";
import type { CurvePoint, LatencyRun, OutageDrill, PortalRun } from "./phases";
import type { Profile } from "./profile";

export interface Results {
  date: string;
  mode: "quick" | "full";
  path: string;
  machine: { nproc: number; cpuModel: string; ramGiB: number; kernel: string };
  versions: Record<string, string>;
  /** Every order of the latency, freshness and portal phases, released in one go (64 connections). */
  releases: LoadResult;
  latency: Omit<LatencyRun, "orderPlans" | "sendList" | "freshness">[];
  freshness: { halfLoad: Summary; halfLoadRate: number; halfLoadAckMs: Summary; underLoad: Summary; idle: Summary; failures: string[] };
  portal: Record<string, PortalRun>;
  erp: OutageDrill;
  memory: { docklinePeakMiB: number; docklineRssMiB: number; erpSimPeakMiB: number; baselinePeakMiB: number };
  curves: { scale: CurvePoint[]; depth: CurvePoint[] };
  profile: Profile;
  variants: VariantResult[];
  /** The ERP outage drill by ERP_MAX_CHAIN and ERP_MAX_CONCURRENCY (full run only). */
  drain: DrainVariant[];
  /** Warm vs evicted orders (full run only). */
  cold?: { passes: ColdPass[]; coldOverWarm: number; check: boolean };
  checks: { name: string; result: CheckResult }[];
  problems: string[];
  durationSeconds: number;
}

export interface Verdict {
  figure: string;
  target: string;
  measured: string;
  met: boolean;
}

const at = (r: Results, c: number) => r.latency.find((l) => l.connections === c);

/** How far the cost per request of the largest scale point is from the smallest one (1 = flat). */
export function costGrowth(points: CurvePoint[]): number {
  const first = points[0];
  const last = points[points.length - 1];
  return first && last ? Math.round((last.cpuMsPerRequest.total / first.cpuMsPerRequest.total) * 100) / 100 : Number.NaN;
}

export function verdicts(r: Results): Verdict[] {
  const c64 = at(r, 64);
  const c1 = at(r, 1);
  const growth = costGrowth(r.curves.scale);
  const first = r.curves.scale[0];
  const last = r.curves.scale[r.curves.scale.length - 1];
  const portal = r.portal["64"];
  const portal1 = r.portal["1"];
  return [
    {
      figure: "ingest throughput vs baseline (64 connections)",
      target: "≥ 40 %",
      measured: c64 ? `${Math.round(c64.ratio * 100)} % (${c64.ingest.rps} vs ${c64.baseline.rps} req/s)` : "n/a",
      met: (c64?.ratio ?? 0) >= 0.4,
    },
    {
      figure: "ack latency p99 (64 connections)",
      target: "≤ 25 ms",
      measured: c64
        ? `${c64.ingest.latencyMs.p99} ms (baseline at 64: ${c64.baseline.latencyMs.p99} ms; dockline at 1 connection: ${c1?.ingest.latencyMs.p99 ?? "n/a"} ms; at half capacity, ${r.freshness.halfLoadRate} webhooks/s: ${r.freshness.halfLoadAckMs.p99} ms)`
        : "n/a",
      met: (c64?.ingest.latencyMs.p99 ?? Number.POSITIVE_INFINITY) <= 25,
    },
    {
      figure: `freshness p99 (webhook 202 → portal shows it) at half capacity, ${r.freshness.halfLoadRate} webhooks/s`,
      target: "≤ 1 s",
      measured: `${r.freshness.halfLoad.p99} ms (${r.freshness.halfLoad.count} samples; saturated: ${r.freshness.underLoad.p99} ms; idle: ${r.freshness.idle.p99} ms)`,
      met: r.freshness.halfLoad.p99 <= 1000,
    },
    {
      figure: "portal read p99 (64 connections)",
      target: "≤ 10 ms",
      measured: portal
        ? `${portal.latencyMs.p99} ms (at 1 connection: ${portal1?.latencyMs.p99 ?? "n/a"} ms; at half capacity, ${r.portal.half?.rps ?? "n/a"} reads/s: ${r.portal.half?.latencyMs.p99 ?? "n/a"} ms)`
        : "n/a",
      met: (portal?.latencyMs.p99 ?? Number.POSITIVE_INFINITY) <= 10,
    },
    {
      figure: `cost per request, ${first?.requests ?? "?"} → ${last?.requests ?? "?"} requests`,
      target: "flat ± 20 %",
      measured: `× ${growth} (${first?.cpuMsPerRequest.total} → ${last?.cpuMsPerRequest.total} CPU-ms)`,
      met: growth >= 0.8 && growth <= 1.2,
    },
  ];
}

const cores = (u: { othersCpuMs: number; wallMs: number }) => Math.round((u.othersCpuMs / Math.max(1, u.wallMs)) * 100) / 100;

export function markdown(r: Results): string {
  const profile = r.profile;
  const lines = [
    `Run ${r.date} (${r.mode}, ${r.durationSeconds} s), ${r.machine.nproc} × ${r.machine.cpuModel}, ${r.machine.ramGiB} GiB; node ${r.versions.node}, wrangler ${r.versions.wrangler}, ${r.versions.workerd}; source ${r.versions.sourceDigest}.`,
    `Path: ${r.path}`,
    "",
    "| figure | target | measured | |",
    "|---|---|---|---|",
    ...verdicts(r).map((v) => `| ${v.figure} | ${v.target} | ${v.measured} | ${v.met ? "met" : "**not met**"} |`),
    "",
    "| connections | baseline req/s | dockline req/s | ratio | ack p50 / p99 / max (ms) | workerd CPU-ms per webhook | other processes (cores) |",
    "|---|---|---|---|---|---|---|",
    ...r.latency.map(
      (l) =>
        `| ${l.connections} | ${l.baseline.rps} | ${l.ingest.rps} | ${Math.round(l.ratio * 100)} % | ${l.ingest.latencyMs.p50} / ${l.ingest.latencyMs.p99} / ${l.ingest.latencyMs.max} | ${l.workerdCpuMsPerWebhook} | ${cores(l.usage)} |`,
    ),
    "",
    `Freshness: at ${r.freshness.halfLoadRate} webhooks/s (half capacity; ack p50 ${r.freshness.halfLoadAckMs.p50} / p99 ${r.freshness.halfLoadAckMs.p99} ms) p50 ${r.freshness.halfLoad.p50} / p99 ${r.freshness.halfLoad.p99} ms (${r.freshness.halfLoad.count} samples); saturated (64 connections) p50 ${r.freshness.underLoad.p50} / p99 ${r.freshness.underLoad.p99} ms (${r.freshness.underLoad.count}); idle p50 ${r.freshness.idle.p50} / p99 ${r.freshness.idle.p99} ms (${r.freshness.idle.count}).`,
    `Portal reads: ${Object.entries(r.portal)
      .map(
        ([c, p]) =>
          `${c === "half" ? "half capacity (16 connections, rate-capped)" : `${c} connection(s)`} ${p.rps} req/s, p50 ${p.latencyMs.p50} / p99 ${p.latencyMs.p99} ms, ${p.workerdCpuMsPerRead} CPU-ms/read`,
      )
      .join("; ")}.`,
    `ERP drill: ${r.erp.commands} commands from ${r.erp.orders} orders ingested during a ${r.erp.outageMs / 1000} s outage (ingest took ${r.erp.ingestMs} ms${r.erp.ingestedDuringOutage ? "" : ", longer than the outage"}); drained ${r.erp.drainMs} ms after the outage ended, ${r.erp.commandsPerSecond} commands/s; booked during the outage: ${r.erp.bookedDuringOutage}.`,
    `Memory: dockline workerd peak ${r.memory.docklinePeakMiB} MiB (RSS now ${r.memory.docklineRssMiB}); baseline ${r.memory.baselinePeakMiB} MiB; ERP simulator ${r.memory.erpSimPeakMiB} MiB.`,
    "",
    ...(profile.rungs.length > 0
      ? [
          "| stage (64 connections) | req/s | p50 / p99 (ms) | workerd CPU-ms per request |",
          "|---|---|---|---|",
          ...profile.rungs.map((g) => `| ${g.stage} | ${g.rps} | ${g.p50Ms} / ${g.p99Ms} | ${g.workerdCpuMsPerRequest} |`),
          "",
        ]
      : []),
    "| curve point | orders | requests | events | req/s | CPU-ms/request (ingest / total) | CPU-ms/event | KiB/event | open files | other processes (cores) |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...[...r.curves.scale, ...r.curves.depth].map(
      (p) =>
        `| ${p.label} | ${p.orders} | ${p.requests} | ${p.events} | ${p.ingest.rps} | ${p.cpuMsPerRequest.ingest} / ${p.cpuMsPerRequest.total} | ${p.cpuMsPerEvent} | ${p.memKiBPerEvent} | ${p.totalUsage.openFiles} | ${cores(p.totalUsage)} |`,
    ),
    "",
    ...(r.variants.length > 0
      ? [
          "| what-if variant (64 connections, fresh runtime each) | req/s | ack p50 / p99 (ms) | CPU-ms/request (ingest / total) | freshness p50 / p99 under load (ms) | idle p50 / p99 (ms) |",
          "|---|---|---|---|---|---|",
          ...r.variants.map(
            (v) =>
              `| ${v.name} | ${v.ingest.rps} | ${v.ingest.latencyMs.p50} / ${v.ingest.latencyMs.p99} | ${v.cpuMsPerRequest.ingest} / ${v.cpuMsPerRequest.total} | ${v.freshness.underLoad.p50} / ${v.freshness.underLoad.p99} | ${v.freshness.idle.p50} / ${v.freshness.idle.p99} |`,
          ),
          "",
        ]
      : []),
    ...(r.drain.length > 0
      ? [
          "| ERP drill, fresh runtime each | commands | drained after the outage (ms) | commands/s | check |",
          "|---|---|---|---|---|",
          ...r.drain.map(
            (d) =>
              `| ERP_MAX_CHAIN = ${d.maxChain}, ${d.maxConcurrency !== undefined ? `ERP_MAX_CONCURRENCY = ${d.maxConcurrency}` : `ERP_WAKE_ORDERS = ${d.wakeOrders ?? "(not set)"}`} | ${d.drill.commands} | ${d.drill.drainMs} | ${d.drill.commandsPerSecond} | ${d.checkOk ? "passed" : "FAILED"} |`,
          ),
          "",
        ]
      : []),
    ...(r.cold ? [coldTable(r.cold.passes), `cold / warm: × ${r.cold.coldOverWarm}`, ""] : []),
    "Node micro-profile (µs per operation):",
    ...Object.entries(profile.nodeMicroUs).map(([k, v]) => `- ${k}: ${v}`),
  ];
  return lines.join("\n");
}

export function writeResults(r: Results, dir = "bench/results"): string {
  mkdirSync(dir, { recursive: true });
  // A run with Miniflare's observability collector on (see bench/env.ts) is kept beside, not over, the others.
  const collector = process.env.X_LOCAL_OBSERVABILITY === "true" ? "-collector" : "";
  const file = `${dir}/${r.date}${r.mode === "quick" ? "-quick" : ""}${collector}.json`;
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
