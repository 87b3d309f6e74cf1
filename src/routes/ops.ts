// Ops API (DESIGN §3.6), behind ops authentication: inspect an order, dead letters, quarantine,
// correlation conflicts, metrics, the destinations' gates, customer API keys.
import { createRoute, z } from "@hono/zod-openapi";
import type { CorrelationDO } from "../../durable-objects/correlation";
import { OrderIdParams } from "../http/params";
import { BEARER, json, problems, router } from "../http/openapi";
import { orderStub } from "../orders";
import {
  BulkReplayRequest,
  bulkQuarantine,
  ConflictResolveRequest,
  closeQuarantine,
  QuarantineBulkRequest,
  replayDeadLetter,
  replayDeadLetters,
  replayOrder,
  replayQuarantined,
  resolveConflict,
} from "../ops/actions";
import { DestinationStatusSchema, destinationStatuses, destinationSummary } from "../ops/destinations";
import { partners } from "../partners/registry";
import { requireOps } from "../platform/auth";
import { reconcile } from "../ops/reconcile";
import { metricSeries, metricSummary } from "../platform/metrics";
import { notFound } from "../platform/problem";
import { issueApiKey, listApiKeys, revokeApiKey } from "../readmodel/api-keys";
import { erpBacklog, listConflicts, listDeadLetters, openCounts } from "../readmodel/ops-queries";
import { getQuarantined, listQuarantine, QUARANTINE_STATUSES } from "../readmodel/quarantine";
import { stuckOrders } from "../readmodel/stuck";
import { type SeriesPoint, stepFor } from "../domain/series";
import { BACKLOG_STREAM } from "../ops/gauges";

const opsOnly = requireOps;
const Loose = (name: string, description: string) => z.object({}).passthrough().openapi(name, { description });
const Page = z.object({
  status: z.enum(["open", "replayed"]).optional(),
  before: z.iso.datetime().optional().openapi({ description: "Cursor: the `nextBefore` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const Id = (name: string) =>
  z
    .object({
      id: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: "id", in: "path" } }),
    })
    .openapi(name);
const NewKey = z.object({ customerId: z.string().trim().min(1).max(200), label: z.string().max(200).optional() }).openapi("NewApiKey");
const IssuedKey = z
  .object({ id: z.string(), key: z.string().openapi({ description: "Shown once; only its hash is stored" }), customerId: z.string(), createdAt: z.string() })
  .openapi("IssuedApiKey");

/** A newest-first page, and the cursor for the next one (null when this page is not full). */
function pageOf<T>(items: T[], limit: number, at: (item: T) => string) {
  const last = items.at(-1);
  return { items, nextBefore: items.length === limit && last ? at(last) : null };
}

export const ops = router();
const route = <R extends Parameters<typeof createRoute>[0]>(r: R) => createRoute({ ...r, tags: ["ops"], security: BEARER.ops, middleware: [opsOnly] as const });

ops.openapi(
  route({
    method: "get",
    path: "/ops/orders/{orderId}",
    summary: "Everything the order's Durable Object knows: event log, state, ERP commands and cursor, outbox",
    request: {
      params: z.object(OrderIdParams),
    },
    responses: { 200: json(Loose("OrderInspection", "Event log, state, commands, outbox, ERP cursor"), "The order"), ...problems(401, 404) },
  }),
  async (c) => {
    const { orderId } = c.req.valid("param");
    const view = await orderStub(c.env, orderId).inspect();
    if (view.orderId === null) throw notFound(`Order ${orderId} has no events.`);
    return c.json(view, 200);
  },
);

ops.openapi(
  route({
    method: "post",
    path: "/ops/api-keys",
    summary: "Issue a customer API key (shown once)",
    request: { body: { required: true, content: { "application/json": { schema: NewKey } } } },
    responses: { 201: json(IssuedKey, "The new key"), ...problems(400, 401, 413, 422) },
  }),
  async (c) => {
    const { customerId, label } = c.req.valid("json");
    const issued = await issueApiKey(c.env.DB, customerId, label ?? null);
    // The key is in this response and nowhere else.
    c.header("Cache-Control", "no-store");
    return c.json(issued, 201);
  },
);

const KeyListQuery = z.object({
  customerId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .openapi({ param: { name: "customerId", in: "query" }, example: "CUST-1", description: "Whose keys" }),
});
const KeyList = z
  .object({
    customerId: z.string(),
    items: z.array(
      z.object({
        id: z.string(),
        label: z.string().nullable(),
        createdAt: z.string(),
        revokedAt: z.string().nullable().openapi({ description: "Null while the key works" }),
      }),
    ),
  })
  .openapi("ApiKeyList", {
    description: "A customer's API keys, newest first, revoked ones included; never the key or its hash",
    example: {
      customerId: "CUST-1",
      items: [
        { id: "key_5f0c…", label: "warehouse dashboard", createdAt: "2026-11-21T08:00:00.000Z", revokedAt: null },
        { id: "key_1a9e…", label: null, createdAt: "2026-11-20T09:00:00.000Z", revokedAt: "2026-11-21T08:05:00.000Z" },
      ],
    },
  });

ops.openapi(
  route({
    method: "get",
    path: "/ops/api-keys",
    summary: "List a customer's API keys (newest first; never the key or its hash)",
    request: { query: KeyListQuery },
    responses: { 200: json(KeyList, "The customer's keys"), ...problems(401, 422) },
  }),
  async (c) => {
    const { customerId } = c.req.valid("query");
    return c.json({ customerId, items: await listApiKeys(c.env.DB, customerId) }, 200);
  },
);

ops.openapi(
  route({
    method: "delete",
    path: "/ops/api-keys/{id}",
    summary: "Revoke a customer API key",
    request: { params: Id("ApiKeyId") },
    responses: { 204: { description: "Revoked" }, ...problems(401, 404) },
  }),
  async (c) => {
    if (!(await revokeApiKey(c.env.DB, c.req.valid("param").id))) throw notFound("No such active key.");
    return c.body(null, 204);
  },
);

const QuarantinePage = Page.extend({
  status: z.enum(QUARANTINE_STATUSES).optional().openapi({ description: "open, replayed, discarded (not to be processed) or resolved (handled elsewhere)" }),
  partnerId: z.string().min(1).max(200).optional().openapi({ description: "Only this partner's payloads", example: "aftership" }),
});

ops.openapi(
  route({
    method: "get",
    path: "/ops/quarantine",
    summary: "Authentic partner payloads that could not be mapped, newest first",
    request: { query: QuarantinePage },
    responses: { 200: json(Loose("QuarantineList", "{ items, nextBefore }"), "A page"), ...problems(401, 422) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(
      pageOf(await listQuarantine(c.env.DB, q), q.limit, (i) => i.receivedAt),
      200,
    );
  },
);

ops.openapi(
  route({
    method: "get",
    path: "/ops/quarantine/{id}",
    summary: "One quarantined payload, with its body",
    request: { params: Id("QuarantineId") },
    responses: { 200: json(Loose("QuarantineEntry", "Reason, headers (no credentials), body"), "The payload"), ...problems(401, 404) },
  }),
  async (c) => {
    const found = await getQuarantined(c.env.DB, c.req.valid("param").id);
    if (!found) throw notFound("No such quarantined payload.");
    return c.json({ ...found.entry, body: new TextDecoder().decode(found.request.raw) }, 200);
  },
);

ops.openapi(
  route({
    method: "post",
    path: "/ops/quarantine/{id}/replay",
    summary: "Map a quarantined payload again (after a mapping fix) and route its events",
    request: { params: Id("QuarantineReplayId") },
    responses: { 200: json(Loose("QuarantineReplay", "The routing results"), "Replayed"), ...problems(401, 404, 409, 422) },
  }),
  async (c) => c.json(await replayQuarantined(c.env, c.req.valid("param").id, c.get("correlationId")), 200),
);

const CloseNote = z
  .object({ note: z.string().max(1000).optional().openapi({ description: "Why (kept with the payload)" }) })
  .openapi("QuarantineCloseRequest", { example: { note: "Sandbox traffic from the partner's test account" } });
const Closed = z
  .object({
    id: z.string(),
    status: z.enum(["discarded", "resolved"]),
    closedBy: z.string().openapi({ description: "Who closed it: the Access identity, or ops-token" }),
    closeNote: z.string().nullable(),
  })
  .openapi("QuarantineClosed", {
    example: { id: "q_6c1f…", status: "discarded", closedBy: "ada@example.com", closeNote: "Sandbox traffic from the partner's test account" },
  });

for (const [verb, status, summary] of [
  ["discard", "discarded", "Discard an open quarantined payload: it will not be processed; it is kept for the record"],
  ["resolve", "resolved", "Mark an open quarantined payload resolved: handled outside dockline; it is kept for the record"],
] as const) {
  ops.openapi(
    route({
      method: "post",
      path: `/ops/quarantine/{id}/${verb}`,
      summary,
      request: {
        params: Id(`Quarantine${verb === "discard" ? "Discard" : "Resolve"}Id`),
        body: { required: false, content: { "application/json": { schema: CloseNote } } },
      },
      responses: { 200: json(Closed, "Closed"), ...problems(400, 401, 404, 409, 413, 422) },
    }),
    async (c) => {
      const body = c.req.valid("json") ?? {};
      return c.json(await closeQuarantine(c.env, c.req.valid("param").id, { status, by: c.get("opsIdentity"), note: body.note ?? null }), 200);
    },
  );
}

const QuarantineBulkReport = z
  .object({
    action: z.enum(["replay", "discard", "resolve"]),
    matched: z.number().int().openapi({ description: "Payloads this call took up (at most 100)" }),
    done: z.number().int(),
    refused: z.number().int().openapi({ description: "Refused or failed; each item says why" }),
    items: z.array(
      z.object({
        id: z.string(),
        outcome: z.enum(["replayed", "discarded", "resolved", "refused", "failed"]),
        status: z.number().int().optional().openapi({ description: "refused: the HTTP status the single action answers" }),
        problem: z.string().optional(),
      }),
    ),
    more: z.boolean().openapi({ description: "More open payloads match the filter: send the same body again" }),
  })
  .openapi("QuarantineBulkReport", {
    example: {
      action: "discard",
      matched: 2,
      done: 1,
      refused: 1,
      items: [
        { id: "q_6c1f…", outcome: "discarded" },
        { id: "q_9ab2…", outcome: "refused", status: 409, problem: "This payload was replayed already." },
      ],
      more: false,
    },
  });

ops.openapi(
  route({
    method: "post",
    path: "/ops/quarantine/bulk",
    summary:
      "Replay, discard or resolve quarantined payloads: listed ids, or the open ones matching partnerId / reasonContains (or all: true); at most 100 per call, each with its own outcome",
    request: { body: { required: true, content: { "application/json": { schema: QuarantineBulkRequest } } } },
    responses: { 200: json(QuarantineBulkReport, "What became of each payload"), ...problems(400, 401, 413, 422) },
  }),
  async (c) => c.json(await bulkQuarantine(c.env, c.req.valid("json"), { correlationId: c.get("correlationId"), by: c.get("opsIdentity") }), 200),
);

ops.openapi(
  route({
    method: "get",
    path: "/ops/dead-letters",
    summary: "ERP commands that will not go through on their own, newest first",
    request: { query: Page },
    responses: { 200: json(Loose("DeadLetterList", "{ items, nextBefore }"), "A page"), ...problems(401, 422) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(
      pageOf(await listDeadLetters(c.env.DB, q), q.limit, (d) => d.createdAt),
      200,
    );
  },
);

ops.openapi(
  route({
    method: "post",
    path: "/ops/dead-letters/{id}/replay",
    summary: "Make a dead ERP command deliverable again; the order's later commands follow it",
    request: { params: Id("DeadLetterId") },
    responses: { 200: json(Loose("DeadLetterReplay", "{ id, orderId, seq, status, revived }"), "Replayed"), ...problems(401, 404, 409) },
  }),
  async (c) => c.json(await replayDeadLetter(c.env, c.req.valid("param").id), 200),
);

const BulkReplayReport = z
  .object({
    matched: z.number().int().openapi({ description: "Open dead letters this call took up (at most the limit)" }),
    replayed: z.number().int().openapi({ description: "Revived on their order by this call" }),
    alreadyLive: z.number().int().openapi({ description: "No longer dead on their order (replayed meanwhile): closed, not counted as replayed" }),
    failed: z
      .array(z.object({ orderId: z.string(), seq: z.number().int(), problem: z.string() }))
      .openapi({ description: "Not reached; they stay open and the next call tries them again" }),
    more: z.boolean().openapi({ description: "More open dead letters match: send the same body again" }),
    filter: z.object({ destination: z.string(), reason: z.string().optional(), orderIds: z.array(z.string()).optional() }),
  })
  .openapi("BulkReplayReport");

ops.openapi(
  route({
    method: "post",
    path: "/ops/dead-letters/replay",
    summary:
      "Replay every open dead letter matching the filter (destination, reason, orderIds; all combined), at most 500 per call; an empty filter needs `all: true`; safe to repeat",
    request: { body: { required: true, content: { "application/json": { schema: BulkReplayRequest } } } },
    responses: { 200: json(BulkReplayReport, "What was replayed"), ...problems(400, 401, 413, 422) },
  }),
  async (c) =>
    c.json(await replayDeadLetters(c.env, c.req.valid("json"), { correlationId: c.get("correlationId"), identity: c.get("opsIdentity") ?? null }), 200),
);

const MetricsRange = z
  .object({
    from: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "With `to`: answer series over this range instead of the fixed windows", example: "2026-12-03T21:00:00Z" }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: "The range's end (exclusive)", example: "2026-12-03T22:00:00Z" }),
    step: z.coerce
      .number()
      .int()
      .min(1)
      .max(1440)
      .optional()
      .openapi({ description: "Minutes per point, widened to at most 120 points; by default 1 min for 1 h, 5 min for 6 h, 15 min for 24 h" }),
  })
  .refine((q) => (q.from === undefined) === (q.to === undefined), { path: ["to"], message: "give both from and to, or neither" })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) > Date.parse(q.from), { path: ["to"], message: "must be after from" });

const point = (at: string, counts: Record<string, number>, count: number, p50Ms: number | null, p99Ms: number | null, gauges: Record<string, number> = {}) => ({
  at,
  counts,
  count,
  p50Ms,
  p99Ms,
  gauges,
});
const MetricSeriesAnswer = z
  .object({})
  .passthrough()
  .openapi("MetricSeries", {
    description:
      "With `from` and `to`: each stream per step (counts per outcome, latency p50/p99 in ms, gauge levels last sampled in the step). The local store keeps 24 h; older steps are empty (Analytics Engine `dockline_metrics` keeps the long history)",
    example: {
      generatedAt: "2026-12-03T22:00:04.000Z",
      from: "2026-12-03T21:58:00.000Z",
      to: "2026-12-03T22:00:00.000Z",
      stepMinutes: 1,
      partners: {
        "acme-3pl": [
          point("2026-12-03T21:58:00.000Z", { accepted: 41, duplicate: 2 }, 43, 20, 200),
          point("2026-12-03T21:59:00.000Z", { accepted: 38, rejected: 1 }, 39, 20, 500),
        ],
      },
      projectionLag: [point("2026-12-03T21:58:00.000Z", { projected: 43 }, 43, 100, 500), point("2026-12-03T21:59:00.000Z", {}, 0, null, null)],
      backlog: [
        point("2026-12-03T21:58:00.000Z", {}, 0, null, null, { pendingCommands: 12, oldestPendingAgeSeconds: 340, "waiting:erp": 3 }),
        point("2026-12-03T21:59:00.000Z", {}, 0, null, null),
      ],
    },
  });
const answerPoint = (p: SeriesPoint) => point(p.at, p.counts, p.count, p.p50Ms, p.p99Ms, p.gauges);

ops.openapi(
  route({
    method: "get",
    path: "/ops/metrics",
    summary:
      "Health figures: per-partner outcomes and ingest latency (1/5/15/60 min), projection lag, ERP backlog, destinations (paused? orders waiting), dead letters, quarantine; with `from` and `to`, the same figures as series over that range",
    request: { query: MetricsRange },
    responses: {
      200: json(z.union([Loose("Metrics", "Aggregate figures"), MetricSeriesAnswer]), "The figures, or with `from` and `to` the series"),
      ...problems(401, 422),
    },
  }),
  async (c) => {
    const ids = [...partners(c.env.PARTNERS).keys()];
    const range = c.req.valid("query");
    if (range.from && range.to) {
      const [from, to] = [Date.parse(range.from), Date.parse(range.to)];
      // A step shorter than the range allows is widened (at most 120 points).
      const step = Math.max(range.step ?? 1, stepFor(from, to));
      const [projection, backlog, ...perPartner] = await Promise.all(
        ["projection", BACKLOG_STREAM, ...ids.map((id) => `partner:${id}`)].map((name) => metricSeries(c.env, name, from, to, step)),
      );
      return c.json(
        {
          generatedAt: new Date().toISOString(),
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          stepMinutes: step,
          partners: Object.fromEntries(ids.map((id, i) => [id, (perPartner[i] ?? []).map(answerPoint)])),
          projectionLag: (projection ?? []).map(answerPoint),
          backlog: (backlog ?? []).map(answerPoint),
        },
        200,
      );
    }
    const [erp, open, destinations, projection, ...perPartner] = await Promise.all([
      erpBacklog(c.env.DB),
      openCounts(c.env.DB),
      destinationStatuses(c.env),
      metricSummary(c.env, "projection"),
      ...ids.map((id) => metricSummary(c.env, `partner:${id}`)),
    ]);
    return c.json(
      {
        generatedAt: new Date().toISOString(),
        partners: Object.fromEntries(ids.map((id, i) => [id, perPartner[i]])),
        projectionLag: projection,
        erp,
        destinations: destinationSummary(destinations),
        deadLetters: { open: open.deadLetters },
        quarantine: { open: open.quarantine },
        correlationConflicts: open.correlationConflicts,
      },
      200,
    );
  },
);

const DestinationList = z.object({ items: z.array(DestinationStatusSchema) }).openapi("DestinationList");

ops.openapi(
  route({
    method: "get",
    path: "/ops/destinations",
    summary:
      "Each outbound destination's gate (today the ERP): open or paused (since when, next probe), deliveries in flight of the cap, orders waiting and since when",
    responses: { 200: json(DestinationList, "Every destination, in a fixed order"), ...problems(401) },
  }),
  async (c) => c.json({ items: await destinationStatuses(c.env) }, 200),
);

const ConflictQuery = z.object({
  status: z.enum(["open", "resolved"]).default("open").openapi({ description: "open (the default) or resolved" }),
});
const ConflictItem = z.object({
  key: z.string(),
  boundOrderId: z.string().openapi({ description: "The order that bound the key first, and keeps it" }),
  claimantOrderId: z.string(),
  detectedAt: z.string(),
  resolvedAt: z.string().optional(),
  resolvedBy: z.string().optional(),
  resolution: z.string().optional(),
});
const ConflictList = z.object({ items: z.array(ConflictItem) }).openapi("ConflictList", {
  description: "Newest first, at most 200; resolution fields only on resolved conflicts",
  example: {
    items: [{ key: "trk:1Z999AA10123456784", boundOrderId: "SO-1001", claimantOrderId: "SO-1002", detectedAt: "2026-11-21T08:00:00.000Z" }],
  },
});

ops.openapi(
  route({
    method: "get",
    path: "/ops/conflicts",
    summary: "Correlation keys (tracking numbers, references) claimed by a second order; open ones unless status=resolved",
    request: { query: ConflictQuery },
    responses: { 200: json(ConflictList, "The conflicts"), ...problems(401, 422) },
  }),
  async (c) => {
    const rows = await listConflicts(c.env.DB, { status: c.req.valid("query").status, limit: 200 });
    const items = rows.map(({ resolvedAt, resolvedBy, resolution, ...open }) =>
      resolvedAt ? { ...open, resolvedAt, resolvedBy: resolvedBy ?? "", resolution: resolution ?? "" } : open,
    );
    return c.json({ items }, 200);
  },
);

const ConflictResolved = ConflictItem.required()
  .extend({ keyStaysWith: z.string().openapi({ description: "A key stays bound to its first order: resolving records the decision, it moves nothing" }) })
  .openapi("ConflictResolved", {
    example: {
      key: "trk:1Z999AA10123456784",
      boundOrderId: "SO-1001",
      claimantOrderId: "SO-1002",
      detectedAt: "2026-11-21T08:00:00.000Z",
      resolvedAt: "2026-11-21T09:12:00.000Z",
      resolvedBy: "ada@example.com",
      resolution: "Carrier reused the label; SO-1002 gets a new tracking number",
      keyStaysWith: "SO-1001",
    },
  });

ops.openapi(
  route({
    method: "post",
    path: "/ops/conflicts/resolve",
    summary: "Record how a correlation conflict was dealt with (the key stays with the order that bound it first)",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: ConflictResolveRequest,
            example: { key: "trk:1Z999AA10123456784", claimantOrderId: "SO-1002", note: "Carrier reused the label; SO-1002 gets a new tracking number" },
          },
        },
      },
    },
    responses: { 200: json(ConflictResolved, "Resolved"), ...problems(400, 401, 404, 409, 413, 422) },
  }),
  async (c) => c.json(await resolveConflict(c.env, c.req.valid("json"), c.get("opsIdentity")), 200),
);

ops.openapi(
  route({
    method: "get",
    path: "/ops/correlations/{key}",
    summary: "A correlation key's binding and parked events (key like trk:1Z… or ref:shopify:…)",
    request: {
      params: z.object({
        key: z
          .string()
          .min(1)
          .max(300)
          .openapi({ param: { name: "key", in: "path" } }),
      }),
    },
    responses: { 200: json(Loose("Correlation", "{ key, orderId, boundAt, parked, conflicts }"), "The key"), ...problems(401) },
  }),
  async (c) => {
    const stub = c.env.CORRELATIONS.getByName(c.req.valid("param").key) as unknown as Pick<CorrelationDO, "inspect">;
    return c.json(await stub.inspect(), 200);
  },
);

const ReconcileBody = z
  .object({
    orderIds: z.array(z.string().min(1).max(200)).max(500).optional(),
    since: z.iso.datetime({ offset: true }).optional().openapi({ description: "Only orders released at or after this instant" }),
    cursor: z.string().max(200).optional().openapi({ description: "The `nextCursor` of the previous call" }),
    limit: z.number().int().min(1).max(500).optional(),
    stallSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .openapi({ description: "Re-nudge an ERP head command idle this long (default: the retry ceiling + 60 s)" }),
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(3_600)
      .optional()
      .openapi({ description: "Ignore orders changed more recently than this (projection in flight; default 60 s)" }),
  })
  .openapi("ReconcileRequest");

ops.openapi(
  route({
    method: "post",
    path: "/ops/reconcile",
    summary: "Compare each order's Durable Object, D1 row and ERP cursor; repair drift; bounded, with a cursor",
    request: { body: { required: false, content: { "application/json": { schema: ReconcileBody } } } },
    responses: {
      200: json(Loose("ReconcileReport", "{ checked, drifted, orders[{ orderId, issues, repairs, detail }], nextCursor }"), "The report"),
      ...problems(400, 401, 413, 422),
    },
  }),
  async (c) => {
    const body = c.req.valid("json") ?? {};
    const report = await reconcile(c.env, {
      ...(body.orderIds ? { orderIds: body.orderIds } : {}),
      ...(body.since ? { since: new Date(body.since).toISOString() } : {}),
      ...(body.cursor ? { cursor: body.cursor } : {}),
      limit: body.limit ?? (Number(c.env.RECONCILE_BATCH) || 200),
      stallSeconds: body.stallSeconds ?? (Number(c.env.ERP_RETRY_MAX_SECONDS) || 300) + 60,
      graceSeconds: body.graceSeconds ?? 60,
      correlationId: c.get("correlationId"),
    });
    return c.json(report, 200);
  },
);

const hoursParam = (description: string) =>
  z.coerce
    .number()
    .min(0)
    .max(24 * 90)
    .optional()
    .openapi({ description });
const StuckQuery = z.object({
  releasedHours: hoursParam("Overrides STUCK_RELEASED_HOURS"),
  dispatchedHours: hoursParam("Overrides STUCK_DISPATCHED_HOURS"),
  outForDeliveryHours: hoursParam("Overrides STUCK_OUT_FOR_DELIVERY_HOURS"),
  unacknowledgedHours: hoursParam("Overrides STUCK_UNACKNOWLEDGED_HOURS (fulfillment requests a partner has not acknowledged)"),
});
const FulfillmentLine = z.object({ sku: z.string(), quantity: z.number() }).openapi("FulfillmentLine");
const StuckItem = z
  .object({
    orderId: z.string(),
    customerId: z.string(),
    reason: z.enum([
      "released_not_acknowledged",
      "dispatched_without_scan",
      "out_for_delivery_too_long",
      "open_exception",
      "needs_review",
      "fulfillment_not_acknowledged",
      "sla_breached",
    ]),
    since: z.string().nullable(),
    detail: z.string(),
    partner: z.string().optional().openapi({ description: "fulfillment_not_acknowledged only: the 3PL or warehouse the request went to" }),
    requestId: z.string().optional().openapi({ description: "fulfillment_not_acknowledged only: `<orderId>:<partner>:<n>`" }),
    lines: z.array(FulfillmentLine).optional().openapi({ description: "fulfillment_not_acknowledged only: what was asked" }),
    requestedAt: z.string().optional().openapi({ description: "fulfillment_not_acknowledged only: when it was first requested" }),
    ageHours: z.number().optional().openapi({ description: "fulfillment_not_acknowledged only: hours since requestedAt, one decimal" }),
  })
  .openapi("StuckItem", { description: "One stuck order, or one fulfillment request not acknowledged by its partner" });
const StuckList = z
  .object({
    thresholds: z.object({ releasedHours: z.number(), dispatchedHours: z.number(), outForDeliveryHours: z.number(), unacknowledgedHours: z.number() }),
    items: z.array(StuckItem).openapi({
      description: "By category (at most 200 each); unacknowledged fulfillment requests last, by partner, oldest first",
    }),
    unacknowledgedByPartner: z
      .array(z.object({ partner: z.string(), count: z.number().int(), oldestRequestedAt: z.string(), oldestAgeHours: z.number() }))
      .openapi({ description: "Requests waiting on each partner's acknowledgement past the threshold: every one counted, whatever the list's limit" }),
  })
  .openapi("StuckList", {
    description:
      "{ thresholds, items[{ orderId, customerId, reason, since, detail, (partner, requestId, lines, requestedAt, ageHours) }], unacknowledgedByPartner }",
    example: {
      thresholds: { releasedHours: 4, dispatchedHours: 24, outForDeliveryHours: 24, unacknowledgedHours: 4 },
      items: [
        {
          orderId: "SO-1001",
          customerId: "CUST-1",
          reason: "dispatched_without_scan",
          since: "2026-11-20T11:00:00.000Z",
          detail: "shipment S1 (1Z999AA10123456784) has no carrier scan for over 24 h",
        },
        {
          orderId: "SO-1002",
          customerId: "CUST-1",
          reason: "fulfillment_not_acknowledged",
          since: "2026-11-21T08:00:00.000Z",
          detail: "fulfillment request SO-1002:acme-3pl:1 to acme-3pl (2 × SKU-1) not acknowledged for over 4 h",
          partner: "acme-3pl",
          requestId: "SO-1002:acme-3pl:1",
          lines: [{ sku: "SKU-1", quantity: 2 }],
          requestedAt: "2026-11-21T08:00:00.000Z",
          ageHours: 6.5,
        },
      ],
      unacknowledgedByPartner: [{ partner: "acme-3pl", count: 1, oldestRequestedAt: "2026-11-21T08:00:00.000Z", oldestAgeHours: 6.5 }],
    },
  });

ops.openapi(
  route({
    method: "get",
    path: "/ops/stuck",
    summary:
      "Orders in a state longer than the thresholds (released 4 h, dispatched without scan 24 h, out for delivery 24 h) or with open exceptions, and fulfillment requests not acknowledged by their partner (4 h), by partner",
    request: { query: StuckQuery },
    responses: { 200: json(StuckList, "Stuck orders and unacknowledged fulfillment requests"), ...problems(401, 422) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const thresholds = {
      releasedHours: q.releasedHours ?? Number(c.env.STUCK_RELEASED_HOURS ?? 4),
      dispatchedHours: q.dispatchedHours ?? Number(c.env.STUCK_DISPATCHED_HOURS ?? 24),
      outForDeliveryHours: q.outForDeliveryHours ?? Number(c.env.STUCK_OUT_FOR_DELIVERY_HOURS ?? 24),
      unacknowledgedHours: q.unacknowledgedHours ?? Number(c.env.STUCK_UNACKNOWLEDGED_HOURS ?? 4),
    };
    return c.json({ thresholds, ...(await stuckOrders(c.env.DB, thresholds)) }, 200);
  },
);

ops.openapi(
  route({
    method: "post",
    path: "/ops/orders/{orderId}/replay",
    summary: "Re-project the order, re-send its pending ERP head command and its outbox (all safe to repeat)",
    request: {
      params: z.object(OrderIdParams),
    },
    responses: { 200: json(Loose("OrderReplay", "{ orderId, reprojected, erpNudged }"), "Replayed"), ...problems(401, 404) },
  }),
  async (c) => c.json(await replayOrder(c.env, c.req.valid("param").orderId, c.get("correlationId")), 200),
);
