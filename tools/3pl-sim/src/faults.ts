// Fault model (pure): what PUT /admin/faults accepts, what is stored, and what a fulfillment request suffers.
// The ERP simulator's model cut to what a 3PL's endpoint does wrong: down, throttled, failing, slow (the core
// both share, ../../sim-kit/faults.ts).
import { z } from "zod";
import * as core from "../../sim-kit/faults";

export { faultView } from "../../sim-kit/faults";

/** Body of PUT /admin/faults. It replaces the whole configuration; omitted fields take their defaults. */
export const FaultInputSchema = z.strictObject({
  ...core.TransportFaultInput,
  /** Only orders whose id starts with this prefix suffer the faults (tests running side by side). */
  scope: z.string().max(200).optional(),
});
export type FaultInput = z.infer<typeof FaultInputSchema>;

/** Stored configuration: downForMs becomes an absolute downUntil (epoch ms) when it is set. */
export const FaultConfigSchema = z.strictObject({ ...core.TransportFaultConfig, scope: z.string() });
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

export const NO_FAULTS: FaultConfig = { ...core.NO_TRANSPORT_FAULTS, scope: "" };

export function toFaultConfig(input: FaultInput, now: number): FaultConfig {
  return { ...core.toTransportFaultConfig(input, now), scope: input.scope ?? NO_FAULTS.scope };
}

/** What happens to one fulfillment request. Every kind but "pass" is answered without recording it. */
export type FaultDecision = { kind: "pass"; slowMs: number } | core.TransportFault;

/** Down first, then 429, then 503, as a gateway in front of the 3PL would answer; each rate is its own draw. */
export function decideFault(config: FaultConfig, request: { now: number; orderId: string; random: () => number }): FaultDecision {
  if (!request.orderId.startsWith(config.scope)) return { kind: "pass", slowMs: 0 };
  return core.transportFault(config, request) ?? { kind: "pass", slowMs: config.slowMs };
}
