// 3PL simulator worker: receives dockline's fulfillment requests as the partners acme-3pl (canonical JSON,
// Standard Webhooks) and edi (X12 940, bearer token) would, records each once per Idempotency-Key, fails on
// demand, and answers like a warehouse by posting the partner's own milestone webhooks back to dockline.
// Checks run cheapest-to-refuse first: auth → content type → body → key; then faults, then the ledger.
// Delays are waited out here in the worker so they never block the single ledger Durable Object.
import { type Context, Hono } from "hono";
import type { z } from "zod";
import { answerFallbacks, sleep } from "../../sim-kit/http";
import { checkJson, parseJson } from "../../sim-kit/json";
import { firstSecret, verifyBearer, verifyStandardWebhook } from "./auth";
import { type FaultDecision, FaultInputSchema, faultView } from "./faults";
import { recordNoOf, type StoredRequest, ThreePlLedger } from "./ledger";
import type { Milestone } from "./milestones";
import { defaultMode, RespondInputSchema, RespondModeSchema } from "./mode";
import { isPartnerId, PARTNERS, type PartnerId } from "./partners";
import { problem } from "./problem";
import { read940, readCanonical } from "./requests";
import { docklineBase, respond, type SenderEnv } from "./respond";

interface Env extends SenderEnv {
  LEDGER: DurableObjectNamespace<ThreePlLedger>;
  /** "true": acknowledge every new request unless PUT /admin/respond-mode says otherwise (`npm start`). */
  AUTO_ACKNOWLEDGE?: string;
}
type AppContext = Context<{ Bindings: Env }>;

const app = new Hono<{ Bindings: Env }>();

/** The one ledger instance: all state in one place makes every idempotency decision atomic. */
const ledger = (env: Env) => env.LEDGER.getByName("ledger");

const MAX_KEY_LENGTH = 512;

// Echo the caller's correlation id and Idempotency-Key, so an answer says which request it is about.
app.use(async (c, next) => {
  await next();
  const correlationId = c.req.header("x-correlation-id");
  if (correlationId !== undefined) c.res.headers.set("X-Correlation-Id", correlationId);
  const key = c.req.header("idempotency-key");
  if (key !== undefined) c.res.headers.set("Idempotency-Key", key);
});

app.get("/health", (c) => c.json({ ok: true }));

// ---- Fulfillment requests: POST /<partnerId> ----

app.post("/:partner{[a-z0-9-]+}", async (c) => {
  const partner = c.req.param("partner");
  // The body is read before any answer: answering first leaves the sender's stream half-read.
  const raw = new Uint8Array(await c.req.arrayBuffer());
  if (!isPartnerId(partner)) return problem(404, "unknown-partner", "Unknown partner", `This 3PL simulator plays ${Object.keys(PARTNERS).join(" and ")}.`);
  return receive(c, partner, raw);
});
app.all("/:partner{[a-z0-9-]+}", async (c, next) => {
  if (!isPartnerId(c.req.param("partner"))) return next();
  await c.req.text().catch(() => "");
  return problem(405, "method-not-allowed", "Method Not Allowed", `${c.req.path} only accepts POST.`, {}, { Allow: "POST" });
});

async function receive(c: AppContext, partner: PartnerId, raw: Uint8Array): Promise<Response> {
  const config = PARTNERS[partner];
  const stub = ledger(c.env);
  const secret = firstSecret(c.env[config.secret]);
  if (secret === null) return problem(500, "misconfigured", "Misconfigured", `${config.secret} is not set for the simulator.`);

  const verdict =
    config.format === "canonical"
      ? await verifyStandardWebhook(secret, c.req.raw.headers, raw)
      : await verifyBearer(secret, c.req.header("authorization") ?? null);
  if (!verdict.ok) {
    await stub.countRefused("rejectedSignatures");
    const challenge: Record<string, string> = config.format === "canonical" ? {} : { "WWW-Authenticate": 'Bearer realm="3pl-sim"' };
    return problem(401, "unauthorized", "Unauthorized", verdict.detail, {}, challenge);
  }
  const refuse = async (response: Response) => {
    await stub.countRefused("invalidRequests");
    return response;
  };
  const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== config.contentType) {
    return refuse(
      problem(415, "unsupported-media-type", "Unsupported Media Type", `${partner} takes ${config.contentType}.`, {}, { Accept: config.contentType }),
    );
  }
  const text = new TextDecoder().decode(raw);
  const read = config.format === "canonical" ? readCanonical(text) : read940(text);
  if (!read.ok) return refuse(problem(read.status, read.slug, read.title, read.detail, read.errors ? { errors: read.errors } : {}));
  const key = c.req.header("idempotency-key") ?? "";
  if (key === "" || key.length > MAX_KEY_LENGTH) {
    return refuse(problem(400, "invalid-idempotency-key", "Invalid Idempotency-Key", `An Idempotency-Key of 1 to ${MAX_KEY_LENGTH} characters is required.`));
  }
  // A 940 without W0503 is still an order: its key stands in for the request id.
  const request = { ...read.value, requestId: read.value.requestId || key };

  const decision = await stub.admit(request.orderId);
  if (decision.slowMs > 0) await sleep(decision.slowMs);
  if (decision.kind !== "pass") return faultResponse(decision);

  const result = await stub.record({ partner, request, idempotencyKey: key, correlationId: c.req.header("x-correlation-id") ?? null, body: text });
  switch (result.outcome) {
    case "recorded": {
      const { stored } = result;
      const mode = result.mode ?? defaultMode(c.env.AUTO_ACKNOWLEDGE);
      if (mode.auto && mode.partners.includes(partner) && stored.type === "fulfillment.requested") {
        // After the answer: a warehouse acknowledges an order it has accepted, not while accepting it.
        c.executionCtx.waitUntil(
          sleep(mode.delayMs)
            .then(() => send(c.env, [stored], mode.milestones, docklineBase(c.env, mode.dockline)))
            .catch((err) => console.error("3pl-sim: auto respond failed", err)),
        );
      }
      return c.json(result.receipt, 202);
    }
    case "replayed":
      return c.json(result.receipt, 200, { "Idempotent-Replayed": "true" });
    case "key-reused":
      return problem(422, "idempotency-key-reused", "Idempotency-Key reused", result.detail);
  }
}

function faultResponse(decision: Exclude<FaultDecision, { kind: "pass" }>): Response {
  switch (decision.kind) {
    case "down":
      return problem(
        503,
        "unavailable",
        "3PL unavailable",
        "The warehouse system is down for maintenance.",
        {},
        { "Retry-After": String(decision.retryAfterSeconds) },
      );
    case "throttled":
      return problem(429, "rate-limited", "Too Many Requests", "Slow down.", {}, { "Retry-After": String(decision.retryAfterSeconds) });
    case "error":
      return problem(503, "internal-3pl-error", "3PL error", "The warehouse system failed to take the request; retry later.");
  }
}

/** Sends the milestones and records what dockline answered, per request. */
async function send(env: Env, requests: readonly StoredRequest[], milestones: readonly Milestone[], base: string) {
  const stub = ledger(env);
  const { results, sent } = await respond(env, requests, milestones, base, {
    nextControl: () => stub.nextControlNumber(),
    occurredAt: (request, milestone, proposed) => stub.occurredAt(request.partner, request.requestId, milestone, proposed),
  });
  for (const [recordId, notes] of sent) if (notes.length > 0) await stub.noteResponses(recordNoOf(recordId), notes);
  return results;
}

// ---- Admin API: simulator-only surface, no auth (a real 3PL has nothing like it; never expose it) ----

/** Parses an admin body with `schema`, or the problem+json answer naming what is wrong. */
async function adminBody<T>(c: AppContext, schema: z.ZodType<T>, slug: string, title: string) {
  const input = checkJson(await c.req.text(), schema);
  if (input.ok) return input;
  return { ok: false as const, response: problem(400, slug, title, "See `errors`.", { errors: input.errors }) };
}

app.get("/admin/faults", async (c) => c.json(faultView(await ledger(c.env).getFaults(), Date.now())));

app.put("/admin/faults", async (c) => {
  const input = await adminBody(c, FaultInputSchema, "invalid-fault-config", "Invalid fault configuration");
  if (!input.ok) return input.response;
  return c.json(faultView(await ledger(c.env).setFaults(input.data), Date.now()));
});

app.delete("/admin/faults", async (c) => c.json(faultView(await ledger(c.env).clearFaults(), Date.now())));

app.get("/admin/requests", async (c) => {
  const { requests, stats } = await ledger(c.env).list({ orderId: c.req.query("orderId"), partner: c.req.query("partner") });
  return c.json({ requests: requests.map(readable), stats });
});

app.delete("/admin/requests", async (c) => {
  await ledger(c.env).resetRequests();
  return c.body(null, 204);
});

app.post("/admin/respond", async (c) => {
  const input = await adminBody(c, RespondInputSchema, "invalid-respond", "Invalid respond request");
  if (!input.ok) return input.response;
  const { orderId, partner, milestones, requestId, dockline } = input.data;
  const requests = await ledger(c.env).requestsFor(orderId, partner, requestId);
  if (requests.length === 0) {
    const which = requestId === undefined ? "" : ` with requestId ${requestId}`;
    return problem(404, "no-requests", "No such request", `No fulfillment.requested of order ${orderId}${which} was recorded for ${partner}.`);
  }
  const base = docklineBase(c.env, dockline);
  const sent = await send(c.env, requests, milestones, base);
  const ok = sent.every((r) => "skipped" in r || (r.status !== null && r.status >= 200 && r.status <= 299));
  return c.json({ orderId, partner, dockline: c.env.DOCKLINE ? "DOCKLINE service binding" : base, ok, sent });
});

app.get("/admin/respond-mode", async (c) => c.json((await ledger(c.env).getRespondMode()) ?? defaultMode(c.env.AUTO_ACKNOWLEDGE)));

app.put("/admin/respond-mode", async (c) => {
  const input = await adminBody(c, RespondModeSchema, "invalid-respond-mode", "Invalid respond mode");
  if (!input.ok) return input.response;
  return c.json(await ledger(c.env).setRespondMode(input.data));
});

// Back to the default (AUTO_ACKNOWLEDGE): PUT { "auto": false } is how to stop answering under `npm start`.
app.delete("/admin/respond-mode", async (c) => {
  await ledger(c.env).clearRespondMode();
  return c.json(defaultMode(c.env.AUTO_ACKNOWLEDGE));
});

app.post("/admin/reset", async (c) => {
  await ledger(c.env).resetAll();
  return c.json({ ok: true });
});

/** A record as the admin API shows it: a JSON body parsed, an X12 one as text. */
function readable(request: StoredRequest) {
  const body = PARTNERS[request.partner].format === "canonical" ? (parseJson(request.body) as { value?: unknown }).value : request.body;
  return { ...request, body };
}

answerFallbacks(app, "3pl-sim", problem);

export { ThreePlLedger };
export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
