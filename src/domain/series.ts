// Figures over a time range in steps, for charts: how long a step is, and merging several streams'
// steps into one (counts add up; latency histograms merge before quantiles are taken, never quantiles).
import { emptyHistogram, quantile } from "./histogram";

/** One step of a series: the step's start, its counts and latency, and the last gauge levels sampled in it. */
export interface SeriesPoint {
  at: string;
  counts: Record<string, number>;
  /** Latency histogram over BOUNDS_MS, so points of several streams can be merged before taking quantiles. */
  hist: number[];
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  gauges: Record<string, number>;
}

/** A series never has more points than this, whatever step is asked for: the work per read stays bounded. */
export const MAX_POINTS = 120;

/** Step lengths a chart reads well at, in minutes. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

/** The shortest readable step that gives a range at most MAX_POINTS points: 1 h → 1 min, 6 h → 5 min, 24 h → 15 min. */
export function stepFor(fromMs: number, toMs: number): number {
  const minutes = Math.max(1, Math.ceil((toMs - fromMs) / 60_000));
  return STEPS.find((s) => Math.ceil(minutes / s) <= MAX_POINTS) ?? Math.ceil(minutes / MAX_POINTS);
}

export function emptyPoint(minute: number): SeriesPoint {
  return { at: new Date(minute * 60_000).toISOString(), counts: {}, hist: emptyHistogram(), count: 0, p50Ms: null, p99Ms: null, gauges: {} };
}

/** Sets a point's count and quantiles from its histogram. */
export function settle(p: SeriesPoint): SeriesPoint {
  p.count = p.hist.reduce((a, b) => a + b, 0);
  p.p50Ms = quantile(p.hist, 0.5);
  p.p99Ms = quantile(p.hist, 0.99);
  return p;
}

/** Adds `q` into `into` (same step); a gauge of `q` replaces one of the same name. */
export function addPoint(into: SeriesPoint, q: Pick<SeriesPoint, "counts" | "hist" | "gauges">): void {
  for (const [k, n] of Object.entries(q.counts)) into.counts[k] = (into.counts[k] ?? 0) + n;
  q.hist.forEach((n, i) => {
    into.hist[i] = (into.hist[i] ?? 0) + n;
  });
  Object.assign(into.gauges, q.gauges);
}

/** Several streams' series over the same range and step as one. */
export function mergeSeries(all: readonly SeriesPoint[][]): SeriesPoint[] {
  const [head, ...rest] = all;
  if (!head) return [];
  return head.map((p, i) => {
    const m: SeriesPoint = { ...p, counts: { ...p.counts }, hist: [...p.hist], gauges: { ...p.gauges } };
    for (const other of rest) {
      const q = other[i];
      if (q) addPoint(m, q);
    }
    return settle(m);
  });
}
