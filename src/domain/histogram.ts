// A fixed-bucket latency histogram: cheap to merge across minutes and partners, good enough for p50/p99
// on an ops dashboard (each estimate is the upper bound of its bucket).
export const BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000, Number.POSITIVE_INFINITY] as const;

export function bucketOf(ms: number): number {
  return BOUNDS_MS.findIndex((b) => ms <= b);
}

export function emptyHistogram(): number[] {
  return BOUNDS_MS.map(() => 0);
}

export function quantile(hist: readonly number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= q * total) {
      const bound = BOUNDS_MS[i] ?? Number.POSITIVE_INFINITY;
      return Number.isFinite(bound) ? bound : (BOUNDS_MS[BOUNDS_MS.length - 2] ?? 0);
    }
  }
  return null;
}
