// Which subscriptions an order's events go to: a customer's own, and ops' (for that customer or for every
// customer). Read by the order's fan-out (durable-objects/order-notify.ts) from D1, at fan-out time: a
// subscription created now hears of every change from now on; one deleted or disabled hears nothing more.
import { wants } from "./events";

export const SUBSCRIPTION_PREFIX = "subscription:";
export const subscriptionDestination = (id: string) => `${SUBSCRIPTION_PREFIX}${id}`;
export const subscriptionOf = (destination: string) => destination.slice(SUBSCRIPTION_PREFIX.length);
export const isSubscriptionDestination = (destination: string) => destination.startsWith(SUBSCRIPTION_PREFIX);

export interface SubscriptionTarget {
  id: string;
  wants(type: string): boolean;
}

type Row = { id: string; scope: "customer" | "ops"; events: string; format: string };

/** Active subscriptions for `customerId`'s orders (null: events that concern no customer: ops' only). */
export async function subscriptionsFor(db: D1Database, customerId: string | null): Promise<SubscriptionTarget[]> {
  const { results } = await db
    .prepare(
      customerId === null
        ? "SELECT id, scope, events, format FROM subscriptions WHERE status = 'active' AND scope = 'ops' AND customer_id IS NULL"
        : "SELECT id, scope, events, format FROM subscriptions WHERE status = 'active' AND (customer_id = ?1 OR (scope = 'ops' AND customer_id IS NULL))",
    )
    .bind(...(customerId === null ? [] : [customerId]))
    .all<Row>();
  return results.map((r) => {
    const subscription = { scope: r.scope, events: JSON.parse(r.events) as string[], format: r.format };
    return { id: r.id, wants: (type: string) => wants(subscription, type) };
  });
}
