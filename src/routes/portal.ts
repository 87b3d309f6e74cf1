// Portal API (DESIGN §3.5): reads D1 only, scoped to the customer of the API key. Another customer's
// order answers 404, exactly like a missing one.
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types";
import { customerForKey } from "../readmodel/api-keys";
import { getOrder } from "../readmodel/queries";
import { bearerToken } from "../platform/auth";
import { notFound, unauthorized } from "../platform/problem";

export const customerAuth = createMiddleware<AppEnv>(async (c, next) => {
  const key = bearerToken(c.req.header("Authorization"));
  const customerId = key ? await customerForKey(c.env.DB, key) : null;
  if (!customerId) throw unauthorized("A valid customer API key is required.");
  c.set("customerId", customerId);
  await next();
});

export const portal = new Hono<AppEnv>().get("/:orderId", customerAuth, async (c) => {
  const order = await getOrder(c.env.DB, c.get("customerId"), c.req.param("orderId"));
  if (!order) throw notFound("No such order.");
  // The version grows with every new event of the order, so it identifies the representation.
  const etag = `"v${order.version}"`;
  // Private (customer data) and always revalidated: status changes at any time, a 304 is cheap.
  c.header("Cache-Control", "private, no-cache");
  c.header("ETag", etag);
  if (ifNoneMatch(c.req.header("If-None-Match"), etag)) return c.body(null, 304);
  return c.json(order);
});

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const v = t.trim();
    return v === "*" || v === etag || v === `W/${etag}`;
  });
}
