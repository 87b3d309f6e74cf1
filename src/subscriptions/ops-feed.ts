// Ops alerts that belong to no order (a quarantined payload, a disabled subscription) go out through one
// Durable Object of the order class, named OPS_FEED: it records them and fans them out to ops
// subscriptions like an order's events, on the same engine (a cursor per subscription, retries, the log).
import type { Json } from "../domain/json";
import type { OpsEventType } from "./events";

/** Not a valid order id (identifiers never start with "~"), so no order can ever share its object. */
export const OPS_FEED = "~ops-feed";

/** A quarantine alert per partner at most this often; the next one says how many it stands for. */
export const QUARANTINE_ALERT_WINDOW_MS = 60_000;

export interface OpsEvent {
  type: OpsEventType;
  data: Record<string, Json>;
}

export async function publishOpsEvent(env: Env, event: OpsEvent): Promise<void> {
  const feed = env.ORDERS.getByName(OPS_FEED) as unknown as { publish(feed: string, event: OpsEvent): Promise<void> };
  await feed.publish(OPS_FEED, event);
}
