// GET /track/{token}: the end customer's tracking page. Server-rendered, readable on a phone, complete
// without script (one small nonce'd script only shows times in the reader's time zone);
// the signed token is the only capability, and the page shows this one order and nothing internal.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { FC } from "hono/jsx";
import type { AppEnv } from "../app-types";
import type { ExceptionReason, OrderStatus } from "../domain/milestones";
import type { PortalOrder } from "../domain/view";
import { htmlSecurity, Page } from "../http/html";
import { problems, router } from "../http/openapi";
import { orderIdFromToken } from "../platform/tracking-token";
import { getOrderById } from "../readmodel/queries";
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
const place = (l: Record<string, string | undefined> | undefined) => (l ? [l.city, l.region, l.country].filter(Boolean).join(", ") : "");

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.05rem;margin:0 0 .5rem}
.card{background:#fff;border-radius:.75rem;padding:1rem;margin:1rem 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.muted{color:#5b6473;font-size:.9rem}
.alert{background:#fff4e5;border-left:4px solid #f29d38}
ol{list-style:none;padding:0;margin:0}
li{padding:.5rem 0;border-bottom:1px solid #eef0f3}
li:last-child{border-bottom:0}
.status{font-weight:600}
a{color:#0b57d0}
.steps{display:flex;gap:.25rem;margin:1rem 0;padding:0}
.steps li{flex:1;border:0;border-top:4px solid #d5d9e0;padding:.35rem 0 0;font-size:.85rem;color:#5b6473}
.steps li.done{border-top-color:#1a7f37;color:#1d2430}
.steps li[aria-current]{font-weight:600}
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

const Tracking: FC<{ order: PortalOrder; nonce: string }> = ({ order, nonce }) => {
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
  return (
    <Page title={`Order ${order.orderId}: ${HEADLINE[order.status]}`} nonce={nonce} css={STYLE} script={LOCAL_TIMES}>
      <main>
        <p class="muted">Order {order.orderId}</p>
        <h1 data-testid="headline">{HEADLINE[order.status]}</h1>
        {updated && (
          <p class="muted" data-testid="updated">
            Updated <When iso={updated} />
          </p>
        )}
        <Stepper status={order.status} />
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
        {order.openExceptions.map((x) => (
          <div class="card alert" data-testid="exception" role="status">
            {EXCEPTION_TEXT[(x.kind === "shipment_exception" ? (x.reason ?? "other") : x.kind) as keyof typeof EXCEPTION_TEXT] ?? EXCEPTION_TEXT.other}
          </div>
        ))}
        {parcels > 0 && (
          <section class="card" aria-labelledby="parcels">
            <h2 id="parcels">{parcels === 1 ? "Your parcel" : `Your ${parcels} parcels`}</h2>
            <ol>
              {order.shipments.map((s, i) => {
                const carrier = carrierOf(s.carrier);
                return (
                  <li data-testid="shipment">
                    {parcels > 1 && (
                      <div class="muted">
                        Parcel {i + 1} of {parcels}
                      </div>
                    )}
                    <span class="status">{SHIPMENT_TEXT[s.status] ?? "On its way"}</span>
                    {s.carrier && ` · ${carrierName(s.carrier)}`}
                    {s.lastEvent && (
                      <div class="muted">
                        <When iso={s.lastEvent.occurredAt} />
                        {place(s.lastEvent.location) && ` · ${place(s.lastEvent.location)}`}
                      </div>
                    )}
                    {s.trackingNumber && (
                      <div class="muted">
                        Tracking number{" "}
                        {carrier ? (
                          <a href={carrier.url(s.trackingNumber)} rel="noreferrer noopener" data-testid="carrier-link">
                            {s.trackingNumber}
                          </a>
                        ) : (
                          s.trackingNumber
                        )}
                      </div>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
        )}
        <section class="card" aria-labelledby="history">
          <h2 id="history">History</h2>
          <ol data-testid="timeline">
            {[...order.timeline].reverse().map((t) => (
              <li>
                <div class="status">{t.description}</div>
                <div class="muted">
                  <When iso={t.occurredAt} />
                  {place(t.location) && ` · ${place(t.location)}`}
                </div>
              </li>
            ))}
          </ol>
        </section>
      </main>
    </Page>
  );
};

const NotFound: FC<{ nonce: string }> = ({ nonce }) => (
  <Page title="Tracking link not found" nonce={nonce} css={STYLE}>
    <main>
      <h1>We could not find this order</h1>
      <p>The tracking link may be incomplete. Please use the link from your order confirmation.</p>
    </main>
  </Page>
);

export const track = router();

// No forms, nothing embedded, only the page's own nonce'd script; the token in the URL never leaves
// through Referer.
track.use("/track/*", htmlSecurity("'none'", { script: true }));

async function render(c: Context<AppEnv>, token: string) {
  c.header("Cache-Control", "private, no-cache");
  c.header("X-Robots-Tag", "noindex");
  const orderId = await orderIdFromToken(c.env.TRACKING_TOKEN_SECRET, token);
  const order = orderId ? await getOrderById(c.get("reader"), orderId) : null;
  const nonce = c.get("secureHeadersNonce") ?? "";
  if (!order) return c.html(<NotFound nonce={nonce} />, 404);
  return c.html(<Tracking order={order} nonce={nonce} />, 200);
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
          .max(400)
          .openapi({ param: { name: "token", in: "path" } }),
      }),
    },
    responses: {
      200: { description: "The page", content: { "text/html": { schema: z.string() } } },
      404: { description: "Unknown or forged link", content: { "text/html": { schema: z.string() } } },
      ...problems(429),
    },
  }),
  // Typed loosely on purpose: the route answers HTML, which the OpenAPI handler typing does not model.
  ((c: Context<AppEnv>) => render(c, c.req.param("token") ?? "")) as never,
);
