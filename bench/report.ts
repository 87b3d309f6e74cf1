// The run's figures against the targets of issue 8, the results file, and a Markdown table of both.
import { mkdirSync, writeFileSync } from "node:fs";
import type { CheckResult } from "./check";
import type { LoadResult } from "./load";
import type { Summary } from "./metrics";
import type { CurvePoint, LatencyRun, OutageDrill } from "./phases";

export interface Results {
  date: string;
  mode: "quick" | "full";
  path: string;
  machine: { nproc: number; cpuModel: string; ramGiB: number; kernel: string };
  versions: Record<string, string>;
  latency: Omit<LatencyRun, "orderPlans" | "sendList" | "freshness">[];
  freshness: { underLoad: Summary; idle: Summary; failures: string[] };
  portal: Record<string, LoadResult>;
  erp: OutageDrill;
  memory: { docklinePeakMiB: number; docklineRssMiB: number; erpSimPeakMiB: number; baselinePeakMiB: number };
  curves: { scale: CurvePoint[]; depth: CurvePoint[] };
  profile: unknown;
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
  const growth = costGrowth(r.curves.scale);
  const first = r.curves.scale[0];
  const last = r.curves.scale[r.curves.scale.length - 1];
  const portal = r.portal["64"];
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
      measured: c64 ? `${c64.ingest.latencyMs.p99} ms` : "n/a",
      met: (c64?.ingest.latencyMs.p99 ?? Number.POSITIVE_INFINITY) <= 25,
    },
    {
      figure: "freshness p99 (webhook 202 → portal shows it, under load)",
      target: "≤ 1 s",
      measured: `${r.freshness.underLoad.p99} ms (${r.freshness.underLoad.count} samples)`,
      met: r.freshness.underLoad.p99 <= 1000,
    },
    {
      figure: "portal read p99 (64 connections)",
      target: "≤ 10 ms",
      measured: portal ? `${portal.latencyMs.p99} ms` : "n/a",
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

export function markdown(r: Results): string {
  const lines = [
    `Run ${r.date} (${r.mode}), ${r.machine.nproc} × ${r.machine.cpuModel}, ${r.machine.ramGiB} GiB; node ${r.versions.node}, wrangler ${r.versions.wrangler}, ${r.versions.workerd}.`,
    `Path: ${r.path}`,
    "",
    "| figure | target | measured | |",
    "|---|---|---|---|",
    ...verdicts(r).map((v) => `| ${v.figure} | ${v.target} | ${v.measured} | ${v.met ? "met" : "**not met**"} |`),
    "",
    "| connections | baseline req/s | dockline req/s | ratio | ack p50 / p99 / max (ms) | workerd CPU-ms per webhook |",
    "|---|---|---|---|---|---|",
    ...r.latency.map(
      (l) =>
        `| ${l.connections} | ${l.baseline.rps} | ${l.ingest.rps} | ${Math.round(l.ratio * 100)} % | ${l.ingest.latencyMs.p50} / ${l.ingest.latencyMs.p99} / ${l.ingest.latencyMs.max} | ${l.workerdCpuMsPerWebhook} |`,
    ),
    "",
    "| curve point | orders | requests | events | req/s | CPU-ms/request (ingest / total) | CPU-ms/event | KiB/event |",
    "|---|---|---|---|---|---|---|---|",
    ...[...r.curves.scale, ...r.curves.depth].map(
      (p) =>
        `| ${p.label} | ${p.orders} | ${p.requests} | ${p.events} | ${p.ingest.rps} | ${p.cpuMsPerRequest.ingest} / ${p.cpuMsPerRequest.total} | ${p.cpuMsPerEvent} | ${p.memKiBPerEvent} |`,
    ),
  ];
  return lines.join("\n");
}

export function writeResults(r: Results, dir = "bench/results"): string {
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${r.date}${r.mode === "quick" ? "-quick" : ""}.json`;
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
