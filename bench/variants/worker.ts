// A what-if build of dockline for bench/ablation.ts: the real worker (src/index.ts, every export) with
// some of its bindings intercepted at the entry, so that a change proposed for src/ can be measured
// before anyone makes it. BENCH_VARIANT (comma-separated) picks the interceptions:
//   no-metrics         MetricsDO.record() per webhook becomes a no-op (Analytics Engine writes stay)
//   no-limiter         the per-partner rate limiter is not called
//   correlation-cache  a tracking number's bound order is remembered in the isolate, so a carrier scan
//                      goes straight to its OrderDO instead of through the CorrelationDO every time
// Durable Objects and queue consumers other than through `env` here see the real bindings.
import dockline from "../../src/index";
import type { RouteResult } from "../../durable-objects/correlation";
import type { MappedEvent } from "../../src/partners/types";
import type { OrderApi } from "../../src/orders";

export * from "../../src/index";

interface Router {
  route(key: string, events: MappedEvent[], correlationId: string): Promise<RouteResult[]>;
}

/** key → order id, for keys the CorrelationDO reported bound: a binding never changes once made. */
const bound = new Map<string, string>();

/** Only `getByName(key).route()` is used by the worker's webhook path; nothing else of the namespace is offered. */
function cachedCorrelations(env: Env): Env["CORRELATIONS"] {
  const namespace = env.CORRELATIONS;
  const getByName = (key: string): Router => ({
    route: async (k, events, correlationId) => {
      const orderId = bound.get(k);
      if (orderId) {
        const order = env.ORDERS.getByName(orderId) as unknown as OrderApi;
        const results = await order.ingest(
          orderId,
          events.map((e) => ({ ...e, orderId })),
          correlationId,
        );
        return results.map((r) => ({ eventId: r.eventId, orderId, outcome: r.outcome }));
      }
      const real = namespace.getByName(key) as unknown as Router;
      const results = await real.route(k, events, correlationId);
      const to = results.find((r) => r.orderId)?.orderId;
      if (to) bound.set(k, to);
      return results;
    },
  });
  return { getByName } as unknown as Env["CORRELATIONS"];
}

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
    ...(flags.has("correlation-cache") ? { CORRELATIONS: cachedCorrelations(env) } : {}),
  };
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
