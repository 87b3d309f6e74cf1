// GET /ops — the ops console: health at a glance, destinations, stuck orders, fulfillment requests waiting
// on a partner's acknowledgement, dead letters, quarantine, order search with the full log, the repairs
// (reconcile, replay) as forms, and event subscriptions (./console-subscriptions.tsx). Same authentication
// as the ops API (Access JWT or OPS_TOKEN; a browser signs in once and gets a session cookie); every form
// carries a CSRF token and state-changing requests must come from our own origin.
import { deleteCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import type { FC } from "hono/jsx";
import type { DestinationStatus } from "../../durable-objects/destination";
import { htmlSecurity, Page } from "../http/html";
import { router } from "../http/openapi";
import { destinationStatuses } from "../ops/destinations";
import { reconcile } from "../ops/reconcile";
import { partners } from "../partners/registry";
import { hasToken } from "../platform/auth";
import { newSession, SESSION_COOKIE } from "../platform/console-session";
import { metricSummary } from "../platform/metrics";
import { erpBacklog, listDeadLetters, openCounts } from "../readmodel/ops-queries";
import { listQuarantine } from "../readmodel/quarantine";
import { type StuckOrder, stuckOrders, type UnacknowledgedRequest } from "../readmodel/stuck";
import { subscriptionCounts } from "../subscriptions/console-queries";
import { auditConsole } from "./console-audit";
import { chartsConsole } from "./console-charts";
import { eventsConsole } from "./console-events";
import { orderConsole } from "./console-order";
import { BulkReplayForm, DeadLetterTable, queueConsole } from "./console-queues";
import { subscriptionConsole } from "./console-subscriptions";
import { trackingConsole } from "./console-tracking";
import { Action, act, type C, CSS, consoleAuth, csrfGuard, duration, sentence, Shell, shorten, Tile, When, words } from "./console-layout";

/** A destination's mode in words: "Open", or "Paused since 13 min ago, next probe in 20 s". */
const Mode: FC<{ d: DestinationStatus }> = ({ d }) =>
  d.mode === "open" ? (
    <>Open</>
  ) : (
    <>
      Paused since <When at={d.pausedSince} />
      {d.nextProbeAt && (
        <>
          , next probe <When at={d.nextProbeAt} />
        </>
      )}
    </>
  );

/** A tile whose label opens the page behind its figure (same look as Tile). */
const LinkTile: FC<{ label: string; href: string; value: number; testid: string }> = ({ label, href, value, testid }) => (
  <div class={`tile ${value > 0 ? "bad" : "ok"}`} data-testid={testid}>
    <a class="muted" href={href}>
      {label}
    </a>
    <b>{value}</b>
  </div>
);

/** The overview shows the newest few of each list; the list pages have the rest. */
const NEWEST = 10;

/** Each stuck reason in words (the code stays beside it, as GET /ops/stuck names it). */
const STUCK_LABELS: Record<StuckOrder["reason"], string> = {
  released_not_acknowledged: "Released, not acknowledged",
  dispatched_without_scan: "Dispatched, no carrier scan",
  out_for_delivery_too_long: "Out for delivery too long",
  open_exception: "Open exception",
  needs_review: "Needs review",
  fulfillment_not_acknowledged: "Fulfillment not acknowledged",
  sla_breached: "SLA breached",
};

async function overview(c: C) {
  const env = c.env;
  const ids = [...partners(env.PARTNERS).keys()];
  const [erp, open, destinations, stuck, dead, quarantined, subs, projection, ...perPartner] = await Promise.all([
    erpBacklog(env.DB),
    openCounts(env.DB),
    destinationStatuses(env),
    stuckOrders(
      env.DB,
      {
        releasedHours: Number(env.STUCK_RELEASED_HOURS ?? 4),
        dispatchedHours: Number(env.STUCK_DISPATCHED_HOURS ?? 24),
        outForDeliveryHours: Number(env.STUCK_OUT_FOR_DELIVERY_HOURS ?? 24),
        unacknowledgedHours: Number(env.STUCK_UNACKNOWLEDGED_HOURS ?? 4),
      },
      Date.now(),
      25,
    ),
    listDeadLetters(env.DB, { status: "open", limit: NEWEST }),
    listQuarantine(env.DB, { status: "open", limit: NEWEST }),
    subscriptionCounts(env.DB, new Date(Date.now() - 24 * 3_600_000).toISOString()),
    metricSummary(env, "projection"),
    ...ids.map((id) => metricSummary(env, `partner:${id}`)),
  ]);
  const lag = projection.find((w) => w.minutes === 15)?.latency.p99Ms;
  const unackHours = Number(env.STUCK_UNACKNOWLEDGED_HOURS ?? 4);
  const unacked = stuck.items.filter((s): s is UnacknowledgedRequest => s.reason === "fulfillment_not_acknowledged");
  const stuckOrdersOnly = stuck.items.filter((s) => s.reason !== "fulfillment_not_acknowledged");
  const unackedTotal = stuck.unacknowledgedByPartner.reduce((n, p) => n + p.count, 0);
  return c.html(
    <Shell c={c} title="Overview" live>
      <section class="grid" data-testid="health">
        {destinations.map((d) => (
          <Tile
            label={d.destination === "erp" ? "ERP gate" : `${d.destination.replace(/^fulfillment:/, "")} gate`}
            value={d.mode === "open" ? "Open" : "Paused"}
            bad={d.mode === "paused"}
            testid={`gate-${d.destination}`}
          />
        ))}
        <Tile
          label="ERP pending commands"
          value={erp.pendingCommands}
          bad={erp.pendingCommands > 0 && (erp.oldestPendingAgeSeconds ?? 0) > 600}
          testid="erp-pending"
        />
        <Tile
          label="Oldest pending"
          value={erp.oldestPendingAgeSeconds === null ? "—" : duration(erp.oldestPendingAgeSeconds)}
          bad={(erp.oldestPendingAgeSeconds ?? 0) > 600}
        />
        <Tile label="Orders blocked by a dead letter" value={erp.ordersBlockedByDeadLetter} bad={erp.ordersBlockedByDeadLetter > 0} />
        <LinkTile label="Dead letters" href="/ops/console/dead-letters" value={open.deadLetters} testid="dead-letters-count" />
        <LinkTile label="Quarantined" href="/ops/console/quarantine" value={open.quarantine} testid="quarantine-count" />
        <LinkTile label="Correlation conflicts" href="/ops/console/conflicts" value={open.correlationConflicts} testid="conflicts-count" />
        <Tile label={`Unacknowledged by a 3PL > ${unackHours} h`} value={unackedTotal} bad={unackedTotal > 0} testid="unacknowledged-count" />
        <Tile label="Projection lag p99, 15 min (ms)" value={lag ?? "—"} bad={(lag ?? 0) > 5000} />
      </section>
      <p class="card" data-testid="subscriptions-summary">
        <a href="/ops/console/subscriptions">Subscriptions</a>: {subs.active} active
        {subs.failing > 0 && <span class="bad"> ({subs.failing} failing)</span>},{" "}
        <span class={subs.disabled > 0 ? "bad" : undefined} data-testid="subscriptions-disabled">
          {subs.disabled} disabled
        </span>
        ; deliveries in the last 24 h: {subs.pending} pending,{" "}
        <span class={subs.dead > 0 ? "bad" : undefined} data-testid="subscriptions-dead">
          {subs.dead} dead
        </span>
      </p>
      <section class="card" data-testid="destinations">
        <h2>Destinations</h2>
        <table>
          <thead>
            <tr>
              <th>destination</th>
              <th>mode</th>
              <th>in flight / cap</th>
              <th>waiting orders</th>
              <th>oldest waiting since</th>
              <th>failures in a row</th>
            </tr>
          </thead>
          <tbody>
            {destinations.map((d) => (
              <tr data-testid={`destination-${d.destination}`}>
                <td>{d.destination}</td>
                <td class={d.mode === "paused" ? "bad" : undefined}>
                  <Mode d={d} />
                </td>
                <td>
                  {d.inFlight} / {d.concurrency}
                  {d.turnsOut > 0 && <span class="muted"> (+{d.turnsOut} held for woken orders)</span>}
                </td>
                <td>{d.waiting}</td>
                <td>
                  <When at={d.oldestWaitingSince} />
                </td>
                <td>{d.consecutiveFailures}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">
          Paused: it failed several times in a row; one probe at a time tests it, and when it answers the waiting orders resume on their own, oldest first.
        </p>
      </section>
      <section class="card">
        <h2>Partners, last 15 minutes</h2>
        <table>
          <thead>
            <tr>
              <th>partner</th>
              <th>accepted</th>
              <th>duplicate</th>
              <th>parked</th>
              <th>quarantined</th>
              <th>rejected</th>
              <th>p99 ack (ms)</th>
            </tr>
          </thead>
          <tbody>
            {ids.map((id, i) => {
              const w = perPartner[i]?.find((x) => x.minutes === 15);
              const n = (k: string) => w?.counts[k] ?? 0;
              return (
                <tr>
                  <td>
                    <a href={`/ops/console/events?partner=${encodeURIComponent(id)}`}>{id}</a>
                  </td>
                  <td>{n("accepted")}</td>
                  <td>{n("duplicate")}</td>
                  <td>{n("parked")}</td>
                  <td>{n("quarantined")}</td>
                  <td>{n("rejected")}</td>
                  <td>{w?.latency.p99Ms ?? "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Repairs</h2>
        <p class="muted">Reconcile compares each order's Durable Object with D1 and the ERP cursor and repairs drift (safe to repeat).</p>
        <Action c={c} path="/ops/console/reconcile" label="Reconcile now" name="reconcile" />
      </section>
      <section class="card" data-testid="stuck">
        <h2>Stuck orders ({stuckOrdersOnly.length})</h2>
        <table>
          <tbody>
            {stuckOrdersOnly.map((s) => (
              <tr>
                <td>
                  <a href={`/ops/console/orders?orderId=${encodeURIComponent(s.orderId)}`}>{s.orderId}</a>
                </td>
                <td>
                  {STUCK_LABELS[s.reason] ?? words(s.reason)} <span class="muted">{s.reason}</span>
                </td>
                <td>
                  <When at={s.since} />
                </td>
                <td>{s.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card" data-testid="unacknowledged">
        <h2>
          Fulfillment requests not acknowledged within {unackHours} h ({unackedTotal})
        </h2>
        {stuck.unacknowledgedByPartner.length === 0 ? (
          <p class="muted">Every request sent to a 3PL or warehouse was acknowledged (or cancelled) in time.</p>
        ) : (
          <>
            <table>
              <thead>
                <tr>
                  <th>partner</th>
                  <th>waiting requests</th>
                  <th>oldest requested</th>
                  <th>oldest age (h)</th>
                </tr>
              </thead>
              <tbody>
                {stuck.unacknowledgedByPartner.map((p) => (
                  <tr data-testid={`unacknowledged-${p.partner}`}>
                    <td>{p.partner}</td>
                    <td class="bad">{p.count}</td>
                    <td>
                      <When at={p.oldestRequestedAt} />
                    </td>
                    <td>{p.oldestAgeHours}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <thead>
                <tr>
                  <th>partner</th>
                  <th>order</th>
                  <th>request</th>
                  <th>lines</th>
                  <th>requested</th>
                  <th>age (h)</th>
                </tr>
              </thead>
              <tbody>
                {unacked.map((r) => (
                  <tr>
                    <td>{r.partner}</td>
                    <td>
                      <a href={`/ops/console/orders?orderId=${encodeURIComponent(r.orderId)}`}>{r.orderId}</a>
                    </td>
                    <td class="muted">{r.requestId}</td>
                    <td>{r.lines.map((l) => `${l.quantity} × ${l.sku}`).join(", ")}</td>
                    <td>
                      <When at={r.requestedAt} />
                    </td>
                    <td>{r.ageHours}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {unacked.length < unackedTotal && <p class="muted">The {unacked.length} oldest shown; GET /ops/stuck lists up to 200.</p>}
          </>
        )}
      </section>
      <section class="card" data-testid="dead-letters">
        <h2>
          Dead letters ({open.deadLetters} open{open.deadLetters > dead.length ? `, the ${dead.length} newest shown` : ""})
        </h2>
        <BulkReplayForm c={c} to="/ops" />
        <DeadLetterTable c={c} items={dead} to="/ops" selectable />
        <a href="/ops/console/dead-letters">All dead letters →</a>
      </section>
      <section class="card" data-testid="quarantine">
        <h2>
          Quarantine ({open.quarantine} open{open.quarantine > quarantined.length ? `, the ${quarantined.length} newest shown` : ""})
        </h2>
        <table>
          <tbody>
            {quarantined.map((q) => (
              <tr>
                <td>{q.partnerId}</td>
                <td>
                  <When at={q.receivedAt} />
                </td>
                <td>
                  <a href={`/ops/console/quarantine/${encodeURIComponent(q.id)}`}>{shorten(sentence(q.reason))}</a>
                </td>
                <td>
                  <Action
                    c={c}
                    path={`/ops/console/quarantine/${encodeURIComponent(q.id)}/replay?to=%2Fops`}
                    label="Replay"
                    name={`replay-quarantine-${q.id}`}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <a href="/ops/console/quarantine">All quarantined payloads, with discard and resolve →</a>
      </section>
    </Shell>,
  );
}

const LoginPage: FC<{ nonce: string; failed: boolean }> = ({ nonce, failed }) => (
  <Page title="Sign in · dockline ops" nonce={nonce} css={CSS}>
    <main>
      <section class="card">
        <h2>dockline ops</h2>
        {failed && <p class="flash">That token is not valid.</p>}
        <form method="post" action="/ops/login">
          <label>
            Ops token <input type="password" name="token" autocomplete="current-password" required />
          </label>{" "}
          <button type="submit">Sign in</button>
        </form>
        <p class="muted">Behind Cloudflare Access you are signed in already.</p>
      </section>
    </main>
  </Page>
);

export const consoleRoutes = router();
consoleRoutes.use("/ops", htmlSecurity("'self'", { script: true, connect: true }));
consoleRoutes.use("/ops/login", htmlSecurity("'self'"));
consoleRoutes.use("/ops/console/*", htmlSecurity("'self'", { script: true, connect: true }));
// Origin check for every state-changing console request (hono/csrf), before anything else runs.
consoleRoutes.use("/ops/login", csrf());
consoleRoutes.use("/ops/logout", csrf());
consoleRoutes.use("/ops/console/*", csrf());

consoleRoutes.get("/ops/login", (c) => c.html(<LoginPage nonce={c.get("secureHeadersNonce") ?? ""} failed={c.req.query("failed") === "1"} />));
consoleRoutes.post("/ops/login", async (c) => {
  const form = await c.req.parseBody();
  const token = typeof form.token === "string" ? form.token : "";
  if (!hasToken(`Bearer ${token}`, c.env.OPS_TOKEN)) return c.redirect("/ops/login?failed=1", 303);
  const session = await newSession(c.env.OPS_TOKEN);
  setCookie(c, SESSION_COOKIE, session.value, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/ops",
    maxAge: session.maxAge,
    secure: new URL(c.req.url).protocol === "https:",
  });
  return c.redirect("/ops", 303);
});

consoleRoutes.post("/ops/logout", consoleAuth, csrfGuard, (c) => {
  deleteCookie(c, SESSION_COOKIE, { path: "/ops" });
  return c.redirect("/ops/login", 303);
});
consoleRoutes.get("/ops", consoleAuth, (c) => overview(c as C));
consoleRoutes.post("/ops/console/reconcile", consoleAuth, csrfGuard, (c) =>
  act(c as C, async () => {
    const r = await reconcile(c.env, {
      limit: Number(c.env.RECONCILE_BATCH) || 200,
      stallSeconds: (Number(c.env.ERP_RETRY_MAX_SECONDS) || 300) + 60,
      graceSeconds: 60,
      correlationId: c.get("correlationId"),
    });
    const which = r.orders.map((o) => `${o.orderId}: ${o.issues.join(", ")}`).join("; ");
    return `Reconciled ${r.checked} orders: ${r.drifted} drifted${r.drifted ? ` (${which})` : ""}${r.nextCursor ? "; more remain, run again" : ""}.`;
  }),
);
// Last: the pages are handed this file's middleware and layout, defined above.
consoleRoutes.route("/", subscriptionConsole({ auth: consoleAuth, csrfGuard, Shell, Action, act }));
consoleRoutes.route("/", orderConsole);
consoleRoutes.route("/", eventsConsole);
consoleRoutes.route("/", chartsConsole);
consoleRoutes.route("/", queueConsole);
consoleRoutes.route("/", auditConsole);
consoleRoutes.route("/", trackingConsole);
