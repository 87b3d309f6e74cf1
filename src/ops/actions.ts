// Ops repairs, shared by the JSON API and the console, so both do exactly the same thing.
import { z } from "@hono/zod-openapi";
import { OrderId } from "../domain/identifiers";
import { mapRequest, routeEvents } from "../ingest";
import { orderStub } from "../orders";
import { partners } from "../partners/registry";
import { errorName, log } from "../platform/log";
import { HttpProblem, notFound } from "../platform/problem";
import {
  getConflict,
  getDeadLetter,
  markConflictResolved,
  markDeadLetterReplayed,
  markDeadLettersReplayed,
  openDeadLettersMatching,
} from "../readmodel/ops-queries";
import { closeQuarantined, getQuarantined, listQuarantine, markReplayed, type QuarantineEntry } from "../readmodel/quarantine";

/**
 * 409 for an entry that is no longer open, saying what became of it. The times stay in the problem's
 * members: the detail is read by people (the console shows it as it is).
 */
function notOpen(e: QuarantineEntry): HttpProblem {
  const by = e.closedBy ? ` by ${e.closedBy}` : "";
  const note = e.closeNote ? ` ("${e.closeNote}")` : "";
  const detail = e.status === "replayed" ? "This payload was replayed already." : `This payload was ${e.status}${by}${note}.`;
  return new HttpProblem(409, `already-${e.status}`, `Already ${e.status}`, detail, {
    quarantineId: e.id,
    quarantineStatus: e.status,
    ...(e.replayedAt ? { replayedAt: e.replayedAt } : {}),
    ...(e.closedAt ? { closedAt: e.closedAt } : {}),
  });
}

export async function replayQuarantined(env: Env, id: string, correlationId: string) {
  const found = await getQuarantined(env.DB, id);
  if (!found) throw notFound("No such quarantined payload.");
  if (found.entry.status !== "open") throw notOpen(found.entry);
  const partner = partners(env.PARTNERS).get(found.entry.partnerId);
  if (!partner) throw new HttpProblem(409, "unknown-partner", "Partner no longer configured", `Partner ${found.entry.partnerId} is not in PARTNERS.`);
  // The signature was verified when the payload arrived; only the mapping runs again.
  const mapping = await mapRequest(partner, found.request);
  // A payload kept for a part we could not process stays open until that part can be: its events were routed
  // when it arrived, so nothing is routed again until the whole payload maps.
  const still = mapping.kind === "unmappable" ? mapping.reason : mapping.kind === "events" ? mapping.unprocessed : undefined;
  if (still) throw new HttpProblem(422, "still-unmappable", "Still unmappable", still, { quarantineId: found.entry.id });
  const results = mapping.kind === "events" ? await routeEvents(env, mapping.events, correlationId) : [];
  const outcome = { correlationId, results, ...(mapping.kind === "ignored" ? { ignored: mapping.reason } : {}) };
  await markReplayed(env.DB, found.entry.id, outcome);
  return { id: found.entry.id, status: "replayed" as const, ...outcome };
}

/**
 * Closes an open quarantined payload without processing it: `discarded` (it will never be processed) or
 * `resolved` (handled outside dockline). The bytes stay, for the record; who closed it and why are kept.
 */
export async function closeQuarantine(env: Env, id: string, close: { status: "discarded" | "resolved"; by: string; note?: string | null }) {
  const found = await getQuarantined(env.DB, id);
  if (!found) throw notFound("No such quarantined payload.");
  if (found.entry.status !== "open") throw notOpen(found.entry);
  const note = close.note?.trim() || null;
  // Closed by another request since the read above: refuse with what that one did.
  if (!(await closeQuarantined(env.DB, id, { status: close.status, by: close.by, note }))) {
    const now = await getQuarantined(env.DB, id);
    throw now ? notOpen(now.entry) : notFound("No such quarantined payload.");
  }
  log.info("quarantined payload closed", { quarantineId: id, status: close.status, by: close.by });
  return { id, status: close.status, closedBy: close.by, closeNote: note };
}

/** At most this many quarantined payloads per bulk call: bounded work, then `more`. */
export const QUARANTINE_BULK_MAX = 100;

export const QuarantineBulkRequest = z
  .strictObject({
    action: z.enum(["replay", "discard", "resolve"]).openapi({ description: "What to do with each payload" }),
    ids: z
      .array(z.string().min(1).max(200))
      .min(1)
      .max(QUARANTINE_BULK_MAX)
      .optional()
      .openapi({ description: `These payloads (at most ${QUARANTINE_BULK_MAX})` }),
    partnerId: z.string().min(1).max(200).optional().openapi({ description: "Or: the open payloads of this partner" }),
    reasonContains: z.string().min(1).max(200).optional().openapi({ description: "Or: the open payloads whose reason contains this text (any case)" }),
    all: z.boolean().optional().openapi({ description: "Required (true) for every open payload, when neither ids nor a filter is given" }),
    note: z.string().max(1000).optional().openapi({ description: "Kept with each discarded or resolved payload" }),
  })
  .refine((b) => (b.ids !== undefined) !== (b.partnerId !== undefined || b.reasonContains !== undefined || b.all === true), {
    message: 'Say which payloads: "ids", or a filter ("partnerId", "reasonContains", or "all": true), not both.',
  })
  .openapi("QuarantineBulkRequest", {
    example: { action: "discard", partnerId: "aftership", reasonContains: "unknown checkpoint tag", note: "test traffic from their sandbox" },
  });
export type QuarantineBulk = z.infer<typeof QuarantineBulkRequest>;

export interface QuarantineBulkItem {
  id: string;
  /** What happened to this one: done (replayed/discarded/resolved), refused (with the problem's status), or failed unexpectedly (still open). */
  outcome: "replayed" | "discarded" | "resolved" | "refused" | "failed";
  status?: number;
  problem?: string;
}

export interface QuarantineBulkReport {
  action: QuarantineBulk["action"];
  /** Payloads this call took up. */
  matched: number;
  done: number;
  refused: number;
  items: QuarantineBulkItem[];
  /** More open payloads match the filter: send the same body again. */
  more: boolean;
}

const DONE = { replay: "replayed", discard: "discarded", resolve: "resolved" } as const;

/**
 * Replays, discards or resolves each payload on its own: one refused (not open, still unmappable, gone)
 * or failing does not stop the others, and each item says what became of it. Closed and replayed payloads
 * leave the open set, so repeating a filtered call continues where this one stopped.
 */
export async function bulkQuarantine(env: Env, req: QuarantineBulk, ctx: { correlationId: string; by: string }): Promise<QuarantineBulkReport> {
  const rows = req.ids
    ? [...new Set(req.ids)]
    : (
        await listQuarantine(env.DB, {
          status: "open",
          ...(req.partnerId ? { partnerId: req.partnerId } : {}),
          ...(req.reasonContains ? { reasonContains: req.reasonContains } : {}),
          limit: QUARANTINE_BULK_MAX + 1,
        })
      ).map((e) => e.id);
  const taken = rows.slice(0, QUARANTINE_BULK_MAX);
  const one = async (id: string): Promise<QuarantineBulkItem> => {
    try {
      if (req.action === "replay") await replayQuarantined(env, id, ctx.correlationId);
      else await closeQuarantine(env, id, { status: DONE[req.action], by: ctx.by, note: req.note ?? null });
      return { id, outcome: DONE[req.action] };
    } catch (err) {
      if (err instanceof HttpProblem) return { id, outcome: "refused", status: err.status, problem: err.detail ?? err.title };
      log.error("bulk quarantine: one payload failed", { quarantineId: id, action: req.action, correlationId: ctx.correlationId, error: errorName(err) });
      return { id, outcome: "failed", problem: `unexpected error (${errorName(err)}); still open, try again` };
    }
  };
  const items: QuarantineBulkItem[] = [];
  for (let i = 0; i < taken.length; i += FAN_OUT) items.push(...(await Promise.all(taken.slice(i, i + FAN_OUT).map(one))));
  const done = items.filter((i) => i.outcome === DONE[req.action]).length;
  const report = { action: req.action, matched: taken.length, done, refused: items.length - done, items, more: rows.length > QUARANTINE_BULK_MAX };
  log.info("bulk quarantine action", {
    correlationId: ctx.correlationId,
    by: ctx.by,
    action: req.action,
    filter: { ids: req.ids?.length ?? null, partnerId: req.partnerId ?? null, reasonContains: req.reasonContains ?? null, all: req.all ?? false },
    matched: report.matched,
    done,
    refused: report.refused,
    more: report.more,
  });
  return report;
}

export const ConflictResolveRequest = z
  .strictObject({
    key: z.string().min(1).max(300).openapi({ description: "The correlation key, as GET /ops/conflicts lists it", example: "trk:1Z999AA10123456784" }),
    claimantOrderId: z.string().min(1).max(200).openapi({ description: "The second order that claimed it", example: "SO-1002" }),
    note: z
      .string()
      .trim()
      .min(1)
      .max(1000)
      .openapi({ description: "What was decided", example: "Carrier reused the label; SO-1002 gets a new tracking number" }),
  })
  .openapi("ConflictResolveRequest");

/**
 * Marks a correlation conflict dealt with. The correlation Durable Object binds a key once and offers no
 * way to move it, so the key stays with the order that bound it first: this records the decision, it does
 * not re-route anything.
 */
export async function resolveConflict(env: Env, req: z.infer<typeof ConflictResolveRequest>, by: string) {
  const found = await getConflict(env.DB, req.key, req.claimantOrderId);
  if (!found) throw notFound(`No conflict over ${req.key} claimed by ${req.claimantOrderId}.`);
  const resolved = () => new HttpProblem(409, "already-resolved", "Already resolved", `This conflict was resolved by ${found.resolvedBy ?? "someone else"}.`);
  if (found.resolvedAt) throw resolved();
  const now = new Date().toISOString();
  if (!(await markConflictResolved(env.DB, req.key, req.claimantOrderId, { by, resolution: req.note }, now))) throw resolved();
  log.info("correlation conflict resolved", { key: req.key, claimantOrderId: req.claimantOrderId, by });
  return {
    key: found.key,
    boundOrderId: found.boundOrderId,
    claimantOrderId: found.claimantOrderId,
    detectedAt: found.detectedAt,
    resolvedAt: now,
    resolvedBy: by,
    resolution: req.note,
    keyStaysWith: found.boundOrderId,
  };
}

export async function replayDeadLetter(env: Env, id: string) {
  const dl = await getDeadLetter(env.DB, id);
  if (!dl) throw notFound("No such dead letter.");
  if (dl.status !== "open") throw new HttpProblem(409, "already-replayed", "Already replayed", `Replayed at ${dl.replayedAt}.`);
  // The order's Durable Object decides: the command becomes deliverable again and is re-sent.
  const revived = await orderStub(env, dl.orderId).reviveErp(dl.seq);
  await markDeadLetterReplayed(env.DB, dl.id);
  return { id: dl.id, orderId: dl.orderId, seq: dl.seq, status: "replayed" as const, revived };
}

export async function replayOrder(env: Env, orderId: string, correlationId: string) {
  const order = orderStub(env, orderId);
  const info = await order.reconcileInfo();
  if (info.version === 0) throw notFound(`Order ${orderId} has no events.`);
  const reprojected = await order.reproject(correlationId);
  const erpNudged = await order.nudgeErp();
  await order.kick();
  return { orderId, reprojected, erpNudged };
}

/**
 * Destinations whose dead commands can be replayed, and how an order revives one. Only the ERP delivers
 * today; another destination kind adds its entry here (and a destination column to the read model's
 * dead letters, which today are all the ERP's).
 */
const DESTINATIONS = {
  erp: { revive: (env: Env, orderId: string, seq: number) => orderStub(env, orderId).reviveErp(seq) },
} satisfies Record<string, { revive(env: Env, orderId: string, seq: number): Promise<boolean> }>;
type Destination = keyof typeof DESTINATIONS;

/**
 * The causes a dead letter records, under both names: "rejected"/"exhausted" as stored today, and
 * "refused"/"expired" as they are being renamed (a refusal by the destination; retries past their horizon).
 * A filter by either name matches rows stored under either, so the filter survives the rename.
 */
const CAUSES = {
  rejected: ["rejected", "refused"],
  refused: ["rejected", "refused"],
  exhausted: ["exhausted", "expired"],
  expired: ["exhausted", "expired"],
} as const;

/** At most this many dead letters per call (and order ids per filter): bounded work, then `more`. */
export const BULK_REPLAY_MAX = 500;
// Durable Objects called at once, as reconciliation does.
const FAN_OUT = 10;

export const BulkReplayRequest = z
  .strictObject({
    destination: z
      .enum(Object.keys(DESTINATIONS) as [Destination, ...Destination[]])
      .optional()
      .openapi({ description: "Whose dead commands (today only `erp`, the default)" }),
    reason: z
      .enum(Object.keys(CAUSES) as [keyof typeof CAUSES, ...(keyof typeof CAUSES)[]])
      .optional()
      .openapi({ description: "The dead letter's cause: `rejected` (= `refused`, the destination said no) or `exhausted` (= `expired`, retries ran out)" }),
    orderIds: z.array(OrderId).min(1).max(BULK_REPLAY_MAX).optional().openapi({ description: "Only these orders" }),
    all: z.boolean().optional().openapi({ description: "Required (true) when no other filter is given: replay every open dead letter" }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(BULK_REPLAY_MAX)
      .optional()
      .openapi({ description: `Dead letters this call replays at most (default ${BULK_REPLAY_MAX})` }),
  })
  // An empty body must not replay everything: a fat-fingered POST has to say so.
  .refine((b) => b.all === true || b.destination !== undefined || b.reason !== undefined || b.orderIds !== undefined, {
    message: 'Say which dead letters to replay: destination, reason or orderIds, or "all": true for every open dead letter.',
  })
  .openapi("BulkReplayRequest");
export type BulkReplayFilter = z.infer<typeof BulkReplayRequest>;

export interface BulkReplayReport {
  /** Open dead letters this call took up (at most the limit). */
  matched: number;
  /** Revived on their order by this call. */
  replayed: number;
  /** No longer dead on their order (replayed meanwhile, one by one or by another call): closed, not counted. */
  alreadyLive: number;
  /** Their order could not be reached; they stay open and the next call tries them again. */
  failed: { orderId: string; seq: number; problem: string }[];
  /** More open dead letters match: call again with the same body. */
  more: boolean;
  filter: { destination: Destination; reason?: string; orderIds?: string[] };
}

/** Open dead letters matching the filter, oldest first, at most `limit` (what a bulk replay takes up). */
export function matchingDeadLetters(db: D1Database, filter: BulkReplayFilter, limit: number) {
  return openDeadLettersMatching(db, {
    ...(filter.reason ? { causes: CAUSES[filter.reason] } : {}),
    ...(filter.orderIds ? { orderIds: filter.orderIds } : {}),
    limit,
  });
}

/**
 * Replays every open dead letter matching the filter, oldest first, at most `limit` per call. D1 says
 * which dead letters are open; each order decides: `revive` brings back a command only if it is dead right
 * now, inside the order's own transaction, so a command replayed meanwhile is counted `alreadyLive`, never
 * twice. An order's dead letters are revived in sequence; its later commands then follow in order. Replayed
 * rows leave the open set, so repeating the same call continues where this one stopped and, once nothing
 * is left, replays nothing.
 */
export async function replayDeadLetters(
  env: Env,
  filter: BulkReplayFilter,
  ctx: { correlationId: string; identity: string | null },
): Promise<BulkReplayReport> {
  const destination = filter.destination ?? "erp";
  const limit = filter.limit ?? BULK_REPLAY_MAX;
  const rows = await matchingDeadLetters(env.DB, filter, limit + 1);
  const taken = rows.slice(0, limit);
  const byOrder = new Map<string, typeof taken>();
  for (const r of taken) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), r]);

  const revived: string[] = [];
  const live: string[] = [];
  const failed: BulkReplayReport["failed"] = [];
  const orders = [...byOrder.entries()];
  for (let i = 0; i < orders.length; i += FAN_OUT) {
    await Promise.all(
      orders.slice(i, i + FAN_OUT).map(async ([orderId, dead]) => {
        const inOrder = dead.sort((a, b) => a.seq - b.seq);
        for (const [k, d] of inOrder.entries()) {
          try {
            ((await DESTINATIONS[destination].revive(env, orderId, d.seq)) ? revived : live).push(d.id);
          } catch (err) {
            log.error("bulk replay: reviving a dead command failed", { orderId, seq: d.seq, correlationId: ctx.correlationId, error: errorName(err) });
            // The order's later dead commands are not tried: they would only wait behind this one.
            for (const rest of inOrder.slice(k)) {
              failed.push({ orderId, seq: rest.seq, problem: `order unreachable (${errorName(err)}); still open, call again` });
            }
            return;
          }
        }
      }),
    );
  }
  // Both kinds are no longer dead on their order; a failure here leaves them open, and a repeat finds them
  // live (`alreadyLive`) and closes them.
  await markDeadLettersReplayed(env.DB, [...revived, ...live]);

  const report: BulkReplayReport = {
    matched: taken.length,
    replayed: revived.length,
    alreadyLive: live.length,
    failed,
    more: rows.length > limit,
    filter: { destination, ...(filter.reason ? { reason: filter.reason } : {}), ...(filter.orderIds ? { orderIds: filter.orderIds } : {}) },
  };
  log.info("bulk dead-letter replay", {
    correlationId: ctx.correlationId,
    identity: ctx.identity,
    filter: { ...report.filter, orderIds: filter.orderIds?.length ?? null, all: filter.all ?? false, limit },
    matched: report.matched,
    replayed: report.replayed,
    alreadyLive: report.alreadyLive,
    failed: failed.length,
    more: report.more,
  });
  return report;
}
