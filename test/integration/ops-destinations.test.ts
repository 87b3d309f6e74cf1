// What ops on call see of the ERP's gate: GET /ops/destinations (behind ops authentication), the short
// form in GET /ops/metrics, and the console's tile and row. An idle ERP is open with nobody waiting; a
// failing one shows paused (since when, next probe) with its orders waiting, and open again once it answers.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { DestinationStatus } from "../../durable-objects/destination";
import { call, consoleLogin, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const ops = (path: string) => call(path, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
const erpStatus = async (): Promise<DestinationStatus> => {
  const res = await ops("/ops/destinations");
  expect(res.status).toBe(200);
  const { items } = (await res.json()) as { items: DestinationStatus[] };
  const erp = items.find((d) => d.destination === "erp");
  if (!erp) throw new Error("the ERP is not listed");
  return erp;
};
const consolePage = async (): Promise<string> => {
  const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  const res = await call("/ops", { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return res.text();
};
const clearFaults = () => fetch("http://erp.test/admin/faults", { method: "DELETE" });

afterEach(async () => {
  await clearFaults();
});

describe("GET /ops/destinations", () => {
  it("refuses a caller without ops credentials with a 401 problem", async () => {
    for (const headers of [{}, { Authorization: "Bearer nope" }] as Record<string, string>[]) {
      const res = await call("/ops/destinations", { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 401 });
    }
  });

  it("lists the ERP open with nobody waiting on an idle system, and reading it stores nothing in its gate", async () => {
    const res = await ops("/ops/destinations");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: DestinationStatus[] };
    // The ERP's gate, then each fulfilment partner's (PARTNERS: acme-3pl, edi).
    expect(body.items.map((d) => d.destination)).toEqual(["erp", "fulfillment:acme-3pl", "fulfillment:edi"]);
    expect(body.items[0]).toEqual({
      destination: "erp",
      mode: "open",
      pausedSince: null,
      nextProbeAt: null,
      concurrency: 10,
      inFlight: 0,
      turnsOut: 0,
      waiting: 0,
      oldestWaitingSince: null,
      consecutiveFailures: 0,
    });
    const metrics = (await (await ops("/ops/metrics")).json()) as { destinations: Record<string, unknown> };
    expect(Object.keys(metrics.destinations)).toEqual(["erp", "fulfillment:acme-3pl", "fulfillment:edi"]);
    expect(metrics.destinations.erp).toEqual({ mode: "open", pausedSince: null, waiting: 0, oldestWaitingSince: null });
    const html = await consolePage();
    expect(html).toMatch(/class="tile ok" data-testid="gate-erp"><span class="muted">ERP gate<\/span><b>Open<\/b>/);
    expect(html).toContain('data-testid="destination-erp"');
    // Each fulfilment partner's gate beside the ERP's, under the partner's name.
    expect(html).toMatch(/data-testid="gate-fulfillment:acme-3pl"><span class="muted">acme-3pl gate<\/span>/);
    // Reading is not using: the gate was never named, and holds no state and no waiting order.
    const stored = await runInDurableObject(env.DESTINATIONS.getByName("erp"), (_instance, state) => ({
      meta: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM meta").one().n,
      waiting: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM waiting").one().n,
    }));
    expect(stored).toEqual({ meta: 0, waiting: 0 });
    expect(await runInDurableObject(env.DESTINATIONS.getByName("erp"), (_instance, state) => state.storage.getAlarm())).toBeNull();
  });

  it("shows a failing ERP paused, with its orders waiting and the next probe, in the API, the metrics and the console; open again once it answers", async () => {
    const prefix = "SO-OPS-DEST-";
    await fetch("http://erp.test/admin/faults", {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ downForMs: 60_000, scope: prefix }),
    });
    const ids = Array.from({ length: 8 }, (_, i) => `${prefix}${i}`);
    for (const orderId of ids) {
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
    const paused = await eventually(
      async () => {
        const s = await erpStatus();
        return s.mode === "paused" && s.waiting > 0 && s.nextProbeAt !== null ? s : undefined;
      },
      15_000,
      "the ERP paused with orders waiting",
    );
    expect(paused).toMatchObject({ destination: "erp", concurrency: 10 });
    expect(paused.consecutiveFailures).toBeGreaterThanOrEqual(5);
    const pausedSince = paused.pausedSince ?? "";
    expect(Date.parse(pausedSince)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(paused.nextProbeAt ?? "")).toBeGreaterThan(Date.parse(pausedSince));
    expect(Date.parse(paused.oldestWaitingSince ?? "")).toBeLessThanOrEqual(Date.parse(pausedSince));

    const metrics = (await (await ops("/ops/metrics")).json()) as { destinations: Record<string, { mode: string; pausedSince: string; waiting: number }> };
    expect(metrics.destinations.erp).toMatchObject({ mode: "paused", pausedSince });
    expect(metrics.destinations.erp?.waiting).toBeGreaterThan(0);

    const html = await consolePage();
    expect(html).toMatch(/class="tile bad" data-testid="gate-erp"><span class="muted">ERP gate<\/span><b>Paused<\/b>/);
    // In words ("Paused since 2 min ago, next probe in 20 s"), the exact instant kept for machines.
    expect(html).toMatch(new RegExp(`Paused since <time datetime="${pausedSince}"[^>]*>(just now|[^<]* ago)</time>, next probe <time datetime=`));
    expect(html).toMatch(/data-testid="destination-erp">.*? \/ 10/s);

    // The ERP is back: the next probe answers, and the gate opens with nobody left waiting.
    await clearFaults();
    await eventually(
      async () => {
        const s = await erpStatus();
        return s.mode === "open" && s.waiting === 0 ? s : undefined;
      },
      20_000,
      "the ERP open again, nobody waiting",
    );
    expect(await consolePage()).toMatch(/data-testid="gate-erp"><span class="muted">ERP gate<\/span><b>Open<\/b>/);
  });
});
