// Levels that ops chart over time (not counts): the ERP backlog and the orders waiting at each destination.
// Sampled into the `backlog` metrics stream by the cron (every 10 minutes) and when the charts page is
// opened, so a fresh chart ends on a current point.
import { recordGauges } from "../platform/metrics";
import { erpBacklog } from "../readmodel/ops-queries";
import { destinationStatuses } from "./destinations";

export const BACKLOG_STREAM = "backlog";
/** How often the cron samples, as the charts say it. */
export const GAUGE_EVERY_MINUTES = 10;
/** Gauge names: `waiting:<destination>` is each destination's waiting orders. */
export const PENDING_COMMANDS = "pendingCommands";
export const OLDEST_PENDING_AGE = "oldestPendingAgeSeconds";
export const WAITING = "waiting:";

/** Reads the current levels and records them at `now`. Reading a gate's status never arms or changes it. */
export async function sampleGauges(env: Env, now: number): Promise<void> {
  const [erp, destinations] = await Promise.all([erpBacklog(env.DB, now), destinationStatuses(env)]);
  await recordGauges(
    env,
    BACKLOG_STREAM,
    {
      [PENDING_COMMANDS]: erp.pendingCommands,
      [OLDEST_PENDING_AGE]: erp.oldestPendingAgeSeconds ?? 0,
      ...Object.fromEntries(destinations.map((d) => [`${WAITING}${d.destination}`, d.waiting])),
    },
    now,
  );
}

let lastSampled = 0;

/** Samples at most once a minute per isolate: opening or refreshing the charts must not hammer D1 and the gates. */
export async function sampleGaugesIfDue(env: Env, now: number): Promise<void> {
  if (now - lastSampled < 60_000) return;
  lastSampled = now;
  await sampleGauges(env, now);
}
