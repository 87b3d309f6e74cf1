// The ops charts: series read from MetricsDO over a range in steps (counts per step, merged latency
// quantiles), gauges sampled from the real ERP backlog, and the console page over fixed and custom ranges.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { mergeSeries, stepFor } from "../../src/domain/series";
import { BACKLOG_STREAM, sampleGauges, sampleGaugesIfDue } from "../../src/ops/gauges";
import { LINE_COLOURS, OUTCOMES } from "../../src/routes/console-charts";
import { metricSeries, recordMetric } from "../../src/platform/metrics";
import { call, consoleLogin, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const MIN = 60_000;
const BASE = Date.parse("2026-12-01T10:00:00Z");
const metrics = (name: string) => env.METRICS.getByName(name);

afterEach(async () => {
  await fetch("http://erp.test/admin/faults", { method: "DELETE" });
});

describe("metric series", () => {
  it("adds up counts per step and takes p50/p99 from the step's merged histogram", async () => {
    const m = metrics("partner:series-a");
    await m.record({ counts: { accepted: 3 }, latenciesMs: [4, 4, 40] }, BASE + 30_000);
    await m.record({ counts: { rejected: 1 }, latenciesMs: [300] }, BASE + 1.2 * MIN);
    await m.record({ counts: { accepted: 1, duplicate: 2 }, latenciesMs: [1, 1, 1] }, BASE + 7 * MIN);
    await m.record({ counts: { accepted: 9 }, latenciesMs: [9] }, BASE + 12 * MIN);

    const five = await m.series(BASE, BASE + 10 * MIN, 5);
    expect(five.map((p) => p.at)).toEqual(["2026-12-01T10:00:00.000Z", "2026-12-01T10:05:00.000Z"]);
    expect(five[0]).toMatchObject({ counts: { accepted: 3, rejected: 1 }, count: 4, p50Ms: 5, p99Ms: 500 });
    expect(five[1]).toMatchObject({ counts: { accepted: 1, duplicate: 2 }, count: 3, p50Ms: 1, p99Ms: 1 });

    const perMinute = await m.series(BASE, BASE + 10 * MIN, 1);
    expect(perMinute).toHaveLength(10);
    expect(perMinute.map((p) => p.count)).toEqual([3, 1, 0, 0, 0, 0, 0, 3, 0, 0]);
    expect(perMinute[2]).toMatchObject({ counts: {}, p50Ms: null, p99Ms: null });
  });

  it("widens the step so a long range has at most 120 points, and picks readable steps", async () => {
    const m = metrics("partner:series-b");
    await m.record({ counts: { accepted: 2 }, latenciesMs: [10, 10] }, BASE + 5 * MIN);
    const day = await m.series(BASE, BASE + 24 * 60 * MIN, 1);
    expect(day.length).toBeLessThanOrEqual(120);
    expect(day[0]?.counts).toEqual({ accepted: 2 });
    expect([stepFor(BASE, BASE + 60 * MIN), stepFor(BASE, BASE + 360 * MIN), stepFor(BASE, BASE + 1440 * MIN)]).toEqual([1, 5, 15]);
  });

  it("merges partners' points before taking quantiles, and reads samples still pending in this isolate", async () => {
    await recordMetric(env, "partner:series-c", { counts: { accepted: 1 }, latenciesMs: [1] }, BASE + 2 * MIN);
    await metrics("partner:series-d").record({ counts: { quarantined: 1 }, latenciesMs: [2000] }, BASE + 3 * MIN);
    // The first sample is still in memory (not a second old): reading the series writes it first.
    const [c, d] = await Promise.all([
      metricSeries(env, "partner:series-c", BASE, BASE + 5 * MIN, 5),
      metricSeries(env, "partner:series-d", BASE, BASE + 5 * MIN, 5),
    ]);
    expect(c[0]).toMatchObject({ counts: { accepted: 1 }, p99Ms: 1 });
    const [all] = mergeSeries([c, d]);
    expect(all).toMatchObject({ counts: { accepted: 1, quarantined: 1 }, count: 2, p50Ms: 1, p99Ms: 2000 });
  });

  it("keeps a gauge's last level per minute and each step's latest level", async () => {
    const m = metrics("gauges-a");
    await m.gauge({ pendingCommands: 4, oldestPendingAgeSeconds: 30 }, BASE + 1_000);
    await m.gauge({ pendingCommands: 6 }, BASE + 50_000);
    await m.gauge({ pendingCommands: 2, oldestPendingAgeSeconds: 5 }, BASE + 3 * MIN);
    const [first, second] = await m.series(BASE, BASE + 4 * MIN, 2);
    expect(first?.gauges).toEqual({ pendingCommands: 6, oldestPendingAgeSeconds: 30 });
    expect(second?.gauges).toEqual({ pendingCommands: 2, oldestPendingAgeSeconds: 5 });
    expect(first?.count).toBe(0);
  });
});

describe("backlog gauges", () => {
  it("samples a pending ERP backlog and the ERP's waiting orders into the backlog stream", async () => {
    const prefix = "SO-CHARTS-GAUGE-";
    await fetch("http://erp.test/admin/faults", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ downForMs: 60_000, scope: prefix }),
    });
    for (const orderId of [`${prefix}1`, `${prefix}2`]) {
      expect((await releaseOrder(orderId)).status).toBe(202);
      const dispatched = milestone({
        orderId,
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T10:00:00Z",
        shipmentId: "S1",
        trackingNumber: `T-${orderId}`,
      });
      expect((await sendAcme(dispatched)).status).toBe(202);
    }
    await eventually(async () => {
      const m = (await (await call("/ops/metrics", { headers: { Authorization: `Bearer ${SECRETS.ops}` } })).json()) as { erp: { pendingCommands: number } };
      return m.erp.pendingCommands >= 2 ? true : undefined;
    });
    const now = Date.now();
    await sampleGauges(env, now);
    const points = await metricSeries(env, BACKLOG_STREAM, now - MIN, now + MIN, 1);
    const sampled = points.find((p) => Object.keys(p.gauges).length > 0)?.gauges;
    expect(sampled?.pendingCommands).toBeGreaterThanOrEqual(2);
    expect(sampled?.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(Object.keys(sampled ?? {})).toEqual(expect.arrayContaining(["waiting:erp", "waiting:fulfillment:acme-3pl"]));
  });
});

describe("sampling when the charts are opened", () => {
  it("samples at most once a minute per isolate", async () => {
    // Ten days ahead: later than any sample this isolate took already.
    const minute = Math.floor((Date.now() + 10 * 24 * 60 * MIN) / MIN) * MIN;
    await sampleGaugesIfDue(env, minute + 50_000);
    await sampleGaugesIfDue(env, minute + 80_000); // 30 s later: skipped
    await sampleGaugesIfDue(env, minute + 180_000); // 130 s after the first: sampled
    const points = await metricSeries(env, BACKLOG_STREAM, minute, minute + 4 * MIN, 1);
    expect(points.map((p) => Object.keys(p.gauges).length > 0)).toEqual([true, false, false, true]);
  });
});

describe("GET /ops/metrics over a range", () => {
  const ops = (path: string) => call(path, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });

  it("answers series per stream for from/to/step, and the fixed windows without them", async () => {
    const now = Date.now();
    const from = new Date(now - 10 * MIN).toISOString();
    await metrics("partner:shipbob").record({ counts: { accepted: 2, parked: 1 }, latenciesMs: [20, 20, 20] }, now - 3 * MIN);
    const res = await ops(`/ops/metrics?from=${from}&to=${new Date(now).toISOString()}&step=5`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      stepMinutes: number;
      partners: Record<string, { counts: Record<string, number>; p50Ms: number | null }[]>;
      backlog: unknown[];
    };
    expect(body.stepMinutes).toBe(5);
    const shipbob = body.partners.shipbob ?? [];
    expect(shipbob.length).toBeGreaterThanOrEqual(2);
    expect(shipbob.reduce((n, p) => n + (p.counts.accepted ?? 0), 0)).toBe(2);
    expect(shipbob.find((p) => p.counts.parked === 1)?.p50Ms).toBe(20);
    expect(shipbob[0]).not.toHaveProperty("hist");
    const plain = (await (await ops("/ops/metrics")).json()) as Record<string, unknown>;
    expect(plain).toHaveProperty("erp");
    expect(plain).not.toHaveProperty("stepMinutes");
  });

  it("refuses a range that ends before it starts, half a range, or a non-date with a 422 in words", async () => {
    for (const [query, words] of [
      ["from=2026-12-03T22:00:00Z&to=2026-12-03T21:00:00Z", "must be after from"],
      ["from=2026-12-03T22:00:00Z", "give both from and to"],
      ["from=yesterday&to=2026-12-03T21:00:00Z", "Query parameter from"],
    ] as const) {
      const res = await ops(`/ops/metrics?${query}`);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { detail: string }).detail).toContain(words);
    }
  });
});

describe("the charts page", () => {
  const page = async (query: string) => {
    const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    return call(`/ops/console/charts${query}`, { headers: { Cookie: cookie } });
  };
  const labelOf = (html: string, id: string) => new RegExp(`data-testid="chart-${id}"[\\s\\S]*?aria-label="([^"]*)"`).exec(html)?.[1] ?? "";
  const tableOf = (html: string, id: string) => new RegExp(`data-testid="table-${id}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? "";

  it("sends a signed-out browser to the sign-in page", async () => {
    const res = await call("/ops/console/charts?range=24h", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe("/ops/login");
  });

  it("draws the last hour for one partner: volume by outcome, error rate, answer times, lag and backlog, with summaries and tables", async () => {
    const now = Date.now();
    await metrics("partner:easypost").record({ counts: { accepted: 3, rejected: 1 }, latenciesMs: [15, 15, 15, 400] }, now - 2 * MIN);
    for (const ago of [3, 2]) await metrics("projection").record({ counts: { projected: 2 }, latenciesMs: [80, 90] }, now - ago * MIN);
    await metrics(BACKLOG_STREAM).gauge({ pendingCommands: 7, oldestPendingAgeSeconds: 120, "waiting:erp": 3 }, now - 5 * MIN);
    const res = await page("?range=1h&partner=easypost");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.match(/<svg role="img"/g)).toHaveLength(7);
    expect(html).toContain("in steps of 1 min");
    expect(labelOf(html, "volume")).toMatch(
      /^Webhook volume, easypost: 4 in all \(3 accepted, 1 rejected\); busiest step 4 at (\d{1,2} \w{3} )?\d\d:\d\d UTC\.$/,
    );
    expect(html).toMatch(/<rect [^>]*fill="#067647"/);
    // The time axis is labelled on round times: every 10 minutes over an hour, or every 15 when the last hour
    // crosses midnight (as it does when this runs just after it) and the labels carry the date.
    const chart = /data-testid="chart-volume"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
    const ticks = [...chart.matchAll(/>(\d{1,2} \w{3} )?\d\d:(\d\d)<\/text>/g)];
    const dated = ticks.some((m) => m[1]);
    expect(ticks.length).toBeGreaterThanOrEqual(dated ? 4 : 5);
    expect(ticks.every((m) => Number(m[2]) % (dated ? 15 : 10) === 0)).toBe(true);
    expect(labelOf(html, "errors")).toMatch(/^Error rate: 25% over the range \(1 of 4 rejected or quarantined\); highest 25% at/);
    expect(labelOf(html, "answer")).toMatch(/p50 at most 20 ms, p99 at most 500 ms/);
    // The projection stream also holds this file's real orders: look at the recorded minute only.
    expect(labelOf(html, "lag")).toMatch(/^Projection lag: p50 at most \d+ ms/);
    expect(tableOf(html, "lag").match(/<td>100<\/td><td>100<\/td>/g)).toHaveLength(2);
    expect(html).toContain("<polyline");
    expect(tableOf(html, "volume")).toMatch(/<td>3<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>1<\/td>/);
    expect(tableOf(html, "pending")).toContain("<td>7</td>");
    expect(tableOf(html, "waiting")).toContain("<td>3</td>");
    expect(labelOf(html, "pending")).toMatch(/^ERP pending commands, sampled every 10 min\. pending commands: latest \d+ commands sampled at/);
    expect(labelOf(html, "age")).toMatch(/highest 2 min/);
    expect(html).toMatch(/<path d="M[\d.]+,[\d.]+ H/);
    expect(html).toContain('aria-current="true"');
    expect(html).toContain("dockline_metrics");
  });

  it("draws the last 24 hours in 15-minute steps, with dates when they span two days", async () => {
    await metrics("partner:shippo").record({ counts: { accepted: 5 }, latenciesMs: [3, 3, 3, 3, 3] }, Date.now() - 20 * 60 * MIN);
    const html = await (await page("?range=24h&partner=shippo")).text();
    expect(html).toContain("in steps of 15 min");
    expect(labelOf(html, "volume")).toMatch(/^Webhook volume, shippo: 5 in all \(5 accepted\); busiest step 5 at \d{1,2} \w{3} \d\d:\d\d UTC\.$/);
    expect(tableOf(html, "volume")).toContain("<td>5</td>");
  });

  it("draws a custom range given as datetime-local values (UTC)", async () => {
    const now = Date.now();
    await metrics("partner:ups").record({ counts: { quarantined: 2 }, latenciesMs: [50, 50] }, now - 150 * MIN);
    const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const res = await page(`?from=${local(now - 180 * MIN)}&to=${local(now - 120 * MIN)}&partner=ups`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(labelOf(html, "volume")).toMatch(/^Webhook volume, ups: 2 in all \(2 quarantined\)/);
    expect(labelOf(html, "errors")).toMatch(/^Error rate: 100% over the range/);
    expect(html).not.toContain('aria-current="true"');
  });

  it("says in words what is wrong with a range, and that an old range is no longer kept here", async () => {
    for (const [query, words] of [
      ["?from=yesterday&to=2026-12-03T21:00", "“yesterday” is not a date and time"],
      ["?from=2026-12-03T22:00&to=2026-12-03T21:00", "The range ends before it starts"],
      ["?from=2026-12-03T22:00", "Give both a start and an end"],
      ["?range=7d", "There is no range “7d”"],
      ["?partner=nobody", "There is no partner “nobody”"],
    ] as const) {
      const res = await page(query);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(words);
      expect(html).not.toContain('role="img"');
    }
    const old = await page("?from=2020-01-01T00:00&to=2020-01-02T00:00");
    expect(old.status).toBe(200);
    const html = await old.text();
    expect(html).toContain("Nothing is kept here for that range: this store keeps the last 24 hours");
    expect(html).not.toContain('role="img"');
  });

  it("uses colours with at least 4.5:1 contrast on white", () => {
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (const colour of [...OUTCOMES.map((o) => o.colour), ...LINE_COLOURS]) expect(1.05 / (luminance(colour) + 0.05)).toBeGreaterThanOrEqual(4.5);
  });
});
