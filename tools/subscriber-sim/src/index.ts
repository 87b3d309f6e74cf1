// Subscriber simulator worker: the far end of dockline's event subscriptions. Each named inbox takes
// requests as a Standard Webhooks receiver (/hooks), a Slack incoming webhook (/slack) or PagerDuty's
// Events API v2 (/pagerduty); every request is recorded with the status it was answered with, faulted ones
// too, since what the sender did on a failure is what tests look at. Order per request: faults (a run
// counted down in the ledger), the receiver's own checks, record, then the answer. Delays are waited out
// here in the worker so they never block the single ledger Durable Object.
import { Hono } from "hono";
import { answerFallbacks, sleep } from "../../sim-kit/http";
import { checkJson } from "../../sim-kit/json";
import { type FaultDecision, FaultInputSchema } from "./faults";
import { InboxInputSchema } from "./hooks";
import { KINDS, SubscriberLedger } from "./ledger";
import { problem } from "./problem";
import { RECEIVERS } from "./receivers";

interface Env {
  LEDGER: DurableObjectNamespace<SubscriberLedger>;
}

const app = new Hono<{ Bindings: Env }>();

/** The one ledger instance: all state in one place makes every fault run and repeat count atomic. */
const ledger = (env: Env) => env.LEDGER.getByName("ledger");

/** Inbox names are URL-safe, so a subscription URL needs no escaping. */
const INBOX = ":inbox{[A-Za-z0-9._~-]{1,128}}";

/** The request headers a test asks about; the rest are not kept. */
const HEADERS_KEPT = ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature", "x-correlation-id"];
const kept = (headers: Headers) =>
  Object.fromEntries(
    HEADERS_KEPT.flatMap((name) => {
      const value = headers.get(name);
      return value === null ? [] : [[name, value]];
    }),
  );

app.get("/health", (c) => c.json({ ok: true }));

// ---- The subscribers: POST /<kind>/<inbox> ----

for (const kind of KINDS) {
  app.post(`/${kind}/${INBOX}`, async (c) => {
    // The body is read before any answer: answering first leaves the sender's stream half-read.
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const request = { raw, text: new TextDecoder().decode(raw), headers: c.req.raw.headers };
    const inbox = c.req.param("inbox");
    const stub = ledger(c.env);
    const { secrets, fault } = await stub.admit(inbox);
    const verdict = RECEIVERS[kind](request, secrets);
    const answer = fault.kind === "fail" ? faultAnswer(fault) : verdict.answer;
    const { verified, event } = verdict;
    await stub.record({ inbox, kind, status: answer.status, verified, headers: kept(request.headers), body: request.text, event });
    if (fault.delayMs > 0) await sleep(fault.delayMs);
    return answer;
  });
  app.all(`/${kind}/${INBOX}`, async (c) => {
    await c.req.text().catch(() => "");
    return problem(405, "method-not-allowed", "Method Not Allowed", `${c.req.path} only accepts POST.`, {}, { Allow: "POST" });
  });
}

function faultAnswer(fault: Extract<FaultDecision, { kind: "fail" }>): Response {
  const retry: Record<string, string> = fault.retryAfterSeconds === null ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
  return problem(fault.status, "injected-fault", "Injected fault", `This inbox is set to answer ${fault.status} (its faults).`, {}, retry);
}

// ---- Admin API: simulator-only surface, no auth (no real subscriber has it; never expose it) ----

app.get(`/admin/inboxes/${INBOX}`, async (c) => c.json(await ledger(c.env).view(c.req.param("inbox"))));

app.put(`/admin/inboxes/${INBOX}`, async (c) => {
  const input = checkJson(await c.req.text(), InboxInputSchema);
  if (!input.ok) return problem(400, "invalid-inbox", "Invalid inbox configuration", "See `errors`.", { errors: input.errors });
  const stub = ledger(c.env);
  await stub.setSecrets(c.req.param("inbox"), input.data.secrets);
  return c.json(await stub.view(c.req.param("inbox")));
});

app.delete(`/admin/inboxes/${INBOX}`, async (c) => {
  await ledger(c.env).reset(c.req.param("inbox"));
  return c.body(null, 204);
});

app.get(`/admin/inboxes/${INBOX}/faults`, async (c) => c.json(await ledger(c.env).getFaults(c.req.param("inbox"))));

app.put(`/admin/inboxes/${INBOX}/faults`, async (c) => {
  const input = checkJson(await c.req.text(), FaultInputSchema);
  if (!input.ok) return problem(400, "invalid-fault-config", "Invalid fault configuration", "See `errors`.", { errors: input.errors });
  return c.json(await ledger(c.env).setFaults(c.req.param("inbox"), input.data));
});

app.delete(`/admin/inboxes/${INBOX}/faults`, async (c) => c.json(await ledger(c.env).clearFaults(c.req.param("inbox"))));

answerFallbacks(app, "subscriber-sim", problem);

export { SubscriberLedger };
export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
