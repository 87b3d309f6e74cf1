// GET /track/{token}: the end customer's tracking page. Server-rendered, readable on a phone and by a screen
// reader, complete without script (one small nonce'd script only shows times in the reader's time zone).
// The signed, dated token is the only capability: it expires and ops can revoke it; the page shows this one
// order in our own words (never a partner's free text, which may name people) and nothing internal.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { FC } from "hono/jsx";
import type { AppEnv } from "../app-types";
import { DESCRIPTIONS, type ExceptionReason, type MilestoneCode, type OrderStatus } from "../domain/milestones";
import type { PortalOrder, PortalShipment } from "../domain/view";
import { htmlSecurity, Page } from "../http/html";
import { problems, router } from "../http/openapi";
import { linkExpired, linkRevoked, MAX_TOKEN_LENGTH, readTrackingToken } from "../platform/tracking-token";
import { getTrackedOrder } from "../readmodel/queries";
import { session } from "./portal";

const HEADLINE: Record<OrderStatus, string> = {
  awaiting_release: "We have your order",
  released: "We have your order",
  in_fulfillment: "Your order is being prepared",
  partially_shipped: "Part of your order has shipped",
  shipped: "Your order has shipped",
  in_transit: "Your order is on its way",
  out_for_delivery: "Out for delivery",
  partially_delivered: "Part of your order has been delivered",
  delivered: "Delivered",
  cancelled: "Your order was cancelled",
  returned: "Your return has arrived",
};

// What the customer is told of an exception: what happened, never a promise the system cannot keep (a
// replacement, a refund: those are the merchant's to offer).
const EXCEPTION_TEXT: Record<ExceptionReason | "cancel_after_dispatch" | "returned_to_sender", string> = {
  delayed: "Your delivery is running late.",
  weather: "Weather is delaying your delivery.",
  address_issue: "The carrier needs help with the delivery address.",
  damaged: "A parcel was damaged in transit.",
  lost: "The carrier cannot find a parcel.",
  refused: "The delivery was refused.",
  customs_hold: "A parcel is held at customs.",
  other: "There is a problem with your delivery.",
  cancel_after_dispatch: "Your cancellation reached us after the parcel had left.",
  returned_to_sender: "A parcel is on its way back to the sender.",
};

const SHIPMENT_TEXT: Record<string, string> = {
  pending: "Preparing",
  label_created: "Label created",
  dispatched: "Shipped",
  in_transit: "In transit",
  out_for_delivery: "Out for delivery",
  delivery_attempted: "Delivery attempted",
  available_for_pickup: "Ready for pickup",
  delivered: "Delivered",
  returned_to_sender: "Returning to the sender",
};

/** Carriers by the names partners use, with how customers write them and where a parcel is tracked. */
const CARRIERS: Record<string, { name: string; url: (trackingNumber: string) => string }> = {
  ups: { name: "UPS", url: (n) => `https://www.ups.com/track?tracknum=${encodeURIComponent(n)}` },
  fedex: { name: "FedEx", url: (n) => `https://www.fedex.com/fedextrack/?trknbr=${encodeURIComponent(n)}` },
  usps: { name: "USPS", url: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${encodeURIComponent(n)}` },
  dhl: { name: "DHL", url: (n) => `https://www.dhl.com/global-en/home/tracking.html?tracking-id=${encodeURIComponent(n)}` },
};
const carrierOf = (raw: string | null) => (raw ? (CARRIERS[raw.toLowerCase().replace(/[^a-z]/g, "")] ?? null) : null);
/** A carrier we have no entry for: its name as the partner wrote it, in title case ("royal_mail" → "Royal Mail"). */
const carrierName = (raw: string) => carrierOf(raw)?.name ?? raw.replace(/[_-]+/g, " ").replace(/\b\w/g, (c) => c.toUpperCase());

/** The stepper: where the order is on the way every order takes. */
const STEPS = ["Ordered", "Shipped", "Out for delivery", "Delivered"] as const;
const STEP_OF: Record<OrderStatus, number> = {
  awaiting_release: 0,
  released: 0,
  in_fulfillment: 0,
  partially_shipped: 1,
  shipped: 1,
  in_transit: 1,
  out_for_delivery: 2,
  partially_delivered: 2,
  delivered: 3,
  cancelled: -1,
  returned: -1,
};

// Times: written in UTC with the year (the page works without script), and each <time> rewritten to the
// reader's own time zone by the page's one small script.
const utc = (iso: string) =>
  `${new Date(iso).toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC`;
const When: FC<{ iso: string | null | undefined }> = ({ iso }) => (iso ? <time datetime={iso}>{utc(iso)}</time> : null);
const LOCAL_TIMES = `for (const t of document.querySelectorAll("time[datetime]")) {
  const d = new Date(t.getAttribute("datetime"));
  if (!isNaN(d)) t.textContent = d.toLocaleString(undefined, t.dataset.day ? { weekday: "long", day: "numeric", month: "long", year: "numeric" } : { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
}`;
const day = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
const place = (l: { city?: string; region?: string; country?: string } | undefined) => (l ? [l.city, l.region, l.country].filter(Boolean).join(", ") : "");

// Colours checked for WCAG AA: every text at least 4.5:1 on its background (muted grey 5.6:1 on the page).
const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2430;overflow-wrap:anywhere}
header,main,footer{max-width:36rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
.merchant{font-weight:600;margin:0}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.05rem;margin:0 0 .5rem}
h3{font-size:1rem;margin:0 0 .25rem}
h4{font-size:.9rem;margin:.75rem 0 .25rem}
.card{background:#fff;border-radius:.75rem;padding:1rem;margin:1rem 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.parcel{border-top:1px solid #eef0f3;padding-top:.75rem;margin-top:.75rem}
.parcel:first-of-type{border-top:0;padding-top:0;margin-top:0}
.muted{color:#5b6473;font-size:.9rem}
.alert{background:#fff4e5;border-left:4px solid #f29d38}
ol,ul.items{list-style:none;padding:0;margin:0}
li{padding:.5rem 0;border-bottom:1px solid #eef0f3}
li:last-child{border-bottom:0}
ul.items li{padding:.1rem 0;border:0}
.status{font-weight:600}
a{color:#0b57d0}
a:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.steps{display:flex;gap:.25rem;margin:1rem 0;padding:0}
.steps li{flex:1;border:0;border-top:4px solid #d5d9e0;padding:.35rem 0 0;font-size:.85rem;color:#5b6473}
.steps li.done{border-top-color:#1a7f37;color:#1d2430}
.steps li[aria-current]{font-weight:600}
footer{padding-bottom:2rem}
`;

const Stepper: FC<{ status: OrderStatus }> = ({ status }) => {
  const at = STEP_OF[status];
  if (at < 0) return null;
  return (
    <ol class="steps" data-testid="stepper" aria-label="Progress">
      {STEPS.map((label, i) => (
        <li class={i <= at ? "done" : ""} {...(i === at ? { "aria-current": "step" } : {})}>
          {label}
        </li>
      ))}
    </ol>
  );
};

/** The shop's name and help page, from TRACKING_MERCHANT_NAME / TRACKING_HELP_URL; a help page not on https is not linked. */
interface Merchant {
  name: string | null;
  helpUrl: string | null;
}

function merchantOf(env: Env): Merchant {
  const name = env.TRACKING_MERCHANT_NAME?.trim() || null;
  const raw = env.TRACKING_HELP_URL?.trim();
  let helpUrl: string | null = null;
  if (raw && URL.canParse(raw) && new URL(raw).protocol === "https:") helpUrl = raw;
  return { name, helpUrl };
}

/** TRACKING_LINK_TTL_DAYS: whole days, 0 = never; anything else keeps the shipped default (links expire). */
const ttlDays = (raw: string | undefined) => (raw !== undefined && /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : 90);

const Header: FC<{ merchant: Merchant; orderId?: string }> = ({ merchant, orderId }) => (
  <header>
    {merchant.name && (
      <p class="merchant" data-testid="merchant">
        {merchant.name}
      </p>
    )}
    {orderId && <p class="muted">Order {orderId}</p>}
  </header>
);

const Footer: FC<{ merchant: Merchant }> = ({ merchant }) => {
  if (!merchant.name && !merchant.helpUrl) return null;
  const who = `Contact ${merchant.name ?? "the shop"}`;
  return (
    <footer data-testid="help">
      <p>
        Questions about your order?{" "}
        {merchant.helpUrl ? (
          <a href={merchant.helpUrl} rel="noreferrer noopener" data-testid="help-link">
            {who}
          </a>
        ) : (
          who
        )}
      </p>
    </footer>
  );
};

type Entry = PortalOrder["timeline"][number];

/** Our own words for an event, never the partner's description (free text that may name people). */
const eventText = (code: string) => DESCRIPTIONS[code as MilestoneCode] ?? "Update";

const History: FC<{ entries: Entry[]; title: string; level: "h2" | "h4"; id: string }> = ({ entries, title, level, id }) => {
  const Heading = level;
  return (
    <>
      <Heading id={id}>{title}</Heading>
      <ol data-testid="timeline" aria-labelledby={id}>
        {[...entries].reverse().map((t) => (
          <li>
            <div class="status">{eventText(t.code)}</div>
            <div class="muted">
              <When iso={t.occurredAt} />
              {place(t.location) && ` · ${place(t.location)}`}
            </div>
          </li>
        ))}
      </ol>
    </>
  );
};

/**
 * Each event's parcel: by the parcel's shipment id, else by its tracking number (a parcel first heard of by
 * a carrier scan was named after it). Rows projected before events carried their parcel have none: then
 * the page cannot tell whose a scan is, and shows one history, as it did then.
 */
function histories(order: PortalOrder): { byParcel: Map<string, Entry[]>; orderLevel: Entry[]; merged: boolean } {
  const byParcel = new Map<string, Entry[]>(order.shipments.map((s) => [s.shipmentId, []]));
  const byTracking = new Map(order.shipments.flatMap((s) => (s.trackingNumber ? [[s.trackingNumber, s.shipmentId] as const] : [])));
  const orderLevel: Entry[] = [];
  let merged = false;
  for (const t of order.timeline) {
    const parcel = t.shipmentId === null ? undefined : byParcel.has(t.shipmentId) ? t.shipmentId : byTracking.get(t.shipmentId);
    if (parcel) byParcel.get(parcel)?.push(t);
    else if (t.shipmentId === null && t.code.startsWith("shipment.")) merged = true;
    // About a parcel the page does not list (no tracking number, no scan yet): the order's news.
    else orderLevel.push(t);
  }
  return { byParcel, orderLevel, merged };
}

/** "Parcel 1 of 2, sent with UPS"; a lone parcel is named by its carrier alone. */
function parcelTitle(s: PortalShipment, n: number, of: number): string {
  const carrier = s.carrier ? carrierName(s.carrier) : null;
  if (of > 1) return carrier ? `Parcel ${n} of ${of}, sent with ${carrier}` : `Parcel ${n} of ${of}`;
  return carrier ? `Sent with ${carrier}` : "Parcel details";
}

const Parcel: FC<{ s: PortalShipment; n: number; of: number; history: Entry[] | null }> = ({ s, n, of, history }) => {
  const carrier = carrierOf(s.carrier);
  const id = `parcel-${n}`;
  return (
    <section class="parcel" data-testid="shipment" aria-labelledby={id}>
      <h3 id={id}>{parcelTitle(s, n, of)}</h3>
      <p class="status">{SHIPMENT_TEXT[s.status] ?? "On its way"}</p>
      {s.trackingNumber && (
        <p class="muted">
          Tracking number{" "}
          {carrier ? (
            <a href={carrier.url(s.trackingNumber)} rel="noreferrer noopener" data-testid="carrier-link">
              {s.trackingNumber}
            </a>
          ) : (
            s.trackingNumber
          )}
        </p>
      )}
      {/* One parcel: the order's expected day above is this parcel's. */}
      {of > 1 && s.eta && s.status !== "delivered" && (
        <p class="muted" data-testid="parcel-eta">
          Expected{" "}
          <time datetime={s.eta} data-day="1">
            {day(s.eta)}
          </time>
        </p>
      )}
      {s.lines && s.lines.length > 0 && (
        <>
          <h4 id={`${id}-items`}>In this parcel</h4>
          <ul class="items" data-testid="items" aria-labelledby={`${id}-items`}>
            {s.lines.map((l) => (
              <li>
                {l.sku} × {l.quantity}
              </li>
            ))}
          </ul>
        </>
      )}
      {history && history.length > 0 && <History entries={history} title="History" level="h4" id={`${id}-history`} />}
    </section>
  );
};

const Tracking: FC<{ order: PortalOrder; nonce: string; merchant: Merchant }> = ({ order, nonce, merchant }) => {
  const eta = order.shipments
    .map((s) => s.eta)
    .filter((e): e is string => Boolean(e))
    .sort()[0];
  // "Updated": the newest thing the page shows, never older than an entry in its own history.
  const updated = [order.statusAt, ...order.timeline.map((t) => t.occurredAt)]
    .filter((t): t is string => Boolean(t))
    .sort()
    .at(-1);
  const parcels = order.shipments.length;
  const { byParcel, orderLevel, merged } = histories(order);
  const destination = place(order.destination ?? undefined);
  return (
    <Page title={`Order ${order.orderId}: ${HEADLINE[order.status]}`} nonce={nonce} css={STYLE} script={LOCAL_TIMES}>
      <Header merchant={merchant} orderId={order.orderId} />
      <main>
        <h1 data-testid="headline">{HEADLINE[order.status]}</h1>
        {updated && (
          <p class="muted" data-testid="updated">
            Updated <When iso={updated} />
          </p>
        )}
        <Stepper status={order.status} />
        {/* A cancelled or returned order is not on its way there. */}
        {destination && order.status !== "cancelled" && order.status !== "returned" && (
          <p data-testid="destination">
            {order.status === "delivered" ? "Delivered to" : "Delivering to"} {destination}
          </p>
        )}
        {eta && order.status !== "delivered" && (
          <p data-testid="eta">
            Expected{" "}
            <strong>
              <time datetime={eta} data-day="1">
                {day(eta)}
              </time>
            </strong>
          </p>
        )}
        {order.openExceptions.map((x) => {
          // With several parcels, say which one: the others may be fine.
          const n = parcels > 1 && x.shipmentId ? order.shipments.findIndex((s) => s.shipmentId === x.shipmentId) + 1 : 0;
          return (
            <div class="card alert" data-testid="exception" role="status">
              {n > 0 && `Parcel ${n} of ${parcels}: `}
              {EXCEPTION_TEXT[(x.kind === "shipment_exception" ? (x.reason ?? "other") : x.kind) as keyof typeof EXCEPTION_TEXT] ?? EXCEPTION_TEXT.other}
            </div>
          );
        })}
        {parcels > 0 && (
          <section class="card" aria-labelledby="parcels">
            <h2 id="parcels">{parcels === 1 ? "Your parcel" : `Your ${parcels} parcels`}</h2>
            {order.shipments.map((s, i) => (
              <Parcel s={s} n={i + 1} of={parcels} history={merged ? null : (byParcel.get(s.shipmentId) ?? [])} />
            ))}
          </section>
        )}
        <section class="card" data-testid={merged ? "history" : "order-history"}>
          {merged ? (
            <History entries={order.timeline} title="History" level="h2" id="history" />
          ) : (
            <History entries={orderLevel} title={parcels > 0 ? "Your order" : "History"} level="h2" id="history" />
          )}
        </section>
      </main>
      <Footer merchant={merchant} />
    </Page>
  );
};

/** A page for a link that cannot show the order: not found (404), expired or revoked (410). */
const NoOrder: FC<{ nonce: string; merchant: Merchant; title: string; text: string }> = ({ nonce, merchant, title, text }) => (
  <Page title={title} nonce={nonce} css={STYLE}>
    <Header merchant={merchant} />
    <main>
      <h1>{title}</h1>
      <p>{text}</p>
    </main>
    <Footer merchant={merchant} />
  </Page>
);

export const track = router();

// No forms, nothing embedded, only the page's own nonce'd script; the token in the URL never leaves
// through Referer.
track.use("/track/*", htmlSecurity("'none'", { script: true }));

const NOT_FOUND = "The tracking link may be incomplete. Please use the link from your order confirmation.";

async function render(c: Context<AppEnv>, token: string) {
  c.header("Cache-Control", "private, no-cache");
  c.header("X-Robots-Tag", "noindex");
  const nonce = c.get("secureHeadersNonce") ?? "";
  const merchant = merchantOf(c.env);
  const askFor = `Please ask ${merchant.name ?? "the shop you ordered from"} for a new one.`;
  const link = await readTrackingToken(c.env.TRACKING_TOKEN_SECRET, token);
  if (!link) {
    return c.html(<NoOrder nonce={nonce} merchant={merchant} title="We could not find this order" text={NOT_FOUND} />, 404);
  }
  // An old link says nothing about the order, not even whether it still exists: no read needed.
  if (linkExpired(link, ttlDays(c.env.TRACKING_LINK_TTL_DAYS))) {
    return c.html(<NoOrder nonce={nonce} merchant={merchant} title="This tracking link has expired" text={askFor} />, 410);
  }
  const { order, revokedBefore } = await getTrackedOrder(c.get("reader"), link.orderId);
  if (linkRevoked(link, revokedBefore)) {
    return c.html(<NoOrder nonce={nonce} merchant={merchant} title="This link is no longer valid" text={askFor} />, 410);
  }
  if (!order) {
    return c.html(<NoOrder nonce={nonce} merchant={merchant} title="We could not find this order" text={NOT_FOUND} />, 404);
  }
  return c.html(<Tracking order={order} nonce={nonce} merchant={merchant} />, 200);
}

track.openapi(
  createRoute({
    method: "get",
    path: "/track/{token}",
    tags: ["tracking page"],
    summary: "The end customer's tracking page (HTML), from the signed link in `trackingUrl`",
    middleware: [session] as const,
    request: {
      params: z.object({
        token: z
          .string()
          .min(1)
          .max(MAX_TOKEN_LENGTH)
          .openapi({ param: { name: "token", in: "path" } }),
      }),
    },
    responses: {
      200: { description: "The page", content: { "text/html": { schema: z.string() } } },
      404: { description: "Unknown or forged link", content: { "text/html": { schema: z.string() } } },
      410: {
        description: "A link older than TRACKING_LINK_TTL_DAYS, or issued before ops revoked the order's links: a page saying so, never the order",
        content: { "text/html": { schema: z.string() } },
      },
      ...problems(429),
    },
  }),
  // Typed loosely on purpose: the route answers HTML, which the OpenAPI handler typing does not model.
  ((c: Context<AppEnv>) => render(c, c.req.param("token") ?? "")) as never,
);
