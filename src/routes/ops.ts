// Ops API (DESIGN §3.6), behind OPS_TOKEN: inspect an order, quarantine and correlation conflicts,
// customer API keys.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-types";
import { parseJson, schemaProblem } from "../partners/parse";
import { issueApiKey, revokeApiKey } from "../readmodel/api-keys";
import { orderStub } from "../orders";
import { requireToken } from "../platform/auth";
import type { CorrelationDO } from "../../durable-objects/correlation";
import { mapRequest, routeEvents } from "../ingest";
import { partners } from "../partners/registry";
import { HttpProblem, notFound } from "../platform/problem";
import { erpBacklog, getDeadLetter, listDeadLetters, markDeadLetterReplayed, openCounts } from "../readmodel/ops-queries";
import { getQuarantined, listQuarantine, markReplayed } from "../readmodel/quarantine";

const ListQuery = z.object({
  status: z.enum(["open", "replayed"]).optional(),
  before: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const DeadLetterQuery = z.object({
  status: z.enum(["open", "replayed"]).optional(),
  before: z.iso.datetime().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const NewKey = z.object({ customerId: z.string().trim().min(1).max(200), label: z.string().max(200).optional() });

export const ops = new Hono<AppEnv>()
  .use(requireToken("OPS_TOKEN"))
  .get("/orders/:orderId", async (c) => {
    const orderId = c.req.param("orderId");
    const view = await orderStub(c.env, orderId).inspect();
    if (view.orderId === null) throw notFound(`Order ${orderId} has no events.`);
    return c.json(view);
  })
  .post("/api-keys", async (c) => {
    const parsed = NewKey.safeParse(parseJson(new Uint8Array(await c.req.arrayBuffer())));
    if (!parsed.success) throw schemaProblem(parsed.error);
    const issued = await issueApiKey(c.env.DB, parsed.data.customerId, parsed.data.label ?? null);
    // The key is in this response and nowhere else: only its hash is stored.
    c.header("Cache-Control", "no-store");
    return c.json(issued, 201);
  })
  .get("/quarantine", async (c) => {
    const q = ListQuery.safeParse(c.req.query());
    if (!q.success) throw schemaProblem(q.error);
    const items = await listQuarantine(c.env.DB, { status: q.data.status, before: q.data.before, limit: q.data.limit });
    const last = items.at(-1);
    return c.json({ items, nextBefore: items.length === q.data.limit && last ? last.receivedAt : null });
  })
  .get("/quarantine/:id", async (c) => {
    const found = await getQuarantined(c.env.DB, c.req.param("id"));
    if (!found) throw notFound("No such quarantined payload.");
    return c.json({ ...found.entry, body: new TextDecoder().decode(found.request.raw) });
  })
  .post("/quarantine/:id/replay", async (c) => {
    const found = await getQuarantined(c.env.DB, c.req.param("id"));
    if (!found) throw notFound("No such quarantined payload.");
    if (found.entry.status !== "open") throw new HttpProblem(409, "already-replayed", "Already replayed", `Replayed at ${found.entry.replayedAt}.`);
    const partner = partners(c.env.PARTNERS).get(found.entry.partnerId);
    if (!partner) throw new HttpProblem(409, "unknown-partner", "Partner no longer configured", `Partner ${found.entry.partnerId} is not in PARTNERS.`);
    // The signature was verified when the payload arrived; only the mapping is run again.
    const mapping = await mapRequest(partner, found.request);
    if (mapping.kind === "unmappable") {
      throw new HttpProblem(422, "still-unmappable", "Still unmappable", mapping.reason, { quarantineId: found.entry.id });
    }
    const correlationId = c.get("correlationId");
    const results = mapping.kind === "events" ? await routeEvents(c.env, mapping.events, correlationId) : [];
    const outcome = { correlationId, results, ...(mapping.kind === "ignored" ? { ignored: mapping.reason } : {}) };
    await markReplayed(c.env.DB, found.entry.id, outcome);
    return c.json({ id: found.entry.id, status: "replayed", ...outcome });
  })
  .get("/dead-letters", async (c) => {
    const q = DeadLetterQuery.safeParse(c.req.query());
    if (!q.success) throw schemaProblem(q.error);
    const items = await listDeadLetters(c.env.DB, q.data);
    const last = items.at(-1);
    return c.json({ items, nextBefore: items.length === q.data.limit && last ? last.createdAt : null });
  })
  .post("/dead-letters/:id/replay", async (c) => {
    const dl = await getDeadLetter(c.env.DB, c.req.param("id"));
    if (!dl) throw notFound("No such dead letter.");
    if (dl.status !== "open") throw new HttpProblem(409, "already-replayed", "Already replayed", `Replayed at ${dl.replayedAt}.`);
    // The order's Durable Object decides: the command becomes deliverable again and is re-sent.
    const revived = await orderStub(c.env, dl.orderId).reviveErp(dl.seq);
    await markDeadLetterReplayed(c.env.DB, dl.id);
    return c.json({ id: dl.id, orderId: dl.orderId, seq: dl.seq, status: "replayed", revived });
  })
  .get("/metrics", async (c) => {
    const [erp, open] = await Promise.all([erpBacklog(c.env.DB), openCounts(c.env.DB)]);
    return c.json({
      generatedAt: new Date().toISOString(),
      erp,
      deadLetters: { open: open.deadLetters },
      quarantine: { open: open.quarantine },
      correlationConflicts: open.correlationConflicts,
    });
  })
  .get("/conflicts", async (c) => {
    const { results } = await c.env.DB.prepare(
      "SELECT key, bound_order_id AS boundOrderId, claimant_order_id AS claimantOrderId, detected_at AS detectedAt FROM correlation_conflicts ORDER BY detected_at DESC LIMIT 200",
    ).all();
    return c.json({ items: results });
  })
  .get("/correlations/:key", async (c) => {
    const stub = c.env.CORRELATIONS.getByName(c.req.param("key")) as unknown as Pick<CorrelationDO, "inspect">;
    return c.json(await stub.inspect());
  })
  .delete("/api-keys/:id", async (c) => {
    if (!(await revokeApiKey(c.env.DB, c.req.param("id")))) throw notFound("No such active key.");
    return c.body(null, 204);
  });
