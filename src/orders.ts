// Typed access to an order's Durable Object. The RPC stub's mapped types recurse too deeply for the
// JSON-shaped results of some methods, so callers see the class's own method signatures instead:
// RPC passes these values by structured clone, which preserves exactly these plain-data shapes.
import type { OrderDO } from "../durable-objects/order";

export type OrderApi = Pick<
  OrderDO,
  | "ingest"
  | "claimErp"
  | "delivery"
  | "ackErp"
  | "failErp"
  | "deferErp"
  | "exhaustErp"
  | "reviveErp"
  | "nudgeErp"
  | "wakeErp"
  | "inspect"
  | "reconcileInfo"
  | "reproject"
  | "kick"
>;

export function orderStub(env: Env, orderId: string): OrderApi {
  return env.ORDERS.getByName(orderId) as unknown as OrderApi;
}
