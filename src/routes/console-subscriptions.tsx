// The ops console's subscription pages: every subscription (ops' and customers'), one subscription with its
// delivery log, and its repairs as forms (replay a delivery, send a test event, re-enable, rotate the
// secret, delete). Mounted by ./console.tsx, whose authentication, CSRF guard and layout it is handed.
//
// Secrets never reach a page: not the signing secret (except a new one, once, in the answer to its
// rotation), not a PagerDuty routing key, not an endpoint's full URL (a Slack incoming webhook's path is
// its credential). Whatever a subscriber or the log could echo back is scrubbed of them before it is shown.
import type { MiddlewareHandler } from "hono";
import type { FC } from "hono/jsx";
import { router } from "../http/openapi";
import { HttpProblem } from "../platform/problem";
import { type DeliveryCursor, deliveryPage, type LoggedDelivery } from "../subscriptions/console-queries";
import { enable, found, replay, rotate, sendTest } from "../subscriptions/service";
import { deleteSubscription, listSubscriptions, type Scope, type SubscriptionRow } from "../subscriptions/store";
import type { C, ConsoleEnv, Outcome } from "./console-layout";

/** What the console lends these pages: its sign-in check, CSRF guard, layout, one-button form and action runner. */
export interface ConsoleKit {
  auth: MiddlewareHandler<ConsoleEnv>;
  csrfGuard: MiddlewareHandler<ConsoleEnv>;
  Shell: FC<{ c: C; title: string; children: unknown }>;
  Action: FC<{ c: C; path: string; label: string; name?: string }>;
  act: (c: C, run: () => Promise<Outcome>, to?: string) => Promise<Response>;
}

/** Ops act on every subscription, whoever created it. */
const OPS: Scope = { kind: "ops" };
const PAGE_SIZE = 25;
/** The attempts query binds one parameter per delivery: D1 takes at most 100 per query. */
const MAX_PAGE_SIZE = 50;
const REDACTED = "[redacted]";

const listPath = "/ops/console/subscriptions";
const pagePath = (id: string) => `${listPath}/${encodeURIComponent(id)}`;
const orderPath = (orderId: string) => `/ops/console/orders?orderId=${encodeURIComponent(orderId)}`;

/**
 * The endpoint as ops may see it: its origin, then the first path segment only when it reads as a word
 * (`services`, `hooks`), and `…` for the rest. A token has digits; a word does not.
 */
export function endpointLabel(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "(not a URL)";
  }
  const [first, ...rest] = url.pathname.split("/").filter(Boolean);
  if (!first) return `${url.origin}/${url.search ? "…" : ""}`;
  if (!/^[A-Za-z][A-Za-z_-]{0,23}$/.test(first)) return `${url.origin}/…`;
  return `${url.origin}/${first}${rest.length > 0 || url.search ? "/…" : ""}`;
}

/** Replaces this subscription's secrets and full URL wherever they turn up (an endpoint may echo what it got). */
function scrubberFor(s: SubscriptionRow): (text: string) => string {
  const secrets = [s.secret, s.secret.replace(/^whsec_/, ""), s.previousSecret, s.previousSecret?.replace(/^whsec_/, ""), s.routingKey].filter(
    (x): x is string => typeof x === "string" && x.length >= 8,
  );
  const label = endpointLabel(s.url);
  return (text) => secrets.reduce((out, secret) => out.replaceAll(secret, REDACTED), text.replaceAll(s.url, label));
}

/** Keys whose values are credentials whatever the format (a PagerDuty event carries its routing key). */
const SECRET_KEYS = new Set(["routing_key", "routingKey", "secret", "previousSecret"]);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? REDACTED : k === "url" && typeof v === "string" ? endpointLabel(v) : redact(v)]),
  );
}

/** The logged body, pretty-printed, with its credentials out. */
function eventBody(body: string, scrub: (t: string) => string): string {
  try {
    return scrub(JSON.stringify(redact(JSON.parse(body)), null, 2));
  } catch {
    return scrub(body);
  }
}

const StatusText: FC<{ s: SubscriptionRow }> = ({ s }) =>
  s.status === "disabled" ? (
    <span class="bad" data-testid="status">
      disabled since {s.disabledAt ?? "—"}: {s.disabledReason ?? "by ops"}
    </span>
  ) : s.failingSince ? (
    <span class="bad" data-testid="status">
      active, failing since {s.failingSince}
    </span>
  ) : (
    <span data-testid="status">active</span>
  );

async function listPage(c: C, ui: ConsoleKit) {
  const subs = await listSubscriptions(c.env.DB, OPS);
  return c.html(
    <ui.Shell c={c} title="Subscriptions">
      <section class="card" data-testid="subscriptions">
        <h2>Subscriptions ({subs.length})</h2>
        {subs.length === 0 ? (
          <p class="muted">No subscriptions: customers create theirs with POST /v1/subscriptions, ops with POST /ops/subscriptions.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>subscription</th>
                <th>scope</th>
                <th>customer</th>
                <th>endpoint</th>
                <th>events</th>
                <th>format</th>
                <th>status</th>
                <th>created</th>
              </tr>
            </thead>
            <tbody>
              {subs.map((s) => {
                const scrub = scrubberFor(s);
                return (
                  <tr data-testid={`subscription-${s.id}`}>
                    <td>
                      <a href={pagePath(s.id)}>{s.id}</a>
                      {s.description && <div class="muted">{scrub(s.description)}</div>}
                    </td>
                    <td>{s.scope}</td>
                    <td>{s.customerId ?? <span class="muted">every customer</span>}</td>
                    <td>{endpointLabel(s.url)}</td>
                    <td>{s.events.join(", ")}</td>
                    <td>{s.format}</td>
                    <td>
                      <StatusText s={s} />
                    </td>
                    <td class="muted">{s.createdAt}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </ui.Shell>,
  );
}

/** The page's `before`/`beforeId`/`limit` query, checked: anything malformed reads as the first page. */
function pageQuery(c: C): { limit: number; before?: DeliveryCursor } {
  const n = Number(c.req.query("limit"));
  const limit = Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE_SIZE) : PAGE_SIZE;
  const createdAt = c.req.query("before") ?? "";
  const id = c.req.query("beforeId") ?? "";
  const valid = !Number.isNaN(Date.parse(createdAt)) && id.length > 0 && id.length <= 200;
  return valid ? { limit, before: { createdAt, id } } : { limit };
}

const DeliveryRows: FC<{ c: C; ui: ConsoleKit; s: SubscriptionRow; d: LoggedDelivery; scrub: (t: string) => string }> = ({ c, ui, s, d, scrub }) => (
  <>
    <tr data-testid={`delivery-${d.id}`}>
      <td class="muted">{d.id}</td>
      <td>{d.eventType}</td>
      <td>{d.orderId ? <a href={orderPath(d.orderId)}>{d.orderId}</a> : "—"}</td>
      <td>{d.version ?? "—"}</td>
      <td class={d.status === "dead" ? "bad" : undefined}>{d.status}</td>
      <td>{d.attempts}</td>
      <td>
        {d.lastStatus !== null && `HTTP ${d.lastStatus}`}
        {d.lastStatus !== null && d.lastError && " · "}
        {d.lastError && scrub(d.lastError)}
        {d.lastStatus === null && !d.lastError && "—"}
      </td>
      <td class="muted">{d.createdAt}</td>
      <td class="muted">{d.deliveredAt ?? "—"}</td>
      <td>
        {/* A test event has no order cursor to replay it from; one still being retried needs no replay. */}
        {d.source && d.status !== "pending" && (
          <ui.Action c={c} path={`${pagePath(s.id)}/deliveries/${encodeURIComponent(d.id)}/replay`} label="Replay" name={`replay-${d.id}`} />
        )}
      </td>
    </tr>
    <tr>
      <td colspan={10}>
        <details data-testid={`delivery-details-${d.id}`}>
          <summary>
            {d.attemptLog.length} attempt{d.attemptLog.length === 1 ? "" : "s"} and the event
          </summary>
          <table>
            <thead>
              <tr>
                <th>at</th>
                <th>HTTP</th>
                <th>latency (ms)</th>
                <th>outcome</th>
                <th>response</th>
                <th>error</th>
              </tr>
            </thead>
            <tbody>
              {d.attemptLog.map((a) => (
                <tr data-testid="attempt">
                  <td class="muted">{a.at}</td>
                  <td>{a.status ?? "—"}</td>
                  <td>{a.latencyMs}</td>
                  <td class={a.outcome === "delivered" ? undefined : "bad"}>{a.outcome}</td>
                  <td class="muted">{a.response ? scrub(a.response).slice(0, 300) : "—"}</td>
                  <td>{a.error ? scrub(a.error) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <pre data-testid="event-body">{eventBody(d.body, scrub)}</pre>
        </details>
      </td>
    </tr>
  </>
);

/** One subscription: its settings, its repairs, and a page of its delivery log. `notice`: the answer to a rotation. */
async function subscriptionPage(c: C, ui: ConsoleKit, id: string, notice?: unknown) {
  const s = await found(c.env, OPS, id).catch((err: unknown) => {
    if (err instanceof HttpProblem && err.status === 404) return null;
    throw err;
  });
  if (!s)
    return c.html(
      <ui.Shell c={c} title="Subscription not found">
        <p>
          No subscription {id}. <a href={listPath}>Every subscription</a>
        </p>
      </ui.Shell>,
      404,
    );
  const q = pageQuery(c);
  const { items, next } = await deliveryPage(c.env.DB, s.id, q.limit, q.before);
  const scrub = scrubberFor(s);
  const limitParam = q.limit === PAGE_SIZE ? "" : `&limit=${q.limit}`;
  const graceful = s.previousSecret && s.previousSecretExpiresAt && Date.parse(s.previousSecretExpiresAt) > Date.now();
  const base = pagePath(s.id);
  return c.html(
    <ui.Shell c={c} title={`Subscription ${s.id}`}>
      {notice}
      <section class="card">
        <h2 data-testid="subscription-title">Subscription {s.id}</h2>
        <table data-testid="subscription-details">
          <tbody>
            <tr>
              <th>scope</th>
              <td>{s.scope === "ops" ? "ops" : "customer (created with its API key)"}</td>
            </tr>
            <tr>
              <th>customer</th>
              <td>{s.customerId ?? "every customer"}</td>
            </tr>
            <tr>
              <th>endpoint</th>
              <td>
                {endpointLabel(s.url)} <span class="muted">(the rest of the path is not shown: it can be a credential)</span>
              </td>
            </tr>
            <tr>
              <th>events</th>
              <td>{s.events.join(", ")}</td>
            </tr>
            <tr>
              <th>format</th>
              <td>
                {s.format}
                {s.routingKey && <span class="muted"> (routing key set, never shown)</span>}
              </td>
            </tr>
            {s.description && (
              <tr>
                <th>description</th>
                <td>{scrub(s.description)}</td>
              </tr>
            )}
            <tr>
              <th>status</th>
              <td>
                <StatusText s={s} />
              </td>
            </tr>
            <tr>
              <th>signing secret</th>
              <td class="muted">set, never shown again{graceful && `; the previous one signs beside it until ${s.previousSecretExpiresAt}`}</td>
            </tr>
            <tr>
              <th>created</th>
              <td class="muted">
                {s.createdAt} (updated {s.updatedAt})
              </td>
            </tr>
          </tbody>
        </table>
      </section>
      <section class="card" data-testid="subscription-actions">
        <h2>Actions</h2>
        <div>
          <ui.Action c={c} path={`${base}/test`} label="Send a test event" name="send-test" />{" "}
          {s.status === "disabled" && <ui.Action c={c} path={`${base}/enable`} label="Re-enable" name="enable" />}{" "}
          <ui.Action c={c} path={`${base}/rotate-secret`} label="Rotate the signing secret" name="rotate" />
        </div>
        <p class="muted">
          A test event is sent now and logged like any delivery. Re-enabled, new events flow again; replay the dead deliveries it should still get. After a
          rotation the previous secret keeps signing for a grace period, so the subscriber can switch.
        </p>
        <form method="post" action={`${base}/delete`} class="inline">
          <input type="hidden" name="csrf" value={c.get("csrf")} />
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> Delete this subscription and its delivery log (events on their way are dropped)
          </label>{" "}
          <button type="submit" data-testid="delete">
            Delete
          </button>
        </form>
      </section>
      <section class="card">
        <h2>Deliveries, newest first{q.before ? ` (before ${q.before.createdAt})` : ""}</h2>
        {items.length === 0 ? (
          <p class="muted">{q.before ? "No older deliveries." : "Nothing delivered to it yet."}</p>
        ) : (
          <table data-testid="deliveries">
            <thead>
              <tr>
                <th>webhook-id</th>
                <th>event</th>
                <th>order</th>
                <th>version</th>
                <th>status</th>
                <th>attempts</th>
                <th>last answer</th>
                <th>created</th>
                <th>delivered</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <DeliveryRows c={c} ui={ui} s={s} d={d} scrub={scrub} />
              ))}
            </tbody>
          </table>
        )}
        <p>
          {q.before && <a href={q.limit === PAGE_SIZE ? base : `${base}?limit=${q.limit}`}>Newest</a>}{" "}
          {next && (
            <a href={`${base}?before=${encodeURIComponent(next.createdAt)}&beforeId=${encodeURIComponent(next.id)}${limitParam}`} data-testid="older">
              Older deliveries
            </a>
          )}
        </p>
      </section>
    </ui.Shell>,
    200,
  );
}

export function subscriptionConsole(ui: ConsoleKit) {
  const routes = router();
  routes.get(listPath, ui.auth, (c) => listPage(c as C, ui));
  routes.get(`${listPath}/:id`, ui.auth, (c) => subscriptionPage(c as C, ui, c.req.param("id")));

  routes.post(`${listPath}/:id/test`, ui.auth, ui.csrfGuard, (c) => {
    const id = c.req.param("id");
    return ui.act(
      c as C,
      async () => {
        const scrub = scrubberFor(await found(c.env, OPS, id));
        const r = await sendTest(c.env, OPS, id);
        if (r.delivered) return `Test event ${r.webhookId} delivered: HTTP ${r.status} in ${r.latencyMs} ms.`;
        const answer = r.error ?? `HTTP ${r.status}`;
        return { error: `Test event ${r.webhookId} not delivered: ${scrub(answer)}${r.response ? ` (${scrub(r.response).slice(0, 200)})` : ""}.` };
      },
      pagePath(id),
    );
  });

  routes.post(`${listPath}/:id/enable`, ui.auth, ui.csrfGuard, (c) => {
    const id = c.req.param("id");
    return ui.act(
      c as C,
      async () => {
        await enable(c.env, OPS, id);
        return "Subscription re-enabled: new events flow to it again. Replay the dead deliveries it should still get.";
      },
      pagePath(id),
    );
  });

  // Answered with the page itself, not a redirect: the new secret must not travel in a URL (history, logs).
  routes.post(`${listPath}/:id/rotate-secret`, ui.auth, ui.csrfGuard, async (c) => {
    const id = c.req.param("id");
    let rotated: Awaited<ReturnType<typeof rotate>>;
    try {
      rotated = await rotate(c.env, OPS, id);
    } catch (err) {
      if (err instanceof HttpProblem) return ui.act(c as C, async () => ({ error: `Not done: ${err.detail ?? err.title}` }), listPath);
      throw err;
    }
    const notice = (
      <section class="flash secret" role="alert" data-testid="new-secret">
        <p>
          <b>New signing secret, shown once:</b> copy it now; it is never shown again.
        </p>
        <pre>{rotated.secret}</pre>
        <p>The previous secret keeps signing beside it until {rotated.previousSecretExpiresAt}: give the subscriber the new one before then.</p>
      </section>
    );
    return subscriptionPage(c as C, ui, id, notice);
  });

  routes.post(`${listPath}/:id/delete`, ui.auth, ui.csrfGuard, async (c) => {
    const id = c.req.param("id");
    const form = await c.req.parseBody();
    if (form.confirm !== "yes") return ui.act(c as C, async () => ({ error: "Not deleted: tick the box to confirm the deletion." }), pagePath(id));
    return ui.act(
      c as C,
      async () => {
        if (!(await deleteSubscription(c.env.DB, OPS, id))) return { error: "Not done: No such subscription." };
        return `Subscription ${id} deleted, with its delivery log.`;
      },
      listPath,
    );
  });

  routes.post(`${listPath}/:id/deliveries/:deliveryId/replay`, ui.auth, ui.csrfGuard, (c) => {
    const { id, deliveryId } = c.req.param();
    return ui.act(
      c as C,
      async () => {
        const r = await replay(c.env, OPS, id, deliveryId);
        return r.how === "revived"
          ? `Delivery ${deliveryId} revived: it is sent again with the same webhook-id, and the events that waited behind it follow.`
          : `Delivery ${deliveryId} queued to be sent again with the same webhook-id.`;
      },
      pagePath(id),
    );
  });

  return routes;
}
