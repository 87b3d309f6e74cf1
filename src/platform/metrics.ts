// Recording ingest figures: to the stream's MetricsDO (what GET /ops/metrics reads, locally and in
// production) and to Analytics Engine (long-term, queryable with SQL; a no-op locally).
import type { MetricSample, MetricsDO, WindowSummary } from "../../durable-objects/metrics";
import { errorName, log } from "./log";

type MetricsApi = Pick<MetricsDO, "record" | "summary">;
const stream = (env: Env, name: string) => env.METRICS.getByName(name) as unknown as MetricsApi;

export async function recordMetric(env: Env, name: string, sample: MetricSample): Promise<void> {
  try {
    for (const [outcome, n] of Object.entries(sample.counts)) {
      env.METRICS_AE?.writeDataPoint({ blobs: [name, outcome], doubles: [n, Math.max(0, ...sample.latenciesMs)], indexes: [name] });
    }
    await stream(env, name).record(sample);
  } catch (err) {
    // Metrics must never break ingest: log and move on.
    log.warn("recording metrics failed", { stream: name, error: errorName(err) });
  }
}

export function metricSummary(env: Env, name: string): Promise<WindowSummary[]> {
  return stream(env, name).summary();
}
