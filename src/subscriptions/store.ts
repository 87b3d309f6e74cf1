// The subscriptions and their delivery log in D1 (DESIGN §3.10). Every read and write is scoped: a caller
// passes the scope it acts in (a customer's, from its API key, or ops', for one customer or all), and a
// subscription outside it does not exist for that caller — the same answer as a missing one.
import { and, desc, eq, inArray, isNull, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { subscriptionAttempts, subscriptionDeliveries, subscriptions } from "../readmodel/schema";
import type { SubscriptionFormat } from "./formats";

export type SubscriptionRow = typeof subscriptions.$inferSelect;
export type DeliveryRow = typeof subscriptionDeliveries.$inferSelect;
export type AttemptRow = typeof subscriptionAttempts.$inferSelect;

/** Who acts: a customer (its own subscriptions only), or ops (optionally narrowed to one customer). */
export type Scope = { kind: "customer"; customerId: string } | { kind: "ops"; customerId?: string };

/** At most this many subscriptions per customer (and for ops): bounds an order's fan-out. */
export const MAX_SUBSCRIPTIONS = 25;

function inScope(scope: Scope): SQL | undefined {
  if (scope.kind === "customer") return and(eq(subscriptions.scope, "customer"), eq(subscriptions.customerId, scope.customerId));
  return scope.customerId === undefined ? undefined : eq(subscriptions.customerId, scope.customerId);
}

export interface NewSubscription {
  url: string;
  events: string[];
  format: SubscriptionFormat;
  description: string | null;
  routingKey: string | null;
  secret: string;
}

export async function countSubscriptions(db: D1Database, scope: Scope): Promise<number> {
  const where = scope.kind === "customer" ? inScope(scope) : eq(subscriptions.scope, "ops");
  return (await drizzle(db).select({ id: subscriptions.id }).from(subscriptions).where(where)).length;
}

export async function createSubscription(db: D1Database, scope: Scope, s: NewSubscription, now = new Date().toISOString()): Promise<SubscriptionRow> {
  const row: SubscriptionRow = {
    id: `sub_${crypto.randomUUID().replaceAll("-", "")}`,
    scope: scope.kind,
    customerId: scope.customerId ?? null,
    url: s.url,
    events: s.events,
    format: s.format,
    description: s.description,
    secret: s.secret,
    previousSecret: null,
    previousSecretExpiresAt: null,
    routingKey: s.routingKey,
    status: "active",
    disabledReason: null,
    disabledAt: null,
    failingSince: null,
    createdAt: now,
    updatedAt: now,
  };
  await drizzle(db).insert(subscriptions).values(row);
  return row;
}

export async function listSubscriptions(db: D1Database, scope: Scope): Promise<SubscriptionRow[]> {
  return drizzle(db).select().from(subscriptions).where(inScope(scope)).orderBy(subscriptions.createdAt);
}

export async function getSubscription(db: D1Database, scope: Scope, id: string): Promise<SubscriptionRow | null> {
  const rows = await drizzle(db)
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.id, id), inScope(scope)));
  return rows[0] ?? null;
}

/** Deletes it and its log. Deliveries already on orders' cursors find it gone and are dropped. */
export async function deleteSubscription(db: D1Database, scope: Scope, id: string): Promise<boolean> {
  const found = await getSubscription(db, scope, id);
  if (!found) return false;
  const d = drizzle(db);
  await d.batch([
    d.delete(subscriptions).where(eq(subscriptions.id, id)),
    d.delete(subscriptionDeliveries).where(eq(subscriptionDeliveries.subscriptionId, id)),
    d.delete(subscriptionAttempts).where(eq(subscriptionAttempts.subscriptionId, id)),
  ]);
  return true;
}

/** A new secret; the current one keeps signing beside it until `graceUntil` (Standard Webhooks allows several signatures). */
export async function rotateSecret(db: D1Database, id: string, secret: string, previous: string, graceUntil: string): Promise<void> {
  await drizzle(db)
    .update(subscriptions)
    .set({ secret, previousSecret: previous, previousSecretExpiresAt: graceUntil, updatedAt: new Date().toISOString() })
    .where(eq(subscriptions.id, id));
}

/** The secrets that sign now: the current one first, the previous one while its grace lasts. */
export function signingSecrets(s: Pick<SubscriptionRow, "secret" | "previousSecret" | "previousSecretExpiresAt">, now: number): string[] {
  const graceful = s.previousSecret && s.previousSecretExpiresAt && Date.parse(s.previousSecretExpiresAt) > now;
  return graceful ? [s.secret, s.previousSecret as string] : [s.secret];
}

export async function setStatus(
  db: D1Database,
  id: string,
  status: "active" | "disabled",
  reason: string | null,
  now = new Date().toISOString(),
): Promise<void> {
  await drizzle(db)
    .update(subscriptions)
    .set(
      status === "active"
        ? { status, disabledReason: null, disabledAt: null, failingSince: null, updatedAt: now }
        : { status, disabledReason: reason, disabledAt: now, updatedAt: now },
    )
    .where(eq(subscriptions.id, id));
}

/** A delivery's attempt, as the consumer saw it. */
export interface AttemptRecord {
  subscriptionId: string;
  deliveryId: string;
  source: string | null;
  customerId: string | null;
  orderId: string | null;
  eventType: string;
  version: number | null;
  body: string;
  createdAt: string;
  at: string;
  status: number | null;
  latencyMs: number;
  outcome: "delivered" | "failed" | "refused" | "skipped";
  /** The delivery's state after this attempt. */
  deliveryStatus: DeliveryRow["status"];
  response: string | null;
  error: string | null;
}

const EXCERPT_CHARS = 500;

/** One attempt, and the delivery's new state, in one D1 batch. */
export async function recordAttempt(db: D1Database, a: AttemptRecord): Promise<void> {
  const d = drizzle(db);
  const delivered = a.outcome === "delivered" ? a.at : null;
  const upsert = d
    .insert(subscriptionDeliveries)
    .values({
      subscriptionId: a.subscriptionId,
      id: a.deliveryId,
      source: a.source,
      customerId: a.customerId,
      orderId: a.orderId,
      eventType: a.eventType,
      version: a.version,
      status: a.deliveryStatus,
      attempts: a.outcome === "skipped" ? 0 : 1,
      lastStatus: a.status,
      lastError: a.error,
      body: a.body,
      createdAt: a.createdAt,
      updatedAt: a.at,
      deliveredAt: delivered,
    })
    .onConflictDoUpdate({
      target: [subscriptionDeliveries.subscriptionId, subscriptionDeliveries.id],
      set: {
        status: a.deliveryStatus,
        attempts: sqlIncrement(a.outcome === "skipped" ? 0 : 1),
        lastStatus: a.status,
        lastError: a.error,
        updatedAt: a.at,
        ...(delivered ? { deliveredAt: delivered } : {}),
      },
    });
  if (a.outcome === "skipped") {
    await upsert;
    return;
  }
  const attempt = d.insert(subscriptionAttempts).values({
    subscriptionId: a.subscriptionId,
    deliveryId: a.deliveryId,
    at: a.at,
    status: a.status,
    latencyMs: a.latencyMs,
    outcome: a.outcome,
    response: a.response?.slice(0, EXCERPT_CHARS) ?? null,
    error: a.error,
  });
  await d.batch([upsert, attempt]);
}

function sqlIncrement(by: number) {
  return sql`${subscriptionDeliveries.attempts} + ${by}`;
}

/**
 * After an attempt: a success ends the subscription's failing run; a failure starts one, or — when the run
 * has lasted `disableAfterMs` — disables the subscription. Returns the row when this call disabled it.
 */
export async function noteHealth(
  db: D1Database,
  id: string,
  ok: boolean,
  now: number,
  disableAfterMs: number,
  reason = "its endpoint kept failing",
): Promise<SubscriptionRow | null> {
  const d = drizzle(db);
  const at = new Date(now).toISOString();
  if (ok) {
    await d.update(subscriptions).set({ failingSince: null }).where(eq(subscriptions.id, id));
    return null;
  }
  await d
    .update(subscriptions)
    .set({ failingSince: at })
    .where(and(eq(subscriptions.id, id), isNull(subscriptions.failingSince)));
  const cutoff = new Date(now - disableAfterMs).toISOString();
  const disabled = await d
    .update(subscriptions)
    .set({ status: "disabled", disabledAt: at, disabledReason: reason, updatedAt: at })
    .where(and(eq(subscriptions.id, id), eq(subscriptions.status, "active"), lte(subscriptions.failingSince, cutoff)))
    .returning();
  return disabled[0] ?? null;
}

/** Deliveries per page at most: their attempts are read with one bound id each, under D1's 100 parameters. */
export const MAX_DELIVERY_PAGE = 50;

/** A page of deliveries, newest first, each with its attempts (oldest first). */
export async function listDeliveries(
  db: D1Database,
  subscriptionId: string,
  options: { limit: number; before?: { createdAt: string; id: string }; status?: DeliveryRow["status"] },
): Promise<(DeliveryRow & { attemptLog: AttemptRow[] })[]> {
  const d = drizzle(db);
  const rows = await d
    .select()
    .from(subscriptionDeliveries)
    .where(
      and(
        eq(subscriptionDeliveries.subscriptionId, subscriptionId),
        // One change's events share their creation time: the cursor is (time, id), never the time alone.
        options.before
          ? or(
              lt(subscriptionDeliveries.createdAt, options.before.createdAt),
              and(eq(subscriptionDeliveries.createdAt, options.before.createdAt), lt(subscriptionDeliveries.id, options.before.id)),
            )
          : undefined,
        options.status ? eq(subscriptionDeliveries.status, options.status) : undefined,
      ),
    )
    .orderBy(desc(subscriptionDeliveries.createdAt), desc(subscriptionDeliveries.id))
    .limit(options.limit);
  if (rows.length === 0) return [];
  const attempts = await d
    .select()
    .from(subscriptionAttempts)
    .where(
      and(
        eq(subscriptionAttempts.subscriptionId, subscriptionId),
        inArray(
          subscriptionAttempts.deliveryId,
          rows.map((r) => r.id),
        ),
      ),
    )
    .orderBy(subscriptionAttempts.id);
  return rows.map((r) => ({ ...r, attemptLog: attempts.filter((a) => a.deliveryId === r.id) }));
}

export async function getDelivery(db: D1Database, subscriptionId: string, id: string): Promise<DeliveryRow | null> {
  const rows = await drizzle(db)
    .select()
    .from(subscriptionDeliveries)
    .where(and(eq(subscriptionDeliveries.subscriptionId, subscriptionId), eq(subscriptionDeliveries.id, id)));
  return rows[0] ?? null;
}

/** The cron's purge: log entries older than SUBSCRIPTION_LOG_RETENTION_DAYS (default 30). Returns the cut-off. */
export async function purgeSubscriptionLog(env: Pick<Env, "DB" | "SUBSCRIPTION_LOG_RETENTION_DAYS">, now: number): Promise<string> {
  const days = Number(env.SUBSCRIPTION_LOG_RETENTION_DAYS ?? "30");
  const before = new Date(now - (Number.isFinite(days) && days > 0 ? days : 30) * 86_400_000).toISOString();
  await purgeLog(env.DB, before);
  return before;
}

/** Deletes log entries older than `before` (ISO): deliveries no longer pending, and attempts. */
export async function purgeLog(db: D1Database, before: string): Promise<void> {
  const d = drizzle(db);
  await d.batch([
    d.delete(subscriptionAttempts).where(lt(subscriptionAttempts.at, before)),
    d
      .delete(subscriptionDeliveries)
      .where(and(lt(subscriptionDeliveries.updatedAt, before), inArray(subscriptionDeliveries.status, ["delivered", "dead", "skipped"]))),
  ]);
}
