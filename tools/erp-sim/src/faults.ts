// Fault model (pure): what PUT /admin/faults accepts, what is stored, and what a request suffers. Built on the
// core the 3PL simulator shares (../../sim-kit/faults.ts): down, 429, 503, slow.
import { z } from "zod";
import * as core from "../../sim-kit/faults";

export { faultView } from "../../sim-kit/faults";

/** A redirect a misconfigured base URL or an auth proxy in front of the ERP answers with. */
const Redirect = z.strictObject({
  status: z.union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)]),
  location: z.string().min(1).max(2000),
});

/** Body of PUT /admin/faults. It replaces the whole configuration; omitted fields take their defaults. */
export const FaultInputSchema = z.strictObject({
  ...core.TransportFaultInput,
  timeoutRate: core.rate.optional(),
  hangMs: core.millis.optional(),
  permanentFor: z.array(z.string().min(1)).max(10_000).optional(),
  /** Apply the record, then answer 504 as if the response was lost on the way back (the ambiguous case). */
  lostResponseRate: core.rate.optional(),
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
  ...core.TransportFaultConfig,
  timeoutRate: core.rate,
  hangMs: z.int().min(0),
  permanentFor: z.array(z.string()),
  lostResponseRate: core.rate,
  scope: z.string(),
  redirect: Redirect.nullable().default(null),
  replayConflict: z.boolean().default(false),
});
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

export const NO_FAULTS: FaultConfig = {
  ...core.NO_TRANSPORT_FAULTS,
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
    ...core.toTransportFaultConfig(input, now),
    timeoutRate: input.timeoutRate ?? NO_FAULTS.timeoutRate,
    hangMs: input.hangMs ?? NO_FAULTS.hangMs,
    permanentFor: [...new Set(input.permanentFor ?? [])],
    lostResponseRate: input.lostResponseRate ?? NO_FAULTS.lostResponseRate,
    scope: input.scope ?? NO_FAULTS.scope,
    redirect: input.redirect ?? NO_FAULTS.redirect,
    replayConflict: input.replayConflict ?? NO_FAULTS.replayConflict,
  };
}

/** What happens to one business request. Every kind but "pass" is answered without touching the ledger. */
export type FaultDecision =
  | { kind: "pass"; slowMs: number; loseResponse: boolean; replayConflict: boolean }
  | { kind: "redirect"; slowMs: number; status: number; location: string }
  | core.TransportFault
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
  const transport = core.transportFault(config, request);
  if (transport !== null) return transport;
  if (request.random() < config.timeoutRate) return { kind: "timeout", slowMs, hangMs: config.hangMs };
  if (config.permanentFor.includes(request.orderId)) return { kind: "rejected", slowMs };
  return { kind: "pass", slowMs, loseResponse: request.random() < config.lostResponseRate, replayConflict: config.replayConflict };
}
