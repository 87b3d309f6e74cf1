// Ops API (DESIGN §3.6), behind OPS_TOKEN: inspect an order, manage customer API keys.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-types";
import { parseJson, schemaProblem } from "../partners/parse";
import { issueApiKey, revokeApiKey } from "../readmodel/api-keys";
import { orderStub } from "../orders";
import { requireToken } from "../platform/auth";
import { notFound } from "../platform/problem";

const NewKey = z.object({ customerId: z.string().trim().min(1).max(200), label: z.string().max(200).optional() });

export const ops = new Hono<AppEnv>()
  .use(requireToken("OPS_TOKEN"))
  .get("/orders/:orderId", async (c) => {
    const orderId = c.req.param("orderId");
    const view = await orderStub(c.env, orderId).inspect();
    if (view.orderId === null) throw notFound(`Order ${orderId} has no events.`);
    return c.json(view);
  })
  .post("/api-keys", async (c) => {
    const parsed = NewKey.safeParse(parseJson(new Uint8Array(await c.req.arrayBuffer())));
    if (!parsed.success) throw schemaProblem(parsed.error);
    const issued = await issueApiKey(c.env.DB, parsed.data.customerId, parsed.data.label ?? null);
    // The key is in this response and nowhere else: only its hash is stored.
    c.header("Cache-Control", "no-store");
    return c.json(issued, 201);
  })
  .delete("/api-keys/:id", async (c) => {
    if (!(await revokeApiKey(c.env.DB, c.req.param("id")))) throw notFound("No such active key.");
    return c.body(null, 204);
  });
