// The fault core both simulators' fault models are built on (pure): a peer that is down, throttles (429),
// fails (503) or is slow. Each simulator adds its own faults and its own `scope` field around these, keeping
// the field order of its admin answers.
import { z } from "zod";

export const rate = z.number().min(0).max(1);
export const millis = z.int().min(0).max(600_000);

/** The first fields of PUT /admin/faults: omitted ones take their defaults. */
export const TransportFaultInput = {
  downForMs: z.int().min(0).max(86_400_000).optional(),
  errorRate: rate.optional(),
  rate429: rate.optional(),
  retryAfterSeconds: z.int().min(0).max(3600).optional(),
  slowMs: millis.optional(),
};

/** The first fields of the stored configuration: downForMs becomes an absolute downUntil (epoch ms) when it is set. */
export const TransportFaultConfig = {
  downUntil: z.number().nullable(),
  errorRate: rate,
  rate429: rate,
  retryAfterSeconds: z.int().min(0),
  slowMs: z.int().min(0),
};

type Input = z.infer<z.ZodObject<typeof TransportFaultInput>>;
type Config = z.infer<z.ZodObject<typeof TransportFaultConfig>>;

export const NO_TRANSPORT_FAULTS: Config = { downUntil: null, errorRate: 0, rate429: 0, retryAfterSeconds: 1, slowMs: 0 };

export function toTransportFaultConfig(input: Input, now: number): Config {
  return {
    downUntil: input.downForMs === undefined ? null : now + input.downForMs,
    errorRate: input.errorRate ?? NO_TRANSPORT_FAULTS.errorRate,
    rate429: input.rate429 ?? NO_TRANSPORT_FAULTS.rate429,
    retryAfterSeconds: input.retryAfterSeconds ?? NO_TRANSPORT_FAULTS.retryAfterSeconds,
    slowMs: input.slowMs ?? NO_TRANSPORT_FAULTS.slowMs,
  };
}

/** What GET/PUT/DELETE /admin/faults answer: the stored config, with downUntil as an ISO timestamp. */
export function faultView<C extends { downUntil: number | null }>(config: C, now: number) {
  const { downUntil, ...rest } = config;
  const down = downUntil !== null && now < downUntil;
  return { ...rest, downUntil: downUntil === null ? null : new Date(downUntil).toISOString(), down };
}

export type TransportFault =
  | { kind: "down"; slowMs: number; retryAfterSeconds: number }
  | { kind: "throttled"; slowMs: number; retryAfterSeconds: number }
  | { kind: "error"; slowMs: number };

/** Down first, then 429, then 503, as a gateway in front of the peer answers; each rate is its own draw. null: none. */
export function transportFault(config: Config, request: { now: number; random: () => number }): TransportFault | null {
  const { slowMs } = config;
  if (config.downUntil !== null && request.now < config.downUntil) {
    return { kind: "down", slowMs, retryAfterSeconds: Math.max(1, Math.ceil((config.downUntil - request.now) / 1000)) };
  }
  if (request.random() < config.rate429) return { kind: "throttled", slowMs, retryAfterSeconds: config.retryAfterSeconds };
  if (request.random() < config.errorRate) return { kind: "error", slowMs };
  return null;
}
