// Stages of dockline's webhook ingress, each answering 202 where it stops (bench/profile.ts runs them):
//   read      read the body (what the baseline does, here in this worker)
//   log       read + one JSON log line (dockline writes one per webhook)
//   limit     read + one call to a rate-limit binding (dockline calls it per webhook)
//   verify    read + the partner's signature check over the raw bytes
//   map       verify + the partner adapter's mapping to canonical events (zod, content-derived ids)
//   fetch     map + one fetch() round trip per order to a Durable Object that does nothing
//   rpc       map + one RPC round trip per order to a Durable Object that does nothing (dockline's style)
//   write     map + one RPC per order that inserts one row in the object's SQLite storage
// The partner code is dockline's own (src/partners); only the orchestration here is the benchmark's.
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";
import { partnerSecrets, partners } from "../../../src/partners/registry";

interface Noop {
  fetch(input: string): Promise<Response>;
  ping(n: number): Promise<number>;
  write(id: string, body: string): Promise<number>;
}

interface StageEnv {
  PARTNERS: string;
  NOOP: { getByName(name: string): Noop };
  LIMITER: { limit(o: { key: string }): Promise<{ success: boolean }> };
}

const STAGES = ["read", "log", "limit", "verify", "map", "fetch", "rpc", "write"] as const;
type Stage = (typeof STAGES)[number];

export class NoopDO extends DurableObject<StageEnv> {
  private ready = false;

  override async fetch(): Promise<Response> {
    return new Response("ok");
  }

  async ping(n: number): Promise<number> {
    return n;
  }

  async write(id: string, body: string): Promise<number> {
    if (!this.ready) {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
      this.ready = true;
    }
    this.ctx.storage.sql.exec("INSERT INTO events (id, body) VALUES (?, ?) ON CONFLICT(id) DO NOTHING", id, body);
    return 1;
  }
}

async function handle(stage: Stage, env: StageEnv, partnerId: string, req: Request): Promise<Response> {
  const raw = new Uint8Array(await req.arrayBuffer());
  switch (stage) {
    case "read":
      return Response.json({ bytes: raw.byteLength }, { status: 202 });
    case "log":
      console.log(JSON.stringify({ level: "info", msg: "webhook accepted", time: new Date().toISOString(), partnerId, correlationId: crypto.randomUUID() }));
      return Response.json({ bytes: raw.byteLength }, { status: 202 });
    case "limit": {
      const { success } = await env.LIMITER.limit({ key: partnerId });
      return Response.json({ success }, { status: 202 });
    }
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
  const results = events.map((e) => ({ eventId: e.eventId }));
  if (stage === "map") return Response.json({ results }, { status: 202 });
  // Like dockline's routing: one call per order id, or per tracking number when the event names no order.
  const targets = new Set(events.map((e) => e.orderId ?? `trk:${e.trackingNumber ?? ""}`));
  await Promise.all(
    [...targets].map(async (t) => {
      const stub = env.NOOP.getByName(t);
      if (stage === "fetch") return (await stub.fetch("http://noop/")).arrayBuffer();
      if (stage === "rpc") return stub.ping(events.length);
      return Promise.all(events.map((e) => stub.write(e.eventId, JSON.stringify(e))));
    }),
  );
  return Response.json({ results }, { status: 202 });
}

const app = new Hono<{ Bindings: StageEnv }>().get("/health", (c) => c.json({ ok: true }));
for (const stage of STAGES) app.post(`/stage/${stage}/:partnerId`, (c) => handle(stage, c.env, c.req.param("partnerId"), c.req.raw));

export default app;
