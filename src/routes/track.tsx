// GET /track/{token}: the end customer's tracking page. Server-rendered, no script, readable on a phone;
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

const EXCEPTION_TEXT: Record<ExceptionReason | "cancel_after_dispatch" | "returned_to_sender", string> = {
  delayed: "Your delivery is running late.",
  weather: "Weather is delaying your delivery.",
  address_issue: "The carrier needs help with the delivery address. We are on it.",
  damaged: "A parcel was damaged in transit. We are arranging a replacement.",
  lost: "A parcel appears to be lost. We are arranging a replacement.",
  refused: "The delivery was refused.",
  customs_hold: "A parcel is held at customs.",
  other: "There is a problem with your delivery. We are looking into it.",
  cancel_after_dispatch: "Your cancellation reached us after the parcel had left. We will sort it out.",
  returned_to_sender: "A parcel is on its way back to us.",
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
  returned_to_sender: "Returning to us",
};

const when = (iso: string | null | undefined) =>
  iso
    ? `${new Date(iso).toLocaleString("en-GB", { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" })} UTC`
    : "";
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
`;

const Tracking: FC<{ order: PortalOrder; nonce: string }> = ({ order, nonce }) => {
  const eta = order.shipments
    .map((s) => s.eta)
    .filter((e): e is string => Boolean(e))
    .sort()[0];
  return (
    <Page title={`Order ${order.orderId}: ${HEADLINE[order.status]}`} nonce={nonce} css={STYLE}>
      <main>
        <p class="muted">Order {order.orderId}</p>
        <h1 data-testid="headline">{HEADLINE[order.status]}</h1>
        {order.statusAt && <p class="muted">Updated {when(order.statusAt)}</p>}
        {eta && order.status !== "delivered" && (
          <p data-testid="eta">
            Expected <strong>{day(eta)}</strong>
          </p>
        )}
        {order.openExceptions.map((x) => (
          <div class="card alert" data-testid="exception">
            {EXCEPTION_TEXT[(x.kind === "shipment_exception" ? (x.reason ?? "other") : x.kind) as keyof typeof EXCEPTION_TEXT] ?? EXCEPTION_TEXT.other}
          </div>
        ))}
        {order.shipments.length > 0 && (
          <section class="card">
            <h2>Parcels</h2>
            <ol>
              {order.shipments.map((s) => (
                <li data-testid="shipment">
                  <span class="status">{SHIPMENT_TEXT[s.status] ?? s.status}</span>
                  {s.carrier && ` · ${s.carrier.toUpperCase()}`}
                  {s.trackingNumber && <div class="muted">Tracking number {s.trackingNumber}</div>}
                </li>
              ))}
            </ol>
          </section>
        )}
        <section class="card">
          <h2>History</h2>
          <ol data-testid="timeline">
            {[...order.timeline].reverse().map((t) => (
              <li>
                <div class="status">{t.description}</div>
                <div class="muted">
                  {when(t.occurredAt)}
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

// No script, no forms, nothing embedded; the token in the URL never leaves through Referer.
track.use("/track/*", htmlSecurity("'none'"));

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
