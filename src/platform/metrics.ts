// Recording ingest figures: to the stream's MetricsDO (what GET /ops/metrics reads, locally and in
// production) and to Analytics Engine (long-term, queryable with SQL; a no-op locally).
// Samples are added up in memory per isolate and written at most about once a second per stream, so a
// busy partner costs one Durable Object call per second per isolate, not one per webhook.
// Gauges (levels, not counts) are written as they are sampled: they come a few times an hour.
import type { MetricSample, MetricsDO, WindowSummary } from "../../durable-objects/metrics";
import { type SeriesPoint, stepFor } from "../domain/series";
import { errorName, log } from "./log";

type MetricsApi = Pick<MetricsDO, "record" | "summary" | "gauge" | "series">;
const stream = (env: Env, name: string) => env.METRICS.getByName(name) as unknown as MetricsApi;

const FLUSH_MS = 1_000;
const pending = new Map<string, { sample: MetricSample; since: number }>();

function add(into: MetricSample, s: MetricSample): void {
  for (const [k, n] of Object.entries(s.counts)) into.counts[k] = (into.counts[k] ?? 0) + n;
  into.latenciesMs.push(...s.latenciesMs);
}

/**
 * Adds a sample; writes the stream's accumulated samples when they are a second old. Call from
 * waitUntil. A sample still in memory when an isolate is evicted is lost: these are dashboard figures,
 * not records (Analytics Engine gets every point immediately).
 */
export async function recordMetric(env: Env, name: string, sample: MetricSample, now = Date.now()): Promise<void> {
  try {
    for (const [outcome, n] of Object.entries(sample.counts)) {
      env.METRICS_AE?.writeDataPoint({ blobs: [name, outcome], doubles: [n, Math.max(0, ...sample.latenciesMs)], indexes: [name] });
    }
    const acc = pending.get(name);
    if (!acc) {
      pending.set(name, { sample: { counts: { ...sample.counts }, latenciesMs: [...sample.latenciesMs] }, since: now });
    } else add(acc.sample, sample);
    await flushIfDue(env, name, now);
  } catch (err) {
    // Metrics must never break ingest: log and move on.
    log.warn("recording metrics failed", { stream: name, error: errorName(err) });
  }
}

async function flushIfDue(env: Env, name: string, now: number, force = false): Promise<void> {
  const acc = pending.get(name);
  if (!acc || (!force && now - acc.since < FLUSH_MS)) return;
  pending.delete(name);
  await stream(env, name).record(acc.sample, acc.since);
}

/** Reads a stream's windows, after writing this isolate's pending samples for it. */
export async function metricSummary(env: Env, name: string): Promise<WindowSummary[]> {
  await flushIfDue(env, name, Date.now(), true);
  return stream(env, name).summary();
}

/** Records a stream's gauge levels (name → value) at `now`, to its MetricsDO and to Analytics Engine. */
export async function recordGauges(env: Env, name: string, levels: Record<string, number>, now = Date.now()): Promise<void> {
  for (const [gauge, value] of Object.entries(levels)) env.METRICS_AE?.writeDataPoint({ blobs: [name, gauge], doubles: [value, 0], indexes: [name] });
  await stream(env, name).gauge(levels, now);
}

/** A stream over [fromMs, toMs) in steps (minutes), after writing this isolate's pending samples for it. */
export async function metricSeries(env: Env, name: string, fromMs: number, toMs: number, step = stepFor(fromMs, toMs)): Promise<SeriesPoint[]> {
  await flushIfDue(env, name, Date.now(), true);
  return stream(env, name).series(fromMs, toMs, step);
}
