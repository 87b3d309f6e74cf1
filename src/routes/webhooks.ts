// POST /v1/webhooks/:partnerId — partner ingress. Checks run cheapest first: partner (404) → content type
// (415) → size (413, streamed) → signature over the raw bytes (401; past the failures allowed per client
// address, 429) → the partner's rate limit, for verified requests only (429) → mapping (400/422, or
// quarantine) → routing. A rejected request writes nothing.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types";
import { receive } from "../ingest";
import { type Partner, partnerSecrets, partners, secretName } from "../partners/registry";
import { SignatureError } from "../partners/schemes/signature-error";
import type { InboundWebhook } from "../partners/types";
import { log } from "../platform/log";
import { recordMetric } from "../platform/metrics";
import { HttpProblem, notFound } from "../platform/problem";
import { clientAddress, enforceRateLimit } from "../platform/rate-limit";

export const MAX_BODY_BYTES = 1024 * 1024;
/** How long a partner should wait while its secret is missing on our side: long enough for ops to set it. */
const MISCONFIGURED_RETRY_AFTER_SECONDS = 300;

function partnerOf(c: { env: Env; req: { param(k: "partnerId"): string } }): Partner {
  const partner = partners(c.env.PARTNERS).get(c.req.param("partnerId"));
  if (!partner) throw notFound(`Unknown partner "${c.req.param("partnerId")}".`);
  return partner;
}

/**
 * Ingest figures per known partner: outcome counts (accepted / duplicate / parked / quarantined, or
 * rejected with any 4xx) and the time to answer. Recorded after the answer, off the partner's path.
 */
const measure = createMiddleware<AppEnv & { Variables: { outcomes?: string[] } }>(async (c, next) => {
  const started = Date.now();
  await next();
  const partnerId = c.req.param("partnerId") ?? "";
  if (!partners(c.env.PARTNERS).has(partnerId)) return;
  const counts: Record<string, number> = {};
  const outcomes = c.res.status >= 400 ? ["rejected"] : (c.get("outcomes") ?? ["ignored"]);
  for (const o of outcomes.length ? outcomes : ["ignored"]) counts[o] = (counts[o] ?? 0) + 1;
  c.executionCtx.waitUntil(recordMetric(c.env, `partner:${partnerId}`, { counts, latenciesMs: [Date.now() - started] }));
});

export const webhooks = new Hono<AppEnv & { Variables: { outcomes?: string[] } }>().post(
  "/:partnerId",
  measure,
  async (c, next) => {
    const partner = partnerOf(c);
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!partner.impl.contentTypes.includes(type)) {
      throw new HttpProblem(415, "unsupported-media-type", "Unsupported content type", `This partner sends ${partner.impl.contentTypes.join(" or ")}.`);
    }
    await next();
  },
  // Counts the bytes as they stream in: an oversize body is refused without being buffered whole.
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new HttpProblem(413, "payload-too-large", "Payload too large", `The body exceeds ${MAX_BODY_BYTES} bytes.`);
    },
  }),
  async (c) => {
    const partner = partnerOf(c);
    const correlationId = c.get("correlationId");
    const req: InboundWebhook = {
      partnerId: partner.id,
      headers: c.req.raw.headers,
      raw: new Uint8Array(await c.req.arrayBuffer()),
      receivedAt: new Date().toISOString(),
    };
    await countingFailures(c.env, c.req.raw.headers, () => verify(partner, req, partnerSecrets(c.env, partner.id), correlationId));
    // Only authentic requests count against a partner's quota: unsigned requests in its name must never
    // get the genuine partner throttled (Shopify disables a webhook after repeated failed deliveries).
    await enforceRateLimit(c.env, "PARTNER_RATE_LIMITER", partner.id, `Partner ${partner.id} is over its rate limit.`);

    const answer = await receive(c.env, partner, req, correlationId);
    c.set("outcomes", [...answer.results.map((r) => r.outcome), ...(answer.ignored ? ["ignored"] : []), ...(answer.warnings ? ["warning"] : [])]);
    // A sender that expects a functional acknowledgement (an EDI gateway: a 997) gets it in the answer.
    const acknowledgement = partner.impl.acknowledge?.(req);
    return c.json(acknowledgement ? { ...answer, acknowledgement } : answer, 202);
  },
);

/**
 * Runs the signature check; a request that fails it counts against its client address, and past that
 * limit the answer is 429 instead of 401. Only failures count, so a partner sharing an address with a
 * flood (a NAT, a cloud egress range) is never throttled by it; the price is that a throttled address
 * still costs one bounded read and one HMAC per request, which a limit in front of the check would save.
 */
async function countingFailures(env: Env, headers: Headers, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 401) {
      await enforceRateLimit(
        env,
        "UNVERIFIED_RATE_LIMITER",
        clientAddress(headers),
        "Too many requests from your address failed the signature check; wait and retry.",
      );
    }
    throw err;
  }
}

async function verify(partner: Partner, req: InboundWebhook, secrets: string[], correlationId: string): Promise<void> {
  try {
    if (secrets.length === 0) throw new SignatureError("misconfigured", "no secret configured");
    await partner.impl.verify(req, secrets);
  } catch (err) {
    if (!(err instanceof SignatureError)) throw err;
    if (err.reason === "misconfigured") {
      // Our fault, not the caller's, and the caller may be anyone: the answer says only "later" (partners
      // retry a 503, so nothing is lost once the secret is set); the log names the secret to set, never a value.
      log.error("webhook secret missing or unusable", { partnerId: partner.id, secret: secretName(partner.id), problem: err.message, correlationId });
      throw new HttpProblem(
        503,
        "webhooks-unavailable",
        "Temporarily unable to accept webhooks",
        "Webhooks cannot be accepted right now. Retry later.",
        {},
        { "Retry-After": String(MISCONFIGURED_RETRY_AFTER_SECONDS) },
      );
    }
    log.warn("webhook signature rejected", { partnerId: partner.id, reason: err.reason, correlationId });
    throw new HttpProblem(401, "invalid-signature", "Invalid signature", SIGNATURE_DETAIL[err.reason]);
  }
}

const SIGNATURE_DETAIL: Record<Exclude<SignatureError["reason"], "misconfigured">, string> = {
  missing: "The signature headers are missing.",
  invalid: "The signature does not match.",
  stale: "The signature timestamp is too old.",
  future: "The signature timestamp is in the future.",
};
