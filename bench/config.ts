// Sizes, secrets and fixed names for one benchmark run. `--quick` keeps the whole run under 4 minutes on
// the 2-core development machine; the full run takes about 40 minutes (the 11,100-order point, ≈ 100k events, is about 15 of them).
import { readFileSync } from "node:fs";

export interface Sizes {
  mode: "quick" | "full";
  /** Orders per ack-latency run, by connection count (each run gets its own orders). One connection: no queueing. */
  latencyOrders: Record<1 | 16 | 64 | 256, number>;
  /** Seconds the baseline runs at each connection count. */
  baselineSeconds: number;
  /** Orders the freshness prober sends webhook by webhook while the 64-connection run is under way. */
  freshnessOrders: number;
  /** Seconds of load at half the measured capacity, with the freshness prober alongside. */
  steadySeconds: number;
  freshnessProbers: number;
  /** Orders probed again once the load is over (freshness of an idle system). */
  idleFreshnessOrders: number;
  portalSeconds: number;
  /** ERP outage drill: orders ingested while the ERP is down, and for how long it is down. */
  outageOrders: number;
  outageMs: number;
  /** Cost curve over the size of the run: orders per point (about ten webhooks each). */
  scaleOrders: number[];
  /** Cost curve over the depth of an order: extra carrier scans per order, for `depthOrders` orders. */
  depthOrders: number;
  depthExtraScans: number[];
  /** Webhooks signed and sent per autocannon segment: signatures must stay within ±300 s. */
  segment: number;
  /** Seconds per stage of the profiling ladder; 0 skips the ladder. */
  stageSeconds: number;
  /** Orders per what-if variant (bench/ablation.ts); 0 skips the ablation phase. */
  ablationOrders: number;
}

export const QUICK: Sizes = {
  mode: "quick",
  latencyOrders: { 1: 8, 16: 50, 64: 120, 256: 100 },
  baselineSeconds: 2,
  freshnessOrders: 10,
  steadySeconds: 12,
  freshnessProbers: 4,
  idleFreshnessOrders: 3,
  portalSeconds: 2,
  outageOrders: 40,
  outageMs: 8_000,
  scaleOrders: [100, 200, 300],
  depthOrders: 30,
  // The order-depth curve only in the full run: it does not fit in four minutes here.
  depthExtraScans: [],
  segment: 20_000,
  // The ladder (a fourth runtime, nine runs) and the what-if variants run in the full run only.
  stageSeconds: 0,
  ablationOrders: 0,
};

export const FULL: Sizes = {
  mode: "full",
  latencyOrders: { 1: 30, 16: 200, 64: 800, 256: 500 },
  baselineSeconds: 4,
  freshnessOrders: 40,
  steadySeconds: 30,
  freshnessProbers: 8,
  idleFreshnessOrders: 6,
  portalSeconds: 6,
  outageOrders: 200,
  outageMs: 30_000,
  scaleOrders: [120, 1_200, 3_300, 11_100],
  depthOrders: 40,
  depthExtraScans: [0, 40, 90],
  segment: 15_000,
  stageSeconds: 5,
  ablationOrders: 150,
};

/** BENCH_SCALE_ORDERS="100,1000,10000" replaces the scale curve's points (for a longer run than the default). */
export function withOverrides(sizes: Sizes): Sizes {
  const points = process.env.BENCH_SCALE_ORDERS?.split(",")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  return points?.length ? { ...sizes, scaleOrders: points } : sizes;
}

/** The local development secrets, read from the committed example file (never from .dev.vars). */
export function localSecrets(file = ".dev.vars.example"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
  }
  return out;
}

/** The secret a partner signs with: the first one when a rotation lists several. */
export function signingSecret(secrets: Record<string, string>, partnerId: string): string {
  const v = secrets[`PARTNER_SECRET_${partnerId.toUpperCase().replaceAll("-", "_")}`];
  if (!v) throw new Error(`no secret for partner ${partnerId} in .dev.vars.example`);
  return v.split(",")[0]?.trim() ?? "";
}

export const CUSTOMERS = ["CUST-BENCH-A", "CUST-BENCH-B", "CUST-BENCH-C", "CUST-BENCH-D"];
