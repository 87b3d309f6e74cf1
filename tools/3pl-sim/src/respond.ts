// Sending a 3PL's answers to dockline: each milestone's message for the partner (./milestones.ts), signed as
// that partner signs (Standard Webhooks for acme-3pl, the gateway's bearer token for edi), posted to
// dockline's partner ingress, POST <dockline>/v1/webhooks/<partnerId>. Milestones go one after the other,
// each after dockline answered the previous one, so they arrive in order.
import { firstSecret, signStandardWebhook } from "./auth";
import type { SentMilestone, StoredRequest } from "./ledger";
import { canonicalMessage, type Milestone, shipmentOf, x12Message } from "./milestones";
import { PARTNERS } from "./partners";

export interface SenderEnv {
  PARTNER_SECRET_ACME_3PL?: string;
  PARTNER_SECRET_EDI?: string;
  /** Where dockline listens when a request names no other (http://127.0.0.1:8787 locally). */
  DOCKLINE_URL?: string;
  /**
   * dockline itself, when the simulator runs beside it in tests: a service binding to the worker under test,
   * which no URL reaches from here. When bound it carries every message, whatever base URL was asked for.
   */
  DOCKLINE?: Fetcher;
}

export type SendResult = { recordId: string; requestId: string; milestone: Milestone } & (
  | { status: number; answer: unknown }
  | { status: null; error: string }
  | { skipped: string }
);

/** The base URL messages go to; "self-test" is a label for the DOCKLINE binding. */
export function docklineBase(env: SenderEnv, asked: string | undefined): string {
  return (asked ?? env.DOCKLINE_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
}

const SEND_TIMEOUT_MS = 10_000;

/** What sending needs from the ledger. */
export interface SendBooks {
  /** The next X12 interchange control number. */
  nextControl(): Promise<number>;
  /** The instant a milestone of a request happened: `proposed` the first time, the same one ever after. */
  occurredAt(request: StoredRequest, milestone: Milestone, proposed: string): Promise<string>;
}

/**
 * Sends `milestones`, in order, for each request. Returns what dockline answered to each, with what it had
 * to say (its JSON), and what to record per request.
 */
export async function respond(
  env: SenderEnv,
  requests: readonly StoredRequest[],
  milestones: readonly Milestone[],
  base: string,
  books: SendBooks,
): Promise<{ results: SendResult[]; sent: Map<string, SentMilestone[]> }> {
  const results: SendResult[] = [];
  const sent = new Map<string, SentMilestone[]>();
  const now = Date.now();
  for (const request of requests) {
    const shipment = await shipmentOf(request.requestId);
    const notes: SentMilestone[] = [];
    for (const [i, milestone] of milestones.entries()) {
      // One second apart, the last one now: in the past, in order, as the warehouse lived them (the first
      // time they are told; see SendBooks.occurredAt).
      const at = new Date(await books.occurredAt(request, milestone, new Date(now - (milestones.length - 1 - i) * 1000).toISOString()));
      const message =
        PARTNERS[request.partner].format === "canonical"
          ? canonicalMessage(request, milestone, at, shipment)
          : x12Message(request, milestone, at, shipment, { control: await books.nextControl(), at: new Date(), sender: "SIM3PL", receiver: "DOCKLINE" });
      const id = { recordId: request.recordId, requestId: request.requestId, milestone };
      if ("skipped" in message) {
        results.push({ ...id, skipped: message.skipped });
        continue;
      }
      const result = await post(env, base, request, message.contentType, message.body);
      results.push({ ...id, ...result });
      notes.push({ milestone, status: result.status, sentAt: new Date().toISOString() });
    }
    sent.set(request.recordId, notes);
  }
  return { results, sent };
}

async function post(
  env: SenderEnv,
  base: string,
  request: StoredRequest,
  contentType: string,
  body: string,
): Promise<{ status: number; answer: unknown } | { status: null; error: string }> {
  const partner = PARTNERS[request.partner];
  const secret = firstSecret(env[partner.secret]);
  if (secret === null) return { status: null, error: `${partner.secret} is not set.` };
  const raw = new TextEncoder().encode(body);
  const auth =
    partner.format === "canonical"
      ? await signStandardWebhook(secret, `msg_${crypto.randomUUID().replaceAll("-", "")}`, Math.floor(Date.now() / 1000), raw)
      : { Authorization: `Bearer ${secret}` };
  const url = `${base === "self-test" ? "http://dockline.test" : base}/v1/webhooks/${request.partner}`;
  // The request's own correlation id goes back with the answer, so one trace spans the round trip.
  const headers = { "Content-Type": contentType, ...auth, ...(request.correlationId ? { "X-Correlation-Id": request.correlationId } : {}) };
  const init: RequestInit = { method: "POST", headers, body: raw, redirect: "manual", signal: AbortSignal.timeout(SEND_TIMEOUT_MS) };
  try {
    let res: Response;
    if (env.DOCKLINE) res = await env.DOCKLINE.fetch(new Request(url, init));
    else if (base === "self-test") return { status: null, error: '"self-test" needs the DOCKLINE service binding, which is not bound.' };
    else res = await fetch(url, init);
    const text = await res.text();
    return { status: res.status, answer: parseAnswer(text) };
  } catch (err) {
    // A simulator's admin answer: the reason dockline could not be reached is what its user needs.
    return { status: null, error: `dockline at ${base} could not be reached: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function parseAnswer(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.slice(0, 2000);
  }
}
