// The console's audit log: every ops action that changed something (API and console), who, what, on what,
// how it ended; filtered by who, what, target and time, newest first, in pages. Recorded by src/ops/audit.ts.
import type { FC } from "hono/jsx";
import { router } from "../http/openapi";
import { type AuditEntry, type AuditFilter, FAILED, listAudit, SESSION_ACTOR } from "../ops/audit";
import { HttpProblem } from "../platform/problem";
import { type C, consoleAuth, Shell, When } from "./console-layout";

const PATH = "/ops/console/audit";
const PAGE_SIZE = 50;
/** The filters stacked label over field, wrapping on a phone; the outcome column kept readable while the table scrolls. */
const PAGE_CSS =
  "form.filters{display:flex;flex-wrap:wrap;gap:.5rem .75rem;align-items:flex-end}form.filters label{display:flex;flex-direction:column;gap:.15rem}" +
  "table.audit td:first-child{white-space:nowrap}table.audit td.outcome{min-width:16rem}";
const orderLink = (id: string) => `/ops/console/orders?orderId=${encodeURIComponent(id)}`;

/** Each error status in words; the number stays beside it. */
const STATUS_WORDS: Record<number, string> = {
  400: "Bad request",
  401: "Not signed in",
  403: "Refused",
  404: "Not found",
  409: "Conflict",
  413: "Too large",
  422: "Invalid request",
  429: "Too many requests",
};
const outcomeWords = (e: AuditEntry) =>
  !e.failed ? "Done" : e.status < 400 ? "Not done" : (STATUS_WORDS[e.status] ?? (e.status >= 500 ? "Server error" : "Failed"));

/** A time range field: a browser's datetime-local (read as UTC, as the label says) or a full instant. */
function instant(value: string | undefined): string | undefined | { error: string } {
  if (!value) return undefined;
  const t = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(t) ? { error: value } : new Date(t).toISOString();
}

const Who: FC<{ e: AuditEntry }> = ({ e }) => {
  if (e.actorKind === "session") {
    const since = SESSION_ACTOR.exec(e.actor)?.[1];
    return since ? (
      <>
        Console session, signed in <When at={since} />
      </>
    ) : (
      <>Console session</>
    );
  }
  if (e.actorKind === "token") {
    if (e.actor === "unknown") return <span class="muted">Unknown</span>;
    return <>Ops token{e.actor.replace(/^ops-token/, "")}</>;
  }
  return <>{e.actor}</>;
};

/** The target, with every order in it linked to the order's page ("order A", "3 orders: A, B, C"). */
const Target: FC<{ target: string | null }> = ({ target }) => {
  if (!target) return <span class="muted">—</span>;
  return (
    <>
      {target.split("; ").map((part, i) => {
        const one = /^order (.+)$/.exec(part);
        const many = /^(\d+ orders?): (.+)$/.exec(part);
        return (
          <>
            {i > 0 && "; "}
            {one?.[1] ? (
              <>
                order <a href={orderLink(one[1])}>{one[1]}</a>
              </>
            ) : many?.[1] && many[2] ? (
              <>
                {many[1]}:{" "}
                {many[2].split(", ").map((id, j) => (
                  <>
                    {j > 0 && ", "}
                    {id === "…" ? id : <a href={orderLink(id)}>{id}</a>}
                  </>
                ))}
              </>
            ) : (
              part
            )}
          </>
        );
      })}
    </>
  );
};

async function auditPage(c: C) {
  const q = c.req.query();
  const text = (k: string) => q[k]?.trim().slice(0, 200) || undefined;
  const from = instant(text("from"));
  const to = instant(text("to"));
  const filter: AuditFilter = {
    actor: text("actor"),
    action: text("action"),
    target: text("target"),
    ...(typeof from === "string" ? { from } : {}),
    ...(typeof to === "string" ? { to } : {}),
    cursor: text("cursor"),
    limit: PAGE_SIZE,
  };
  const problems = [from, to].flatMap((v, i) => (typeof v === "object" ? [`${i === 0 ? "From" : "To"} “${v.error}” is not a date and time.`] : []));
  let page: Awaited<ReturnType<typeof listAudit>>;
  try {
    page = await listAudit(c.env.DB, filter);
  } catch (err) {
    if (!(err instanceof HttpProblem)) throw err;
    problems.push("That page link is no longer valid: showing the newest entries.");
    page = await listAudit(c.env.DB, { ...filter, cursor: undefined });
  }
  const keep = new URLSearchParams(Object.entries(q).filter(([k, v]) => k !== "cursor" && k !== "msg" && k !== "level" && v));
  const pageLink = (cursor?: string) => {
    const p = new URLSearchParams(keep);
    if (cursor) p.set("cursor", cursor);
    const s = p.toString();
    return s ? `${PATH}?${s}` : PATH;
  };
  const filtered = Boolean(filter.actor || filter.action || filter.target || filter.from || filter.to);
  return c.html(
    <Shell c={c} title="Audit log" live>
      <style nonce={c.get("secureHeadersNonce") ?? ""}>{PAGE_CSS}</style>
      <section class="card">
        <h2>Audit log</h2>
        <p class="muted">
          Every ops action that changed something, through the API or this console, sign-in and sign-out included: who, what, on what, and how it ended. Times
          are UTC. The same list is at GET /ops/audit.
        </p>
        <form method="get" action={PATH} class="filters" data-testid="audit-filters">
          <label>
            Who <input name="actor" value={filter.actor ?? ""} placeholder="email or ops-token" size={18} />
          </label>
          <label>
            What <input name="action" value={filter.action ?? ""} placeholder="Replay" size={14} />
          </label>
          <label>
            Target <input name="target" value={filter.target ?? ""} placeholder="order id, customer…" size={16} />
          </label>
          <label>
            From (UTC) <input type="datetime-local" name="from" value={text("from") ?? ""} />
          </label>
          <label>
            To (UTC) <input type="datetime-local" name="to" value={text("to") ?? ""} />
          </label>
          <span>
            <button type="submit">Filter</button> {filtered && <a href={PATH}>Clear filters</a>}
          </span>
        </form>
        {problems.map((p) => (
          <p class="flash error" role="alert">
            {p}
          </p>
        ))}
      </section>
      <section class="card" data-testid="audit-log">
        {page.items.length === 0 ? (
          <p class="muted">{filtered ? "No action matches these filters." : "No ops action recorded yet."}</p>
        ) : (
          <table class="audit">
            <thead>
              <tr>
                <th>when</th>
                <th>who</th>
                <th>what</th>
                <th>target</th>
                <th>outcome</th>
                <th>correlation id</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr data-testid="audit-row">
                  <td>
                    <When at={e.at} />
                  </td>
                  <td>
                    <Who e={e} />
                  </td>
                  <td>{e.action}</td>
                  <td>
                    <Target target={e.target} />
                  </td>
                  <td class={`outcome ${e.failed ? "bad" : "ok"}`}>
                    <b>{outcomeWords(e)}</b> <span class="muted">HTTP {e.status}</span>
                    {e.detail && e.detail !== "Done." && <> · {e.detail.startsWith(FAILED) ? e.detail.slice(FAILED.length) : e.detail}</>}
                  </td>
                  <td class="muted">{e.correlationId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          {q.cursor && <a href={pageLink()}>Newest entries</a>} {page.nextCursor && <a href={pageLink(page.nextCursor)}>Older entries</a>}
        </p>
      </section>
    </Shell>,
  );
}

export const auditConsole = router();
auditConsole.get(PATH, consoleAuth, (c) => auditPage(c as C));
