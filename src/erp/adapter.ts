// The generic REST ERP adapter (docs/erp.md): one POST per command, with the idempotency key and the
// correlation id, and the ERP's answer classified so the consumer knows whether to ack, retry or give up.
import { COMMAND_TYPES, type ErpCommand } from "../domain/commands";
import type { Json } from "../domain/json";
import { CORRELATION_HEADER } from "../platform/correlation";
import { log } from "../platform/log";
import { type ErpAuth, type ErpAuthEnv, erpAuthFromEnv, isolateTokens, type TokenResult, type TokenSource } from "./auth";
import { parseRetryAfter } from "./backoff";

export type ErpOutcome =
  | { kind: "done"; status: number }
  | { kind: "transient"; status: number | null; reason: string; retryAfterSeconds?: number }
  | { kind: "permanent"; status: number; reason: string };

export interface ErpTarget {
  baseUrl: string;
  auth: ErpAuth;
  timeoutMs: number;
  /** Where OAuth tokens are cached: the isolate's, unless a test brings its own clock. */
  tokens?: TokenSource;
}

/** The ERP target of this environment (ERP_BASE_URL, ERP_TIMEOUT_MS and the ERP_AUTH settings). */
export function erpTargetFromEnv(env: ErpAuthEnv & { ERP_BASE_URL: string; ERP_TIMEOUT_MS?: string }, tokens: TokenSource = isolateTokens): ErpTarget {
  return { baseUrl: env.ERP_BASE_URL, auth: erpAuthFromEnv(env), timeoutMs: Number(env.ERP_TIMEOUT_MS ?? "10000") || 10_000, tokens };
}

export function idempotencyKey(cmd: Pick<ErpCommand, "orderId" | "seq">): string {
  return `${cmd.orderId}:${cmd.seq}`;
}

/** The JSON body of a command, as the ERP contract has it (src/erp/contract.ts; tests check one against the other). */
export function commandBody(cmd: ErpCommand): Record<string, Json> {
  return { ...cmd.payload, orderId: cmd.orderId, seq: cmd.seq, commandKey: cmd.key };
}

export async function sendToErp(target: ErpTarget, cmd: ErpCommand, correlationId: string): Promise<ErpOutcome> {
  return (await attemptErp(target, cmd, correlationId)).outcome;
}

/** One attempt for the delivery log: its outcome, and the start of the ERP's answer (null when none came). */
export interface ErpAttempt {
  outcome: ErpOutcome;
  /** Bounded like a dead letter's text, and without the token this attempt sent. */
  response: string | null;
}

/** `sendToErp`, with the answer kept for the delivery log. */
export async function attemptErp(target: ErpTarget, cmd: ErpCommand, correlationId: string): Promise<ErpAttempt> {
  const url = new URL(COMMAND_TYPES[cmd.type].slice(1), withSlash(target.baseUrl));
  const key = idempotencyKey(cmd);
  const { auth } = target;
  if (auth.kind === "misconfigured") return { outcome: { kind: "transient", status: null, reason: auth.reason }, response: null };
  const tokens = target.tokens ?? isolateTokens;
  const credential = async (rejected?: string): Promise<TokenResult> =>
    auth.kind === "bearer" ? { ok: true, token: auth.token } : tokens.token(auth, target.timeoutMs, rejected);
  const first = await credential();
  if (!first.ok) return { outcome: noToken(first), response: null };
  const sent = [first.token];
  let res = await post(url, target, cmd, key, first.token, correlationId);
  // An OAuth token can be revoked or expire early: one fresh token, one more try. Safe to repeat: the ERP
  // applied nothing it answered 401 to, and the idempotency key covers the rest. A static token is what
  // it is: its 401 is read like any other 4xx.
  if (res instanceof Response && res.status === 401 && auth.kind === "oauth2-client-credentials") {
    await res.body?.cancel();
    const fresh = await credential(first.token);
    if (!fresh.ok) return { outcome: noToken(fresh), response: null };
    sent.push(fresh.token);
    res = await post(url, target, cmd, key, fresh.token, correlationId);
  }
  // Network failure or our timeout: the ERP may or may not have applied it; the idempotency key makes the
  // retry safe either way.
  if (!(res instanceof Response)) return { outcome: { kind: "transient", status: null, reason: res.reason }, response: null };
  const detail = await readDetail(res);
  const redirectHost = isRedirect(res.status) ? hostOf(res.headers.get("Location"), url) : null;
  if (isRedirect(res.status)) {
    // Misconfiguration, not load: say it on its own line so it can be alerted on. The host only.
    log.warn("erp answered with a redirect", { orderId: cmd.orderId, seq: cmd.seq, correlationId, status: res.status, locationHost: redirectHost });
  }
  const outcome = classify(
    {
      status: res.status,
      ...detail,
      retryAfterSeconds: parseRetryAfter(res.headers.get("Retry-After")),
      idempotencyKey: res.headers.get("Idempotency-Key"),
      redirectHost,
    },
    key,
  );
  // An answer may echo the request's Authorization header (a debugging proxy, an error page).
  const response = sent.filter(Boolean).reduce((text, token) => text.replaceAll(token, "[redacted]"), detail.text);
  return { outcome, response: response || null };
}

/**
 * No token, so nothing was sent. A token endpoint that fails is an outage or a configuration to fix, never
 * a refusal of this fact: retried, with the endpoint's Retry-After, and the reason on the order.
 */
function noToken(t: Extract<TokenResult, { ok: false }>): ErpOutcome {
  return { kind: "transient", status: null, reason: t.reason, ...(t.retryAfterSeconds !== undefined ? { retryAfterSeconds: t.retryAfterSeconds } : {}) };
}

/** One POST of the command; a network failure or our timeout comes back as its reason, not thrown. */
async function post(url: URL, target: ErpTarget, cmd: ErpCommand, key: string, token: string, correlationId: string): Promise<Response | { reason: string }> {
  try {
    return await fetch(url, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        [CORRELATION_HEADER]: correlationId,
      },
      body: JSON.stringify(commandBody(cmd)),
      // Never follow: a followed 301/302 turns the POST into a GET of whatever page the Location names (a
      // sign-in page answers 200, and the fact would count as booked), and a 307/308 re-sends the body and
      // the bearer token to a URL nobody configured. A redirect is classified below instead.
      redirect: "manual",
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (err) {
    return { reason: err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error" };
  }
}

/** What the adapter read from one ERP answer: all `classify` needs, and nothing secret. */
export interface ErpAnswer {
  status: number;
  /** The problem type of a problem+json body (RFC 9457), when there is one. */
  type?: string;
  /** The body, bounded, kept for ops with a permanent failure. */
  text: string;
  retryAfterSeconds?: number | undefined;
  /** The `Idempotency-Key` header of the answer: the ERP saying which request it answers. */
  idempotencyKey?: string | null;
  /** For a 3xx: only the host its `Location` points at (null if none or unparseable). */
  redirectHost?: string | null;
}

/**
 * The ERP contract's failure classes (docs/erp.md), for the command sent with `sentKey`. Exported for
 * direct tests of each answer.
 */
export function classify(answer: ErpAnswer, sentKey: string): ErpOutcome {
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: "done", status };
  if (isRedirect(status)) {
    // Transient, not permanent: a redirect says the ERP is not where ERP_BASE_URL points (a moved base
    // URL, an auth proxy asking to sign in), not that it refuses this fact. Dead-lettering would make ops
    // replay every command by hand once the configuration is fixed; retrying keeps each order's commands
    // waiting in sequence, visible as this reason on the order and in the log, and they go through on
    // their own once the ERP answers again. The reason names the host only: a Location's path or query
    // may carry a token.
    const where = answer.redirectHost ? `to ${answer.redirectHost}` : "without a usable Location";
    return { kind: "transient", status, reason: `HTTP ${status} redirect ${where}: check ERP_BASE_URL and any proxy in front of the ERP` };
  }
  if (status === 409) {
    // A sequencing ERP answers 409 for a gap: our predecessor is not there yet, so try again later.
    if (answer.type?.endsWith("/sequence-gap")) return { kind: "transient", status, reason: "sequence gap at the ERP" };
    // Done only with the evidence that THIS command was applied before: the problem type says applied,
    // the echoed key says it is ours. Any other 409 (a business conflict, a proxy's) is a conflict that
    // is not ours to resolve: permanent, with the ERP's words for ops.
    if (answer.type?.endsWith("/already-applied") && answer.idempotencyKey === sentKey) return { kind: "done", status };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return {
      kind: "transient",
      status,
      reason: `HTTP ${status}`,
      ...(answer.retryAfterSeconds !== undefined ? { retryAfterSeconds: answer.retryAfterSeconds } : {}),
    };
  }
  return { kind: "permanent", status, reason: `HTTP ${status}: ${answer.text}` };
}

const isRedirect = (status: number) => status >= 300 && status < 400;

/** The host a Location header points at, resolved against the request URL; never its path or query. */
function hostOf(location: string | null, base: URL): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).host || null;
  } catch {
    return null;
  }
}

export async function readDetail(res: Response): Promise<{ type?: string; text: string }> {
  // The ERP's answer is kept for ops (dead letters), bounded so a huge error page cannot bloat storage.
  const text = (await res.text().catch(() => "")).slice(0, 2000);
  try {
    const j = JSON.parse(text) as { type?: unknown };
    return typeof j?.type === "string" ? { type: j.type, text } : { text };
  } catch {
    return { text };
  }
}

function withSlash(u: string): string {
  return u.endsWith("/") ? u : `${u}/`;
}
