// The console's events view: every request partners sent, whatever its outcome, searchable by the ids in
// it; one request in full (headers, payload, what became of it); its exact bytes as a download.
import type { FC } from "hono/jsx";
import { router } from "../http/openapi";
import { partners } from "../partners/registry";
import { fromBase64 } from "../platform/crypto";
import {
  getInbound,
  INBOUND_OUTCOMES,
  INBOUND_PAGE_MAX,
  type InboundFilter,
  type InboundOutcome,
  type InboundRow,
  listInbound,
  REDACTED,
  receivedAtOf,
  retentionDays,
} from "../readmodel/inbound-log";
import { absoluteTime, type C, consoleAuth, Shell, When, words } from "./console-layout";

const RANGES = { "1h": ["Last hour", 3_600_000], "24h": ["Last 24 hours", 86_400_000], "7d": ["Last 7 days", 7 * 86_400_000], all: ["All kept", 0] } as const;
type Range = keyof typeof RANGES;
// What the detail page shows of a payload; the download always has all of it.
const SHOWN_BYTES = 256 * 1024;

// The filter form's controls under their labels, as wide as their column: a date-time input is wider
// than a grid column's minimum and would otherwise run into its neighbour.
const FILTERS_CSS =
  ".filters label{display:flex;flex-direction:column;gap:.2rem}.filters input,.filters select{width:100%;box-sizing:border-box}.filters>span{align-self:end}";

const OUTCOME_TEXT: Record<InboundOutcome, string> = {
  accepted: "Accepted",
  duplicate: "Duplicate (already had it)",
  parked: "Parked (waiting for its order)",
  quarantined: "Quarantined",
  ignored: "Ignored (no milestone in it)",
  rejected: "Rejected",
};
const isOutcome = (s: string | undefined): s is InboundOutcome => INBOUND_OUTCOMES.includes(s as InboundOutcome);
const needsPerson = (o: string) => o === "rejected" || o === "quarantined";

/** "812 B", "12.3 KB", "1.0 MB". */
function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A datetime-local value ("2026-12-03T22:15"), read as UTC; undefined when empty or not a time. */
function utcInput(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(/([zZ]|[+-]\d\d:\d\d)$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const Outcome: FC<{ outcome: string }> = ({ outcome }) => (
  <span class={needsPerson(outcome) ? "bad" : undefined}>{isOutcome(outcome) ? OUTCOME_TEXT[outcome] : words(outcome)}</span>
);

const OrderLinks: FC<{ ids: string | null }> = ({ ids }) =>
  ids ? (
    ids.split(" ").map((id, i) => (
      <>
        {i > 0 && ", "}
        <a href={`/ops/console/orders?orderId=${encodeURIComponent(id)}`}>{id}</a>
      </>
    ))
  ) : (
    <span class="muted">—</span>
  );

async function listPage(c: C) {
  const q = (k: string) => c.req.query(k)?.trim() || undefined;
  const known = [...partners(c.env.PARTNERS).keys()];
  const partner = known.find((p) => p === q("partner"));
  const outcome = q("outcome");
  const rangeParam = q("range");
  const range: Range = rangeParam && rangeParam in RANGES ? (rangeParam as Range) : "all";
  const [from, to] = [utcInput(q("from")), utcInput(q("to"))];
  // From and To, when given, replace the range.
  const since = from || to || range === "all" ? undefined : new Date(Date.now() - RANGES[range][1]).toISOString();
  const filter: InboundFilter = {
    ...(partner ? { partnerId: partner } : {}),
    ...(isOutcome(outcome) ? { outcome } : {}),
    ...((from ?? since) ? { from: from ?? since } : {}),
    ...(to ? { to } : {}),
    ...(q("q") ? { q: q("q") } : {}),
    ...(q("cursor") ? { cursor: q("cursor") } : {}),
    limit: INBOUND_PAGE_MAX,
  };
  const notUnderstood = [q("from") && !from ? "From" : "", q("to") && !to ? "To" : ""].filter(Boolean);
  const page = await listInbound(c.env.DB, filter);
  const here = new URL(c.req.url);
  const older = new URL(here);
  if (page.next) older.searchParams.set("cursor", page.next);
  const newest = new URL(here);
  newest.searchParams.delete("cursor");
  const filtered = Boolean(partner || isOutcome(outcome) || from || to || since || q("q"));
  return c.html(
    <Shell c={c} title="Events" live>
      <section class="card">
        <h2>Requests from partners</h2>
        <style nonce={c.get("secureHeadersNonce") ?? ""}>{FILTERS_CSS}</style>
        <form method="get" action="/ops/console/events" class="grid filters" data-testid="event-filters">
          <label>
            Partner{" "}
            <select name="partner">
              <option value="">All partners</option>
              {known.map((p) => (
                <option value={p} selected={p === partner}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <label>
            Outcome{" "}
            <select name="outcome">
              <option value="">Any outcome</option>
              {INBOUND_OUTCOMES.map((o) => (
                <option value={o} selected={o === outcome}>
                  {OUTCOME_TEXT[o]}
                </option>
              ))}
            </select>
          </label>
          <label>
            When{" "}
            <select name="range">
              {Object.entries(RANGES).map(([k, [label]]) => (
                <option value={k} selected={k === range}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            From (UTC) <input type="datetime-local" name="from" value={q("from") ?? ""} />
          </label>
          <label>
            To (UTC) <input type="datetime-local" name="to" value={q("to") ?? ""} />
          </label>
          <label>
            Search{" "}
            <input
              type="search"
              name="q"
              value={q("q") ?? ""}
              placeholder="tracking number, order id, event id or correlation id"
              aria-describedby="search-help"
              data-testid="event-search"
            />
          </label>
          <span>
            <button type="submit">Show</button> <a href="/ops/console/events">Clear</a>
          </span>
        </form>
        <p class="muted" id="search-help">
          Search finds a request by any id in it: tracking number, order id, event id, order reference, shipment id or correlation id (part of an id is enough).
          From and To, when set, replace the time range.
        </p>
        {notUnderstood.length > 0 && (
          <p class="flash error" role="alert">
            {notUnderstood.join(" and ")}: not a date and time, so not used.
          </p>
        )}
      </section>
      <section class="card">
        {page.items.length === 0 ? (
          <p data-testid="events-empty">
            {filtered || filter.cursor
              ? "No request matches these filters."
              : `No partner has sent a request in the last ${retentionDays(c.env)} days (older ones are not kept).`}
          </p>
        ) : (
          <table data-testid="inbound-events">
            <thead>
              <tr>
                <th>received</th>
                <th>partner</th>
                <th>outcome</th>
                <th>HTTP status</th>
                <th>orders</th>
                <th>reason</th>
                <th>size</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((r) => (
                <tr data-testid="inbound-event">
                  <td>
                    <a href={`/ops/console/events/${r.id}`}>
                      <When at={r.receivedAt} />
                    </a>
                  </td>
                  <td>{r.partnerId}</td>
                  <td>
                    <Outcome outcome={r.outcome} />
                  </td>
                  <td>{r.httpStatus}</td>
                  <td>
                    <OrderLinks ids={r.orderIds} />
                  </td>
                  <td title={r.reason ?? undefined}>
                    {r.reason ? r.reason.length > 80 ? `${r.reason.slice(0, 79)}…` : r.reason : <span class="muted">—</span>}
                  </td>
                  <td>{size(r.bodyBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          {filter.cursor && <a href={newest.pathname + newest.search}>Newest</a>} {page.next && <a href={older.pathname + older.search}>Older</a>}
        </p>
      </section>
    </Shell>,
  );
}

/** Control characters other than tab and line breaks: bytes, not text. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 && (code < 9 || code > 13)) return true;
  }
  return false;
}

/** The payload as a person reads it: JSON pretty-printed, text (X12) one segment a line, else its size. */
function readable(row: InboundRow, bytes: Uint8Array): { text: string; kind: "JSON, re-indented" | "Text" } | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(0, SHOWN_BYTES));
  } catch {
    // A cut through a multi-byte character at the end of the shown part is still text.
    if (bytes.byteLength <= SHOWN_BYTES) return null;
    text = new TextDecoder().decode(bytes.subarray(0, SHOWN_BYTES));
  }
  if (hasControlCharacters(text)) return null;
  if (bytes.byteLength <= SHOWN_BYTES) {
    try {
      return { text: JSON.stringify(JSON.parse(text), null, 2), kind: "JSON, re-indented" };
    } catch {}
  }
  const x12 = (row.contentType ?? "").toLowerCase().includes("x12") && !text.includes("\n");
  return { text: x12 ? text.replace(/~/g, "~\n") : text, kind: "Text" };
}

const Payload: FC<{ row: InboundRow; days: number }> = ({ row, days }) => {
  const bytes = row.body === null ? null : fromBase64(row.body);
  if (!bytes) {
    const why =
      row.httpStatus === 413
        ? `Not read: too large (announced ${size(row.bodyBytes)}).`
        : row.httpStatus === 415
          ? "Not read: the content type was refused before the body was read."
          : `Purged after ${days} days.`;
    return <p data-testid="payload-note">{why}</p>;
  }
  const shown = readable(row, bytes);
  if (!shown) return <p data-testid="payload-note">Binary, {bytes.byteLength} bytes.</p>;
  return (
    <>
      <p class="muted">
        {shown.kind}, {size(bytes.byteLength)}
        {bytes.byteLength > SHOWN_BYTES ? `: the first ${size(SHOWN_BYTES)} shown; Download raw has all of it` : "; Download raw has the exact bytes"}
      </p>
      <pre data-testid="payload">{shown.text}</pre>
    </>
  );
};

async function detailPage(c: C) {
  const id = c.req.param("id") ?? "";
  const row = await getInbound(c.env.DB, id);
  const days = retentionDays(c.env);
  if (!row) {
    const at = receivedAtOf(id);
    const gone = at && Date.parse(at) < Date.now() - days * 86_400_000;
    return c.html(
      <Shell c={c} title="Request not found">
        <p class="card" data-testid="event-missing">
          {gone
            ? `This request arrived ${absoluteTime(at)} and was purged: requests are kept ${days} days.`
            : "No request has this id. It may have been purged, or the link is wrong."}{" "}
          <a href="/ops/console/events">All requests</a>
        </p>
      </Shell>,
      404,
    );
  }
  const headers = Object.entries(row.headers).sort(([a], [b]) => a.localeCompare(b));
  return c.html(
    <Shell c={c} title={`Request from ${row.partnerId}`}>
      <p>
        <a href="/ops/console/events">All requests</a> ·{" "}
        <a href={`/ops/console/events?partner=${encodeURIComponent(row.partnerId)}`}>{row.partnerId}'s requests</a>
      </p>
      <section class="card">
        <h2 data-testid="event-title">
          Request from {row.partnerId}: <Outcome outcome={row.outcome} />
        </h2>
        <table data-testid="event-facts">
          <tbody>
            <tr>
              <th scope="row">received</th>
              <td>
                {absoluteTime(row.receivedAt)}{" "}
                <span class="muted">
                  (<When at={row.receivedAt} />)
                </span>
              </td>
            </tr>
            <tr>
              <th scope="row">answer</th>
              <td>
                HTTP {row.httpStatus}
                {row.latencyMs !== null && <span class="muted"> in {row.latencyMs} ms</span>}
              </td>
            </tr>
            <tr>
              <th scope="row">reason</th>
              <td data-testid="event-reason">{row.reason ?? <span class="muted">—</span>}</td>
            </tr>
            <tr>
              <th scope="row">orders</th>
              <td>
                <OrderLinks ids={row.orderIds} />
              </td>
            </tr>
            {row.quarantineId && (
              <tr>
                <th scope="row">quarantine</th>
                <td>
                  <a href={`/ops/console/quarantine/${encodeURIComponent(row.quarantineId)}`}>Open the quarantined payload</a>{" "}
                  <span class="muted">{row.quarantineId}</span>
                </td>
              </tr>
            )}
            <tr>
              <th scope="row">correlation id</th>
              <td>{row.correlationId}</td>
            </tr>
            <tr>
              <th scope="row">request id</th>
              <td class="muted">{row.id}</td>
            </tr>
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Payload</h2>
        <Payload row={row} days={days} />
        {row.body !== null && (
          <p>
            <a href={`/ops/console/events/${row.id}/raw`} download data-testid="download-raw">
              Download raw
            </a>{" "}
            <span class="muted">(the exact bytes received)</span>
          </p>
        )}
      </section>
      <section class="card">
        <h2>Headers</h2>
        <p class="muted">Credentials (authorization, cookies, tokens, secrets, API keys) are never kept: they show as {REDACTED}.</p>
        <table data-testid="event-headers">
          <tbody>
            {headers.map(([k, v]) => (
              <tr>
                <th scope="row">{k}</th>
                <td class={v === REDACTED ? "muted" : undefined}>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Shell>,
  );
}

const extension = (type: string) => (type.includes("json") ? "json" : type.includes("x12") ? "edi" : type.startsWith("text/") ? "txt" : "bin");

async function raw(c: C) {
  const row = await getInbound(c.env.DB, c.req.param("id") ?? "");
  const bytes = row?.body == null ? null : fromBase64(row.body);
  if (!row || !bytes)
    return c.html(
      <Shell c={c} title="Nothing to download">
        <p class="card">This request's payload is not kept (purged, or never read).</p>
      </Shell>,
      404,
    );
  return c.body(bytes, 200, {
    // The partner's own content type, but never rendered here: a payload is data, whatever it claims to be.
    "Content-Type": row.contentType || "application/octet-stream",
    "Content-Disposition": `attachment; filename="${row.partnerId}-${row.id}.${extension(row.contentType ?? "")}"`,
    "X-Content-Type-Options": "nosniff",
  });
}

export const eventsConsole = router();
eventsConsole.get("/ops/console/events", consoleAuth, (c) => listPage(c as C));
eventsConsole.get("/ops/console/events/:id", consoleAuth, (c) => detailPage(c as C));
eventsConsole.get("/ops/console/events/:id/raw", consoleAuth, (c) => raw(c as C));
