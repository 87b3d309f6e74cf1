// Fault model (pure): what PUT /admin/faults accepts, what is stored, and what a request suffers.
import { z } from "zod";

const rate = z.number().min(0).max(1);
const millis = z.int().min(0).max(600_000);
/** A redirect a misconfigured base URL or an auth proxy in front of the ERP answers with. */
const Redirect = z.strictObject({
  status: z.union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)]),
  location: z.string().min(1).max(2000),
});

/** Body of PUT /admin/faults. It replaces the whole configuration; omitted fields take their defaults. */
export const FaultInputSchema = z.strictObject({
  downForMs: z.int().min(0).max(86_400_000).optional(),
  errorRate: rate.optional(),
  rate429: rate.optional(),
  retryAfterSeconds: z.int().min(0).max(3600).optional(),
  slowMs: millis.optional(),
  timeoutRate: rate.optional(),
  hangMs: millis.optional(),
  permanentFor: z.array(z.string().min(1)).max(10_000).optional(),
  /** Apply the record, then answer 504 as if the response was lost on the way back (the ambiguous case). */
  lostResponseRate: rate.optional(),
  /** Only orders whose id starts with this prefix suffer the faults (tests running side by side). */
  scope: z.string().max(200).optional(),
  /** Answer every business request with this redirect (before any other fault): the ledger is not touched. */
  redirect: Redirect.optional(),
  /** Answer a replay (same key, same body) with 409 `already-applied` instead of 200, as some ERPs do. */
  replayConflict: z.boolean().optional(),
});
export type FaultInput = z.infer<typeof FaultInputSchema>;

/** Stored configuration: downForMs is turned into an absolute downUntil (epoch ms) when it is set. */
export const FaultConfigSchema = z.strictObject({
  downUntil: z.number().nullable(),
  errorRate: rate,
  rate429: rate,
  retryAfterSeconds: z.int().min(0),
  slowMs: z.int().min(0),
  timeoutRate: rate,
  hangMs: z.int().min(0),
  permanentFor: z.array(z.string()),
  lostResponseRate: rate,
  scope: z.string(),
  redirect: Redirect.nullable().default(null),
  replayConflict: z.boolean().default(false),
});
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

export const NO_FAULTS: FaultConfig = {
  downUntil: null,
  errorRate: 0,
  rate429: 0,
  retryAfterSeconds: 1,
  slowMs: 0,
  timeoutRate: 0,
  hangMs: 30_000,
  permanentFor: [],
  lostResponseRate: 0,
  scope: "",
  redirect: null,
  replayConflict: false,
};

export function toFaultConfig(input: FaultInput, now: number): FaultConfig {
  return {
    downUntil: input.downForMs === undefined ? null : now + input.downForMs,
    errorRate: input.errorRate ?? NO_FAULTS.errorRate,
    rate429: input.rate429 ?? NO_FAULTS.rate429,
    retryAfterSeconds: input.retryAfterSeconds ?? NO_FAULTS.retryAfterSeconds,
    slowMs: input.slowMs ?? NO_FAULTS.slowMs,
    timeoutRate: input.timeoutRate ?? NO_FAULTS.timeoutRate,
    hangMs: input.hangMs ?? NO_FAULTS.hangMs,
    permanentFor: [...new Set(input.permanentFor ?? [])],
    lostResponseRate: input.lostResponseRate ?? NO_FAULTS.lostResponseRate,
    scope: input.scope ?? NO_FAULTS.scope,
    redirect: input.redirect ?? NO_FAULTS.redirect,
    replayConflict: input.replayConflict ?? NO_FAULTS.replayConflict,
  };
}

/** What GET/PUT/DELETE /admin/faults answer: the stored config, with downUntil as an ISO timestamp. */
export function faultView(config: FaultConfig, now: number) {
  const { downUntil, ...rest } = config;
  const down = downUntil !== null && now < downUntil;
  return { ...rest, downUntil: downUntil === null ? null : new Date(downUntil).toISOString(), down };
}

/** What happens to one business request. Every kind but "pass" is answered without touching the ledger. */
export type FaultDecision =
  | { kind: "pass"; slowMs: number; loseResponse: boolean; replayConflict: boolean }
  | { kind: "redirect"; slowMs: number; status: number; location: string }
  | { kind: "down"; slowMs: number; retryAfterSeconds: number }
  | { kind: "throttled"; slowMs: number; retryAfterSeconds: number }
  | { kind: "error"; slowMs: number }
  | { kind: "timeout"; slowMs: number; hangMs: number }
  | { kind: "rejected"; slowMs: number };

/**
 * Transport-level faults first (a redirect, down, 429, 503, timeout), as a real ERP's gateway would answer
 * them before any business logic runs; the permanent business rejection last. Each rate is an independent draw.
 */
export function decideFault(config: FaultConfig, request: { now: number; orderId: string; random: () => number }): FaultDecision {
  if (!request.orderId.startsWith(config.scope)) return { kind: "pass", slowMs: 0, loseResponse: false, replayConflict: false };
  const { slowMs } = config;
  if (config.redirect !== null) return { kind: "redirect", slowMs, ...config.redirect };
  if (config.downUntil !== null && request.now < config.downUntil) {
    const retryAfterSeconds = Math.max(1, Math.ceil((config.downUntil - request.now) / 1000));
    return { kind: "down", slowMs, retryAfterSeconds };
  }
  if (request.random() < config.rate429) {
    return { kind: "throttled", slowMs, retryAfterSeconds: config.retryAfterSeconds };
  }
  if (request.random() < config.errorRate) return { kind: "error", slowMs };
  if (request.random() < config.timeoutRate) return { kind: "timeout", slowMs, hangMs: config.hangMs };
  if (config.permanentFor.includes(request.orderId)) return { kind: "rejected", slowMs };
  return { kind: "pass", slowMs, loseResponse: request.random() < config.lostResponseRate, replayConflict: config.replayConflict };
}
