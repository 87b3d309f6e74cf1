// The public tracking page: a signed link per order, HTML readable without script, strict CSP, nothing
// about any other order.
import { describe, expect, it } from "vitest";
import { call, eventually, issueKey, milestone, releaseOrder, sendAcme } from "../helpers/http";

async function trackingUrl(orderId: string, customerId: string): Promise<string> {
  const key = await issueKey(customerId);
  return eventually(async () => {
    const r = await call(`/v1/orders/${orderId}`, { headers: { Authorization: `Bearer ${key}` } });
    if (r.status !== 200) return undefined;
    const o = (await r.json()) as { trackingUrl: string; version: number };
    return o.version >= 3 ? new URL(o.trackingUrl).pathname : undefined;
  });
}

describe("GET /track/{token}", () => {
  it("renders the order's status, ETA, parcels and history in plain words, with a strict CSP", async () => {
    const orderId = "SO-TRACK-1";
    await releaseOrder(orderId, "CUST-TRACK");
    await sendAcme(
      milestone({
        orderId,
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T11:00:00Z",
        shipmentId: "S1",
        carrier: "ups",
        trackingNumber: "1ZTRACK001",
        eta: "2026-11-24T18:00:00Z",
        location: { city: "Memphis", country: "US" },
      }),
    );
    await sendAcme(milestone({ orderId, code: "shipment.exception", occurredAt: "2026-11-21T09:00:00Z", shipmentId: "S1", reason: "weather" }));
    const path = await trackingUrl(orderId, "CUST-TRACK");

    const res = await call(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/style-src 'nonce-[A-Za-z0-9+/=]+'/);
    // One script, the page's own (times in the reader's zone): by nonce, nothing else may run.
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const html = await res.text();
    expect(html).toContain("Your order has shipped");
    expect(html).toContain("Weather is delaying your delivery.");
    expect(html).toMatch(/Expected <strong><time datetime="2026-11-24T18:00:00(\.000)?Z" data-day="1">Tuesday 24 November<\/time><\/strong>/);
    expect(html).toMatch(/Tracking number <a [^>]*>1ZTRACK001<\/a>/);
    expect(html).toContain("Memphis, US");
    expect(html.match(/<script/g)).toHaveLength(1);
    // The stepper: ordered, then shipped (the current step).
    expect(html).toMatch(/<li class="done">Ordered<\/li><li class="done" aria-current="step">Shipped<\/li><li class="">Out for delivery<\/li>/);
    // The carrier by its name, the tracking number linked to the carrier's own page.
    expect(html).toContain(" · UPS");
    expect(html).toContain('href="https://www.ups.com/track?tracknum=1ZTRACK001"');
    // Times with their year, in UTC without script; "Updated" is the newest event (the exception, 21 Nov).
    expect(html).toMatch(/Updated <time datetime="2026-11-21T09:00:00(\.000)?Z">Sat, 21 Nov 2026, 09:00 UTC<\/time>/);
    // No promise the system cannot keep.
    expect(html).not.toMatch(/replacement|refund/i);
    // Internal details stay internal: no customer id, no partner names.
    expect(html).not.toContain("CUST-TRACK");
    expect(html).not.toContain("acme-3pl");
  });

  it("answers 404 for a forged or tampered link, and shows no order", async () => {
    const orderId = "SO-TRACK-2";
    await releaseOrder(orderId, "CUST-TRACK-2");
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1" }));
    await sendAcme(milestone({ orderId, code: "shipment.in_transit", occurredAt: "2026-11-20T12:00:00Z", shipmentId: "S1" }));
    const path = await trackingUrl(orderId, "CUST-TRACK-2");
    const [idPart, mac] = path.replace("/track/", "").split(".") as [string, string];
    // Another order's id with this order's MAC; this order's id with a changed MAC; garbage.
    const otherId = btoa("SO-TRACK-1").replaceAll("=", "");
    for (const forged of [`${otherId}.${mac}`, `${idPart}.${mac.slice(0, -2)}AA`, "nonsense", `${idPart}`]) {
      const res = await call(`/track/${forged}`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain("We could not find this order");
      expect(html).not.toContain("SO-TRACK");
    }
  });
});
