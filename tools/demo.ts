// `npm run demo -- [--url http://127.0.0.1:8787] [--erp-url http://127.0.0.1:8788] [--orders 40] [--seed 1]
//                  [--fast] [--duration 60] [--settle 180]`
// With `npm start` running, replays a realistic day of partner traffic: the ERP releases ~40 orders, then a
// compressed day of webhooks from acme-3pl (canonical), UPS, EasyPost, AfterShip, Shopify and the EDI
// gateway (X12 945), each in the vendor's own shape and signed with the partner's scheme and local secret —
// with partner retries, late arrivals, scans before the dispatch and after the delivery, exceptions, a
// return, two cancellations, a 15 s ERP outage, one forged request and one authentic but unmappable payload.
// Then it waits for the ERP queue and the read model to settle and reads everything back through the portal
// API and /ops, so the portal, the tracking page and the console show something real.
//
// Deterministic: the plan is a function of --seed and of the hour (order numbers carry the window's end
// hour, so a rerun within the hour with the same seed replays the same traffic — all duplicates — and a new
// seed gives new orders).
import { flag } from "./cli";
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { unstable_readConfig } from "wrangler";
import type { OrderStatus } from "../src/domain/milestones";
import { signFor } from "../src/partners/signers";
import { expectedStatus, type Plan, planDay, runPrefix } from "./demo/plan";
import { rng } from "./demo/random";
import { heading, Progress, table } from "./demo/report";
import { type DemoSubscription, type SubscriberReport, settleSubscriber, subscribe } from "./demo/subscriber";
import { buildTraffic, type Send } from "./demo/traffic";

const USAGE = `usage: npm run demo -- [--url http://127.0.0.1:8787] [--erp-url http://127.0.0.1:8788] [--orders 40] [--seed 1]
                       [--fast] [--duration 60] [--settle 180]
  --url        the dockline worker (npm start)              --erp-url   the ERP simulator   --3pl-url  the 3PL simulator
  --subscriber-url  the subscriber simulator (default http://127.0.0.1:8790)
  --orders N   orders the ERP releases (default 40)          --seed N    the day's plan (default 1)
  --fast       no pacing: send as fast as answers come       --duration  seconds the day's webhooks take (default 60)
  --settle S   how long to wait for the ERP and read model to catch up (default 180)`;

// ─── flags, config, secrets ──────────────────────────────────────────────────────────────────────────

function numberFlag(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}
function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}

const URL_BASE = (flag("--url") ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const ERP_URL = (flag("--erp-url") ?? "http://127.0.0.1:8788").replace(/\/+$/, "");
const THREEPL_URL = (flag("--3pl-url") ?? "http://127.0.0.1:8789").replace(/\/+$/, "");
const SUBSCRIBER_URL = (flag("--subscriber-url") ?? "http://127.0.0.1:8790").replace(/\/+$/, "");
const ORDERS = Math.max(1, Math.round(numberFlag("--orders", 40)));
const SEED = Math.round(numberFlag("--seed", 1));
const FAST = process.argv.includes("--fast");
const DURATION_MS = numberFlag("--duration", 60) * 1000;
const SETTLE_MS = numberFlag("--settle", 180) * 1000;
const OUTAGE_MS = 15_000;

/** Local secrets, as `npm run send` reads them: .dev.vars, else .dev.vars.example (never printed). */
function localSecrets(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of [".dev.vars.example", ".dev.vars"]) {
    if (!existsSync(file)) continue;
    for (const [k, v] of Object.entries(parseEnv(readFileSync(file, "utf8")))) if (v !== undefined && v !== "") out[k] = v;
  }
  return out;
}
const SECRETS = localSecrets();
function secret(name: string): string {
  // Several comma-separated values mean a rotation in progress: partners sign with the newest (first).
  const value = SECRETS[name]?.split(",")[0]?.trim();
  if (!value) fail(`no ${name} in .dev.vars or .dev.vars.example`);
  return value;
}
const partnerSecretName = (partnerId: string) => `PARTNER_SECRET_${partnerId.toUpperCase().replaceAll("-", "_")}`;

// wrangler's Config type comes from @cloudflare/workers-utils, which is not installed: declare what is read.
const config: { vars: Record<string, unknown> } = unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true });
const PARTNERS = new Map((JSON.parse(String(config.vars.PARTNERS ?? "[]")) as { id: string; adapter: string }[]).map((p) => [p.id, p.adapter]));

// ─── HTTP ────────────────────────────────────────────────────────────────────────────────────────────

type Outcome = "accepted" | "duplicate" | "parked" | "quarantined" | "ignored" | "rejected" | "error";
const OUTCOMES: readonly Outcome[] = ["accepted", "duplicate", "parked", "quarantined", "ignored", "rejected", "error"];

interface Answer {
  status: number;
  outcomes: Outcome[];
  problem?: string;
  quarantineIds: string[];
}

const encoder = new TextEncoder();

async function call(url: string, init: RequestInit): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return text;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const FORGED_SECRET: Readonly<Record<string, string>> = {
  canonical: `whsec_${Buffer.from("a-secret-this-partner-never-had!").toString("base64")}`,
  shipbob: `whsec_${Buffer.from("a-secret-this-partner-never-had!").toString("base64")}`,
};

async function deliver(s: Send): Promise<Answer> {
  let res: Response;
  try {
    if (s.kind === "outage") {
      res = await call(`${ERP_URL}${s.path}`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: s.body });
    } else if (s.kind === "release" || s.kind === "cancel") {
      res = await call(`${URL_BASE}${s.path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${secret("ERP_INBOUND_TOKEN")}`, "Content-Type": "application/json" },
        body: s.body,
      });
    } else {
      const adapter = PARTNERS.get(s.partnerId);
      if (!adapter) fail(`partner ${s.partnerId} is not in wrangler.toml's PARTNERS`);
      const key = s.forged ? (FORGED_SECRET[adapter] ?? "a-secret-this-partner-never-had") : secret(partnerSecretName(s.partnerId));
      const raw = encoder.encode(s.body);
      // Signed right before sending: Standard Webhooks and Shippo timestamps are checked to ±300 s.
      const headers = await signFor(adapter, key, raw, { ...(s.msgId ? { id: s.msgId } : {}), ...(s.topic ? { topic: s.topic } : {}) });
      res = await call(`${URL_BASE}${s.path}`, { method: "POST", headers, body: raw });
    }
  } catch (err) {
    return { status: 0, outcomes: ["error"], problem: err instanceof Error ? err.message : String(err), quarantineIds: [] };
  }
  const body = await readJson(res);
  if (res.status >= 400) {
    const problem = isRecord(body) ? `${String(body.title ?? "")}: ${String(body.detail ?? "")}` : String(body).slice(0, 200);
    return { status: res.status, outcomes: [res.status >= 500 ? "error" : "rejected"], problem, quarantineIds: [] };
  }
  if (s.kind === "outage") return { status: res.status, outcomes: [], quarantineIds: [] };
  if (!isRecord(body)) return { status: res.status, outcomes: ["error"], problem: "answer is not JSON", quarantineIds: [] };
  if (s.kind !== "webhook") return { status: res.status, outcomes: [body.outcome === "duplicate" ? "duplicate" : "accepted"], quarantineIds: [] };
  const results = Array.isArray(body.results) ? body.results.filter(isRecord) : [];
  const outcomes = results.map((r) => (OUTCOMES.includes(r.outcome as Outcome) ? (r.outcome as Outcome) : "error"));
  const quarantineIds = results.map((r) => r.quarantineId).filter((id): id is string => typeof id === "string");
  return { status: res.status, outcomes: outcomes.length > 0 ? outcomes : ["ignored"], quarantineIds };
}

async function ops(path: string, init: RequestInit = {}): Promise<unknown> {
  const res = await call(`${URL_BASE}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${secret("OPS_TOKEN")}`, "Content-Type": "application/json", ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return readJson(res);
}

// ─── the run ─────────────────────────────────────────────────────────────────────────────────────────

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Tally {
  requests: number;
  counts: Record<Outcome, number>;
}
const tallies = new Map<string, Tally>();
function tally(partnerId: string): Tally {
  let t = tallies.get(partnerId);
  if (!t) {
    t = { requests: 0, counts: { accepted: 0, duplicate: 0, parked: 0, quarantined: 0, ignored: 0, rejected: 0, error: 0 } };
    tallies.set(partnerId, t);
  }
  return t;
}
const unexpected: { send: Send; answer: Answer }[] = [];
/** What the plan deliberately includes (a small --orders may leave a story out). */
const planned = { forged: 0, unmappable: 0 };
const deliberate: { send: Send; answer: Answer }[] = [];
const quarantined: string[] = [];

function record(s: Send, a: Answer): void {
  if (s.kind === "outage") {
    if (a.status !== 200) unexpected.push({ send: s, answer: a });
    return;
  }
  const t = tally(s.partnerId);
  t.requests++;
  for (const o of a.outcomes) t.counts[o]++;
  quarantined.push(...a.quarantineIds);
  if (s.forged) {
    (a.status === 401 ? deliberate : unexpected).push({ send: s, answer: a });
  } else if (s.unmappable) {
    (a.outcomes.includes("quarantined") ? deliberate : unexpected).push({ send: s, answer: a });
  } else if (a.status === 0 || a.status >= 400 || a.outcomes.includes("quarantined") || a.outcomes.includes("error")) {
    unexpected.push({ send: s, answer: a });
  }
}

function liveNote(): string {
  const sum = (o: Outcome) => [...tallies.values()].reduce((n, t) => n + t.counts[o], 0);
  return `accepted ${sum("accepted")} · duplicate ${sum("duplicate")} · parked ${sum("parked")} · quarantined ${sum("quarantined")} · rejected ${sum("rejected")}${sum("error") ? ` · errors ${sum("error")}` : ""}`;
}

async function preflight(): Promise<void> {
  for (const [name, url] of [
    ["dockline", `${URL_BASE}/health`],
    ["ERP simulator", `${ERP_URL}/health`],
    ["subscriber simulator", `${SUBSCRIBER_URL}/health`],
  ] as const) {
    try {
      const res = await call(url, {});
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      fail(`${name} is not answering at ${url} (${err instanceof Error ? err.message : err}). Start the stack first: npm start`);
    }
  }
}

interface PortalSummary {
  orderId: string;
  status: OrderStatus;
  version: number;
  openExceptions: number;
}

async function portalOrders(keys: Map<string, string>, wanted: ReadonlySet<string>): Promise<Map<string, PortalSummary>> {
  const found = new Map<string, PortalSummary>();
  for (const key of keys.values()) {
    let cursor: string | null = null;
    do {
      const q: string = `/v1/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await call(`${URL_BASE}${q}`, { headers: { Authorization: `Bearer ${key}` } });
      if (!res.ok) throw new Error(`GET ${q}: ${res.status} ${await res.text()}`);
      const page = await readJson(res);
      if (!isRecord(page) || !Array.isArray(page.items)) throw new Error(`GET ${q}: unexpected answer`);
      for (const item of page.items.filter(isRecord)) {
        const id = String(item.orderId);
        if (wanted.has(id))
          found.set(id, { orderId: id, status: item.status as OrderStatus, version: Number(item.version), openExceptions: Number(item.openExceptions) });
      }
      cursor = typeof page.nextCursor === "string" ? page.nextCursor : null;
    } while (cursor);
  }
  return found;
}

/** Drift repaired by POST /ops/reconcile during settling: order → repairs. */
const repairs = new Map<string, string[]>();

/** POST /ops/reconcile for the run's orders; answers how many drifted (0 when the route is not there). */
async function reconcile(orderIds: string[]): Promise<number> {
  try {
    const report = await ops("/ops/reconcile", { method: "POST", body: JSON.stringify({ orderIds, stallSeconds: 30, graceSeconds: 5 }) });
    if (!isRecord(report) || !Array.isArray(report.orders)) return 0;
    for (const o of report.orders.filter(isRecord)) {
      const done = Array.isArray(o.repairs) ? o.repairs.map(String) : [];
      if (done.length > 0) repairs.set(String(o.orderId), [...(repairs.get(String(o.orderId)) ?? []), ...done]);
    }
    return Number(report.drifted ?? 0);
  } catch {
    return 0;
  }
}

interface ErpFigures {
  pendingCommands: number;
  ordersWithPending: number;
  oldestPendingAgeSeconds: number | null;
  ordersBlockedByDeadLetter: number;
}
function erpFigures(metrics: unknown): ErpFigures {
  const erp = isRecord(metrics) && isRecord(metrics.erp) ? metrics.erp : {};
  return {
    pendingCommands: Number(erp.pendingCommands ?? 0),
    ordersWithPending: Number(erp.ordersWithPending ?? 0),
    oldestPendingAgeSeconds: erp.oldestPendingAgeSeconds === null || erp.oldestPendingAgeSeconds === undefined ? null : Number(erp.oldestPendingAgeSeconds),
    ordersBlockedByDeadLetter: Number(erp.ordersBlockedByDeadLetter ?? 0),
  };
}

async function main(): Promise<void> {
  await preflight();
  const hour = 3_600_000;
  const end = Math.floor(Date.now() / hour) * hour;
  const start = end - 30 * hour;
  const prefix = runPrefix(end, SEED);
  const r = rng(SEED);
  const plan = planDay(r, { orders: ORDERS, start, end, prefix });
  const sends = buildTraffic(r, plan, OUTAGE_MS);
  const releases = sends.filter((s) => s.kind === "release");
  planned.forged = sends.filter((s) => s.forged).length;
  planned.unmappable = sends.filter((s) => s.unmappable).length;
  const events = sends.filter((s) => s.kind !== "release");

  const byPartner = new Map<string, number>();
  for (const s of events) if (s.kind === "webhook") byPartner.set(s.partnerId, (byPartner.get(s.partnerId) ?? 0) + 1);
  console.log(`dockline demo — seed ${SEED}, orders ${plan.orders[0]?.orderId} … ${plan.orders.at(-1)?.orderId}`);
  console.log(
    `  a day from ${new Date(start).toISOString().slice(0, 16)}Z to ${new Date(end).toISOString().slice(0, 16)}Z, replayed ${FAST ? "as fast as possible" : `in ~${DURATION_MS / 1000} s`}`,
  );
  console.log(
    `  ${releases.length} releases, ${events.filter((s) => s.kind === "webhook").length} webhooks (${[...byPartner].map(([p, n]) => `${p} ${n}`).join(", ")}), ` +
      `${events.filter((s) => s.duplicate).length} partner retries, ${events.filter((s) => s.late).length} late arrivals, ${events.filter((s) => s.kind === "cancel").length} cancellations`,
  );
  console.log(`  dockline ${URL_BASE}   ERP simulator ${ERP_URL}`);

  // 0. A customer's service platform subscribes to its orders' events (pushed, signed; see the summary).
  const customers = [...new Set(plan.orders.map((o) => o.customerId))].sort();
  const keys = new Map<string, string>();
  for (const customerId of customers) {
    const issued = await ops("/ops/api-keys", { method: "POST", body: JSON.stringify({ customerId, label: `demo ${prefix}` }) });
    if (isRecord(issued) && typeof issued.key === "string") keys.set(customerId, issued.key);
  }
  const subscriber = customers.includes("CUST-ACME") ? "CUST-ACME" : customers[0];
  const subscriberKey = subscriber ? keys.get(subscriber) : undefined;
  const subscription = subscriber && subscriberKey ? await subscribe(URL_BASE, SUBSCRIBER_URL, subscriber, subscriberKey, prefix) : null;

  // 1. The ERP releases the day's orders.
  const p1 = new Progress("releasing orders ", releases.length);
  for (const [i, s] of releases.entries()) {
    record(s, await deliver(s));
    p1.update(i + 1, liveNote());
  }
  p1.done(liveNote());

  // 2. The day's partner traffic, paced over --duration (the simulated clock runs ~1,800× real time).
  const first = events[0]?.at ?? start;
  const last = events.at(-1)?.at ?? end;
  const span = Math.max(1, last - first);
  const t0 = Date.now();
  let erpDownUntil = 0;
  let consecutiveErrors = 0;
  const p2 = new Progress("partner traffic  ", events.length);
  for (const [i, s] of events.entries()) {
    if (!FAST) await sleep(t0 + ((s.at - first) / span) * DURATION_MS - Date.now());
    const answer = await deliver(s);
    record(s, answer);
    if (s.kind === "outage") erpDownUntil = Date.now() + OUTAGE_MS;
    consecutiveErrors = answer.status === 0 ? consecutiveErrors + 1 : 0;
    if (consecutiveErrors >= 10) {
      console.log("");
      fail(`10 requests in a row failed (${answer.problem}). Is the stack still running?`, 1);
    }
    const clock = new Date(s.at).toISOString().slice(11, 16);
    const erp = Date.now() < erpDownUntil ? `  ERP DOWN ${Math.ceil((erpDownUntil - Date.now()) / 1000)}s` : "";
    p2.update(i + 1, `${clock}Z${erp}  ${liveNote()}`);
  }
  p2.done(liveNote());

  // 3. Wait until the ERP queue is drained and the read model is still.
  const wanted = new Set(plan.orders.map((o) => o.orderId));
  const p3 = new Progress("settling         ", 3);
  const settleStart = Date.now();
  let stable = 0;
  let lastVersions = -1;
  let portal = new Map<string, PortalSummary>();
  let erp = erpFigures({});
  let lastPending = -1;
  let pendingSince = Date.now();
  let lastReconcile = 0;
  while (Date.now() - settleStart < SETTLE_MS) {
    [portal, erp] = await Promise.all([portalOrders(keys, wanted), ops("/ops/metrics").then(erpFigures)]);
    const versions = [...portal.values()].reduce((n, o) => n + o.version, 0);
    const ready = erp.pendingCommands === 0 && portal.size === wanted.size && versions === lastVersions;
    stable = ready ? stable + 1 : 0;
    lastVersions = versions;
    if (erp.pendingCommands !== lastPending) {
      lastPending = erp.pendingCommands;
      pendingSince = Date.now();
    }
    // What the reconciliation cron does every 10 minutes in production (wrangler dev does not fire crons):
    // repair drift between each order's Durable Object, the read model and the ERP cursor. Run when the ERP
    // backlog has not moved for 30 s, and once more before calling the day settled.
    const stalled = erp.pendingCommands > 0 && Date.now() - pendingSince > 30_000 && Date.now() > erpDownUntil;
    if ((stalled || stable >= 3) && Date.now() - lastReconcile > 10_000) {
      lastReconcile = Date.now();
      const drifted = await reconcile([...wanted]);
      if (drifted > 0) {
        stable = 0;
        pendingSince = Date.now();
      }
    }
    p3.update(
      Math.min(3, stable),
      `ERP backlog ${erp.pendingCommands} command(s) on ${erp.ordersWithPending} order(s)${erp.oldestPendingAgeSeconds !== null ? `, oldest ${erp.oldestPendingAgeSeconds}s` : ""} · portal ${portal.size}/${wanted.size} orders`,
    );
    if (stable >= 3) break;
    await sleep(1000);
  }
  const settled = stable >= 3;
  p3.done(settled ? `settled in ${Math.round((Date.now() - settleStart) / 1000)}s` : `not settled after ${SETTLE_MS / 1000}s`);

  const pushed = subscription ? await settleSubscriber(URL_BASE, SUBSCRIBER_URL, subscription, 60_000) : null;
  await summary(plan, keys, portal, erp, settled, subscription, pushed);
}

// ─── the summary ─────────────────────────────────────────────────────────────────────────────────────

async function summary(
  plan: Plan,
  keys: Map<string, string>,
  portal: Map<string, PortalSummary>,
  erp: ErpFigures,
  settled: boolean,
  subscription: DemoSubscription | null,
  pushed: SubscriberReport | null,
) {
  const { orders, end, prefix } = plan;
  const problems: string[] = [];

  heading("Outcomes per partner (per event in each answer; EasyPost and AfterShip re-send a parcel's whole history each time)");
  const order = ["erp", "acme-3pl", "shopify", "edi", "ups", "easypost", "aftership"];
  const rank = (p: string) => (order.includes(p) ? order.indexOf(p) : order.length);
  const partners = [...tallies.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  table(
    ["partner", "requests", "accepted", "duplicate", "parked", "quarantined", "ignored", "rejected", "errors"],
    partners.map((p) => {
      const t = tally(p);
      return [p, t.requests, t.counts.accepted, t.counts.duplicate, t.counts.parked, t.counts.quarantined, t.counts.ignored, t.counts.rejected, t.counts.error];
    }),
  );
  console.log("  parked = a carrier scan that arrived before its tracking number was bound (delivered to the order once the dispatch came)");
  for (const { send, answer } of deliberate) {
    console.log(
      `  as intended: ${send.partnerId} ${send.what} → ${answer.status}${answer.outcomes.includes("quarantined") ? " quarantined" : ""}${answer.problem ? ` (${answer.problem})` : ""}`,
    );
  }
  if (deliberate.filter((d) => d.send.unmappable).length !== planned.unmappable) problems.push("the unmappable EasyPost payload was not quarantined");
  if (deliberate.filter((d) => d.send.forged).length !== planned.forged) problems.push("the forged request was not rejected with 401");
  for (const { send, answer } of unexpected.slice(0, 10)) {
    problems.push(
      `unexpected: ${send.partnerId} ${send.what} [${send.orderIds.join(", ")}] → ${answer.status || "no answer"} ${answer.outcomes.join(",")} ${answer.problem ?? ""}`,
    );
  }
  if (unexpected.length > 10) problems.push(`… and ${unexpected.length - 10} more unexpected answers`);

  heading("Orders per status (read back through the portal API, one key per customer)");
  const expected = new Map(orders.map((o) => [o.orderId, expectedStatus(o, end)]));
  const statuses = [...new Set([...portal.values()].map((o) => o.status).concat([...expected.values()]))];
  table(
    ["status", "orders", "expected"],
    statuses.map((s) => [s, [...portal.values()].filter((o) => o.status === s).length, [...expected.values()].filter((e) => e === s).length]),
  );
  const byCustomer = new Map<string, number>();
  for (const o of orders) if (portal.has(o.orderId)) byCustomer.set(o.customerId, (byCustomer.get(o.customerId) ?? 0) + 1);
  console.log(`  by customer: ${[...byCustomer].map(([c, n]) => `${c} ${n}`).join(", ")}`);
  const missing = orders.filter((o) => !portal.has(o.orderId));
  if (missing.length > 0) problems.push(`${missing.length} order(s) not in the portal: ${missing.map((o) => o.orderId).join(", ")}`);
  const mismatched = orders.filter((o) => portal.has(o.orderId) && portal.get(o.orderId)?.status !== expected.get(o.orderId));
  for (const o of mismatched)
    problems.push(`${o.orderId} is ${portal.get(o.orderId)?.status}, expected ${expected.get(o.orderId)} (${o.channel}, ${o.stories.join(",") || "no story"})`);

  heading("The day's stories");
  const storied = orders.filter((o) => o.stories.length > 0 || o.channel === "edi");
  table(
    ["order", "story", "channel / carrier", "status", "open exceptions"],
    storied.map((o) => [
      o.orderId,
      o.stories.join(", ") || (o.channel === "edi" ? "dispatched by X12 945" : ""),
      `${o.channel} / ${o.shipments.map((s) => s.carrier).join("+") || "—"}`,
      portal.get(o.orderId)?.status ?? "?",
      portal.get(o.orderId)?.openExceptions ?? "—",
    ]),
  );

  heading("Fulfillment (the 3PL simulator's requests)");
  const received = await call(`${THREEPL_URL}/admin/requests`, {})
    .then(readJson)
    .catch(() => undefined);
  const requests = isRecord(received) && Array.isArray(received.requests) ? received.requests.filter(isRecord) : [];
  const asked = requests.filter((q) => q.type === "fulfillment.requested" && orders.some((o) => o.orderId === q.orderId));
  const perPartner = new Map<string, number>();
  for (const q of asked) perPartner.set(String(q.partner), (perPartner.get(String(q.partner)) ?? 0) + 1);
  const acknowledged = asked.filter(
    (q) => Array.isArray(q.responses) && q.responses.some((s) => isRecord(s) && s.milestone === "acknowledged" && s.status === 202),
  );
  console.log(`  requests for this run: ${asked.length} (${[...perPartner].map(([p, n]) => `${p} ${n}`).join(", ") || "none"}), each once per idempotency key`);
  console.log(`  acknowledged back to dockline by the simulator: ${acknowledged.length}`);
  const unrequested = orders.filter((o) => !asked.some((q) => q.orderId === o.orderId));
  if (requests.length === 0) problems.push(`the 3PL simulator (${THREEPL_URL}) answered no requests: is \`npm start\` running it?`);
  else if (unrequested.length > 0) problems.push(`${unrequested.length} order(s) reached no fulfilment partner, e.g. ${unrequested[0]?.orderId}`);

  heading("ERP (the simulator's ledger)");
  const ledger = await call(`${ERP_URL}/admin/records`, {}).then(readJson);
  const records = isRecord(ledger) && Array.isArray(ledger.records) ? ledger.records.filter(isRecord) : [];
  const ours = records.filter((rec) => orders.some((o) => o.orderId === rec.orderId));
  const byKind = new Map<string, number>();
  for (const rec of ours) byKind.set(String(rec.kind), (byKind.get(String(rec.kind)) ?? 0) + 1);
  const stats = isRecord(ledger) && isRecord(ledger.stats) ? ledger.stats : {};
  console.log(`  booked for this run: ${ours.length} (${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ") || "none"})`);
  console.log(
    `  simulator totals: applied ${stats.applied ?? "?"}, injected failures ${stats.injectedFailures ?? "?"} (the outage), idempotent replays ${stats.replays ?? "?"}, sequence gaps refused ${stats.rejectedGaps ?? "?"}, keys reused ${stats.keyReuses ?? "?"}`,
  );
  console.log(`  dockline backlog: ${erp.pendingCommands} pending command(s), ${erp.ordersBlockedByDeadLetter} order(s) blocked by a dead letter`);
  for (const [orderId, done] of repairs) {
    console.log(`  reconciliation repaired ${orderId}: ${done.join("; ")}`);
  }
  if (repairs.size > 0) {
    console.log("    (local Queues keep messages in memory: a `wrangler dev` reload, e.g. after a source edit, loses those in flight;");
    console.log("     in production Queues are durable and the 10-minute reconciliation cron is the safety net)");
  }
  if (erp.pendingCommands > 0) problems.push(`${erp.pendingCommands} ERP command(s) still pending`);
  if (Number(stats.keyReuses ?? 0) > 0) problems.push("the ERP saw an idempotency key reused with another body");

  heading("GET /ops/metrics (last 60 minutes)");
  const metrics = await ops("/ops/metrics");
  if (isRecord(metrics) && isRecord(metrics.partners)) {
    const rows: (string | number)[][] = [];
    for (const [id, windows] of Object.entries(metrics.partners)) {
      const w = Array.isArray(windows) ? windows.filter(isRecord).find((x) => x.minutes === 60) : undefined;
      if (!w || !isRecord(w.counts) || !isRecord(w.latency) || Object.keys(w.counts).length === 0) continue;
      const c = w.counts;
      rows.push([
        id,
        Object.values(c).reduce((n: number, v) => n + Number(v), 0),
        Number(c.accepted ?? 0),
        Number(c.duplicate ?? 0),
        Number(c.parked ?? 0),
        Number(c.quarantined ?? 0),
        Number(c.rejected ?? 0),
        w.latency.p50Ms === null ? "—" : `${w.latency.p50Ms} ms`,
        w.latency.p99Ms === null ? "—" : `${w.latency.p99Ms} ms`,
      ]);
    }
    table(["partner", "outcomes", "accepted", "duplicate", "parked", "quarantined", "rejected", "p50", "p99"], rows);
    const lag = Array.isArray(metrics.projectionLag) ? metrics.projectionLag.filter(isRecord).find((x) => x.minutes === 60) : undefined;
    if (lag && isRecord(lag.latency))
      console.log(`  projection lag (event → D1 read model): p50 ${lag.latency.p50Ms ?? "—"} ms, p99 ${lag.latency.p99Ms ?? "—"} ms`);
    const open = (k: string) => (isRecord(metrics[k]) ? (metrics[k] as Record<string, unknown>).open : "?");
    console.log(
      `  open dead letters ${open("deadLetters")}, open quarantine ${open("quarantine")}, correlation conflicts ${String(metrics.correlationConflicts ?? "?")}`,
    );
  }
  if (quarantined.length > 0) {
    const entry = await ops(`/ops/quarantine/${encodeURIComponent(quarantined[0] as string)}`).catch(() => null);
    if (isRecord(entry)) console.log(`  quarantined ${String(entry.id)} (${String(entry.partnerId)}): ${String(entry.reason)}`);
  }
  if (quarantined.length !== planned.unmappable) problems.push(`${quarantined.length} payload(s) quarantined, expected ${planned.unmappable}`);

  if (subscription && pushed) {
    heading(`Pushed to ${subscription.customerId}'s subscriber`);
    console.log(
      `  subscription ${subscription.id}: ${pushed.delivered} event(s) delivered, ${pushed.received} received and ${pushed.verified} signature(s) verified by the subscriber` +
        `${pushed.retried ? `, ${pushed.retried} after a retry` : ""}${pushed.pending ? `, ${pushed.pending} still pending` : ""}`,
    );
    console.log(
      `  its delivery log: ${URL_BASE}/ops/console/subscriptions/${subscription.id} · the subscriber's inbox: ${SUBSCRIBER_URL}/admin/inboxes/${subscription.inbox}`,
    );
    if (pushed.delivered === 0) problems.push("the subscription received no events");
    if (pushed.dead > 0) problems.push(`${pushed.dead} subscription delivery(ies) dead`);
    if (pushed.verified < pushed.received) problems.push(`${pushed.received - pushed.verified} delivery(ies) failed the subscriber's signature check`);
  }

  heading("Try it");
  const showCustomer = keys.has("CUST-ACME") ? "CUST-ACME" : [...keys.keys()][0];
  const key = showCustomer ? keys.get(showCustomer) : undefined;
  const sample =
    orders.find((o) => o.customerId === showCustomer && portal.get(o.orderId)?.status === "delivered" && o.stories.length > 0) ??
    orders.find((o) => o.customerId === showCustomer && portal.get(o.orderId)?.status === "delivered") ??
    orders.find((o) => o.customerId === showCustomer);
  if (key && sample) {
    const res = await call(`${URL_BASE}/v1/orders/${sample.orderId}`, { headers: { Authorization: `Bearer ${key}` } });
    const body = await readJson(res);
    console.log(`  customer API key for ${showCustomer} (shown once): ${key}`);
    console.log(`  curl -s ${URL_BASE}/v1/orders/${sample.orderId} -H "Authorization: Bearer ${key}"`);
    if (isRecord(body) && typeof body.trackingUrl === "string") console.log(`  tracking page for ${sample.orderId}: ${body.trackingUrl}`);
    else problems.push(`GET /v1/orders/${sample.orderId} did not return a trackingUrl (${res.status})`);
  }
  console.log(`  ops console: ${URL_BASE}/ops (OPS_TOKEN from .dev.vars) · ERP ledger: ${ERP_URL}/admin/records · orders ${prefix}-…`);

  if (!settled) problems.push("the ERP queue or the read model did not settle in time (try --settle 300)");
  heading(problems.length === 0 ? "All as expected." : `${problems.length} thing(s) to look at:`);
  for (const p of problems) console.log(`  - ${p}`);
  if (problems.length > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
