// The generic REST ERP adapter (DESIGN §3.4): one POST per command, with the idempotency key and the
// correlation id, and the ERP's answer classified so the consumer knows whether to ack, retry or give up.
import { COMMAND_TYPES, type ErpCommand } from "../domain/commands";
import { CORRELATION_HEADER } from "../platform/correlation";
import { parseRetryAfter } from "./backoff";

export type ErpOutcome =
  | { kind: "done"; status: number }
  | { kind: "transient"; status: number | null; reason: string; retryAfterSeconds?: number }
  | { kind: "permanent"; status: number; reason: string };

export interface ErpTarget {
  baseUrl: string;
  token: string;
  timeoutMs: number;
}

export function idempotencyKey(cmd: Pick<ErpCommand, "orderId" | "seq">): string {
  return `${cmd.orderId}:${cmd.seq}`;
}

export async function sendToErp(target: ErpTarget, cmd: ErpCommand, correlationId: string): Promise<ErpOutcome> {
  let res: Response;
  try {
    res = await fetch(new URL(COMMAND_TYPES[cmd.type].slice(1), withSlash(target.baseUrl)), {
      method: "POST",
      headers: {
        Authorization: `Bearer ${target.token}`,
        "Content-Type": "application/json",
        "Idempotency-Key": idempotencyKey(cmd),
        [CORRELATION_HEADER]: correlationId,
      },
      body: JSON.stringify({ ...cmd.payload, orderId: cmd.orderId, seq: cmd.seq, commandKey: cmd.key }),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
  } catch (err) {
    // Network failure or our timeout: the ERP may or may not have applied it; the idempotency key makes
    // the retry safe either way.
    const reason = err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error";
    return { kind: "transient", status: null, reason };
  }
  const detail = await readDetail(res);
  return classify(res.status, detail, parseRetryAfter(res.headers.get("Retry-After")));
}

/** DESIGN §3.4's failure classes. Exported for direct tests of each status. */
export function classify(status: number, detail: { type?: string; text: string }, retryAfterSeconds?: number): ErpOutcome {
  if (status >= 200 && status < 300) return { kind: "done", status };
  if (status === 409) {
    // A sequencing ERP answers 409 for a gap: our predecessor is not there yet, so try again later.
    if (detail.type?.endsWith("sequence-gap")) return { kind: "transient", status, reason: "sequence gap at the ERP" };
    // Otherwise 409 on the same idempotency key means the ERP already applied it.
    return { kind: "done", status };
  }
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: "transient", status, reason: `HTTP ${status}`, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  }
  return { kind: "permanent", status, reason: `HTTP ${status}: ${detail.text}` };
}

async function readDetail(res: Response): Promise<{ type?: string; text: string }> {
  // The ERP's answer is kept for ops (dead letters), bounded so a huge error page cannot bloat storage.
  const text = (await res.text().catch(() => "")).slice(0, 2000);
  try {
    const j = JSON.parse(text) as { type?: unknown };
    return typeof j.type === "string" ? { type: j.type, text } : { text };
  } catch {
    return { text };
  }
}

function withSlash(u: string): string {
  return u.endsWith("/") ? u : `${u}/`;
}
