// The stages of dockline's webhook ingress, each answering 202 where it stops:
//   read   — read the body (what the baseline does, in this worker)
//   log    — read + one JSON log line (dockline writes one per accepted webhook)
//   verify — read + the partner's signature check over the raw bytes
//   map    — verify + the partner adapter's mapping to canonical events (zod, content-derived ids)
//   do     — map + one round trip per order to a Durable Object that does nothing
// The partner code is dockline's own (src/partners); only the orchestration here is the benchmark's.
import { Hono } from "hono";
import { partnerSecrets, partners } from "../../../src/partners/registry";

interface Stub {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

interface StageEnv {
  PARTNERS: string;
  NOOP: { getByName(name: string): Stub };
}

const STAGES = ["read", "log", "verify", "map", "do"] as const;
type Stage = (typeof STAGES)[number];

/** A Durable Object that answers at once: measures the round trip, not the work. */
export class NoopDO {
  async fetch(): Promise<Response> {
    return new Response("ok");
  }
}

async function handle(stage: Stage, env: StageEnv, partnerId: string, req: Request): Promise<Response> {
  const raw = new Uint8Array(await req.arrayBuffer());
  if (stage === "read") return Response.json({ bytes: raw.byteLength }, { status: 202 });
  if (stage === "log") {
    console.log(JSON.stringify({ level: "info", msg: "webhook accepted", time: new Date().toISOString(), partnerId, correlationId: crypto.randomUUID() }));
    return Response.json({ bytes: raw.byteLength }, { status: 202 });
  }
  const partner = partners(env.PARTNERS).get(partnerId);
  if (!partner) return new Response("unknown partner", { status: 404 });
  const inbound = { partnerId, headers: req.headers, raw, receivedAt: new Date().toISOString() };
  try {
    await partner.impl.verify(inbound, partnerSecrets(env, partnerId));
  } catch {
    return new Response("invalid signature", { status: 401 });
  }
  if (stage === "verify") return Response.json({ verified: true }, { status: 202 });
  const { events } = await partner.impl.map(inbound);
  if (stage === "map") return Response.json({ results: events.map((e) => ({ eventId: e.eventId })) }, { status: 202 });
  // Like dockline's routing: one call per order id, or per tracking number when the event names no order.
  const targets = new Set(events.map((e) => e.orderId ?? `trk:${e.trackingNumber ?? ""}`));
  await Promise.all([...targets].map(async (t) => (await env.NOOP.getByName(t).fetch("http://noop/")).arrayBuffer()));
  return Response.json({ results: events.map((e) => ({ eventId: e.eventId })) }, { status: 202 });
}

const app = new Hono<{ Bindings: StageEnv }>().get("/health", (c) => c.json({ ok: true }));
for (const stage of STAGES) app.post(`/stage/${stage}/:partnerId`, (c) => handle(stage, c.env, c.req.param("partnerId"), c.req.raw));

export default app;
