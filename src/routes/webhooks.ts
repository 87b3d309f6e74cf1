// POST /v1/webhooks/:partnerId — partner ingress. Checks run cheapest first: partner (404) → content type
// (415) → size (413, streamed) → signature over the raw bytes (401; past the failures allowed per client
// address, 429) → the partner's rate limit, for verified requests only (429) → mapping (400/422, or
// quarantine) → routing. A rejected request writes nothing but its line in the inbound request log, which
// records every request to a known partner (../readmodel/inbound-log.ts), after the answer.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-types";
import { type Received, receive } from "../ingest";
import { type Partner, partnerSecrets, partners, secretName } from "../partners/registry";
import { SignatureError } from "../partners/schemes/signature-error";
import type { InboundWebhook } from "../partners/types";
import { errorName, errorSite, log } from "../platform/log";
import { recordMetric } from "../platform/metrics";
import { HttpProblem, notFound } from "../platform/problem";
import { clientAddress, enforceRateLimit } from "../platform/rate-limit";
import { type InboundOutcome, identifiersIn, recordInbound } from "../readmodel/inbound-log";

export const MAX_BODY_BYTES = 1024 * 1024;
/** How long a partner should wait while its secret is missing on our side: long enough for ops to set it. */
const MISCONFIGURED_RETRY_AFTER_SECONDS = 300;

function partnerOf(c: { env: Env; req: { param(k: "partnerId"): string } }): Partner {
  const partner = partners(c.env.PARTNERS).get(c.req.param("partnerId"));
  if (!partner) throw notFound(`Unknown partner "${c.req.param("partnerId")}".`);
  return partner;
}

/** What the handler leaves for the middleware that measures and logs the request after the answer. */
type WebhookEnv = AppEnv & { Variables: { raw?: Uint8Array; verified?: boolean; received?: Received } };

// One outcome per logged request: the one that most needs a person (any quarantined event makes the
// request "quarantined"; one accepted event among duplicates makes it "accepted").
const OUTCOME_ORDER: InboundOutcome[] = ["quarantined", "parked", "accepted", "duplicate"];

/**
 * After the answer, for a known partner (off its path, in `waitUntil`): the ingest figures (outcome counts —
 * accepted / duplicate / parked / quarantined / ignored, or rejected with any 4xx/5xx — and the time to
 * answer), and the request's line in the inbound request log, whatever its answer. A failure to log never
 * fails the request, and is logged with what identifies the request (never its payload).
 */
const afterAnswer = createMiddleware<WebhookEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  const partnerId = c.req.param("partnerId") ?? "";
  if (!partners(c.env.PARTNERS).has(partnerId)) return;
  const latencyMs = Date.now() - started;
  const status = c.res.status;
  const raw = c.get("raw");
  const received = c.get("received");
  const answer = received?.answer;
  const results = answer?.results ?? [];

  const counts: Record<string, number> = {};
  const counted =
    status >= 400 ? ["rejected"] : [...results.map((r) => r.outcome), ...(answer?.ignored ? ["ignored"] : []), ...(answer?.warnings ? ["warning"] : [])];
  for (const o of counted.length ? counted : ["ignored"]) counts[o] = (counts[o] ?? 0) + 1;
  c.executionCtx.waitUntil(recordMetric(c.env, `partner:${partnerId}`, { counts, latenciesMs: [latencyMs] }));

  let outcome: InboundOutcome = "rejected";
  let reason: string | undefined;
  if (status < 400) {
    outcome = OUTCOME_ORDER.find((o) => results.some((r) => r.outcome === o)) ?? "ignored";
    const reasons = [...results.flatMap((r) => (r.reason ? [r.reason] : [])), answer?.ignored, ...(answer?.warnings ?? [])];
    reason = [...new Set(reasons.filter((r) => r !== undefined))].join("; ") || undefined;
  } else {
    reason = c.error instanceof HttpProblem ? (c.error.detail ?? c.error.title) : "Unexpected error on our side; the log has it under the correlation id.";
  }
  // Search terms: the ids of the mapped events, or for an authentic payload that did not map (or was
  // refused after the signature check) what looks like an id in it. An unsigned body adds nothing.
  const terms = received?.keys.length ? received.keys : c.get("verified") && raw ? identifiersIn(raw) : [];
  const correlationId = c.get("correlationId");
  const declaredBytes = Number(c.req.header("Content-Length")) || 0;
  c.executionCtx.waitUntil(
    recordInbound(c.env.DB, {
      partnerId,
      receivedAt: new Date(started).toISOString(),
      outcome,
      httpStatus: status,
      correlationId,
      reason,
      headers: c.req.raw.headers,
      raw,
      declaredBytes,
      orderIds: received?.orderIds ?? [],
      terms,
      quarantineId: results.find((r) => r.quarantineId)?.quarantineId,
      latencyMs,
    }).catch((err: unknown) =>
      log.error("recording an inbound request failed", {
        partnerId,
        correlationId,
        status,
        outcome,
        bodyBytes: raw?.byteLength ?? declaredBytes,
        error: errorName(err),
        at: errorSite(err),
      }),
    ),
  );
});

export const webhooks = new Hono<WebhookEnv>().post(
  "/:partnerId",
  afterAnswer,
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
    c.set("raw", req.raw);
    await countingFailures(c.env, c.req.raw.headers, () => verify(partner, req, partnerSecrets(c.env, partner.id), correlationId));
    // Only authentic requests count against a partner's quota: unsigned requests in its name must never
    // get the genuine partner throttled (Shopify disables a webhook after repeated failed deliveries).
    c.set("verified", true);
    await enforceRateLimit(c.env, "PARTNER_RATE_LIMITER", partner.id, `Partner ${partner.id} is over its rate limit.`);

    const received = await receive(c.env, partner, req, correlationId);
    c.set("received", received);
    const answer = received.answer;
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

export const SIGNATURE_DETAIL: Record<Exclude<SignatureError["reason"], "misconfigured">, string> = {
  missing: "The signature headers are missing.",
  invalid: "The signature does not match.",
  stale: "The signature timestamp is too old.",
  future: "The signature timestamp is in the future.",
};
