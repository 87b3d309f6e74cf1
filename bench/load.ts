// Load generation with autocannon (programmatic API). Every connection pulls the next request from one
// shared, pre-built list, so each webhook is sent exactly once however many connections there are (a plain
// `requests` array would be replayed by every connection). Latency is recorded per response, exactly. A
// rate-capped run does not use autocannon: it is an open loop with smooth arrivals (runPaced).
import autocannon, { type RequestParams } from "autocannon";
import { type Summary, round, sleep, summarize } from "./metrics";
import type { Prepared } from "./sign";

export interface LoadResult {
  connections: number;
  requests: number;
  seconds: number;
  rps: number;
  latencyMs: Summary;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
}

interface Raw {
  latencies: number[];
  statuses: Record<string, number>;
  seconds: number;
  errors: number;
  timeouts: number;
}

function run(base: URL, connections: number, next: () => Prepared, bound: { amount: number } | { seconds: number }, rate?: number): Promise<Raw> {
  if (rate) return runPaced(base, next, bound, rate);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: base.origin,
        connections,
        ...("amount" in bound ? { amount: bound.amount } : { duration: bound.seconds }),
        timeout: 30,
        ...(rate ? { overallRate: rate } : {}),
        // Keep autocannon's defaults (host, port) and replace the request line, headers and body.
        requests: [{ setupRequest: (req: RequestParams) => ({ ...req, ...next() }) }],
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({ latencies, statuses, seconds: (result.finish.getTime() - result.start.getTime()) / 1000, errors: result.errors, timeouts: result.timeouts });
      },
    );
    instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      latencies.push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

/**
 * Open loop at a steady rate: request i leaves at start + i / rate seconds whatever the earlier answers,
 * as independent partners and readers send. (autocannon's `overallRate` is a budget per connection per
 * second: every connection sends its share back to back at the top of each second, then idles, so a
 * "rate-capped" autocannon run is a burst a second and its latencies include the queue each burst builds.)
 */
async function runPaced(base: URL, next: () => Prepared, bound: { amount: number } | { seconds: number }, rate: number): Promise<Raw> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const total = "amount" in bound ? bound.amount : Math.round(bound.seconds * rate);
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const req = next();
    const sent = performance.now();
    inFlight.push(
      fetch(new URL(req.path, base), { method: req.method, headers: req.headers, body: req.body ?? null, signal: AbortSignal.timeout(30_000) }).then(
        async (res) => {
          await res.arrayBuffer();
          latencies.push(performance.now() - sent);
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        },
        (err: unknown) => {
          if (err instanceof Error && err.name === "TimeoutError") timeouts++;
          else errors++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, statuses, seconds: (performance.now() - started) / 1000, errors, timeouts };
}

function result(connections: number, raws: Raw[]): LoadResult {
  const latencies = raws.flatMap((r) => r.latencies);
  const statuses: Record<string, number> = {};
  for (const r of raws) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const seconds = raws.reduce((s, r) => s + r.seconds, 0);
  return {
    connections,
    requests: latencies.length,
    seconds: round(seconds),
    rps: round(latencies.length / seconds, 1),
    latencyMs: summarize(latencies),
    statuses,
    errors: raws.reduce((s, r) => s + r.errors, 0),
    timeouts: raws.reduce((s, r) => s + r.timeouts, 0),
  };
}

/** Sends every request of `items` once, `connections` at a time. */
export async function sendAll(base: URL, items: readonly Prepared[], connections: number): Promise<LoadResult> {
  const c = Math.min(connections, items.length);
  let i = 0;
  // autocannon builds one extra request per connection at start-up; past the end it repeats the last one,
  // which `amount` never lets it send.
  const raw = await run(base, c, () => items[Math.min(i++, items.length - 1)] as Prepared, { amount: items.length });
  return result(c, [raw]);
}

/**
 * Like sendAll, in segments prepared just before each is sent: webhook signatures carry a timestamp the
 * worker only accepts within ±300 s, and a large run lasts longer than that.
 */
export async function sendInSegments<T>(
  base: URL,
  items: readonly T[],
  connections: number,
  segment: number,
  prepare: (slice: readonly T[]) => Promise<Prepared[]>,
  rate?: number,
): Promise<LoadResult> {
  const raws: Raw[] = [];
  for (let from = 0; from < items.length; from += segment) {
    const batch = await prepare(items.slice(from, from + segment));
    const c = Math.min(connections, batch.length);
    let i = 0;
    raws.push(await run(base, c, () => batch[Math.min(i++, batch.length - 1)] as Prepared, { amount: batch.length }, rate));
  }
  return result(Math.min(connections, items.length), raws);
}

/** Cycles through `items` for `seconds` (the baseline and the portal reads, where repeats are harmless). */
export async function sendFor(base: URL, items: readonly Prepared[], connections: number, seconds: number, rate?: number): Promise<LoadResult> {
  let i = 0;
  const raw = await run(base, connections, () => items[i++ % items.length] as Prepared, { seconds }, rate);
  return result(connections, [raw]);
}
