// ERP simulator worker: HTTP surface of the ERP outbound contract, plus a simulator-only /admin API.
// Validation happens here; faults are decided by the ledger before any record is touched; delays (slowMs,
// hangs) are waited out here in the worker so they never block the single ledger Durable Object.
import { type Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { answerFallbacks, sleep } from "../../sim-kit/http";
import { checkJson, fieldErrors, parseJson } from "../../sim-kit/json";
import { canonicalJson, checkBody, ENDPOINTS, type Kind, parseIdempotencyKey } from "./contract";
import { type FaultDecision, FaultInputSchema, faultView } from "./faults";
import { ErpLedger, type LedgerRecord } from "./ledger";
import { basicCredentials, OAuthConfigSchema, sameSecret } from "./oauth";
import { problem } from "./problem";

interface Env {
  LEDGER: DurableObjectNamespace<ErpLedger>;
  ERP_TOKEN: string;
  /** The one OAuth client the token endpoint knows (RFC 6749 §4.4); unset: the endpoint refuses every client. */
  ERP_CLIENT_ID?: string;
  ERP_CLIENT_SECRET?: string;
}
type AppContext = Context<{ Bindings: Env }>;

const app = new Hono<{ Bindings: Env }>();

/** The one ledger instance: all state in one place makes every contract decision atomic. */
const ledger = (env: Env) => env.LEDGER.getByName("ledger");

// Echo the caller's correlation id, so a trace can be followed across dockline and the ERP, and its
// Idempotency-Key, so an answer says which request it is about (a 409 already-applied must, see README).
app.use(async (c, next) => {
  await next();
  const correlationId = c.req.header("x-correlation-id");
  if (correlationId !== undefined) c.res.headers.set("X-Correlation-Id", correlationId);
  const key = c.req.header("idempotency-key");
  if (key !== undefined && c.req.path !== "/login") c.res.headers.set("Idempotency-Key", key);
});

app.get("/health", (c) => c.json({ ok: true }));

// Where the `redirect` fault usually points: the sign-in page of an auth proxy in front of the ERP. It
// answers 200 to anything, as such a page does, so a client that follows redirects takes it for success;
// every visit is counted (`loginPageVisits`), because a correct client never comes here.
app.all("/login", async (c) => {
  await ledger(c.env).countLoginPageVisit();
  return c.html("<!doctype html><title>Sign in</title><form method=post><input name=user><input name=password type=password></form>");
});

// ---- OAuth 2.0 token endpoint (client credentials) ----

// RFC 6749 §4.4.2 and §5: a form POST, the client authenticated with HTTP Basic; the answer is JSON with
// `Cache-Control: no-store`, and errors carry an `error` code. Tokens are opaque and expire (PUT /admin/oauth).
app.post("/oauth/token", async (c) => {
  const oauthError = (status: number, error: string, headers: Record<string, string> = {}) =>
    c.json({ error }, status as ContentfulStatusCode, { "Cache-Control": "no-store", ...headers });
  // The body is read before any answer: answering first leaves the sender's stream half-read.
  const form = new URLSearchParams(await c.req.text());
  const client = basicCredentials(c.req.header("authorization"));
  const { ERP_CLIENT_ID: id = "", ERP_CLIENT_SECRET: secret = "" } = c.env;
  if (client === null || id === "" || secret === "" || !sameSecret(client.clientId, id) || !sameSecret(client.clientSecret, secret)) {
    return oauthError(401, "invalid_client", { "WWW-Authenticate": 'Basic realm="erp-sim"' });
  }
  if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) return oauthError(400, "invalid_request");
  if (form.get("grant_type") !== "client_credentials") return oauthError(400, "unsupported_grant_type");
  const decision = await ledger(c.env).tokenRequest();
  if (decision.kind === "fail") {
    const retry: Record<string, string> = decision.retryAfterSeconds === null ? {} : { "Retry-After": String(decision.retryAfterSeconds) };
    return oauthError(decision.status, decision.status >= 500 ? "temporarily_unavailable" : "invalid_client", retry);
  }
  const scope = form.get("scope");
  return c.json({ access_token: decision.token, token_type: "Bearer", expires_in: decision.expiresIn, ...(scope ? { scope } : {}) }, 200, {
    "Cache-Control": "no-store",
    Pragma: "no-cache",
  });
});

// ---- Business endpoints (the contract) ----

for (const kind of ENDPOINTS) {
  app.post(`/${kind}`, (c) => handleCommand(c, kind));
  app.all(`/${kind}`, () => problem(405, "method-not-allowed", "Method Not Allowed", `/${kind} only accepts POST.`, {}, { Allow: "POST" }));
}

async function handleCommand(c: AppContext, kind: Kind): Promise<Response> {
  // The body is read before any answer: answering first leaves the sender's stream half-read.
  const text = await c.req.text();
  if (!(await authorized(c))) {
    return problem(
      401,
      "unauthorized",
      "Unauthorized",
      "Missing or invalid bearer token.",
      {},
      {
        "WWW-Authenticate": "Bearer",
      },
    );
  }
  const key = parseIdempotencyKey(c.req.header("idempotency-key"));
  if (!key.ok) return problem(400, "invalid-idempotency-key", "Invalid Idempotency-Key", key.detail);
  const parsed = parseJson(text);
  if (!parsed.ok) return problem(400, "malformed-json", "Malformed JSON body", "The body is not valid JSON.");
  const body = checkBody(parsed.value, key.value);
  if (!body.ok) return problem(422, "invalid-body", "Invalid body", body.detail);

  const done = enter(key.value.orderId);
  try {
    return await admitAndApply(c, kind, key.value, body.value);
  } finally {
    done();
  }
}

// ---- Concurrency gauge: how many requests are in flight at once, per watched order-id prefix ----
// In memory: the simulator runs as one isolate, so the module's counters see every request. A witness
// for tests and drills that a sender keeps to its concurrency cap.

interface Gauge {
  inFlight: number;
  maxInFlight: number;
  requests: number;
}
const gauges = new Map<string, Gauge>();

function enter(orderId: string): () => void {
  const watched = [...gauges.entries()].filter(([prefix]) => orderId.startsWith(prefix)).map(([, g]) => g);
  for (const g of watched) {
    g.inFlight++;
    g.requests++;
    g.maxInFlight = Math.max(g.maxInFlight, g.inFlight);
  }
  return () => {
    for (const g of watched) g.inFlight--;
  };
}

type IdempotencyKey = Extract<ReturnType<typeof parseIdempotencyKey>, { ok: true }>["value"];
type CheckedBody = Extract<ReturnType<typeof checkBody>, { ok: true }>["value"];

/** The command after validation: faults first, then the ledger's idempotent, sequenced apply. */
async function admitAndApply(c: AppContext, kind: Kind, key: IdempotencyKey, body: CheckedBody): Promise<Response> {
  const stub = ledger(c.env);
  const decision = await stub.admit(key.orderId);
  if (decision.slowMs > 0) await sleep(decision.slowMs);
  if (decision.kind !== "pass") return faultResponse(decision, key.orderId);

  const result = await stub.applyCommand({
    kind,
    idempotencyKey: key.key,
    orderId: key.orderId,
    seq: key.seq,
    body: canonicalJson(body),
    correlationId: c.req.header("x-correlation-id") ?? null,
  });
  // Applied, but the caller never hears it: only the idempotency key saves it from booking twice.
  if (decision.loseResponse && result.outcome === "applied") {
    return problem(504, "gateway-timeout", "Gateway Timeout", "The ERP did not answer in time.");
  }
  switch (result.outcome) {
    case "applied":
      return c.json(result.receipt, 201);
    case "replayed":
      if (decision.replayConflict) {
        return problem(409, "already-applied", "Already applied", `Idempotency-Key ${key.key} was already applied (${result.receipt.recordId}).`, {
          ...result.receipt,
        });
      }
      return c.json(result.receipt, 200, { "Idempotent-Replayed": "true" });
    case "key-reused":
      return problem(422, "idempotency-key-reused", "Idempotency-Key reused", result.detail);
    case "sequence-gap":
      return problem(
        409,
        "sequence-gap",
        "Sequence gap",
        `Order ${key.orderId} expects seq ${result.expectedSeq}; got ${key.seq}. Deliver the predecessor first.`,
        { expectedSeq: result.expectedSeq, receivedSeq: key.seq },
      );
  }
}

async function faultResponse(decision: Exclude<FaultDecision, { kind: "pass" }>, orderId: string): Promise<Response> {
  switch (decision.kind) {
    case "redirect":
      return new Response(null, { status: decision.status, headers: { Location: decision.location } });
    case "down":
      return problem(
        503,
        "unavailable",
        "ERP unavailable",
        "The ERP is down for maintenance.",
        {},
        {
          "Retry-After": String(decision.retryAfterSeconds),
        },
      );
    case "throttled":
      return problem(
        429,
        "rate-limited",
        "Too Many Requests",
        "Slow down.",
        {},
        {
          "Retry-After": String(decision.retryAfterSeconds),
        },
      );
    case "error":
      return problem(503, "internal-erp-error", "ERP error", "The ERP failed to process the request; retry later.");
    case "timeout":
      await sleep(decision.hangMs);
      return problem(504, "gateway-timeout", "Gateway Timeout", "The ERP did not answer in time.");
    case "rejected":
      return problem(422, "rejected-by-erp", "Rejected by ERP", `The ERP permanently rejects order ${orderId}.`);
  }
}

/** The static ERP_TOKEN, or a token from POST /oauth/token still within its lifetime. */
async function authorized(c: AppContext): Promise<boolean> {
  const token = /^Bearer +(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
  if (token !== undefined && c.env.ERP_TOKEN !== "" && sameSecret(token, c.env.ERP_TOKEN)) return true;
  if (token === undefined) {
    await ledger(c.env).countUnauthorized();
    return false;
  }
  return ledger(c.env).authorizeIssued(token);
}

// ---- Admin API: simulator-only surface, no auth (a real ERP has nothing like it; never expose it) ----

app.get("/admin/faults", async (c) => c.json(faultView(await ledger(c.env).getFaults(), Date.now())));

app.put("/admin/faults", async (c) => {
  const input = checkJson(await c.req.text(), FaultInputSchema);
  if (!input.ok) return problem(400, "invalid-fault-config", "Invalid fault configuration", "See `errors`.", { errors: input.errors });
  return c.json(faultView(await ledger(c.env).setFaults(input.data), Date.now()));
});

app.delete("/admin/faults", async (c) => c.json(faultView(await ledger(c.env).clearFaults(), Date.now())));

// Watch a prefix: its gauge starts from zero (PUT), read it (GET ?prefix=), stop watching (DELETE).
app.put("/admin/concurrency", async (c) => {
  const parsed = parseJson(await c.req.text());
  const prefix = parsed.ok && typeof (parsed.value as { prefix?: unknown })?.prefix === "string" ? (parsed.value as { prefix: string }).prefix : null;
  if (!prefix) return problem(400, "invalid-gauge", "Invalid gauge", 'Send { "prefix": "<order id prefix>" }.');
  gauges.set(prefix, { inFlight: 0, maxInFlight: 0, requests: 0 });
  return c.json({ prefix, ...gauges.get(prefix) });
});
app.get("/admin/concurrency", (c) => {
  const prefix = c.req.query("prefix") ?? "";
  const g = gauges.get(prefix);
  return g ? c.json({ prefix, ...g }) : problem(404, "not-watched", "Not watched", `No gauge for prefix ${JSON.stringify(prefix)}: PUT it first.`);
});
app.delete("/admin/concurrency", (c) => {
  gauges.delete(c.req.query("prefix") ?? "");
  return c.body(null, 204);
});

app.get("/admin/records", async (c) => {
  const { records, stats } = await ledger(c.env).listRecords(c.req.query("orderId") ?? null);
  return c.json({ records: records.map(withParsedBody), stats });
});

app.get("/admin/orders/:orderId", async (c) => {
  const order = await ledger(c.env).getOrder(c.req.param("orderId"));
  return c.json({ ...order, records: order.records.map(withParsedBody) });
});

app.get("/admin/oauth", async (c) => c.json(await ledger(c.env).getOAuth()));

app.put("/admin/oauth", async (c) => {
  const parsed = parseJson(await c.req.text());
  const input = OAuthConfigSchema.safeParse(parsed.ok ? parsed.value : undefined);
  if (!input.success) {
    return problem(400, "invalid-oauth-config", "Invalid OAuth configuration", "See `errors`.", {
      errors: fieldErrors(input.error),
    });
  }
  return c.json(await ledger(c.env).setOAuth(input.data));
});

// Every issued token expires at once, as if its lifetime had passed (tests need no clock for it).
app.post("/admin/oauth/expire", async (c) => c.json({ expired: await ledger(c.env).expireTokens() }));

app.post("/admin/reset", async (c) => {
  await ledger(c.env).resetAll();
  return c.json({ ok: true });
});

function withParsedBody(record: LedgerRecord) {
  return { ...record, body: JSON.parse(record.body) as unknown };
}

answerFallbacks(app, "erp-sim", problem);

export { ErpLedger };
export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
