// Where an ingest request's time goes, measured inside workerd: the same signed webhooks through a ladder
// of bench-only workers that each stop after one more stage of dockline's ingress (bench/stages), then
// through dockline itself as duplicates (everything up to the order's Durable Object, which answers
// "duplicate" without writing) — against dockline accepting new events in the 64-connection run.
import { unstable_readConfig } from "wrangler";
import { Served } from "./harness";
import { type LoadResult, sendFor } from "./load";
import { round } from "./metrics";
import { microProfile } from "./micro";
import { type Ctx, expectStatus } from "./phases";
import type { Reference } from "./reference";
import { signSends } from "./sign";
import { meter } from "./system";
import type { Send } from "./traffic";

export interface Rung {
  stage: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  workerdCpuMsPerRequest: number;
}

export interface Profile {
  connections: number;
  rungs: Rung[];
  nodeMicroUs: Record<string, number>;
}

const STAGES: [stage: string, description: string][] = [
  ["read", "read the body (stage worker)"],
  ["log", "read + one JSON log line"],
  ["limit", "read + one rate-limiter call"],
  ["verify", "read + verify the signature"],
  ["map", "verify + map to canonical events"],
  ["fetch", "map + fetch() to a no-op Durable Object per order"],
  ["rpc", "map + RPC to a no-op Durable Object per order"],
  ["write", "map + RPC inserting one SQLite row per event"],
];

function rung(stage: string, r: LoadResult, cpuMs: number): Rung {
  return { stage, rps: r.rps, p50Ms: r.latencyMs.p50, p99Ms: r.latencyMs.p99, workerdCpuMsPerRequest: round(cpuMs / r.requests, 3) };
}

export async function profileStages(
  ctx: Ctx,
  ref: Reference,
  sends: Send[],
  seconds: number,
  accepted: { rps: number; p50: number; p99: number; cpuMsPerRequest: number },
): Promise<Profile> {
  const connections = 64;
  // The Node micro-profile takes a second; the ladder needs a runtime of its own and a minute.
  if (seconds <= 0) return { connections, rungs: [], nodeMicroUs: await microProfile(ctx.secrets) };
  const partnersVar = String(unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true }).vars.PARTNERS ?? "[]");
  const stages = new Served({ name: "bench-stages", configPath: "bench/stages/wrangler.toml", vars: { PARTNERS: partnersVar }, secrets: ctx.secrets });
  const rungs: Rung[] = [];
  try {
    await stages.start();
    const sample = await signSends(sends.slice(0, 2_000), ctx.secrets);
    for (const [stage, description] of STAGES) {
      const items = sample.map((p) => ({ ...p, path: p.path.replace("/v1/webhooks/", `/stage/${stage}/`) }));
      const stop = meter(stages.pid);
      const r = await sendFor(stages.direct, items, connections, seconds);
      expectStatus(ctx, `stage ${stage}`, r, "202");
      rungs.push(rung(description, r, stop().workerdCpuMs));
      ctx.log(`stage ${stage}: ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
    }
  } finally {
    await stages.close();
  }
  // dockline itself, on webhooks it already has: the whole path up to the order's object, no write.
  const sample = await signSends(sends.slice(0, 2_000), ctx.secrets);
  const stop = meter(ctx.dockline.pid);
  const dup = await sendFor(ctx.dockline.direct, sample, connections, seconds);
  expectStatus(ctx, "dockline duplicates", dup, "202");
  for (const s of sends.slice(0, 2_000)) await ref.webhook(s.webhook);
  rungs.push(rung("dockline, every webhook a duplicate (no write)", dup, stop().workerdCpuMs));
  rungs.push({
    stage: "dockline, new events (64-connection run)",
    rps: accepted.rps,
    p50Ms: accepted.p50,
    p99Ms: accepted.p99,
    workerdCpuMsPerRequest: accepted.cpuMsPerRequest,
  });
  ctx.log(`dockline duplicates: ${dup.rps} req/s, p50 ${dup.latencyMs.p50} ms, p99 ${dup.latencyMs.p99} ms`);
  return { connections, rungs, nodeMicroUs: await microProfile(ctx.secrets) };
}
