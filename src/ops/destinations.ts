// What ops see of the outbound destinations' gates (durable-objects/destination.ts): the list of
// destinations, in one place, and their status as GET /ops/destinations, GET /ops/metrics and the console
// show it. Reading goes through the gate's `status` RPC only: it never names, arms or changes a gate.
import { z } from "@hono/zod-openapi";
import type { DestinationStatus } from "../../durable-objects/destination";
import { destinationOf } from "../domain/fulfillment";
import { destinationStub } from "../destinations";
import { fulfilmentPartners } from "../partners/registry";

/** The ERP's gate; each fulfilment partner's is `fulfillment:<partnerId>` (from PARTNERS). */
export const DESTINATION_NAMES = ["erp"] as const;

/** Every destination with a gate: the ERP, then each fulfilment partner of this environment's PARTNERS. */
export function destinationNames(env: Env): string[] {
  return [...DESTINATION_NAMES, ...[...fulfilmentPartners(env.PARTNERS).keys()].map(destinationOf)];
}

const Instant = z.string().nullable();

export const DestinationStatusSchema = z
  .object({
    destination: z.string().openapi({ description: "The destination's name", example: "erp" }),
    mode: z.enum(["open", "paused"]).openapi({
      description: "`paused`: transient failures in a row; one probe at a time until it answers, every other order waits its turn",
    }),
    pausedSince: Instant.openapi({ description: "When it was paused; null while open" }),
    nextProbeAt: Instant.openapi({ description: "While paused: the earliest time the next probe may go; null while open" }),
    concurrency: z.number().int().openapi({ description: "Deliveries allowed in flight at once (`<KIND>_MAX_CONCURRENCY`)" }),
    inFlight: z.number().int().openapi({ description: "Deliveries in flight now (permits out)" }),
    turnsOut: z.number().int().openapi({ description: "Capacity held for woken orders whose delivery is on its way" }),
    waiting: z.number().int().openapi({ description: "Orders waiting for their turn (turned away, or failed on it)" }),
    oldestWaitingSince: Instant.openapi({ description: "When the oldest waiting order's command became due; null when none waits" }),
    consecutiveFailures: z.number().int().openapi({ description: "Transient failures in a row (any answer resets it)" }),
  })
  .openapi("DestinationStatus", {
    description: "One destination's gate",
    example: {
      destination: "erp",
      mode: "paused",
      pausedSince: "2026-11-20T14:03:00.000Z",
      nextProbeAt: "2026-11-20T14:07:41.000Z",
      concurrency: 10,
      inFlight: 0,
      turnsOut: 0,
      waiting: 137,
      oldestWaitingSince: "2026-11-20T14:02:12.000Z",
      consecutiveFailures: 9,
    },
  });

// The gate's answer and the documented shape must not drift apart.
// (A compile-time check: DestinationStatus must be assignable to the documented DestinationStatus.)
type Documented = z.infer<typeof DestinationStatusSchema>;
export const asDocumented = (s: DestinationStatus): Documented => s;

/** Every destination's status, in `destinationNames` order. */
export function destinationStatuses(env: Env): Promise<DestinationStatus[]> {
  return Promise.all(destinationNames(env).map((name) => destinationStub(env, name).status(name)));
}

/** The short form for health read-outs (GET /ops/metrics): by name, whether it is paused and how many orders wait. */
export function destinationSummary(statuses: readonly DestinationStatus[]) {
  return Object.fromEntries(
    statuses.map((s) => [s.destination, { mode: s.mode, pausedSince: s.pausedSince, waiting: s.waiting, oldestWaitingSince: s.oldestWaitingSince }]),
  );
}
