// Retry timing for ERP delivery: full-jitter exponential backoff (AWS architecture blog's "full jitter"),
// never sooner than the ERP's own Retry-After.
export interface BackoffPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

/** Delay before retry number `attempt` (1 = first retry). `random` is injectable for tests. */
export function backoffSeconds(policy: BackoffPolicy, attempt: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  const floor = retryAfterSeconds !== undefined ? Math.min(retryAfterSeconds, policy.maxSeconds) : 0;
  return Math.max(floor, jittered);
}

/** Parses Retry-After (delta-seconds or HTTP-date) into seconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

export function policyFromEnv(env: { ERP_RETRY_BASE_SECONDS?: string; ERP_RETRY_MAX_SECONDS?: string }): BackoffPolicy {
  return {
    baseSeconds: Number(env.ERP_RETRY_BASE_SECONDS ?? "2") || 2,
    maxSeconds: Number(env.ERP_RETRY_MAX_SECONDS ?? "300") || 300,
  };
}
