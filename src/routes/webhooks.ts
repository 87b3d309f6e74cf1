// POST /v1/webhooks/:partnerId — partner ingress. Order of checks is the order of cheapness and of
// information disclosure: partner → content type → size → signature (over raw bytes) → mapping → routing.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { AppEnv } from "../app-types";
import { CanonicalEvent } from "../domain/event";
import { partners, partnerSecrets } from "../partners/registry";
import { SignatureError } from "../partners/schemes/signature-error";
import { schemaProblem } from "../partners/parse";
import type { InboundWebhook } from "../partners/types";
import { log } from "../platform/log";
import { HttpProblem, notFound } from "../platform/problem";
import { routeEvents } from "./route-events";

export const MAX_BODY_BYTES = 1024 * 1024;

export const webhooks = new Hono<AppEnv>().post(
  "/:partnerId",
  async (c, next) => {
    const partner = partners(c.env.PARTNERS).get(c.req.param("partnerId"));
    if (!partner) throw notFound(`Unknown partner "${c.req.param("partnerId")}".`);
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!partner.impl.contentTypes.includes(type)) {
      throw new HttpProblem(415, "unsupported-media-type", "Unsupported content type", `This partner sends ${partner.impl.contentTypes.join(" or ")}.`);
    }
    await next();
  },
  // Streams and counts: an oversize body is refused without being buffered whole.
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new HttpProblem(413, "payload-too-large", "Payload too large", `The body exceeds ${MAX_BODY_BYTES} bytes.`);
    },
  }),
  async (c) => {
    const partnerId = c.req.param("partnerId");
    const partner = partners(c.env.PARTNERS).get(partnerId);
    if (!partner) throw notFound();
    const correlationId = c.get("correlationId");
    const req: InboundWebhook = {
      partnerId,
      headers: c.req.raw.headers,
      raw: new Uint8Array(await c.req.arrayBuffer()),
      receivedAt: new Date().toISOString(),
    };
    const secrets = partnerSecrets(c.env, partnerId);
    try {
      if (secrets.length === 0) throw new SignatureError("misconfigured", "no secret configured");
      await partner.impl.verify(req, secrets);
    } catch (err) {
      if (!(err instanceof SignatureError)) throw err;
      log.warn("webhook signature rejected", { partnerId, reason: err.reason, correlationId });
      if (err.reason === "misconfigured")
        throw new HttpProblem(500, "partner-misconfigured", "Partner misconfigured", "This partner's secret is not configured correctly.");
      throw new HttpProblem(401, "invalid-signature", "Invalid signature", signatureDetail[err.reason]);
    }
    const { events: mapped } = await partner.impl.map(req);
    // A final guard on the adapter's output: nothing downstream ever sees a non-canonical event.
    const checked = z.array(CanonicalEvent).safeParse(mapped);
    if (!checked.success) throw schemaProblem(checked.error);
    const events = checked.data;
    const results = await routeEvents(c.env, events, correlationId);
    log.info("webhook accepted", { partnerId, correlationId, events: results.length, outcomes: results.map((r) => r.outcome).join(",") });
    return c.json({ correlationId, results }, 202);
  },
);

const signatureDetail: Record<Exclude<SignatureError["reason"], "misconfigured">, string> = {
  missing: "The signature headers are missing.",
  invalid: "The signature does not match.",
  stale: "The signature timestamp is too old.",
  future: "The signature timestamp is in the future.",
};
