// MetricsDO: ingest figures for one stream (a partner, or the projection), in one-minute buckets kept
// for a day. One object per partner keeps each well under a Durable Object's request ceiling: a partner
// is rate-limited far below it. Writes come from waitUntil, never on a partner's critical path.
import { DurableObject } from "cloudflare:workers";
import { BOUNDS_MS, bucketOf, emptyHistogram, quantile } from "../src/domain/histogram";

export interface MetricSample {
  /** Outcome → count, e.g. { accepted: 3, duplicate: 1 } or { rejected: 1 }. */
  counts: Record<string, number>;
  latenciesMs: number[];
}

export interface WindowSummary {
  minutes: number;
  counts: Record<string, number>;
  latency: { count: number; p50Ms: number | null; p99Ms: number | null };
}

const KEEP_MINUTES = 24 * 60;

export class MetricsDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS buckets (minute INTEGER PRIMARY KEY, counts TEXT NOT NULL, hist TEXT NOT NULL)");
  }

  async record(sample: MetricSample, at = Date.now()): Promise<void> {
    const minute = Math.floor(at / 60_000);
    const row = this.sql.exec<{ counts: string; hist: string }>("SELECT counts, hist FROM buckets WHERE minute = ?", minute).toArray()[0];
    const counts = row ? (JSON.parse(row.counts) as Record<string, number>) : {};
    const hist = row ? (JSON.parse(row.hist) as number[]) : emptyHistogram();
    for (const [k, n] of Object.entries(sample.counts)) counts[k] = (counts[k] ?? 0) + n;
    for (const ms of sample.latenciesMs) {
      const i = bucketOf(ms);
      hist[i] = (hist[i] ?? 0) + 1;
    }
    this.sql.exec(
      "INSERT INTO buckets (minute, counts, hist) VALUES (?, ?, ?) ON CONFLICT(minute) DO UPDATE SET counts = excluded.counts, hist = excluded.hist",
      minute,
      JSON.stringify(counts),
      JSON.stringify(hist),
    );
    this.sql.exec("DELETE FROM buckets WHERE minute < ?", minute - KEEP_MINUTES);
  }

  async summary(windows: number[] = [1, 5, 15, 60], at = Date.now()): Promise<WindowSummary[]> {
    const now = Math.floor(at / 60_000);
    const rows = this.sql
      .exec<{ minute: number; counts: string; hist: string }>("SELECT minute, counts, hist FROM buckets WHERE minute > ?", now - Math.max(...windows))
      .toArray();
    return windows.map((minutes) => {
      const counts: Record<string, number> = {};
      const hist = emptyHistogram();
      for (const r of rows.filter((x) => x.minute > now - minutes)) {
        for (const [k, n] of Object.entries(JSON.parse(r.counts) as Record<string, number>)) counts[k] = (counts[k] ?? 0) + n;
        (JSON.parse(r.hist) as number[]).forEach((n, i) => {
          hist[i] = (hist[i] ?? 0) + n;
        });
      }
      const count = hist.reduce((a, b) => a + b, 0);
      return { minutes, counts, latency: { count, p50Ms: quantile(hist, 0.5), p99Ms: quantile(hist, 0.99) } };
    });
  }
}

export { BOUNDS_MS };
