// MetricsDO: ingest figures for one stream (a partner, or the projection), in one-minute buckets kept
// for a day. One object per partner keeps each well under a Durable Object's request ceiling: a partner
// is rate-limited far below it. Writes come from waitUntil, never on a partner's critical path.
// A stream may also hold gauges (levels such as the ERP backlog): the last value sampled in each minute.
import { DurableObject } from "cloudflare:workers";
import { BOUNDS_MS, bucketOf, emptyHistogram, quantile } from "../src/domain/histogram";
import { addPoint, emptyPoint, MAX_POINTS, type SeriesPoint, settle } from "../src/domain/series";

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

type Row = { minute: number; counts: string; hist: string; gauges: string | null };

export class MetricsDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS buckets (minute INTEGER PRIMARY KEY, counts TEXT NOT NULL, hist TEXT NOT NULL)");
    // Objects created before gauges existed have no such column; SQLite has no ADD COLUMN IF NOT EXISTS.
    if (this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pragma_table_info('buckets') WHERE name = 'gauges'").one().n === 0) {
      this.sql.exec("ALTER TABLE buckets ADD COLUMN gauges TEXT");
    }
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

  /** Records levels (name → value); a later sample in the same minute replaces an earlier one's values. */
  async gauge(levels: Record<string, number>, at = Date.now()): Promise<void> {
    const minute = Math.floor(at / 60_000);
    const row = this.sql.exec<{ gauges: string | null }>("SELECT gauges FROM buckets WHERE minute = ?", minute).toArray()[0];
    const gauges = { ...(row?.gauges ? (JSON.parse(row.gauges) as Record<string, number>) : {}), ...levels };
    this.sql.exec(
      "INSERT INTO buckets (minute, counts, hist, gauges) VALUES (?, '{}', ?, ?) ON CONFLICT(minute) DO UPDATE SET gauges = excluded.gauges",
      minute,
      JSON.stringify(emptyHistogram()),
      JSON.stringify(gauges),
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

  /**
   * The stream over [fromMs, toMs) in steps of `stepMinutes` (widened so there are at most MAX_POINTS),
   * every step present, empty or not. Steps start on multiples of the step since the epoch (the first
   * may begin before `fromMs`, and is then whole), so the same step of two streams covers the same
   * minutes and their points can be merged.
   */
  async series(fromMs: number, toMs: number, stepMinutes: number): Promise<SeriesPoint[]> {
    const from = Math.floor(fromMs / 60_000);
    const to = Math.ceil(toMs / 60_000);
    if (!(to > from)) return [];
    const step = Math.max(1, Math.ceil(stepMinutes), Math.ceil((to - from) / MAX_POINTS));
    const first = Math.floor(from / step) * step;
    const points: SeriesPoint[] = [];
    for (let m = first; m < to; m += step) points.push(emptyPoint(m));
    const rows = this.sql.exec<Row>("SELECT minute, counts, hist, gauges FROM buckets WHERE minute >= ? AND minute < ? ORDER BY minute", first, to).toArray();
    for (const r of rows) {
      const p = points[Math.floor((r.minute - first) / step)];
      // Rows come in minute order: the step keeps the latest level of each gauge.
      if (p) addPoint(p, { counts: JSON.parse(r.counts), hist: JSON.parse(r.hist), gauges: r.gauges ? JSON.parse(r.gauges) : {} });
    }
    return points.map(settle);
  }
}

export { BOUNDS_MS };
export type { SeriesPoint };
