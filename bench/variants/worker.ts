// A what-if build of dockline for bench/ablation.ts: the real worker (src/index.ts, every export) with
// some of its bindings intercepted at the entry, so that a change proposed for src/ can be measured
// before anyone makes it. BENCH_VARIANT (comma-separated) picks the interceptions:
//   no-metrics         MetricsDO.record() per webhook becomes a no-op (Analytics Engine writes stay)
//   no-limiter         the per-partner rate limiter is not called
//   no-key-cache       the isolate's memory of bound keys (src/bound-keys.ts) is off: every carrier scan
//                      goes through its CorrelationDO, as before 2026-12-02
// Durable Objects and queue consumers other than through `env` here see the real bindings.
import dockline from "../../src/index";
import { setBoundKeyCapacity } from "../../src/bound-keys";

export * from "../../src/index";

const noMetrics = { getByName: () => ({ record: async () => undefined, summary: async () => [] }) } as unknown as Env["METRICS"];
const noLimiter = { limit: async () => ({ success: true }) } as unknown as Env["PARTNER_RATE_LIMITER"];

const intercepted = new WeakMap<Env, Env>();
function intercept(env: Env): Env {
  let out = intercepted.get(env);
  if (out) return out;
  const flags = new Set(String((env as unknown as Record<string, unknown>).BENCH_VARIANT ?? "").split(","));
  out = {
    ...env,
    ...(flags.has("no-metrics") ? { METRICS: noMetrics } : {}),
    ...(flags.has("no-limiter") ? { PARTNER_RATE_LIMITER: noLimiter } : {}),
  };
  if (flags.has("no-key-cache")) setBoundKeyCapacity(0);
  intercepted.set(env, out);
  return out;
}

type Handlers = typeof dockline;

// Every handler dockline exports, with the intercepted bindings.
export default {
  fetch: (request: Request, env: Env, ctx: ExecutionContext) => dockline.fetch(request, intercept(env), ctx),
  queue: (batch: Parameters<Handlers["queue"]>[0], env: Env) => dockline.queue(batch, intercept(env)),
  scheduled: (controller: ScheduledController, env: Env, ctx: ExecutionContext) => dockline.scheduled(controller, intercept(env), ctx),
};
