// The console's order page, for whoever is on call: where the order is (status, progress, shipments, open
// exceptions, lines), what happened (the event log), and what each command to the ERP and to the
// fulfilment partners went through, attempt by attempt (the delivery log in D1). The order's Durable
// Object is the source of truth for every state shown; D1 only adds the attempts. Raw JSON only for engineers,
// folded away at the bottom.
import type { FC } from "hono/jsx";
import { INTERNAL_EXCEPTIONS, type OrderState } from "../domain/state";
import { DESCRIPTIONS, type MilestoneCode } from "../domain/milestones";
import { router } from "../http/openapi";
import { replayOrder } from "../ops/actions";
import { orderStub } from "../orders";
import { partnerSecrets } from "../partners/registry";
import { log } from "../platform/log";
import { attemptsFor, type CommandAttempts, type DeliveryAttempt, scrub } from "../readmodel/delivery-attempts";
import type { OrderInspection } from "../../durable-objects/order-ops";
import { Action, absoluteTime, act, type C, consoleAuth, csrfGuard, SHORTENED, Shell, shorten, When, words } from "./console-layout";

/** Longest error or answer shown in a table cell; the full text is in the command's attempts. */
/** How much of a reason or answer a row shows; the rest is in its details. */
const SHORT = SHORTENED;

const PAGE_CSS = `
.facts{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;margin:.5rem 0}
.facts div{min-width:8rem}
.steps{display:flex;flex-wrap:wrap;gap:.25rem;padding:0;margin:0;list-style:none}
.steps li{flex:1 1 7rem;border-top:4px solid #d5d9e0;padding:.3rem .25rem 0;color:#5b6473}
.steps li.done{border-top-color:#1a7f37;color:#1d2430}
td details{margin:0 0 .25rem}
tr.cmd td{border-bottom:0}
.key{overflow-wrap:anywhere}
/* On a phone a command's state must not hide behind a scroll: its cells stack; an attempt is one line and its answer.
   No child combinator: the style block's text is HTML-escaped. */
@media (max-width:40rem){
table.stack thead,table.log thead{display:none}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block}
table.stack td{border-bottom:0;padding:.1rem .3rem}
table.stack tr:not(.cmd){border-bottom:1px solid #eef0f3}
table.log td{display:inline-block;border:0;padding:.1rem .4rem .1rem 0}
table.log td:last-child{display:block}
}`;

/** The milestones every order goes through, in order, as the progress line shows them. */
const PROGRESS: { code: MilestoneCode; label: string }[] = [
  { code: "order.released", label: "Released" },
  { code: "fulfillment.acknowledged", label: "Acknowledged by the warehouse" },
  { code: "fulfillment.picked", label: "Picked" },
  { code: "fulfillment.packed", label: "Packed" },
  { code: "shipment.dispatched", label: "Shipped" },
  { code: "shipment.in_transit", label: "In transit" },
  { code: "shipment.out_for_delivery", label: "Out for delivery" },
  { code: "shipment.delivered", label: "Delivered" },
];

/** A peer's answer without the stack frames some error pages carry ("    at fn (file:1:2)"): nobody here can use them. */
function withoutStack(text: string): string {
  return text.replace(/(?:\r?\n[ \t]*at [^\n]*)+/g, " (stack trace left out)");
}

/**
 * An answer in words: a problem+json body (RFC 9457) as its title and detail, any other JSON or text as it
 * is. A body cut short in storage is not valid JSON any more, so title and detail are also found by pattern.
 */
function answerText(body: string): string {
  const pick = (name: string) => body.match(new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`))?.[1]?.replace(/\\(.)/g, "$1");
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(body);
  } catch {}
  const problem = parsed && typeof parsed === "object" ? (parsed as { title?: unknown; detail?: unknown }) : null;
  const title = typeof problem?.title === "string" ? problem.title : pick("title");
  const detail = typeof problem?.detail === "string" ? problem.detail : pick("detail");
  if (title || detail) return [title, detail].filter(Boolean).join(": ");
  return withoutStack(body)
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** An order's failure reason in words: "HTTP 422: {problem}" becomes "422 Rejected by ERP: …". */
function reasonText(reason: string): string {
  const m = reason.match(/^HTTP (\d{3}): ([\s\S]*)$/);
  return m ? `${m[1]} ${answerText(m[2] ?? "")}` : reason;
}

/** A refusal (4xx other than 408/429), or a request the format cannot express; anything else died of the retry window. */
const refused = (reason: string | null) => /^HTTP 4(?!08|29)\d\d\b/.test(reason ?? "") || (reason ?? "").startsWith("cannot be formatted");

const OUTCOME_WORDS: Record<DeliveryAttempt["outcome"], string> = {
  delivered: "Delivered",
  failed: "Failed (will retry)",
  refused: "Refused (permanent)",
};

/** One command's attempts, newest last; collapsed, so the page stays readable with many retries. */
const Attempts: FC<{ group: CommandAttempts | undefined; testid: string }> = ({ group, testid }) => {
  if (!group || group.attempts.length === 0) return <span class="muted">No attempt recorded</span>;
  const n = group.attempts.length + group.older;
  return (
    <details data-testid={testid}>
      <summary>
        {n} {n === 1 ? "attempt" : "attempts"}
      </summary>
      {group.older > 0 && (
        <p class="muted">
          {group.older} older {group.older === 1 ? "attempt" : "attempts"} not shown; the newest {group.attempts.length} below.
        </p>
      )}
      <table class="log">
        <thead>
          <tr>
            <th>When</th>
            <th>HTTP status</th>
            <th>Time taken</th>
            <th>Outcome</th>
            <th>Answer or error</th>
          </tr>
        </thead>
        <tbody>
          {group.attempts.map((a) => {
            const said = a.response ? answerText(a.response) : null;
            const text = [said, a.error && a.error !== `HTTP ${a.status}` ? a.error : null].filter(Boolean).join(" — ");
            return (
              <tr data-testid="attempt">
                <td>
                  <When at={a.at} />
                </td>
                <td>{a.status ?? <span class="muted">no answer</span>}</td>
                <td>{a.latencyMs} ms</td>
                <td class={a.outcome === "delivered" ? "" : "bad"}>{OUTCOME_WORDS[a.outcome]}</td>
                <td>
                  {text ? shorten(text) : "—"}
                  {a.response && (text.length > SHORT || said !== a.response) && (
                    <details>
                      <summary>Full answer</summary>
                      <pre>{withoutStack(a.response)}</pre>
                    </details>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
};

type CommandLike = OrderInspection["commands"][number];

/** Where a command stands, in words: acknowledged, pending (which attempt, when the next), or dead and why. */
const CommandState: FC<{
  k: CommandLike;
  who: string;
  next?: string | null;
  sending?: boolean;
  /** The unacknowledged command ahead of it, if any: only the first goes out (per-order sequence). */
  ahead: CommandLike | undefined;
  scrubbed: (t: string) => string;
}> = ({ k, who, next, sending, ahead, scrubbed }) => {
  const last = k.lastError ? shorten(scrubbed(reasonText(k.lastError))) : null;
  if (k.ackedAt)
    return (
      <span>
        Acknowledged <When at={k.ackedAt} />
      </span>
    );
  if (k.deadAt)
    return (
      <span class="bad">
        {refused(k.lastError) ? `Dead: ${who} refused it` : "Dead: still failing when the retry window closed"}
        {last && ` (${last})`} · <When at={k.deadAt} />
      </span>
    );
  if (ahead?.deadAt) return <span class="bad">Blocked: #{ahead.seq} ahead of it is dead</span>;
  if (ahead) return <span class="muted">Waiting for #{ahead.seq} to go through first</span>;
  if (sending) return <span>Being sent now — attempt {k.attempts}</span>;
  if (k.attempts === 0) return <span>Pending — not tried yet</span>;
  return (
    <span>
      Pending — attempt {k.attempts}
      {next &&
        // Within the few seconds "just now" covers: due, not "in 3 s".
        (Date.parse(next) <= Date.now() + 5_000 ? (
          ", next try due now"
        ) : (
          <>
            , next try <When at={next} />
          </>
        ))}
      {last && <span class="muted"> · last: {last}</span>}
    </span>
  );
};

const place = (l: { city?: string | undefined; country?: string | undefined } | undefined) => (l ? [l.city, l.country].filter(Boolean).join(", ") : "");
const linesText = (lines: { sku: string; quantity: number }[] | undefined) => (lines ?? []).map((l) => `${l.sku} × ${l.quantity}`).join(", ");

const Header: FC<{ c: C; orderId: string; state: OrderState | null; view: OrderInspection }> = ({ c, orderId, state, view }) => {
  const d = state?.details;
  const path = `/ops/console/orders/${encodeURIComponent(orderId)}`;
  return (
    <section class="card">
      <h2 data-testid="order-title">
        Order {orderId}: {words(state?.status ?? "awaiting_release")}
        {state?.statusAt && (
          <span class="muted">
            {" "}
            since <When at={state.statusAt} />
          </span>
        )}
      </h2>
      <div class="facts" data-testid="order-facts">
        <div>
          <span class="muted">Customer</span> {d?.customerId ?? "—"}
        </div>
        <div>
          <span class="muted">Service level</span> {d?.serviceLevel ?? "standard"}
        </div>
        <div>
          <span class="muted">Promised</span> {d?.promisedDate ? absoluteTime(`${d.promisedDate}T00:00:00Z`).replace(/, 00:00 UTC$/, "") : "no date"}
        </div>
        <div>
          <span class="muted">Ship to</span> {place(d?.shipTo) || "—"}
        </div>
        <div>
          <span class="muted">ERP</span> {view.erp.ackedSeq} of {view.erp.lastSeq} commands acknowledged
        </div>
      </div>
      <Action c={c} path={`${path}/replay`} label="Replay order" name="replay-order" />{" "}
      <Action c={c} path={`${path}/tracking/revoke`} label="Revoke tracking links" name="revoke-tracking" />
    </section>
  );
};

const Progress: FC<{ state: OrderState }> = ({ state }) => {
  const first = new Map<string, string>();
  for (const t of state.timeline) if (!first.has(t.code) || t.occurredAt < (first.get(t.code) ?? "")) first.set(t.code, t.occurredAt);
  const reached = PROGRESS.reduce((n, p, i) => (first.has(p.code) ? i : n), -1);
  return (
    <section class="card">
      <h2>Progress</h2>
      {state.cancelled && <p class="bad">Cancelled.</p>}
      <ol class="steps" data-testid="progress">
        {PROGRESS.map((p, i) => (
          <li class={i <= reached ? "done" : ""} {...(i === reached ? { "aria-current": "step" } : {})}>
            {p.label}
            <br />
            {first.has(p.code) ? <When at={first.get(p.code)} /> : <span class="muted">{i <= reached ? "not reported" : "not yet"}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
};

const Shipments: FC<{ state: OrderState }> = ({ state }) => (
  <section class="card">
    <h2>Shipments ({state.shipments.length})</h2>
    {state.shipments.length === 0 ? (
      <p class="muted">Nothing shipped yet.</p>
    ) : (
      <table data-testid="shipments">
        <thead>
          <tr>
            <th>Parcel</th>
            <th>Carrier</th>
            <th>Tracking number</th>
            <th>Status</th>
            <th>Last event</th>
            <th>Expected</th>
          </tr>
        </thead>
        <tbody>
          {state.shipments.map((s) => (
            <tr>
              <td>{s.shipmentId}</td>
              <td>{s.carrier ?? "—"}</td>
              <td>{s.trackingNumber ?? "—"}</td>
              <td>{words(s.status)}</td>
              <td>
                {s.lastEvent ? (
                  <>
                    {DESCRIPTIONS[s.lastEvent.code]} <When at={s.lastEvent.occurredAt} />
                    {s.lastEvent.location && <span class="muted"> · {place(s.lastEvent.location)}</span>}
                  </>
                ) : (
                  "—"
                )}
              </td>
              <td>
                <When at={s.eta} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

const Exceptions: FC<{ state: OrderState }> = ({ state }) => {
  const open = state.exceptions.filter((e) => e.open);
  const groups = [
    { title: "Seen by the customer", testid: "exceptions-customer", items: open.filter((e) => !INTERNAL_EXCEPTIONS.has(e.kind)) },
    { title: "For ops only", testid: "exceptions-ops", items: open.filter((e) => INTERNAL_EXCEPTIONS.has(e.kind)) },
  ];
  return (
    <section class="card">
      <h2>Open exceptions ({open.length})</h2>
      {open.length === 0 && <p class="muted">None open.</p>}
      {groups
        .filter((g) => g.items.length > 0)
        .map((g) => (
          <>
            <h3>{g.title}</h3>
            <ul data-testid={g.testid}>
              {g.items.map((e) => (
                <li class="bad">
                  {words(e.kind)}
                  {e.reason && ` (${words(e.reason).toLowerCase()})`}
                  {e.shipmentId && ` on parcel ${e.shipmentId}`}: {e.description} · <When at={e.occurredAt} />
                </li>
              ))}
            </ul>
          </>
        ))}
    </section>
  );
};

const Lines: FC<{ state: OrderState }> = ({ state }) => {
  const ordered = state.details?.lines ?? [];
  if (ordered.length === 0) return null;
  const reported = state.shipments.some((s) => s.lines);
  const shipped = new Map<string, number>();
  for (const s of state.shipments) for (const l of s.lines ?? []) shipped.set(l.sku, (shipped.get(l.sku) ?? 0) + l.quantity);
  return (
    <section class="card">
      <h2>Lines</h2>
      <table data-testid="lines">
        <thead>
          <tr>
            <th>SKU</th>
            <th>Ordered</th>
            <th>Shipped</th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((l) => (
            <tr>
              <td>{l.sku}</td>
              <td>{l.quantity}</td>
              <td>{reported ? (shipped.get(l.sku) ?? 0) : <span class="muted">not reported</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};

async function orderPage(c: C) {
  const orderId = (c.req.query("orderId") ?? "").trim();
  const view = orderId ? await orderStub(c.env, orderId).inspect() : null;
  if (!view || view.orderId === null)
    return c.html(
      <Shell c={c} title="Order not found">
        <section class="card" data-testid="not-found">
          <h2>Order not found</h2>
          <p>{orderId ? `No order ${orderId} has any events: check the id, or the order has not been released yet.` : "Give an order id to open."}</p>
        </section>
      </Shell>,
      404,
    );
  // The log is for people: an unreadable one leaves the rest of the page, whose states come from the order.
  const attempts = await attemptsFor(c.env.DB, orderId).catch((err: unknown) => {
    log.warn("reading the delivery log failed", { orderId, error: err instanceof Error ? err.name : "unknown" });
    return null;
  });
  const groupOf = (destination: string, seq: number) => attempts?.find((g) => g.destination === destination && g.seq === seq);
  const secrets = [c.env.ERP_TOKEN, ...[...new Set(view.deliveries.map((d) => d.partner))].flatMap((p) => partnerSecrets(c.env, p))];
  const scrubbed = (t: string) => scrub(t, secrets);
  const { state } = view;
  const head = view.commands.find((k) => !k.ackedAt);
  const bySubscription = new Map<string, { total: number; delivered: number; dead: number }>();
  for (const d of view.subscriptionDeliveries) {
    const s = bySubscription.get(d.subscriptionId) ?? { total: 0, delivered: 0, dead: 0 };
    bySubscription.set(d.subscriptionId, { total: s.total + 1, delivered: s.delivered + (d.ackedAt ? 1 : 0), dead: s.dead + (d.deadAt ? 1 : 0) });
  }
  return c.html(
    <Shell c={c} title={`Order ${orderId}`} live>
      <style nonce={c.get("secureHeadersNonce") ?? ""}>{PAGE_CSS}</style>
      <Header c={c} orderId={orderId} state={state} view={view} />
      {state && <Progress state={state} />}
      {state && <Shipments state={state} />}
      {state && <Exceptions state={state} />}
      {state && <Lines state={state} />}
      <section class="card">
        <h2>ERP commands ({view.commands.length})</h2>
        {attempts === null && <p class="bad">The delivery log could not be read; states below are the order's own.</p>}
        {view.commands.length === 0 ? (
          <p class="muted">No command for the ERP yet.</p>
        ) : (
          <table class="stack" data-testid="commands">
            <thead>
              <tr>
                <th>#</th>
                <th>Command</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {view.commands.map((k) => (
                <>
                  <tr class="cmd" data-testid={`command-${k.seq}`}>
                    <td>#{k.seq}</td>
                    <td>
                      {words(k.type.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase())}
                      <br />
                      <span class="muted key">{k.key}</span>
                    </td>
                    <td>
                      <CommandState
                        k={k}
                        who="the ERP"
                        next={head?.seq === k.seq ? view.erp.nextAttemptAt : null}
                        sending={view.erp.lease?.seq === k.seq}
                        ahead={head && head.seq < k.seq ? head : undefined}
                        scrubbed={scrubbed}
                      />
                    </td>
                  </tr>
                  <tr>
                    <td />
                    <td colspan={2}>
                      <Attempts group={groupOf("erp", k.seq)} testid={`attempts-erp-${k.seq}`} />
                    </td>
                  </tr>
                </>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h2>Fulfillment requests ({view.deliveries.length})</h2>
        {view.unroutable.length > 0 && (
          <p class="bad" data-testid="unroutable">
            No route matches: {linesText(view.unroutable)}
          </p>
        )}
        {view.deliveries.length === 0 ? (
          <p class="muted">No request to a fulfilment partner.</p>
        ) : (
          <table class="stack" data-testid="fulfillment-requests">
            <thead>
              <tr>
                <th>Partner</th>
                <th>Request</th>
                <th>Lines</th>
                <th>Delivery</th>
                <th>Partner's acknowledgement</th>
              </tr>
            </thead>
            <tbody>
              {view.deliveries.map((d) => {
                const ahead = view.deliveries.find((x) => x.destination === d.destination && !x.ackedAt && x.seq < d.seq);
                return (
                  <>
                    <tr class="cmd">
                      <td>{d.partner}</td>
                      <td>
                        {d.type === "fulfillment.requested" ? "Fulfil" : "Cancel"}
                        <br />
                        <span class="muted key">{String((d.payload as { requestId?: string }).requestId ?? d.key)}</span>
                      </td>
                      <td>{linesText((d.payload as { lines?: { sku: string; quantity: number }[] }).lines)}</td>
                      <td>
                        <CommandState k={d} who={d.partner} ahead={ahead} scrubbed={scrubbed} />
                      </td>
                      <td>
                        {d.type !== "fulfillment.requested" ? (
                          "—"
                        ) : d.acknowledgedAt ? (
                          <span>
                            Acknowledged by the partner <When at={d.acknowledgedAt} />
                          </span>
                        ) : (
                          <span class="muted">Not acknowledged by the partner yet</span>
                        )}
                      </td>
                    </tr>
                    <tr>
                      <td />
                      <td colspan={4}>
                        <Attempts group={groupOf(d.destination, d.seq)} testid={`attempts-${d.destination}-${d.seq}`} />
                      </td>
                    </tr>
                  </>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h2>Subscription deliveries</h2>
        {bySubscription.size === 0 ? (
          <p class="muted">No event of this order went to a subscription.</p>
        ) : (
          <ul data-testid="subscription-deliveries">
            {[...bySubscription].map(([id, s]) => (
              <li>
                <a href={`/ops/console/subscriptions/${encodeURIComponent(id)}`}>{id}</a>: {s.total} {s.total === 1 ? "event" : "events"}, {s.delivered}{" "}
                delivered
                {s.dead > 0 && <span class="bad">, {s.dead} dead</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card">
        <h2>Event log ({view.events.length}, in arrival order)</h2>
        <table data-testid="events">
          <thead>
            <tr>
              <th>#</th>
              <th>What</th>
              <th>Happened</th>
              <th>Received</th>
              <th>Source</th>
              <th>Ids</th>
            </tr>
          </thead>
          <tbody>
            {view.events.map((e) => (
              <tr>
                <td>{e.arrival}</td>
                <td>
                  {DESCRIPTIONS[e.code] ?? words(e.code)}
                  {e.reason && ` (${words(e.reason).toLowerCase()})`} <span class="muted">{e.code}</span>
                  {e.description && e.description !== DESCRIPTIONS[e.code] && <div class="muted">{e.description}</div>}
                </td>
                <td>
                  <When at={e.occurredAt} />
                </td>
                <td>
                  <When at={e.receivedAt} />
                </td>
                <td>{e.source}</td>
                <td class="muted">
                  event {e.eventId}
                  <br />
                  correlation {e.correlationId}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <details class="card" data-testid="raw">
        <summary>Raw state (for engineers)</summary>
        <h3>State</h3>
        <pre>{JSON.stringify(state, null, 2)}</pre>
        <h3>ERP cursor</h3>
        <pre>{JSON.stringify(view.erp, null, 2)}</pre>
        <h3>Outbox ({view.outbox.length})</h3>
        <pre>{JSON.stringify(view.outbox, null, 2)}</pre>
      </details>
    </Shell>,
  );
}

export const orderConsole = router();
orderConsole.get("/ops/console/orders", consoleAuth, (c) => orderPage(c as C));
orderConsole.post("/ops/console/orders/:orderId/replay", consoleAuth, csrfGuard, (c) => {
  const orderId = c.req.param("orderId");
  return act(
    c as C,
    async () => {
      const r = await replayOrder(c.env, orderId, c.get("correlationId"));
      return `Replayed ${r.orderId}${r.erpNudged ? `; re-sent ERP command ${r.erpNudged}` : ""}.`;
    },
    `/ops/console/orders?orderId=${encodeURIComponent(orderId)}`,
  );
});
