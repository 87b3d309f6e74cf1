// The audit log: every ops request that changes something (API and console alike, sign-in and sign-out
// included), who made it, what it was, on what, and how it ended, written to D1 after the answer.
import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import { decodeCursor, encodeCursor, invalidCursor } from "../http/cursor";
import { bearerToken } from "../platform/auth";
import { SESSION_HOURS } from "../platform/console-session";
import { timingSafeEqual } from "../platform/crypto";
import { errorName, log } from "../platform/log";
import { auditLog } from "../readmodel/schema";

type AuditEnv = {
  Bindings: Env;
  Variables: { correlationId: string; opsIdentity?: string; session?: string };
};

export const TARGET_MAX = 500;
export const DETAIL_MAX = 1000;
/** Marks an outcome that failed although its HTTP status does not say so (a console redirect with an error). */
export const FAILED = "Failed: ";
const SIGN_IN = "POST /ops/login";

type Body = Record<string, unknown>;
type Action = {
  name: string | ((body: Body) => string);
  /** What a bare `:id` path parameter is. */
  id?: string;
  /** The body's own ids for this route (beside the customer and orders any body may name). */
  body?: (body: Body) => string[];
  /** Two steps in the console: without `confirm=yes` the answer only asks, and nothing changed. */
  confirm?: true;
};

const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 200) : undefined);
const strings = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string" && x !== "");
const LISTED = 10;
/** "3 orders: A, B, C", at most ten named. */
function listed(noun: string, raw: unknown): string[] {
  const ids = [...new Set(strings(raw))];
  if (!ids.length) return [];
  const shown = ids.slice(0, LISTED).map((id) => id.slice(0, 64));
  return [`${ids.length} ${noun}${ids.length === 1 ? "" : "s"}: ${shown.join(", ")}${ids.length > LISTED ? ", …" : ""}`];
}
const BULK_VERBS: Record<string, string> = { replay: "Replay", discard: "Discard", resolve: "Resolve" };
const quarantineBulk: Action = {
  name: (b) => `${BULK_VERBS[String(b.action)] ?? "Act on"} quarantined payloads in bulk`,
  body: (b) => listed("quarantined payload", b.ids),
};
const conflict: Action = {
  name: "Resolve correlation conflict",
  body: (b) => [text(b.key) && `correlation key ${text(b.key)}`, text(b.claimantOrderId) && `order ${text(b.claimantOrderId)}`].filter((x): x is string => !!x),
};

/**
 * Each action's name, by method and route pattern, the same for the API and the console's form. A route
 * not listed is still recorded, under its method and pattern.
 */
const ACTIONS: Record<string, Action> = {
  [SIGN_IN]: { name: "Sign in" },
  "POST /ops/logout": { name: "Sign out" },
  "POST /ops/reconcile": { name: "Reconcile" },
  "POST /ops/console/reconcile": { name: "Reconcile" },
  "POST /ops/api-keys": { name: "Issue API key" },
  "DELETE /ops/api-keys/:id": { name: "Revoke API key", id: "API key" },
  "POST /ops/orders/:orderId/replay": { name: "Replay order" },
  "POST /ops/console/orders/:orderId/replay": { name: "Replay order" },
  "POST /ops/orders/:orderId/tracking-links/revoke": { name: "Revoke tracking links" },
  "POST /ops/console/orders/:orderId/tracking/revoke": { name: "Revoke tracking links" },
  "POST /ops/dead-letters/:id/replay": { name: "Replay dead letter", id: "dead letter" },
  "POST /ops/console/dead-letters/:id/replay": { name: "Replay dead letter", id: "dead letter" },
  "POST /ops/dead-letters/replay": { name: "Replay dead letters in bulk" },
  "POST /ops/console/dead-letters/replay": { name: "Replay dead letters in bulk", confirm: true },
  "POST /ops/quarantine/:id/replay": { name: "Replay quarantined payload", id: "quarantined payload" },
  "POST /ops/console/quarantine/:id/replay": { name: "Replay quarantined payload", id: "quarantined payload" },
  "POST /ops/quarantine/:id/discard": { name: "Discard quarantined payload", id: "quarantined payload" },
  "POST /ops/console/quarantine/:id/discard": { name: "Discard quarantined payload", id: "quarantined payload" },
  "POST /ops/quarantine/:id/resolve": { name: "Mark quarantined payload resolved", id: "quarantined payload" },
  "POST /ops/console/quarantine/:id/resolve": { name: "Mark quarantined payload resolved", id: "quarantined payload" },
  "POST /ops/quarantine/bulk": quarantineBulk,
  "POST /ops/console/quarantine/bulk": { ...quarantineBulk, confirm: true },
  "POST /ops/conflicts/resolve": conflict,
  "POST /ops/console/conflicts/resolve": conflict,
  "POST /ops/subscriptions": { name: "Create subscription" },
  "DELETE /ops/subscriptions/:id": { name: "Delete subscription", id: "subscription" },
  "POST /ops/console/subscriptions/:id/delete": { name: "Delete subscription", id: "subscription" },
  "POST /ops/subscriptions/:id/rotate-secret": { name: "Rotate subscription secret", id: "subscription" },
  "POST /ops/console/subscriptions/:id/rotate-secret": { name: "Rotate subscription secret", id: "subscription" },
  "POST /ops/subscriptions/:id/enable": { name: "Enable subscription", id: "subscription" },
  "POST /ops/console/subscriptions/:id/enable": { name: "Enable subscription", id: "subscription" },
  "POST /ops/subscriptions/:id/test": { name: "Send test event", id: "subscription" },
  "POST /ops/console/subscriptions/:id/test": { name: "Send test event", id: "subscription" },
  "POST /ops/subscriptions/:id/deliveries/:deliveryId/replay": { name: "Replay delivery", id: "subscription" },
  "POST /ops/console/subscriptions/:id/deliveries/:deliveryId/replay": { name: "Replay delivery", id: "subscription" },
};

/**
 * Which of the comma-separated `expected` tokens `given` is (1-based), or null. Constant time per candidate;
 * the position names the token in the log during a rotation without the token itself.
 */
export function tokenPosition(given: string | null | undefined, expected: string | undefined): number | null {
  if (!given || !expected) return null;
  let found: number | null = null;
  expected.split(",").forEach((candidate, i) => {
    const t = candidate.trim();
    if (t && timingSafeEqual(given, t) && found === null) found = i + 1;
  });
  return found;
}

/** "ops-token", or "ops-token #2" when OPS_TOKEN lists several (a rotation). */
function tokenActor(env: Env, token: string | null | undefined): string {
  const n = tokenPosition(token, env.OPS_TOKEN);
  return n !== null && (env.OPS_TOKEN ?? "").includes(",") ? `ops-token #${n}` : "ops-token";
}

/** The actor of a console session: the sign-in time is the cookie's expiry less the session's length. */
export const SESSION_ACTOR = /^console session \(signed in (\S+)\)$/;
function sessionActor(cookie: string): string {
  const expires = Number(cookie.split(".")[0]);
  return Number.isFinite(expires) && expires > 0
    ? `console session (signed in ${new Date(expires - SESSION_HOURS * 3_600_000).toISOString()})`
    : "console session";
}

export type ActorKind = "access" | "token" | "session";

/** Who acted, as the authentication that admitted the request established it; null when none did. */
function actorOf(c: Context<AuditEnv>): { actor: string; kind: ActorKind } | null {
  const identity = c.get("opsIdentity") ?? (c.get("session")?.startsWith("id:") ? c.get("session")?.slice(3) : undefined);
  if (identity === "ops-token") return { actor: tokenActor(c.env, bearerToken(c.req.header("Authorization"))), kind: "token" };
  if (identity) return { actor: identity, kind: "access" };
  const session = c.get("session");
  if (session?.startsWith("cookie:")) return { actor: sessionActor(session.slice(7)), kind: "session" };
  return null;
}

/** The route the request was meant for: the last matched handler of its method (middleware is "ALL"). */
function routeOf(c: Context<AuditEnv>): string | null {
  return matchedRoutes(c).findLast((r) => r.method === c.req.method)?.path ?? null;
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** Path parameters by the route's pattern: "orderId" → "order SO-1", a bare "id" by the action's noun. */
function pathTargets(pattern: string, path: string, idNoun: string | undefined): string[] {
  const values = path.split("/");
  return pattern.split("/").flatMap((seg, i) => {
    if (!seg.startsWith(":")) return [];
    const name = seg
      .slice(1)
      .replace(/\{.*\}$/, "")
      .replace(/\?$/, "");
    const noun =
      name === "id"
        ? (idNoun ?? "id")
        : name
            .replace(/Id$/, "")
            .replace(/([a-z])([A-Z])/g, "$1 $2")
            .toLowerCase();
    return [`${noun} ${decode(values[i] ?? "")}`];
  });
}

/** The ids any body may name (a customer, a list of orders), never anything else of it: no URL, token or key. */
const bodyTargets = (b: Body): string[] => [...(text(b.customerId) ? [`customer ${text(b.customerId)}`] : []), ...listed("order", b.orderIds)];

/**
 * The request body as fields, if the route read it (JSON or a form; Hono keeps what it read). A body no
 * one read is not read here either: a request refused before its size was checked may be of any size.
 */
function bodyOf(c: Context<AuditEnv>): Promise<Body> {
  if (Object.keys(c.req.bodyCache).length === 0) return Promise.resolve({});
  const type = c.req.header("Content-Type") ?? "";
  const read: Promise<unknown> = type.includes("json") ? c.req.json() : type.includes("form") ? c.req.parseBody({ all: true }) : Promise.resolve({});
  return read.then(
    (b) => (b && typeof b === "object" && !Array.isArray(b) ? (b as Body) : {}),
    () => ({}),
  );
}

/** How it ended, in a short sentence: the console's flash message, the problem's title and detail, or done. */
function outcomeOf(res: Response, url: string, signIn: boolean, problem: string | null): string {
  if (problem) {
    const p = JSON.parse(problem) as { title?: unknown; detail?: unknown };
    return [p.title, p.detail].filter((x) => typeof x === "string" && x).join(": ");
  }
  const location = res.headers.get("Location");
  if (res.status >= 300 && res.status < 400 && location) {
    const to = new URL(location, url);
    if (signIn) return to.searchParams.get("failed") ? `${FAILED}the token is not valid.` : "Signed in.";
    const msg = to.searchParams.get("msg");
    if (!msg) return "Done.";
    return to.searchParams.get("level") === "error" ? FAILED + msg.replace(/^Not done:\s*/, "") : msg;
  }
  if (res.status === 201) return "Created.";
  return res.status < 300 ? "Done." : `HTTP ${res.status}.`;
}

/** A sign-in names the token it used (by its position in OPS_TOKEN), or nobody when it was refused. */
function signInActor(env: Env, res: Response, form: Record<string, unknown>): { actor: string; kind: ActorKind } {
  const signedIn = res.status === 303 && res.headers.has("Set-Cookie") && typeof form.token === "string";
  return signedIn ? { actor: tokenActor(env, form.token as string), kind: "token" } : { actor: "unknown", kind: "token" };
}

/**
 * Records every state-changing request under /ops/ after it ran. Requests no authentication admitted are
 * not actions and are skipped, except sign-in attempts, which are recorded whether they succeed or fail.
 * The write runs in waitUntil, after the answer: it never slows an action, and a failed write is only logged.
 */
export const auditOps = createMiddleware<AuditEnv>(async (c, next) => {
  await next();
  if (["GET", "HEAD", "OPTIONS"].includes(c.req.method)) return;
  let write: Promise<void>;
  try {
    const pattern = routeOf(c);
    const key = `${c.req.method} ${pattern ?? c.req.path}`;
    const signIn = key === SIGN_IN;
    const known = actorOf(c);
    if (!known && !signIn) return;
    const entry = ACTIONS[key];
    const res = c.res;
    // Read now, while the answer is still ours: a copy of a body read after it was sent may never arrive.
    const problem = res.headers.get("Content-Type")?.startsWith("application/problem+json") ? await res.clone().text() : null;
    const body = bodyOf(c);
    const path = c.req.path;
    const correlationId = c.get("correlationId");
    const at = new Date().toISOString();
    write = (async () => {
      const fields = await body;
      // The console's first press of a two-step action only asked for confirmation: not an action yet.
      if (entry?.confirm && fields.confirm !== "yes" && res.status < 300) return;
      const actor = known ?? signInActor(c.env, res, fields);
      const targets = [...(pattern ? pathTargets(pattern, path, entry?.id) : []), ...(entry?.body?.(fields) ?? []), ...bodyTargets(fields)];
      const name = typeof entry?.name === "function" ? entry.name(fields) : (entry?.name ?? key);
      await drizzle(c.env.DB)
        .insert(auditLog)
        .values({
          at,
          actor: actor.actor,
          actorKind: actor.kind,
          action: name,
          target: targets.length ? targets.join("; ").slice(0, TARGET_MAX) : null,
          status: res.status,
          detail: outcomeOf(res, c.req.url, signIn, problem).slice(0, DETAIL_MAX),
          correlationId,
        });
    })().catch((err) => log.error("audit log write failed", { correlationId, route: key, error: errorName(err) }));
  } catch (err) {
    log.error("audit log entry not built", { correlationId: c.get("correlationId"), error: errorName(err) });
    return;
  }
  c.executionCtx.waitUntil(write);
});

export type AuditEntry = {
  id: number;
  at: string;
  actor: string;
  actorKind: ActorKind;
  action: string;
  target: string | null;
  status: number;
  detail: string | null;
  correlationId: string;
  failed: boolean;
};

/** Whether an action failed: an error status, or a console redirect that came back with an error. */
export const failed = (status: number, detail: string | null) => status >= 400 || (detail?.startsWith(FAILED) ?? false);

// Only this module writes the table, with an ActorKind.
const entryOf = (r: typeof auditLog.$inferSelect): AuditEntry => ({ ...r, actorKind: r.actorKind as ActorKind, failed: failed(r.status, r.detail) });
/** Case-insensitive substring match; instr, not LIKE, so `%` and `_` in what people type mean themselves. */
const contains = (col: typeof auditLog.actor | typeof auditLog.action | typeof auditLog.target, q: string): SQL => sql`instr(lower(${col}), lower(${q})) > 0`;

export type AuditFilter = { actor?: string; action?: string; target?: string; from?: string; to?: string; cursor?: string; limit: number };

/** Newest first, filtered; `nextCursor` pages on (null on the last page). `from`/`to` are inclusive instants. */
export async function listAudit(db: D1Database, f: AuditFilter): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const conditions: SQL[] = [];
  if (f.actor) conditions.push(contains(auditLog.actor, f.actor));
  if (f.action) conditions.push(contains(auditLog.action, f.action));
  if (f.target) conditions.push(contains(auditLog.target, f.target));
  if (f.from) conditions.push(gte(auditLog.at, new Date(f.from).toISOString()));
  if (f.to) conditions.push(lte(auditLog.at, new Date(f.to).toISOString()));
  if (f.cursor !== undefined) {
    const before = Number(decodeCursor(f.cursor));
    if (!Number.isSafeInteger(before) || before < 1) throw invalidCursor();
    conditions.push(lt(auditLog.id, before));
  }
  const rows = await drizzle(db)
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(f.limit);
  const last = rows.at(-1);
  return { items: rows.map(entryOf), nextCursor: rows.length === f.limit && last ? encodeCursor(String(last.id)) : null };
}

/**
 * The latest actions on one target, newest first: `auditFor(db, "order SO-1", 20)` finds the order's own
 * actions (exact target) and bulk actions whose list of orders names it.
 */
export async function auditFor(db: D1Database, target: string, limit = 20): Promise<AuditEntry[]> {
  const order = /^order (.+)$/.exec(target)?.[1];
  // A bulk action's target reads "3 orders: A, B, C": the id must be a whole item of that list.
  const inList = order
    ? sql`instr(', ' || substr(${auditLog.target}, instr(${auditLog.target}, ': ') + 2) || ',', ${`, ${order},`}) > 0 AND ${auditLog.target} GLOB '[0-9]* order*: *'`
    : undefined;
  const rows = await drizzle(db)
    .select()
    .from(auditLog)
    .where(inList ? or(eq(auditLog.target, target), inList) : eq(auditLog.target, target))
    .orderBy(desc(auditLog.id))
    .limit(limit);
  return rows.map(entryOf);
}
