// Portal API (DESIGN §3.5): reads D1 only, through a D1 session, scoped to the customer of the API key.
// Another customer's order answers 404, exactly like a missing one.
import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types";
import { normalizeTrackingNumber } from "../domain/correlation";
import { ORDER_STATUSES, type OrderStatus } from "../domain/milestones";
import type { PortalOrder } from "../domain/view";
import { decodeJsonCursor, encodeCursor, invalidCursor } from "../http/cursor";
import { OrderIdParams } from "../http/params";
import { BEARER, json, problems, router } from "../http/openapi";
import { Order, OrderList } from "../http/schemas";
import { bearerToken } from "../platform/auth";
import { notFound, unauthorized } from "../platform/problem";
import { trackingToken } from "../platform/tracking-token";
import { customerForKey } from "../readmodel/api-keys";
import { getOrder, getOrderByTracking, listOrders } from "../readmodel/queries";

export const BOOKMARK_HEADER = "X-D1-Bookmark";

/**
 * Reads in a D1 session. A client that sends back the bookmark of its last answer never reads older data
 * than it already saw, even from a replica; without one, the nearest replica may answer.
 */
export const session = createMiddleware<AppEnv>(async (c, next) => {
  const bookmark = c.req.header(BOOKMARK_HEADER);
  const s = c.env.DB.withSession(bookmark && bookmark.length < 200 ? bookmark : "first-unconstrained");
  c.set("reader", s);
  await next();
  const latest = s.getBookmark();
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
});

export const customerAuth = createMiddleware<AppEnv>(async (c, next) => {
  const key = bearerToken(c.req.header("Authorization"));
  const customerId = key ? await customerForKey(c.get("reader"), key) : null;
  if (!customerId) throw unauthorized("A valid customer API key is required.");
  c.set("customerId", customerId);
  await next();
});

const OrderParams = z.object(OrderIdParams);
const IfNoneMatch = z.object({ "if-none-match": z.string().optional().openapi({ description: "An ETag from an earlier answer: 304 if unchanged" }) });
const ETagged = (description: string) => ({
  ...json(Order, description),
  headers: z.object({ ETag: z.string(), [BOOKMARK_HEADER]: z.string().optional(), "Cache-Control": z.string() }),
});

/** Cursors carry the read model's change sequence number of the last row a client read (see listOrders). */
export const cursorCodec = {
  encode: (position: number) => encodeCursor(JSON.stringify({ after: position })),
  decode(cursor: string): number {
    const v = decodeJsonCursor(cursor);
    const after = (v as { after?: unknown } | null)?.after;
    if (typeof after === "number" && Number.isSafeInteger(after) && after >= 0) return after;
    throw invalidCursor();
  },
};

const ListQuery = z.object({
  status: z
    .string()
    .optional()
    .openapi({ description: `Comma-separated statuses: ${ORDER_STATUSES.join(", ")}` })
    .refine(
      (v) => !v || v.split(",").every((s) => (ORDER_STATUSES as readonly string[]).includes(s)),
      `must be a comma-separated list of: ${ORDER_STATUSES.join(", ")}`,
    ),
  updatedSince: z.iso.datetime({ offset: true }).optional().openapi({
    description: "Only orders the read model changed after this instant (compare with the items' syncedAt; for exact sync resume from syncCursor)",
  }),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});

async function answer(c: Parameters<Parameters<ReturnType<typeof router>["openapi"]>[1]>[0], order: PortalOrder | null) {
  if (!order) throw notFound("No such order.");
  // The version grows with every new event of the order, so it identifies the representation.
  const etag = `"v${order.version}"`;
  // Private (customer data) and always revalidated: status changes at any time, a 304 is cheap.
  c.header("Cache-Control", "private, no-cache");
  c.header("ETag", etag);
  const inm = c.req.header("If-None-Match");
  if (inm?.split(",").some((t) => [etag, `W/${etag}`, "*"].includes(t.trim()))) return c.body(null, 304);
  const trackingUrl = `${new URL(c.req.url).origin}/track/${await trackingToken(c.env.TRACKING_TOKEN_SECRET, order.orderId)}`;
  return c.json({ ...order, trackingUrl }, 200);
}

export const portal = router();

portal.openapi(
  createRoute({
    method: "get",
    path: "/v1/orders",
    tags: ["portal"],
    summary: "List the customer's orders, oldest change first (sync: keep the syncCursor, pass it back as cursor)",
    security: BEARER.customer,
    middleware: [session, customerAuth] as const,
    request: { query: ListQuery },
    responses: { 200: json(OrderList, "A page of order summaries"), ...problems(400, 401, 422, 429) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const page = await listOrders(c.get("reader"), c.get("customerId"), {
      ...(q.status ? { statuses: q.status.split(",") as OrderStatus[] } : {}),
      ...(q.updatedSince ? { updatedSince: new Date(q.updatedSince).toISOString() } : {}),
      limit: q.limit,
      ...(q.cursor ? { after: cursorCodec.decode(q.cursor) } : {}),
    });
    c.header("Cache-Control", "private, no-cache");
    return c.json(
      {
        items: page.items,
        nextCursor: page.next !== null ? cursorCodec.encode(page.next) : null,
        syncCursor: page.resume !== null ? cursorCodec.encode(page.resume) : (q.cursor ?? null),
      },
      200,
    );
  },
);

portal.openapi(
  createRoute({
    method: "get",
    path: "/v1/orders/{orderId}",
    tags: ["portal"],
    summary: "One order: status, shipments, timeline, open exceptions",
    security: BEARER.customer,
    middleware: [session, customerAuth] as const,
    request: { params: OrderParams, headers: IfNoneMatch },
    responses: { 200: ETagged("The order"), 304: { description: "Not modified since the ETag you sent" }, ...problems(401, 404, 429) },
  }),
  async (c) => answer(c, await getOrder(c.get("reader"), c.get("customerId"), c.req.valid("param").orderId)),
);

portal.openapi(
  createRoute({
    method: "get",
    path: "/v1/tracking/{trackingNumber}",
    tags: ["portal"],
    summary: "The customer's order shipping under a tracking number (spaces and dashes ignored)",
    security: BEARER.customer,
    middleware: [session, customerAuth] as const,
    request: {
      params: z.object({
        trackingNumber: z
          .string()
          .min(1)
          .max(100)
          .openapi({ param: { name: "trackingNumber", in: "path" }, example: "1Z999AA10123456784" }),
      }),
      headers: IfNoneMatch,
    },
    responses: { 200: ETagged("The order"), 304: { description: "Not modified" }, ...problems(401, 404, 429) },
  }),
  async (c) => {
    const tn = normalizeTrackingNumber(c.req.valid("param").trackingNumber);
    return answer(c, tn ? await getOrderByTracking(c.get("reader"), c.get("customerId"), tn) : null);
  },
);
