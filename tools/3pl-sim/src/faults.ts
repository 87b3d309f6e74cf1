// Fault model (pure): what PUT /admin/faults accepts, what is stored, and what a fulfillment request suffers.
// The ERP simulator's model cut to what a 3PL's endpoint does wrong: down, throttled, failing, slow.
import { z } from "zod";

const rate = z.number().min(0).max(1);

/** Body of PUT /admin/faults. It replaces the whole configuration; omitted fields take their defaults. */
export const FaultInputSchema = z.strictObject({
  downForMs: z.int().min(0).max(86_400_000).optional(),
  errorRate: rate.optional(),
  rate429: rate.optional(),
  retryAfterSeconds: z.int().min(0).max(3600).optional(),
  slowMs: z.int().min(0).max(600_000).optional(),
  /** Only orders whose id starts with this prefix suffer the faults (tests running side by side). */
  scope: z.string().max(200).optional(),
});
export type FaultInput = z.infer<typeof FaultInputSchema>;

/** Stored configuration: downForMs becomes an absolute downUntil (epoch ms) when it is set. */
export const FaultConfigSchema = z.strictObject({
  downUntil: z.number().nullable(),
  errorRate: rate,
  rate429: rate,
  retryAfterSeconds: z.int().min(0),
  slowMs: z.int().min(0),
  scope: z.string(),
});
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

export const NO_FAULTS: FaultConfig = { downUntil: null, errorRate: 0, rate429: 0, retryAfterSeconds: 1, slowMs: 0, scope: "" };

export function toFaultConfig(input: FaultInput, now: number): FaultConfig {
  return {
    downUntil: input.downForMs === undefined ? null : now + input.downForMs,
    errorRate: input.errorRate ?? NO_FAULTS.errorRate,
    rate429: input.rate429 ?? NO_FAULTS.rate429,
    retryAfterSeconds: input.retryAfterSeconds ?? NO_FAULTS.retryAfterSeconds,
    slowMs: input.slowMs ?? NO_FAULTS.slowMs,
    scope: input.scope ?? NO_FAULTS.scope,
  };
}

/** What GET/PUT/DELETE /admin/faults answer: the stored config, with downUntil as an ISO timestamp. */
export function faultView(config: FaultConfig, now: number) {
  const { downUntil, ...rest } = config;
  const down = downUntil !== null && now < downUntil;
  return { ...rest, downUntil: downUntil === null ? null : new Date(downUntil).toISOString(), down };
}

/** What happens to one fulfillment request. Every kind but "pass" is answered without recording it. */
export type FaultDecision =
  | { kind: "pass"; slowMs: number }
  | { kind: "down"; slowMs: number; retryAfterSeconds: number }
  | { kind: "throttled"; slowMs: number; retryAfterSeconds: number }
  | { kind: "error"; slowMs: number };

/** Down first, then 429, then 503, as a gateway in front of the 3PL would answer; each rate is its own draw. */
export function decideFault(config: FaultConfig, request: { now: number; orderId: string; random: () => number }): FaultDecision {
  if (!request.orderId.startsWith(config.scope)) return { kind: "pass", slowMs: 0 };
  const { slowMs } = config;
  if (config.downUntil !== null && request.now < config.downUntil) {
    return { kind: "down", slowMs, retryAfterSeconds: Math.max(1, Math.ceil((config.downUntil - request.now) / 1000)) };
  }
  if (request.random() < config.rate429) return { kind: "throttled", slowMs, retryAfterSeconds: config.retryAfterSeconds };
  if (request.random() < config.errorRate) return { kind: "error", slowMs };
  return { kind: "pass", slowMs };
}
