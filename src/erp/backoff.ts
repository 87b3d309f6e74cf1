// Retry timing helpers for ERP delivery. The schedule of a command's attempts is the order's delivery
// cursor's (src/domain/delivery.ts, `retryDelayMs`); the consumer needs seconds only for the one retry
// Queues still does: a message whose order could not be reached at all.
import { retryDelayMs } from "../domain/delivery";

export interface BackoffPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

/** Full-jitter delay in whole seconds before retry number `attempt` (1 = first retry); the cursor's draw. */
export function backoffSeconds(policy: BackoffPolicy, attempt: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  return Math.floor(retryDelayMs(policy, attempt, retryAfterSeconds, random) / 1000);
}

/** Parses Retry-After (delta-seconds or HTTP-date) into seconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
