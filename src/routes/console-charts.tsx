// GET /ops/console/charts — the console's charts over a chosen time range: webhook volume by outcome,
// error rate, time to answer partners, the ERP backlog and the orders waiting at each destination, and
// projection lag. Inline SVG drawn on the server (no script, no chart library), each with a summary for
// screen readers and its figures as a table. The figures come from the metrics streams (kept 24 h).
import type { FC } from "hono/jsx";
import { type SeriesPoint, mergeSeries, stepFor } from "../domain/series";
import { router } from "../http/openapi";
import { BACKLOG_STREAM, GAUGE_EVERY_MINUTES, OLDEST_PENDING_AGE, PENDING_COMMANDS, sampleGaugesIfDue, WAITING } from "../ops/gauges";
import { partners } from "../partners/registry";
import { metricSeries } from "../platform/metrics";
import { absoluteTime, type C, consoleAuth, duration, MONTHS, Shell } from "./console-layout";

export const chartsConsole = router();

const MIN = 60_000;
const KEPT_MS = 24 * 60 * MIN;
const PRESETS = { "1h": { label: "1 h", ms: 60 * MIN }, "6h": { label: "6 h", ms: 360 * MIN }, "24h": { label: "24 h", ms: KEPT_MS } } as const;
type Preset = keyof typeof PRESETS;

/** Outcome colours: each has at least 4.5:1 contrast on white (WCAG AA, even for text). */
export const OUTCOMES: { key: string; label: string; colour: string }[] = [
  { key: "accepted", label: "accepted", colour: "#067647" },
  { key: "duplicate", label: "duplicate", colour: "#175cd3" },
  { key: "parked", label: "parked (waiting for its order)", colour: "#b54708" },
  { key: "quarantined", label: "quarantined", colour: "#6941c6" },
  { key: "rejected", label: "rejected", colour: "#b42318" },
  { key: "ignored", label: "ignored (nothing to do)", colour: "#475467" },
];
/** Colours for lines (p50, p99, destinations), also 4.5:1 or more on white. */
export const LINE_COLOURS = ["#175cd3", "#b42318", "#067647", "#6941c6", "#b54708", "#475467"];

const AE_EXAMPLE = `SELECT toStartOfInterval(timestamp, INTERVAL '1' HOUR) AS hour,
       blob2 AS outcome,
       sum(_sample_interval * double1) AS webhooks
FROM dockline_metrics
WHERE blob1 = 'partner:acme-3pl' AND timestamp > NOW() - INTERVAL '7' DAY
GROUP BY hour, outcome
ORDER BY hour`;

const PAGE_CSS = `
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));gap:0 1rem}
@media (max-width:40rem){.charts{grid-template-columns:1fr}}
.chart{margin:0}.chart>svg{width:100%;height:auto;display:block}
.legend{list-style:none;padding:0;margin:.25rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.legend svg{vertical-align:-1px;margin-right:.3rem}
.picker{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:end}
.picker nav{display:flex;gap:.5rem}.picker nav a{padding:.2rem .5rem;border:1px solid #1d2430;border-radius:.3rem}
.picker nav a[aria-current=true]{background:#1d2430;color:#fff}
.picker label{display:inline-flex;flex-direction:column;font-size:.85rem}
`;

// ── Range ───────────────────────────────────────────────────────────────────────────────────────────

interface Range {
  from: number;
  to: number;
  preset?: Preset;
}

/** A datetime-local value ("2026-12-03T21:00", read as UTC) or a full ISO instant; null when it is neither. */
function instant(text: string): number | null {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t)) return null;
  const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(t) ? t : `${t}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** The range asked for, or why it cannot be read. */
function rangeOf(q: Record<string, string | undefined>, now: number): Range | { error: string } {
  const [from, to] = [q.from?.trim() ?? "", q.to?.trim() ?? ""];
  if (from || to) {
    if (!from || !to) return { error: "Give both a start and an end for a custom range." };
    const notADate = (text: string) => ({ error: `“${text}” is not a date and time. Use the pickers, or write it like 2026-12-03T21:00 (UTC).` });
    const [f, t] = [instant(from), instant(to)];
    if (f === null) return notADate(from);
    if (t === null) return notADate(to);
    if (t <= f) return { error: "The range ends before it starts: the end must be after the start." };
    return { from: f, to: t };
  }
  const preset = (q.range ?? "1h") as Preset;
  if (!(preset in PRESETS)) return { error: `There is no range “${q.range}”: choose 1 h, 6 h or 24 h.` };
  return { from: now - PRESETS[preset].ms, to: now, preset };
}

// ── Labels ──────────────────────────────────────────────────────────────────────────────────────────

const pad = (n: number) => String(n).padStart(2, "0");
const hhmm = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};
/** "22:41", or "3 Dec 22:41" when the range spans days. */
const timeLabel = (ms: number, days: boolean) => {
  const d = new Date(ms);
  return days ? `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${hhmm(ms)}` : hhmm(ms);
};
/** Coordinates to a tenth of a unit: finer is invisible and only makes the page heavier. */
const round = (v: number) => Math.round(v * 10) / 10;
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
/** A round top for the axis, at least `v`: 2, 4 or 10 × a power of ten, so the middle line is round too. */
function niceMax(v: number): number {
  if (v <= 0) return 2;
  const p = 10 ** Math.floor(Math.log10(v));
  return [2, 4, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

/** Minutes between x-axis labels: a round interval (on the hour, every 15 min…) giving at most `most` labels. */
function tickMinutes(times: number[], most: number): number {
  const step = times.length > 1 ? Math.round(((times[1] ?? 0) - (times[0] ?? 0)) / MIN) : 1;
  const span = (times.length - 1) * step;
  return [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].find((m) => m % step === 0 && span / m <= most) ?? step * times.length;
}

// ── Chart ───────────────────────────────────────────────────────────────────────────────────────────

interface Line {
  label: string;
  colour: string;
  values: (number | null)[];
}

interface ChartProps {
  id: string;
  title: string;
  unit: string;
  /** bars: stacked per step; lines: one point per step, gaps where null; steps: a level held from one sample to the next. */
  kind: "bars" | "lines" | "steps";
  times: number[];
  lines: Line[];
  summary: string;
  days: boolean;
  cap?: number;
  note?: string;
}

const W = 420;
const H = 200;
const [L, R, T, B] = [44, 8, 20, 32];
const PW = W - L - R;
const PH = H - T - B;
const GREY = "#5b6473";

const Chart: FC<ChartProps> = ({ id, title, unit, kind, times, lines, summary, days, cap, note }) => {
  const n = times.length;
  const slot = PW / Math.max(1, n);
  const x = (i: number) => round(L + i * slot);
  const highs = kind === "bars" ? times.map((_, i) => lines.reduce((s, l) => s + (l.values[i] ?? 0), 0)) : lines.flatMap((l) => l.values.map((v) => v ?? 0));
  const top = Math.min(cap ?? Number.POSITIVE_INFINITY, niceMax(Math.max(0, ...highs)));
  const y = (v: number) => round(T + PH - (Math.min(v, top) / top) * PH);
  const tick = tickMinutes(times, days ? 4 : 6);
  const rows = times
    .map((t, i) => ({ t, values: lines.map((l) => l.values[i] ?? null) }))
    .filter((r) => r.values.some((v) => v !== null && (kind !== "bars" || v > 0)));
  return (
    <figure class="chart card" data-testid={`chart-${id}`}>
      <h2>{title}</h2>
      {note && <p class="muted">{note}</p>}
      <svg role="img" aria-label={summary} viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="xMidYMid meet">
        <title>{summary}</title>
        <text x="2" y="12" font-size="12" fill={GREY}>
          {unit}
        </text>
        {[0, top / 2, top].map((g) => (
          <g>
            <line x1={L} x2={W - R} y1={y(g)} y2={y(g)} stroke="#d0d5dd" stroke-width="1" />
            <text x={L - 4} y={y(g) + 4} font-size="12" fill={GREY} text-anchor="end">
              {num(g)}
            </text>
          </g>
        ))}
        {times.map((t, i) =>
          Math.round(t / MIN) % tick === 0 ? (
            <g>
              <line x1={x(i)} x2={x(i)} y1={T + PH} y2={T + PH + 4} stroke={GREY} />
              <text x={x(i)} y={H - 14} font-size="12" fill={GREY} text-anchor={i === 0 ? "start" : i === n - 1 ? "end" : "middle"}>
                {timeLabel(t, days)}
              </text>
            </g>
          ) : null,
        )}
        <text x={W - R} y={H - 1} font-size="11" fill={GREY} text-anchor="end">
          UTC
        </text>
        {kind === "bars" && <Bars lines={lines} n={n} x={x} y={y} slot={slot} />}
        {kind === "lines" && lines.map((l) => <Polylines line={l} x={(i) => round(x(i) + slot / 2)} y={y} />)}
        {kind === "steps" && lines.map((l) => <Steps line={l} x={x} y={y} end={x(n)} />)}
      </svg>
      <ul class="legend">
        {lines.map((l) => (
          <li>
            <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">
              <rect width="12" height="12" fill={l.colour} />
            </svg>
            {l.label}
          </li>
        ))}
      </ul>
      <details data-testid={`figures-${id}`}>
        <summary>Figures as a table</summary>
        {rows.length ? (
          <table data-testid={`table-${id}`}>
            <thead>
              <tr>
                <th>{kind === "steps" ? "Sampled in the step from (UTC)" : "Step from (UTC)"}</th>
                {lines.map((l) => (
                  <th>
                    {l.label} ({unit})
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>{timeLabel(r.t, days)}</td>
                  {r.values.map((v) => (
                    <td>{v === null ? "—" : num(v)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No figures in this range.</p>
        )}
        {kind !== "steps" && rows.length > 0 && <p class="muted">Steps without any figure are left out.</p>}
      </details>
    </figure>
  );
};

type Scale = (v: number) => number;

const Bars: FC<{ lines: Line[]; n: number; x: Scale; y: Scale; slot: number }> = ({ lines, n, x, y, slot }) => (
  <g>
    {Array.from({ length: n }, (_, i) => {
      let below = 0;
      return lines.map((l) => {
        const v = l.values[i] ?? 0;
        if (v <= 0) return null;
        const rect = (
          <rect x={round(x(i) + slot * 0.1)} width={round(Math.max(1, slot * 0.8))} y={y(below + v)} height={round(y(below) - y(below + v))} fill={l.colour} />
        );
        below += v;
        return rect;
      });
    })}
  </g>
);

/** A line per run of consecutive figures; a lone figure is a dot. */
const Polylines: FC<{ line: Line; x: Scale; y: Scale }> = ({ line, x, y }) => {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  line.values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push([x(i), y(v)]);
  });
  if (run.length) runs.push(run);
  return (
    <g>
      {runs.map((r) =>
        r.length === 1 ? (
          <circle cx={r[0]?.[0]} cy={r[0]?.[1]} r="2.5" fill={line.colour} />
        ) : (
          <polyline points={r.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")} fill="none" stroke={line.colour} stroke-width="2" />
        ),
      )}
    </g>
  );
};

/** A level: each sample holds until the next one (the last one to the end of its step), with a dot at each sample. */
const Steps: FC<{ line: Line; x: Scale; y: Scale; end: number }> = ({ line, x, y, end }) => {
  const samples = line.values.flatMap((v, i) => (v === null ? [] : [{ i, v }]));
  if (!samples.length) return null;
  const d = samples
    .map((s, k) => {
      const next = samples[k + 1];
      const until = next ? x(next.i) : Math.min(end, x(s.i + 1));
      return `${k === 0 ? `M${x(s.i).toFixed(1)},` : "V"}${y(s.v).toFixed(1)} H${until.toFixed(1)}`;
    })
    .join(" ");
  return (
    <g>
      <path d={d} fill="none" stroke={line.colour} stroke-width="2" />
      {samples.map((s) => (
        <circle cx={x(s.i)} cy={y(s.v)} r="2.5" fill={line.colour} />
      ))}
    </g>
  );
};

// ── Summaries (what the screen reader hears, and what the image stands for) ─────────────────────────

const peak = (times: number[], values: (number | null)[], days: boolean) => {
  let best = -1;
  values.forEach((v, i) => {
    if (v !== null && (best < 0 || v > (values[best] ?? 0))) best = i;
  });
  return best < 0 ? null : { v: values[best] ?? 0, at: timeLabel(times[best] ?? 0, days) };
};

function volumeSummary(who: string, points: SeriesPoint[], times: number[], days: boolean): string {
  const totals = OUTCOMES.map((o) => ({ o, n: points.reduce((s, p) => s + (p.counts[o.key] ?? 0), 0) })).filter((t) => t.n > 0);
  const all = totals.reduce((s, t) => s + t.n, 0);
  if (!all) return `Webhook volume, ${who}: no webhooks in this range.`;
  const busiest = peak(
    times,
    points.map((p) => OUTCOMES.reduce((s, o) => s + (p.counts[o.key] ?? 0), 0)),
    days,
  );
  return `Webhook volume, ${who}: ${all} in all (${totals.map((t) => `${t.n} ${t.o.key}`).join(", ")}); busiest step ${busiest?.v} at ${busiest?.at} UTC.`;
}

function errorSummary(points: SeriesPoint[], rates: (number | null)[], times: number[], days: boolean): string {
  const bad = points.reduce((s, p) => s + (p.counts.rejected ?? 0) + (p.counts.quarantined ?? 0), 0);
  const all = points.reduce((s, p) => s + OUTCOMES.reduce((n, o) => n + (p.counts[o.key] ?? 0), 0), 0);
  if (!all) return "Error rate: no webhooks in this range.";
  const high = peak(times, rates, days);
  return `Error rate: ${num((bad / all) * 100)}% over the range (${bad} of ${all} rejected or quarantined); highest ${num(high?.v ?? 0)}% at ${high?.at} UTC.`;
}

function latencySummary(what: string, p50: (number | null)[], p99: (number | null)[], times: number[], days: boolean): string {
  const hi50 = peak(times, p50, days);
  const hi99 = peak(times, p99, days);
  if (!hi50 || !hi99) return `${what}: no figures in this range.`;
  return `${what}: p50 at most ${hi50.v} ms, p99 at most ${hi99.v} ms (highest at ${hi99.at} UTC).`;
}

function gaugeSummary(what: string, lines: Line[], times: number[], days: boolean, say: (v: number) => string): string {
  const parts = lines.flatMap((l) => {
    const last = l.values.findLastIndex((v) => v !== null);
    if (last < 0) return [];
    const high = peak(times, l.values, days);
    return [`${l.label}: latest ${say(l.values[last] ?? 0)} sampled at ${timeLabel(times[last] ?? 0, days)} UTC, highest ${say(high?.v ?? 0)}`];
  });
  return parts.length ? `${what}, sampled every ${GAUGE_EVERY_MINUTES} min. ${parts.join("; ")}.` : `${what}: not sampled in this range.`;
}

// ── Page ────────────────────────────────────────────────────────────────────────────────────────────

const isoMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

async function chartsPage(c: C) {
  const now = Date.now();
  const q = c.req.query();
  const ids = [...partners(c.env.PARTNERS).keys()];
  const partner = q.partner && q.partner !== "all" ? q.partner : null;
  const asked = rangeOf(q, now);
  const problem = "error" in asked ? asked.error : partner && !ids.includes(partner) ? `There is no partner “${partner}”.` : null;
  const range = "error" in asked ? { from: now - PRESETS["1h"].ms, to: now } : asked;
  const keptFrom = now - KEPT_MS;
  const notKept =
    range.to <= keptFrom
      ? `Nothing is kept here for that range: this store keeps the last 24 hours (since ${absoluteTime(new Date(keptFrom).toISOString())}). Older figures are in Analytics Engine (see below).`
      : range.from >= now
        ? "That range has not happened yet: choose one that starts before now."
        : null;
  // What is drawn: the part of the range this store still keeps, up to now.
  const from = Math.max(range.from, keptFrom);
  const to = Math.min(range.to, now);
  const clipped = !notKept && (from > range.from || to < range.to);
  const step = stepFor(from, to);
  // At most 24 h are drawn: dates are needed only when they cross midnight.
  const days = new Date(from).getUTCDate() !== new Date(to - 1).getUTCDate();

  let charts: unknown = null;
  if (!problem && !notKept) {
    await sampleGaugesIfDue(c.env, now);
    const chosen = partner ? [partner] : ids;
    const [projection = [], backlog = [], ...perPartner] = await Promise.all(
      ["projection", BACKLOG_STREAM, ...chosen.map((id) => `partner:${id}`)].map((name) => metricSeries(c.env, name, from, to, step)),
    );
    const points = mergeSeries(perPartner);
    const times = points.map((p) => Date.parse(p.at));
    const who = partner ?? "all partners";
    const rates = points.map((p) => {
      const all = OUTCOMES.reduce((n, o) => n + (p.counts[o.key] ?? 0), 0);
      return all ? (((p.counts.rejected ?? 0) + (p.counts.quarantined ?? 0)) / all) * 100 : null;
    });
    const gauge = (name: string) => backlog.map((p) => p.gauges[name] ?? null);
    const waitingNames = [...new Set(backlog.flatMap((p) => Object.keys(p.gauges).filter((k) => k.startsWith(WAITING))))].sort();
    const pending: Line[] = [{ label: "pending commands", colour: LINE_COLOURS[0] ?? GREY, values: gauge(PENDING_COMMANDS) }];
    const age: Line[] = [{ label: "oldest pending command", colour: LINE_COLOURS[1] ?? GREY, values: gauge(OLDEST_PENDING_AGE) }];
    const waiting: Line[] = waitingNames.map((name, i) => ({
      label: name.slice(WAITING.length).replace(/^fulfillment:/, ""),
      colour: LINE_COLOURS[i % LINE_COLOURS.length] ?? GREY,
      values: gauge(name),
    }));
    const answer = [
      { label: "p50", colour: LINE_COLOURS[0] ?? GREY, values: points.map((p) => p.p50Ms) },
      { label: "p99", colour: LINE_COLOURS[1] ?? GREY, values: points.map((p) => p.p99Ms) },
    ];
    const lag = [
      { label: "p50", colour: LINE_COLOURS[0] ?? GREY, values: projection.map((p) => p.p50Ms) },
      { label: "p99", colour: LINE_COLOURS[1] ?? GREY, values: projection.map((p) => p.p99Ms) },
    ];
    const sampled = `Levels, sampled every ${GAUGE_EVERY_MINUTES} min by the scheduled job and when this page is opened (at most once a minute); the line holds each sample until the next.`;
    charts = (
      <div class="charts">
        <Chart
          id="volume"
          title={`Webhooks by outcome, ${who}`}
          unit="webhooks"
          kind="bars"
          times={times}
          days={days}
          lines={OUTCOMES.map((o) => ({ label: o.label, colour: o.colour, values: points.map((p) => p.counts[o.key] ?? 0) }))}
          summary={volumeSummary(who, points, times, days)}
        />
        <Chart
          id="errors"
          title={`Error rate, ${who}`}
          unit="%"
          kind="bars"
          cap={100}
          times={times}
          days={days}
          note="Rejected and quarantined webhooks as a share of all, per step."
          lines={[{ label: "rejected or quarantined", colour: "#b42318", values: rates }]}
          summary={errorSummary(points, rates, times, days)}
        />
        <Chart
          id="answer"
          title={`Time to answer partners, ${who}`}
          unit="ms"
          kind="lines"
          times={times}
          days={days}
          note="Each figure is the upper bound of its latency bucket."
          lines={answer}
          summary={latencySummary("Time to answer partners", answer[0]?.values ?? [], answer[1]?.values ?? [], times, days)}
        />
        <Chart
          id="lag"
          title="Projection lag"
          unit="ms"
          kind="lines"
          times={times}
          days={days}
          note="From an event's arrival to the read model showing it."
          lines={lag}
          summary={latencySummary("Projection lag", lag[0]?.values ?? [], lag[1]?.values ?? [], times, days)}
        />
        <Chart
          id="pending"
          title="ERP backlog: pending commands"
          unit="commands"
          kind="steps"
          times={times}
          days={days}
          note={sampled}
          lines={pending}
          summary={gaugeSummary("ERP pending commands", pending, times, days, (v) => `${v} commands`)}
        />
        <Chart
          id="age"
          title="ERP backlog: oldest pending command"
          unit="seconds"
          kind="steps"
          times={times}
          days={days}
          note={sampled}
          lines={age}
          summary={gaugeSummary("Age of the oldest pending ERP command", age, times, days, (v) => duration(v))}
        />
        <Chart
          id="waiting"
          title="Orders waiting at each destination"
          unit="orders"
          kind="steps"
          times={times}
          days={days}
          note={sampled}
          lines={waiting}
          summary={gaugeSummary("Orders waiting at each destination", waiting, times, days, (v) => `${v} orders`)}
        />
      </div>
    );
  }

  if (problem) c.status(400);
  return c.html(
    <Shell c={c} title="Charts" live={!problem && "preset" in range && range.preset !== undefined}>
      <style nonce={c.get("secureHeadersNonce") ?? ""}>{PAGE_CSS}</style>
      <h2>Charts</h2>
      <section class="card picker" data-testid="range-picker">
        <nav aria-label="Time range">
          {(Object.keys(PRESETS) as Preset[]).map((p) => (
            <a
              href={`/ops/console/charts?${new URLSearchParams({ range: p, partner: partner ?? "all" })}`}
              data-testid={`range-${p}`}
              {...("preset" in range && range.preset === p ? { "aria-current": "true" } : {})}
            >
              Last {PRESETS[p].label}
            </a>
          ))}
        </nav>
        <form method="get" action="/ops/console/charts" data-testid="custom-range">
          <label>
            From (UTC)
            <input type="datetime-local" name="from" value={isoMinute(range.from)} />
          </label>{" "}
          <label>
            To (UTC)
            <input type="datetime-local" name="to" value={isoMinute(range.to)} />
          </label>{" "}
          <input type="hidden" name="partner" value={partner ?? "all"} />
          <button type="submit">Show this range</button>
        </form>
        <form method="get" action="/ops/console/charts">
          {"preset" in range && range.preset ? (
            <input type="hidden" name="range" value={range.preset} />
          ) : (
            <>
              <input type="hidden" name="from" value={isoMinute(range.from)} />
              <input type="hidden" name="to" value={isoMinute(range.to)} />
            </>
          )}
          <label>
            Partner
            <select name="partner">
              <option value="all">All partners</option>
              {ids.map((id) => (
                <option value={id} {...(id === partner ? { selected: true } : {})}>
                  {id}
                </option>
              ))}
            </select>
          </label>{" "}
          <button type="submit">Show partner</button>
        </form>
      </section>
      {problem ? (
        <p class="flash error" role="alert" data-testid="range-error">
          {problem}
        </p>
      ) : notKept ? (
        <p class="flash error" role="alert" data-testid="range-error">
          {notKept}
        </p>
      ) : (
        <p data-testid="range-shown">
          From {absoluteTime(new Date(from).toISOString())} to {absoluteTime(new Date(to).toISOString())}, in steps of {duration(step * 60)}.
          {clipped && <span class="muted"> (The range asked for is cut to what this store keeps, up to now.)</span>}
        </p>
      )}
      {charts}
      <section class="card" data-testid="history">
        <h2>Longer history</h2>
        <p>
          These charts read the local store, which keeps the last 24 hours in one-minute steps. In production every figure also goes to Analytics Engine
          (dataset <code>dockline_metrics</code>), which keeps the long history. For example, webhooks per hour and outcome for one partner over the last 7
          days:
        </p>
        <pre>{AE_EXAMPLE}</pre>
      </section>
    </Shell>,
  );
}

chartsConsole.get("/ops/console/charts", consoleAuth, (c) => chartsPage(c as C));
