// Fault model per inbox (pure): what PUT /admin/inboxes/<inbox>/faults accepts, what is stored, and what the
// next request suffers. A subscriber fails in runs (the next `count` requests), stays down until someone
// fixes it, or is slow. A run is counted down, not drawn at random, so "500 three times, then 200" is exact.
import { z } from "zod";
import { millis, TransportFaultInput } from "../../sim-kit/faults";

/** Body of PUT /admin/inboxes/<inbox>/faults. It replaces the inbox's faults; omitted fields take their defaults. */
export const FaultInputSchema = z
  .strictObject({
    /** What a failed request is answered with (503 by default). */
    status: z.int().min(400).max(599).optional(),
    /** Fail the next `count` requests, then answer normally again. */
    count: z.int().min(1).max(10_000).optional(),
    /** Fail every request until the faults are cleared. */
    down: z.boolean().optional(),
    /** Wait this long before answering any request, failed or not. */
    delayMs: millis.optional(),
    /** Sent as Retry-After with every failed answer. */
    retryAfterSeconds: TransportFaultInput.retryAfterSeconds,
  })
  .refine((f) => f.count === undefined || f.down !== true, { path: ["down"], message: "count and down exclude each other." })
  // A status alone says how to fail but not when: refused rather than guessed.
  .refine((f) => f.status === undefined || f.count !== undefined || f.down === true, { path: ["status"], message: "status needs count or down." });
export type FaultInput = z.infer<typeof FaultInputSchema>;

/** Stored per inbox, and what the admin API shows: `remaining` is what is left of a `count` run. */
export const FaultConfigSchema = z.strictObject({
  status: z.int().min(400).max(599),
  remaining: z.int().min(0),
  down: z.boolean(),
  delayMs: z.int().min(0),
  retryAfterSeconds: z.int().min(0).nullable(),
});
export type FaultConfig = z.infer<typeof FaultConfigSchema>;

export const NO_FAULTS: FaultConfig = { status: 503, remaining: 0, down: false, delayMs: 0, retryAfterSeconds: null };

export function toFaultConfig(input: FaultInput): FaultConfig {
  return {
    status: input.status ?? NO_FAULTS.status,
    remaining: input.count ?? 0,
    down: input.down ?? false,
    delayMs: input.delayMs ?? NO_FAULTS.delayMs,
    retryAfterSeconds: input.retryAfterSeconds ?? null,
  };
}

export type FaultDecision = { kind: "pass"; delayMs: number } | { kind: "fail"; status: number; delayMs: number; retryAfterSeconds: number | null };

/** The fault of the next request, and the config after it (a run one shorter). */
export function decideFault(config: FaultConfig): { decision: FaultDecision; next: FaultConfig } {
  const { status, delayMs, retryAfterSeconds } = config;
  if (config.down) return { decision: { kind: "fail", status, delayMs, retryAfterSeconds }, next: config };
  if (config.remaining > 0) return { decision: { kind: "fail", status, delayMs, retryAfterSeconds }, next: { ...config, remaining: config.remaining - 1 } };
  return { decision: { kind: "pass", delayMs }, next: config };
}
