// The console's lists with actions: quarantined payloads (replay, discard, resolve; one or a ticked few, after
// a confirmation), correlation conflicts (resolve with a note), ERP dead letters (replay one, or all matching
// after a confirmation). Every action goes through ../ops/actions, as the API's do, and records who acted.
import type { FC } from "hono/jsx";
import { router } from "../http/openapi";
import {
  BULK_REPLAY_MAX,
  type BulkReplayFilter,
  BulkReplayRequest,
  bulkQuarantine,
  closeQuarantine,
  matchingDeadLetters,
  QUARANTINE_BULK_MAX,
  type QuarantineBulk,
  replayDeadLetter,
  replayDeadLetters,
  replayQuarantined,
  resolveConflict,
} from "../ops/actions";
import { partners } from "../partners/registry";
import { listConflicts, listDeadLetters } from "../readmodel/ops-queries";
import { getQuarantined, listQuarantine, QUARANTINE_STATUSES, type QuarantineEntry, type QuarantineStatus } from "../readmodel/quarantine";
import { Action, absoluteTime, act, actorOf, back, type C, consoleAuth, csrfGuard, Shell, sentence, shorten, When, words } from "./console-layout";

const PAGE = 50;
type Form = Record<string, string | File | (string | File)[]>;

/** A form field's non-empty strings, whether it came once or several times. */
const strings = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string" && x !== "");

/**
 * A dead letter's reason as people read it: an ERP's JSON error body ("HTTP 422: {…}") becomes its
 * message (detail, message, title or error, the first there is); anything else is the text itself.
 */
export function readableReason(reason: string): string {
  const m = /^(HTTP \d{3}): (\{[\s\S]*\})\s*$/.exec(reason);
  if (!m) return reason;
  try {
    const body = JSON.parse(m[2] as string) as Record<string, unknown>;
    const said = [body.detail, body.message, body.title, body.error].find((v): v is string => typeof v === "string" && v.trim() !== "");
    return said ? `${m[1]}: ${said}` : reason;
  } catch {
    return reason;
  }
}

/** A reason in a list: the short form, and the full text behind "full text" when it says more. */
export const Reason: FC<{ text: string; max?: number }> = ({ text, max }) => {
  const short = shorten(text, max);
  return short === text ? (
    <span>{text}</span>
  ) : (
    <details>
      <summary>{short}</summary>
      <pre>{text}</pre>
    </details>
  );
};

/** Where an action comes back to: a console path given by the form, else `fallback` (never another site). */
function backTo(c: C, fallback: string, form?: Form): string {
  const to = (form ? strings(form.to)[0] : undefined) ?? c.req.query("to");
  return to && /^\/ops(\/[\w/-]*)?(\?[^\s\\]*)?$/.test(to) && !to.startsWith("//") ? to : fallback;
}

/** This page's own address, for actions to come back to. */
const here = (c: C) => {
  const u = new URL(c.req.url);
  u.searchParams.delete("msg");
  u.searchParams.delete("level");
  return `${u.pathname}${u.search}`;
};

const QUARANTINE_WORDS: Record<QuarantineStatus, string> = {
  open: "Open",
  replayed: "Replayed",
  discarded: "Discarded (will not be processed)",
  resolved: "Resolved (handled outside dockline)",
};

const StatusCell: FC<{ q: QuarantineEntry }> = ({ q }) => (
  <span>
    {QUARANTINE_WORDS[q.status] ?? words(q.status)}
    {q.status === "replayed" && (
      <span class="muted">
        {" "}
        <When at={q.replayedAt} />
      </span>
    )}
    {q.closedAt && (
      <span class="muted">
        {" "}
        by {q.closedBy} <When at={q.closedAt} />
      </span>
    )}
  </span>
);

/** The filter form of a list: GET, so a filtered list is a link. */
const Filters: FC<{ action: string; children: unknown }> = ({ action, children }) => (
  <form method="get" action={action} class="card" data-testid="filters">
    {children} <button type="submit">Show</button>
  </form>
);

async function quarantinePage(c: C) {
  const status = (QUARANTINE_STATUSES as readonly string[]).includes(c.req.query("status") ?? "") ? (c.req.query("status") as QuarantineStatus) : "open";
  const partnerId = c.req.query("partner") || undefined;
  const before = c.req.query("before") || undefined;
  const items = await listQuarantine(c.env.DB, { status, ...(partnerId ? { partnerId } : {}), ...(before ? { before } : {}), limit: PAGE });
  const ids = [...partners(c.env.PARTNERS).keys()];
  const last = items.at(-1);
  const older =
    items.length === PAGE && last
      ? `/ops/console/quarantine?${new URLSearchParams({ status, ...(partnerId ? { partner: partnerId } : {}), before: last.receivedAt })}`
      : null;
  const to = here(c);
  return c.html(
    <Shell c={c} title="Quarantine" live>
      <h2>Quarantine</h2>
      <p class="muted">
        Authentic partner payloads dockline could not process. Replay one after its mapping is fixed; discard it when it should never be processed; mark it
        resolved when it was handled outside dockline. Nothing is deleted.
      </p>
      <Filters action="/ops/console/quarantine">
        <label>
          Status{" "}
          <select name="status">
            {QUARANTINE_STATUSES.map((s) => (
              <option value={s} selected={s === status}>
                {s}
              </option>
            ))}
          </select>
        </label>{" "}
        <label>
          Partner{" "}
          <select name="partner">
            <option value="">any</option>
            {ids.map((id) => (
              <option value={id} selected={id === partnerId}>
                {id}
              </option>
            ))}
          </select>
        </label>
      </Filters>
      <section class="card" data-testid="quarantine-list">
        {status === "open" && (
          <form method="post" action="/ops/console/quarantine/bulk" id="bulk">
            <input type="hidden" name="csrf" value={c.get("csrf")} />
            <input type="hidden" name="to" value={to} />
            <label>
              Note <input name="note" maxlength={1000} placeholder="optional, kept with discarded or resolved payloads" size={40} />
            </label>{" "}
            <button type="submit" name="action" value="replay" data-testid="bulk-quarantine-replay">
              Replay selected…
            </button>{" "}
            <button type="submit" name="action" value="discard" data-testid="bulk-quarantine-discard">
              Discard selected…
            </button>{" "}
            <button type="submit" name="action" value="resolve" data-testid="bulk-quarantine-resolve">
              Resolve selected…
            </button>{" "}
            <span class="muted">At most {QUARANTINE_BULK_MAX} at once. You confirm on the next page.</span>
          </form>
        )}
        {items.length === 0 ? (
          <p class="muted">
            No {status} payloads{partnerId ? ` from ${partnerId}` : ""}.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                {status === "open" && <th>select</th>}
                <th>partner</th>
                <th>received</th>
                <th>reason</th>
                <th>status</th>
                <th>actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((q) => (
                <tr data-testid={`quarantine-row-${q.id}`}>
                  {status === "open" && (
                    <td>
                      <input
                        type="checkbox"
                        name="ids"
                        value={q.id}
                        form="bulk"
                        aria-label={`Select the payload from ${q.partnerId} received ${absoluteTime(q.receivedAt)}`}
                      />
                    </td>
                  )}
                  <td>{q.partnerId}</td>
                  <td>
                    <When at={q.receivedAt} />
                  </td>
                  <td>
                    <a href={`/ops/console/quarantine/${encodeURIComponent(q.id)}`}>{shorten(sentence(q.reason))}</a>
                  </td>
                  <td>
                    <StatusCell q={q} />
                  </td>
                  <td>{q.status === "open" && <RowActions c={c} id={q.id} to={to} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {older && <a href={older}>Older payloads →</a>}
      </section>
    </Shell>,
  );
}

const RowActions: FC<{ c: C; id: string; to: string }> = ({ c, id, to }) => {
  const path = (verb: string) => `/ops/console/quarantine/${encodeURIComponent(id)}/${verb}?to=${encodeURIComponent(to)}`;
  return (
    <>
      <Action c={c} path={path("replay")} label="Replay" name={`replay-quarantine-${id}`} />{" "}
      <Action c={c} path={path("discard")} label="Discard" name={`discard-quarantine-${id}`} />{" "}
      <Action c={c} path={path("resolve")} label="Resolve" name={`resolve-quarantine-${id}`} />
    </>
  );
};

/** The payload as it came: pretty JSON when it is JSON, else the text (escaped by JSX either way). */
function payloadText(raw: Uint8Array): string {
  const text = new TextDecoder().decode(raw);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** What a replay did, in a line: how many events went where. */
function replayed(result: unknown): string {
  const r = result as { results?: { outcome?: string }[]; ignored?: string } | null;
  if (r?.ignored) return `nothing to route (${r.ignored})`;
  const outcomes = (r?.results ?? []).map((x) => x.outcome ?? "?");
  if (!outcomes.length) return "no events";
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return `${outcomes.length} event${outcomes.length === 1 ? "" : "s"}: ${[...counts].map(([o, n]) => `${n} ${o}`).join(", ")}`;
}

async function quarantineDetail(c: C, id: string) {
  const found = await getQuarantined(c.env.DB, id);
  if (!found)
    return c.html(
      <Shell c={c} title="Not found">
        <p>No quarantined payload {id}.</p>
        <a href="/ops/console/quarantine">All quarantined payloads</a>
      </Shell>,
      404,
    );
  const q = found.entry;
  const to = `/ops/console/quarantine/${encodeURIComponent(q.id)}`;
  return c.html(
    <Shell c={c} title={`Quarantined payload from ${q.partnerId}`}>
      <p>
        <a href="/ops/console/quarantine">← All quarantined payloads</a>
      </p>
      <section class="card" data-testid="quarantine-detail">
        <h2>
          Payload from {q.partnerId}: <StatusCell q={q} />
        </h2>
        <p data-testid="quarantine-reason">{sentence(q.reason)}</p>
        <ol data-testid="quarantine-history">
          <li>
            Received <When at={q.receivedAt} /> <span class="muted">correlation id {q.correlationId}</span>
          </li>
          {q.replayedAt && (
            <li>
              Replayed <When at={q.replayedAt} />: {replayed(q.replayResult)}
            </li>
          )}
          {q.closedAt && (
            <li>
              {q.status === "discarded" ? "Discarded" : "Resolved"} by {q.closedBy} <When at={q.closedAt} />
              {q.closeNote ? `: ${q.closeNote}` : " (no note)"}
            </li>
          )}
        </ol>
        {q.status === "open" && (
          <div data-testid="quarantine-actions">
            <Action c={c} path={`/ops/console/quarantine/${encodeURIComponent(q.id)}/replay?to=${encodeURIComponent(to)}`} label="Replay" name="replay" />
            {(["discard", "resolve"] as const).map((verb) => (
              <form method="post" action={`/ops/console/quarantine/${encodeURIComponent(q.id)}/${verb}`}>
                <input type="hidden" name="csrf" value={c.get("csrf")} />
                <input type="hidden" name="to" value={to} />
                <p>
                  <label>
                    {verb === "discard" ? "Why it should not be processed" : "How it was handled"} (optional) <input name="note" maxlength={1000} size={40} />
                  </label>{" "}
                  <button type="submit" data-testid={verb}>
                    {verb === "discard" ? "Discard" : "Mark resolved"}
                  </button>
                </p>
              </form>
            ))}
          </div>
        )}
      </section>
      <section class="card">
        <h2>Headers</h2>
        <table data-testid="quarantine-headers">
          <tbody>
            {Object.entries(q.headers).map(([k, v]) => (
              <tr>
                <th>{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">Credentials (signatures, tokens, cookies) are never stored.</p>
      </section>
      <section class="card">
        <h2>
          Payload{" "}
          <span class="muted">
            ({q.contentType || "no content type"}, {q.bodyBytes} bytes)
          </span>
        </h2>
        <pre data-testid="quarantine-payload">{payloadText(found.request.raw)}</pre>
      </section>
    </Shell>,
  );
}

const ACTION_WORDS: Record<QuarantineBulk["action"], { verb: string; done: string }> = {
  replay: { verb: "Replay", done: "replayed" },
  discard: { verb: "Discard", done: "discarded" },
  resolve: { verb: "Resolve", done: "resolved" },
};

/** The bulk action's second step: the ticked payloads, and one button that acts on exactly those. */
async function confirmQuarantineBulk(c: C, action: QuarantineBulk["action"], ids: string[], note: string, to: string) {
  const found = (await Promise.all(ids.map((id) => getQuarantined(c.env.DB, id)))).map((f, i) => ({ id: ids[i] as string, entry: f?.entry }));
  const { verb } = ACTION_WORDS[action];
  const n = ids.length;
  return c.html(
    <Shell c={c} title={`${verb} quarantined payloads`}>
      <section class="card" data-testid="quarantine-bulk-confirm">
        <h2>
          {verb} {n} quarantined payload{n === 1 ? "" : "s"}?
        </h2>
        <p class="muted">
          {action === "replay"
            ? "Each is mapped again and its events routed; one that still cannot be mapped stays open."
            : `Each is kept for the record and marked ${ACTION_WORDS[action].done}; one that is no longer open is left as it is.`}
          {note && ` Note: ${note}`}
        </p>
        <table>
          <tbody>
            {found.map(({ id, entry }) => (
              <tr>
                <td>{entry?.partnerId ?? id}</td>
                <td>{entry ? <When at={entry.receivedAt} /> : "not found"}</td>
                <td>{entry ? shorten(sentence(entry.reason)) : ""}</td>
                <td>{entry ? QUARANTINE_WORDS[entry.status] : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <form method="post" action="/ops/console/quarantine/bulk" class="inline">
          <input type="hidden" name="csrf" value={c.get("csrf")} />
          <input type="hidden" name="action" value={action} />
          <input type="hidden" name="note" value={note} />
          <input type="hidden" name="to" value={to} />
          {ids.map((id) => (
            <input type="hidden" name="ids" value={id} />
          ))}
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" data-testid="quarantine-bulk-confirm-button">
            {verb} {n} payload{n === 1 ? "" : "s"}
          </button>
        </form>{" "}
        <a href={to}>Cancel</a>
      </section>
    </Shell>,
  );
}

const KEY_KINDS: Record<string, string> = { trk: "tracking number", ref: "order reference" };
/** "trk:1Z…" → "tracking number 1Z…"; the key as it is stored stays beside it. */
const KeyText: FC<{ k: string }> = ({ k }) => {
  const [kind, ...rest] = k.split(":");
  const name = KEY_KINDS[kind ?? ""];
  return name ? (
    <span>
      {name} {rest.join(":")} <span class="muted">{k}</span>
    </span>
  ) : (
    <span>{k}</span>
  );
};

const OrderLink: FC<{ id: string }> = ({ id }) => <a href={`/ops/console/orders?orderId=${encodeURIComponent(id)}`}>{id}</a>;

/** Links between a list's views, the current one marked. */
const Views: FC<{ base: string; current: string; views: [string, string][] }> = ({ base, current, views }) => (
  <p>
    {views.map(([v, label], i) => (
      <>
        {i > 0 && " · "}
        <a href={`${base}?status=${v}`} {...(v === current ? { "aria-current": "page" } : {})}>
          {label}
        </a>
      </>
    ))}
  </p>
);

async function conflictsPage(c: C) {
  const status = c.req.query("status") === "resolved" ? "resolved" : "open";
  const items = await listConflicts(c.env.DB, { status, limit: 200 });
  return c.html(
    <Shell c={c} title="Correlation conflicts" live>
      <h2>Correlation conflicts</h2>
      <p class="muted">
        A tracking number or order reference claimed by a second order. The key stays with the order that bound it first, and events for it go there; dockline
        cannot move a key to another order. Resolving records what you decided (for example, that the carrier reused a label and the second order gets a new
        tracking number).
      </p>
      <Views
        base="/ops/console/conflicts"
        current={status}
        views={[
          ["open", "Open"],
          ["resolved", "Resolved"],
        ]}
      />
      <section class="card" data-testid="conflicts">
        {items.length === 0 ? (
          <p class="muted">No {status} conflicts.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>key</th>
                <th>keeps the key</th>
                <th>also claimed it</th>
                <th>detected</th>
                <th>{status === "open" ? "resolve" : "resolution"}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((k) => (
                <tr data-testid={`conflict-${k.key}-${k.claimantOrderId}`}>
                  <td>
                    <KeyText k={k.key} />
                  </td>
                  <td>
                    <OrderLink id={k.boundOrderId} />
                  </td>
                  <td>
                    <OrderLink id={k.claimantOrderId} />
                  </td>
                  <td>
                    <When at={k.detectedAt} />
                  </td>
                  <td>
                    {status === "open" ? (
                      <form method="post" action="/ops/console/conflicts/resolve">
                        <input type="hidden" name="csrf" value={c.get("csrf")} />
                        <input type="hidden" name="key" value={k.key} />
                        <input type="hidden" name="claimantOrderId" value={k.claimantOrderId} />
                        <label>
                          What was decided <input name="note" required maxlength={1000} size={30} />
                        </label>{" "}
                        <button type="submit" data-testid="resolve-conflict">
                          Resolve
                        </button>
                      </form>
                    ) : (
                      <span>
                        {k.resolution}{" "}
                        <span class="muted">
                          by {k.resolvedBy} <When at={k.resolvedAt} />
                        </span>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Shell>,
  );
}

const CAUSE_WORDS: Record<string, string> = {
  rejected: "Refused by the ERP",
  refused: "Refused by the ERP",
  exhausted: "Retries ran out",
  expired: "Retries ran out",
};

async function deadLettersPage(c: C) {
  const status = c.req.query("status") === "replayed" ? "replayed" : "open";
  const cause = c.req.query("cause") === "rejected" || c.req.query("cause") === "exhausted" ? (c.req.query("cause") as "rejected" | "exhausted") : undefined;
  const before = c.req.query("before") || undefined;
  const causes = cause === "rejected" ? ["rejected", "refused"] : cause === "exhausted" ? ["exhausted", "expired"] : undefined;
  const items = await listDeadLetters(c.env.DB, { status, ...(causes ? { causes } : {}), ...(before ? { before } : {}), limit: PAGE });
  const last = items.at(-1);
  const older =
    items.length === PAGE && last ? `/ops/console/dead-letters?${new URLSearchParams({ status, ...(cause ? { cause } : {}), before: last.createdAt })}` : null;
  const to = here(c);
  return c.html(
    <Shell c={c} title="Dead letters" live>
      <h2>ERP dead letters</h2>
      <p class="muted">
        Commands the ERP refused for good, or that ran out of retries. The order's later commands wait behind them. Replaying one makes it deliverable again;
        each order decides, so nothing is sent twice.
      </p>
      <Filters action="/ops/console/dead-letters">
        <label>
          Status{" "}
          <select name="status">
            {["open", "replayed"].map((s) => (
              <option value={s} selected={s === status}>
                {s}
              </option>
            ))}
          </select>
        </label>{" "}
        <label>
          Cause{" "}
          <select name="cause">
            <option value="">any</option>
            <option value="rejected" selected={cause === "rejected"}>
              refused by the ERP
            </option>
            <option value="exhausted" selected={cause === "exhausted"}>
              retries ran out
            </option>
          </select>
        </label>
      </Filters>
      <section class="card" data-testid="dead-letter-list">
        {status === "open" && <BulkReplayForm c={c} cause={cause ?? null} to={to} />}
        <DeadLetterTable c={c} items={items} to={to} selectable={status === "open"} />
        {older && <a href={older}>Older dead letters →</a>}
      </section>
    </Shell>,
  );
}

type DeadLetter = Awaited<ReturnType<typeof listDeadLetters>>[number];

/**
 * The dead-letter bulk replay's first step; tick rows (form="bulk-replay") to take only their orders. On a
 * list already filtered by cause the form takes that cause (`cause` given); elsewhere it offers the choice.
 */
export const BulkReplayForm: FC<{ c: C; cause?: string | null; to: string }> = ({ c, cause, to }) => (
  <form method="post" action="/ops/console/dead-letters/replay" id="bulk-replay">
    <input type="hidden" name="csrf" value={c.get("csrf")} />
    <input type="hidden" name="to" value={to} />
    {cause === undefined ? (
      <>
        <label>
          Cause{" "}
          <select name="reason">
            <option value="">any</option>
            <option value="rejected">refused by the ERP</option>
            <option value="exhausted">retries ran out</option>
          </select>
        </label>{" "}
      </>
    ) : (
      <input type="hidden" name="reason" value={cause ?? ""} />
    )}
    <button type="submit" data-testid="bulk-replay">
      {cause ? `Replay all matching (${CAUSE_WORDS[cause] ?? cause})…` : "Replay all matching…"}
    </button>{" "}
    <span class="muted">Only the checked orders, if any are checked. You confirm on the next page.</span>
  </form>
);

/** An ERP command type in words: "ShipmentConfirmation" → "Shipment confirmation". */
const commandWords = (type: string) => words(type.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase());

/** Dead letters with their order, command and cause in words; `selectable` ticks orders for the bulk form, `actions` adds each row's Replay. */
export const DeadLetterTable: FC<{ c: C; items: DeadLetter[]; to: string; selectable: boolean; actions?: boolean }> = ({
  c,
  items,
  to,
  selectable,
  actions = true,
}) =>
  items.length === 0 ? (
    <p class="muted">No dead letters here.</p>
  ) : (
    <table>
      <thead>
        <tr>
          {selectable && <th>select</th>}
          <th>order</th>
          <th>command</th>
          <th>cause</th>
          <th>since</th>
          <th>reason</th>
          {actions && <th>replay</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((d) => (
          <tr data-testid={`dead-letter-${d.orderId}-${d.seq}`}>
            {selectable && (
              <td>
                <input type="checkbox" name="orderIds" value={d.orderId} form="bulk-replay" aria-label={`Select ${d.orderId}`} />
              </td>
            )}
            <td>
              <OrderLink id={d.orderId} /> #{d.seq}
            </td>
            <td>
              {commandWords(d.type)} <span class="muted">{d.type}</span>
            </td>
            <td>
              {CAUSE_WORDS[d.cause] ?? words(d.cause)} <span class="muted">{d.cause}</span>
            </td>
            <td>
              <When at={d.createdAt} />
            </td>
            <td>
              <Reason text={readableReason(d.reason)} />
              {readableReason(d.reason) !== d.reason && (
                <details>
                  <summary>as the ERP sent it</summary>
                  <pre>{d.reason}</pre>
                </details>
              )}
            </td>
            {actions && (
              <td>
                {d.status === "open" ? (
                  <Action
                    c={c}
                    path={`/ops/console/dead-letters/${encodeURIComponent(d.id)}/replay?to=${encodeURIComponent(to)}`}
                    label="Replay"
                    name={`replay-dead-${d.orderId}`}
                  />
                ) : (
                  <>
                    replayed <When at={d.replayedAt} />
                  </>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );

/** The bulk-replay form's fields as the API's filter: no cause and no checked order means every open one. */
function bulkFilter(form: Form): BulkReplayFilter | string {
  const reason = strings(form.reason)[0];
  const orderIds = [...new Set(strings(form.orderIds))];
  const parsed = BulkReplayRequest.safeParse({
    destination: "erp",
    ...(reason ? { reason } : {}),
    ...(orderIds.length ? { orderIds } : { all: true }),
  });
  return parsed.success ? parsed.data : parsed.error.issues.map((i) => `${i.path.join(".") || "filter"}: ${i.message}`).join("; ");
}

const describeFilter = (f: BulkReplayFilter) =>
  `${f.reason ? (CAUSE_WORDS[f.reason] ?? f.reason) : "any cause"}, ${f.orderIds ? `orders ${f.orderIds.join(", ")}` : "every order"}`;

/** The bulk replay's second step: what matches now, and one button that replays exactly that filter. */
async function confirmBulkReplay(c: C, f: BulkReplayFilter, to: string) {
  const rows = await matchingDeadLetters(c.env.DB, f, BULK_REPLAY_MAX + 1);
  const n = Math.min(rows.length, BULK_REPLAY_MAX);
  return c.html(
    <Shell c={c} title="Replay dead letters">
      <section class="card" data-testid="bulk-confirm">
        <h2>
          Replay {n} open dead letter{n === 1 ? "" : "s"}
          {rows.length > BULK_REPLAY_MAX ? " (of more: press again afterwards for the rest)" : ""}?
        </h2>
        <p class="muted">Filter: {describeFilter(f)}. Each order decides: a command replayed meanwhile is not replayed twice. Safe to repeat.</p>
        <DeadLetterTable c={c} items={rows.slice(0, 25)} to={to} selectable={false} actions={false} />
        <form method="post" action="/ops/console/dead-letters/replay" class="inline">
          <input type="hidden" name="csrf" value={c.get("csrf")} />
          <input type="hidden" name="reason" value={f.reason ?? ""} />
          <input type="hidden" name="to" value={to} />
          {f.orderIds?.map((id) => (
            <input type="hidden" name="orderIds" value={id} />
          ))}
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" data-testid="bulk-replay-confirm">
            Replay {n} dead letter{n === 1 ? "" : "s"}
          </button>
        </form>{" "}
        <a href={to}>Cancel</a>
      </section>
    </Shell>,
  );
}

export const queueConsole = router();
queueConsole.get("/ops/console/quarantine", consoleAuth, (c) => quarantinePage(c as C));
queueConsole.get("/ops/console/quarantine/:id", consoleAuth, (c) => quarantineDetail(c as C, c.req.param("id")));
queueConsole.get("/ops/console/conflicts", consoleAuth, (c) => conflictsPage(c as C));
queueConsole.get("/ops/console/dead-letters", consoleAuth, (c) => deadLettersPage(c as C));

// Two steps: the first press lists the ticked payloads (nothing changes), the confirmation acts on them.
queueConsole.post("/ops/console/quarantine/bulk", consoleAuth, csrfGuard, async (c) => {
  const form = await c.req.parseBody({ all: true });
  const to = backTo(c as C, "/ops/console/quarantine", form);
  const action = strings(form.action)[0];
  const ids = [...new Set(strings(form.ids))];
  const note = strings(form.note)[0]?.trim() ?? "";
  if (action !== "replay" && action !== "discard" && action !== "resolve") return back(c as C, { error: "Not done: choose Replay, Discard or Resolve." }, to);
  if (!ids.length) return back(c as C, { error: "Not done: tick at least one payload first." }, to);
  if (ids.length > QUARANTINE_BULK_MAX) return back(c as C, { error: `Not done: at most ${QUARANTINE_BULK_MAX} payloads at once.` }, to);
  if (form.confirm !== "yes") return confirmQuarantineBulk(c as C, action, ids, note, to);
  return act(
    c as C,
    async () => {
      const r = await bulkQuarantine(c.env, { action, ids, ...(note ? { note } : {}) }, { correlationId: c.get("correlationId"), by: actorOf(c as C).actor });
      const summary = `${ACTION_WORDS[action].verb}: ${r.done} ${ACTION_WORDS[action].done} of ${r.matched}`;
      const refused = r.items.filter((i) => i.problem).map((i) => `${i.id}: ${i.problem}`);
      // Any refusal makes the whole message an error, so it is not missed among the successes.
      return refused.length ? { error: `${summary}; not done: ${refused.join(" ")}` } : `${summary}.`;
    },
    to,
  );
});
queueConsole.post("/ops/console/quarantine/:id/replay", consoleAuth, csrfGuard, (c) =>
  act(
    c as C,
    async () => {
      const r = await replayQuarantined(c.env, c.req.param("id"), c.get("correlationId"));
      return `Quarantined payload replayed: ${replayed(r)}.`;
    },
    backTo(c as C, "/ops/console/quarantine"),
  ),
);
for (const [verb, status] of [
  ["discard", "discarded"],
  ["resolve", "resolved"],
] as const) {
  queueConsole.post(`/ops/console/quarantine/:id/${verb}`, consoleAuth, csrfGuard, async (c) => {
    const form = await c.req.parseBody();
    return act(
      c as C,
      async () => {
        const note = typeof form.note === "string" ? form.note : null;
        await closeQuarantine(c.env, c.req.param("id"), { status, by: actorOf(c as C).actor, note });
        return `Quarantined payload ${status}.`;
      },
      backTo(c as C, "/ops/console/quarantine", form),
    );
  });
}
queueConsole.post("/ops/console/conflicts/resolve", consoleAuth, csrfGuard, async (c) => {
  const form = await c.req.parseBody();
  const [key, claimantOrderId, note] = [form.key, form.claimantOrderId, form.note].map((v) => (typeof v === "string" ? v.trim() : ""));
  return act(
    c as C,
    async () => {
      if (!key || !claimantOrderId || !note) return { error: "Not done: say what was decided." };
      const r = await resolveConflict(c.env, { key, claimantOrderId, note }, actorOf(c as C).actor);
      return `Conflict over ${r.key} resolved; the key stays with ${r.keyStaysWith}.`;
    },
    "/ops/console/conflicts",
  );
});
queueConsole.post("/ops/console/dead-letters/:id/replay", consoleAuth, csrfGuard, (c) =>
  act(
    c as C,
    async () => {
      const r = await replayDeadLetter(c.env, c.req.param("id"));
      return `Dead letter for ${r.orderId} #${r.seq} replayed.`;
    },
    backTo(c as C, "/ops"),
  ),
);
// Two steps: the first press shows what matches (nothing changes), the confirmation replays it.
queueConsole.post("/ops/console/dead-letters/replay", consoleAuth, csrfGuard, async (c) => {
  const form = await c.req.parseBody({ all: true });
  const to = backTo(c as C, "/ops", form);
  const filter = bulkFilter(form);
  if (typeof filter === "string") return back(c as C, { error: `Not done: ${filter}` }, to);
  if (form.confirm !== "yes") return confirmBulkReplay(c as C, filter, to);
  return act(
    c as C,
    async () => {
      const r = await replayDeadLetters(c.env, filter, { correlationId: c.get("correlationId"), identity: actorOf(c as C).actor });
      const text = [
        `Bulk replay: ${r.replayed} replayed of ${r.matched} matched`,
        r.alreadyLive ? `; ${r.alreadyLive} already live` : "",
        r.failed.length ? `; ${r.failed.length} not reached (${r.failed.map((f) => `${f.orderId} #${f.seq}`).join(", ")}), still open` : "",
        r.more ? "; more remain, press again" : "",
        ".",
      ].join("");
      return r.failed.length ? { error: text } : text;
    },
    to,
  );
});
