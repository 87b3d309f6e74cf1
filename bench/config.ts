// Sizes, secrets and fixed names for one benchmark run. `--quick` keeps the whole run under 4 minutes on
// the 2-core development machine; the full run is sized to finish in about 15 minutes.
import { readFileSync } from "node:fs";

export interface Sizes {
  mode: "quick" | "full";
  /** Orders per ack-latency run, by connection count (each run gets its own orders). */
  latencyOrders: Record<16 | 64 | 256, number>;
  /** Seconds the baseline runs at each connection count. */
  baselineSeconds: number;
  /** Orders the freshness prober sends webhook by webhook while the 64-connection run is under way. */
  freshnessOrders: number;
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
}

export const QUICK: Sizes = {
  mode: "quick",
  latencyOrders: { 16: 120, 64: 400, 256: 300 },
  baselineSeconds: 4,
  freshnessOrders: 24,
  freshnessProbers: 6,
  idleFreshnessOrders: 4,
  portalSeconds: 4,
  outageOrders: 150,
  outageMs: 6_000,
  scaleOrders: [100, 500, 2_000],
  depthOrders: 50,
  depthExtraScans: [0, 20, 40],
  segment: 20_000,
};

export const FULL: Sizes = {
  mode: "full",
  latencyOrders: { 16: 400, 64: 1_500, 256: 1_000 },
  baselineSeconds: 8,
  freshnessOrders: 60,
  freshnessProbers: 8,
  idleFreshnessOrders: 8,
  portalSeconds: 10,
  outageOrders: 500,
  outageMs: 20_000,
  scaleOrders: [100, 1_000, 3_000, 10_000],
  depthOrders: 100,
  depthExtraScans: [0, 40, 90],
  segment: 20_000,
};

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
