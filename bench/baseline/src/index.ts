// Baseline worker: the same framework (Hono) and the same request shape as dockline's webhook route,
// with no work behind it — what the runtime itself can do on this machine in this run.
import { Hono } from "hono";

const app = new Hono()
  .get("/health", (c) => c.json({ ok: true }))
  .post("/v1/webhooks/:partnerId", async (c) => {
    // Read the whole body, as dockline must before it can verify a signature over the raw bytes.
    const raw = await c.req.arrayBuffer();
    return c.json({ partnerId: c.req.param("partnerId"), bytes: raw.byteLength }, 202);
  });

export default app;
