// The public tracking page: a signed, dated link per order that expires and can be revoked; HTML readable
// without script, strict CSP; each parcel with its own history and items, in our own words; nothing about
// any other order, nothing a partner wrote about people.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { trackingToken } from "../../src/platform/tracking-token";
import { CONSOLE_ORIGIN, call, consoleLogin, eventually, issueKey, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const DAY = 86_400_000;
/** What a reader sees: the page's text without markup, styles or script. */
const textOf = (html: string) =>
  html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");
/** The HTML of each parcel's section, in page order. */
const parcelsOf = (html: string) => html.split('data-testid="shipment"').slice(1);
const count = (html: string, text: string) => html.split(text).length - 1;

async function trackingUrl(orderId: string, customerId: string, version = 3): Promise<string> {
  const key = await issueKey(customerId);
  return eventually(async () => {
    const r = await call(`/v1/orders/${orderId}`, { headers: { Authorization: `Bearer ${key}` } });
    if (r.status !== 200) return undefined;
    const o = (await r.json()) as { trackingUrl: string; version: number };
    return o.version >= version ? new URL(o.trackingUrl).pathname : undefined;
  });
}

/** An order with one parcel dispatched and in transit, and its tracking link. */
async function shippedOrder(orderId: string, customerId: string): Promise<string> {
  await releaseOrder(orderId, customerId);
  await sendAcme(
    milestone({
      orderId,
      code: "shipment.dispatched",
      occurredAt: "2026-11-20T11:00:00Z",
      shipmentId: "S1",
      carrier: "ups",
      trackingNumber: `1Z${orderId.replaceAll("-", "")}`,
    }),
  );
  await sendAcme(milestone({ orderId, code: "shipment.in_transit", occurredAt: "2026-11-20T12:00:00Z", shipmentId: "S1" }));
  return trackingUrl(orderId, customerId);
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
    // The release's ship-to is Memphis, US: the destination says so (the helper's recipient name does not appear).
    expect(html).toContain("Delivering to Memphis, US");
    expect(html).not.toContain("Ada");
    expect(html).toContain("Memphis, US");
    expect(html.match(/<script/g)).toHaveLength(1);
    // The stepper: ordered, then shipped (the current step).
    expect(html).toMatch(/<li class="done">Ordered<\/li><li class="done" aria-current="step">Shipped<\/li><li class="">Out for delivery<\/li>/);
    // The carrier by its name, the tracking number linked to the carrier's own page.
    expect(html).toContain('<h3 id="parcel-1">Sent with UPS</h3>');
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
    const [idPart, time, mac] = path.replace("/track/", "").split(".") as [string, string, string];
    // Another order's id with this order's MAC; this order's id with a changed MAC; garbage.
    const otherId = btoa("SO-TRACK-1").replaceAll("=", "");
    for (const forged of [`${otherId}.${time}.${mac}`, `${idPart}.${time}.${mac.slice(0, -2)}AA`, `${idPart}.${mac}`, "nonsense", `${idPart}`]) {
      const res = await call(`/track/${forged}`);
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain("We could not find this order");
      expect(html).not.toContain("SO-TRACK");
    }
  });

  it("shows a split order as two parcels, each with its own items and history (one Delivered each), in our own words", async () => {
    const orderId = "SO-TRACK-SPLIT";
    await releaseOrder(orderId, "CUST-TRACK-SPLIT", {
      lines: [
        { sku: "WID-1", quantity: 1 },
        { sku: "GAD-7", quantity: 3 },
      ],
      shipTo: { name: "Ada Lovelace", line1: "12 Elm Street", city: "Portland", region: "OR", postalCode: "97201", country: "US" },
    });
    const portland = { city: "Portland", region: "OR", postalCode: "97201", country: "US" };
    for (const data of [
      {
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T11:00:00Z",
        shipmentId: "S1",
        carrier: "ups",
        trackingNumber: "1ZSPLIT001",
        lines: [{ sku: "WID-1", quantity: 1 }],
      },
      {
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T11:30:00Z",
        shipmentId: "S2",
        carrier: "fedex",
        trackingNumber: "7489SPLIT2",
        lines: [{ sku: "GAD-7", quantity: 3 }],
      },
      // A carrier scan naming only the tracking number: still parcel 1's.
      {
        code: "shipment.in_transit",
        occurredAt: "2026-11-21T06:00:00Z",
        trackingNumber: "1ZSPLIT001",
        location: { city: "Louisville", region: "KY", country: "US" },
      },
      { code: "shipment.delivered", occurredAt: "2026-11-22T15:00:00Z", shipmentId: "S1", location: portland, description: "Left with John at the back door" },
      {
        code: "shipment.delivered",
        occurredAt: "2026-11-23T10:00:00Z",
        shipmentId: "S2",
        location: portland,
        description: "Handed to Mary Smith, signed M SMITH",
      },
    ]) {
      expect((await sendAcme(milestone({ orderId, ...data }))).status).toBe(202);
    }
    const res = await call(await trackingUrl(orderId, "CUST-TRACK-SPLIT", 6));
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = textOf(html);

    const [first = "", second = ""] = parcelsOf(html);
    expect(parcelsOf(html)).toHaveLength(2);
    expect(first).toContain("Parcel 1 of 2, sent with UPS");
    expect(first).toContain('href="https://www.ups.com/track?tracknum=1ZSPLIT001"');
    expect(first).toContain("WID-1 × 1");
    expect(first).not.toContain("GAD-7");
    expect(first).toContain("In transit");
    expect(first).toContain("Louisville, KY, US");
    expect(second).toContain("Parcel 2 of 2, sent with FedEx");
    expect(second).toContain('href="https://www.fedex.com/fedextrack/?trknbr=7489SPLIT2"');
    expect(second).toContain("GAD-7 × 3");
    expect(second).not.toContain("In transit");
    // One Delivered per parcel's history, newest first; the order's own history has none.
    const order = html.slice(html.indexOf('data-testid="order-history"'));
    expect(count(first.slice(0, first.indexOf("</section>")), '<div class="status">Delivered</div>')).toBe(1);
    expect(count(second.slice(0, second.indexOf("</section>")), '<div class="status">Delivered</div>')).toBe(1);
    expect(count(order.slice(0, order.indexOf("</section>")), "Delivered")).toBe(0);
    expect(order).toContain("Order received");
    // Parcel 1's history, newest first: delivered, in transit, shipped.
    expect([...first.matchAll(/<div class="status">([^<]+)<\/div>/g)].map((m) => m[1])).toEqual(["Delivered", "In transit", "Shipped"]);

    // Where it goes, coarse: never the street, the postcode or the name.
    expect(text).toContain("Delivered to Portland, OR, US");
    for (const secret of ["Elm", "97201", "Ada", "Lovelace"]) expect(text).not.toContain(secret);
    // The partner's free text about people never appears.
    for (const free of ["John", "back door", "Mary", "SMITH"]) expect(html).not.toContain(free);
    // The merchant's name on top, and its help page at the bottom.
    expect(html).toMatch(/<header><p class="merchant" data-testid="merchant">Acme Outfitters<\/p>/);
    expect(html).toMatch(/Questions about your order\? <a href="https:\/\/help\.example\.com\/orders"[^>]*>Contact Acme Outfitters<\/a>/);
    // No code anywhere a reader sees: no snake_case, no event code, no partner name.
    expect(text).not.toMatch(/[a-z]+_[a-z]+/i);
    expect(text).not.toMatch(/\b(order|shipment|fulfillment|return)\.[a-z]/);
    expect(text).not.toContain("acme-3pl");
    expect(text).not.toContain("CUST-TRACK-SPLIT");
    // Landmarks and headings in order.
    expect(html).toMatch(/<header>[\s\S]*<main>[\s\S]*<\/main><footer/);
    expect([...html.matchAll(/<h([1-4])/g)].map((m) => m[1])).toEqual(["1", "2", "3", "4", "4", "3", "4", "4", "2"]);
  });

  it("names the parcel an exception is about when the order has several, and not when it has one", async () => {
    const orderId = "SO-TRACK-SPLIT-EXC";
    await releaseOrder(orderId, "CUST-TRACK-SPLIT-EXC");
    for (const data of [
      { code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", carrier: "ups", trackingNumber: "1ZSPLITEXC1" },
      { code: "shipment.dispatched", occurredAt: "2026-11-20T11:30:00Z", shipmentId: "S2", carrier: "fedex", trackingNumber: "7489SPLITEXC2" },
      { code: "shipment.exception", occurredAt: "2026-11-21T09:00:00Z", shipmentId: "S2", reason: "weather" },
    ]) {
      expect((await sendAcme(milestone({ orderId, ...data }))).status).toBe(202);
    }
    const split = textOf(await (await call(await trackingUrl(orderId, "CUST-TRACK-SPLIT-EXC", 4))).text());
    expect(split).toContain("Parcel 2 of 2: Weather is delaying your delivery.");
    expect(split).not.toContain("Parcel 1 of 2: Weather");

    await releaseOrder("SO-TRACK-ONE-EXC", "CUST-TRACK-ONE-EXC");
    for (const data of [
      { code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", carrier: "ups", trackingNumber: "1ZONEEXC1" },
      { code: "shipment.exception", occurredAt: "2026-11-21T09:00:00Z", shipmentId: "S1", reason: "weather" },
    ]) {
      expect((await sendAcme(milestone({ orderId: "SO-TRACK-ONE-EXC", ...data }))).status).toBe(202);
    }
    const single = textOf(await (await call(await trackingUrl("SO-TRACK-ONE-EXC", "CUST-TRACK-ONE-EXC", 3))).text());
    expect(single).toContain("Weather is delaying your delivery.");
    expect(single).not.toMatch(/Parcel \d of/);
  });

  it("renders rows projected before parcels, items and destinations were kept as one history, until a re-projection names the parcels", async () => {
    const orderId = "SO-TRACK-OLD";
    // What the projection wrote until now: no destination, no lines, no parcel on a timeline row.
    const entry = (eventId: string, code: string, occurredAt: string, description: string) =>
      env.DB.prepare("INSERT INTO timeline (order_id, event_id, code, occurred_at, description, source) VALUES (?, ?, ?, ?, ?, 'acme-3pl')").bind(
        orderId,
        eventId,
        code,
        occurredAt,
        description,
      );
    await env.DB.batch([
      env.DB.prepare("UPDATE sync_counter SET position = position + 1 WHERE id = 1"),
      env.DB.prepare(
        `INSERT INTO orders (order_id, customer_id, status, status_at, version, open_exceptions, updated_at, sync_position)
         VALUES (?, 'CUST-OLD', 'delivered', '2026-11-23T10:00:00.000Z', 5, '[]', '2026-11-23T10:00:01.000Z', (SELECT position FROM sync_counter WHERE id = 1))`,
      ).bind(orderId),
      env.DB.prepare(
        "INSERT INTO shipments (order_id, shipment_id, carrier, tracking_number, status, version) VALUES (?1, 'S1', 'ups', '1ZOLD1', 'delivered', 5), (?1, 'S2', NULL, NULL, 'delivered', 5)",
      ).bind(orderId),
      entry("e1", "order.released", "2026-11-20T09:00:00.000Z", "Order received"),
      entry("e2", "shipment.dispatched", "2026-11-20T11:00:00.000Z", "Shipped"),
      entry("e3", "shipment.delivered", "2026-11-22T15:00:00.000Z", "Left with John"),
      entry("e4", "shipment.delivered", "2026-11-23T10:00:00.000Z", "Delivered"),
    ]);
    const res = await call(`/track/${await trackingToken(env.TRACKING_TOKEN_SECRET, orderId)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(parcelsOf(html)).toHaveLength(2);
    expect(html).toContain('data-testid="history"');
    expect(count(html, '<div class="status">')).toBe(4);
    expect(html).not.toContain("In this parcel");
    expect(html).not.toContain("Delivered to");
    expect(html).not.toContain("John");

    // A re-projection names each old row's parcel: then each parcel has its own history.
    const { project } = await import("../../src/readmodel/projector");
    const named = (eventId: string, code: string, occurredAt: string, shipmentId: string | null) => ({
      eventId,
      code,
      occurredAt,
      shipmentId,
      description: "x",
      source: "acme-3pl",
    });
    await project(env.DB, [
      {
        kind: "timeline",
        orderId,
        correlationId: "corr-track-old",
        entries: [
          named("e1", "order.released", "2026-11-20T09:00:00.000Z", null),
          named("e2", "shipment.dispatched", "2026-11-20T11:00:00.000Z", "S1"),
          named("e3", "shipment.delivered", "2026-11-22T15:00:00.000Z", "S1"),
          named("e4", "shipment.delivered", "2026-11-23T10:00:00.000Z", "S2"),
        ],
      },
    ]);
    const after = await (await call(`/track/${await trackingToken(env.TRACKING_TOKEN_SECRET, orderId)}`)).text();
    expect(after).not.toContain('data-testid="history"');
    expect(parcelsOf(after).map((p) => count(p.slice(0, p.indexOf("</section>")), '<div class="status">Delivered</div>'))).toEqual([1, 1]);
    // The fact itself is not rewritten.
    const row = await env.DB.prepare("SELECT description, shipment_id FROM timeline WHERE order_id = ? AND event_id = 'e3'").bind(orderId).first();
    expect(row).toEqual({ description: "Left with John", shipment_id: "S1" });
  });

  it("answers 410 for a link older than TRACKING_LINK_TTL_DAYS (90 here), and for a legacy link while links expire", async () => {
    const orderId = "SO-TRACK-OLDLINK";
    await shippedOrder(orderId, "CUST-TRACK-OLDLINK");
    const secret = env.TRACKING_TOKEN_SECRET;
    const recent = await call(`/track/${await trackingToken(secret, orderId, Date.now() - 89 * DAY)}`);
    expect(recent.status).toBe(200);
    const old = await call(`/track/${await trackingToken(secret, orderId, Date.now() - 91 * DAY)}`);
    expect(old.status).toBe(410);
    const html = await old.text();
    expect(html).toContain("<h1>This tracking link has expired</h1>");
    expect(html).toContain("Please ask Acme Outfitters for a new one.");
    expect(html).toContain('href="https://help.example.com/orders"');
    expect(html).not.toContain(orderId);
    expect(html).not.toContain("1ZSOTRACKOLDLINK");
    // A two-part link as issued before links were dated: refused while links expire.
    const legacy = await legacyToken(secret, orderId);
    expect((await call(`/track/${legacy}`)).status).toBe(410);
  });

  it("revokes an order's links through the ops API: older links answer 410, the portal's next link works", async () => {
    const orderId = "SO-TRACK-REVOKE";
    const before = await shippedOrder(orderId, "CUST-TRACK-REVOKE");
    expect((await call(before)).status).toBe(200);
    const revoke = (id: string, auth = `Bearer ${SECRETS.ops}`) =>
      call(`/ops/orders/${id}/tracking-links/revoke`, { method: "POST", headers: { Authorization: auth } });
    expect((await revoke(orderId, "Bearer wrong")).status).toBe(401);
    const res = await revoke(orderId);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { orderId: string; revokedBefore: string; revokedBy: string };
    expect(body).toMatchObject({ orderId, revokedBy: "ops-token" });
    expect(Date.parse(body.revokedBefore)).toBeGreaterThan(0);

    const gone = await call(before);
    expect(gone.status).toBe(410);
    const html = await gone.text();
    expect(html).toContain("<h1>This link is no longer valid</h1>");
    expect(html).not.toContain(orderId);
    const after = await trackingUrl(orderId, "CUST-TRACK-REVOKE");
    expect((await call(after)).status).toBe(200);
    // Revoking again moves the cut-off: the link issued in between stops working too.
    expect((await revoke(orderId)).status).toBe(200);
    expect((await call(after)).status).toBe(410);

    const unknown = await revoke("SO-TRACK-NOBODY");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
  });

  it("revokes an order's links from the console, with the session's CSRF token only", async () => {
    const orderId = "SO-TRACK-CONSOLE";
    const before = await shippedOrder(orderId, "CUST-TRACK-CONSOLE");
    const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await call("/ops", { headers: { Cookie: cookie } })).text())?.[1] ?? "";
    expect(csrf).not.toBe("");
    const post = (body: string) =>
      call(`/ops/console/orders/${orderId}/tracking/revoke`, {
        method: "POST",
        headers: { Cookie: cookie, Origin: CONSOLE_ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
        body,
        redirect: "manual",
      });
    expect((await post("csrf=forged")).status).toBe(403);
    expect((await call(before)).status).toBe(200);

    const res = await post(`csrf=${encodeURIComponent(csrf)}`);
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get("Location") ?? "", CONSOLE_ORIGIN);
    expect(to.pathname).toBe("/ops/console/orders");
    expect(to.searchParams.get("orderId")).toBe(orderId);
    expect(to.searchParams.get("msg")).toMatch(/^Tracking links of SO-TRACK-CONSOLE revoked/);
    expect(to.searchParams.get("level")).toBeNull();
    expect((await call(before)).status).toBe(410);
    const row = await env.DB.prepare("SELECT revoked_by FROM tracking_revocations WHERE order_id = ?").bind(orderId).first<{ revoked_by: string }>();
    expect(row?.revoked_by).toMatch(/^console session/);
  });
});

/** A link as issued before links were dated: b64url(orderId) "." MAC over "dockline-track:<orderId>". */
async function legacyToken(secret: string, orderId: string): Promise<string> {
  const b64url = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`dockline-track:${orderId}`))).slice(0, 16);
  return `${b64url(orderId)}.${b64url(String.fromCharCode(...mac))}`;
}
