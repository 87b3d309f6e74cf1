// What the order needs of this environment's fulfillment configuration: the routes (parsed and checked
// once per isolate by the registry) and the partners that fulfil orders.
import { fulfilmentPartners } from "./partners/registry";

export { fulfillmentRoutes as routesFromEnv } from "./partners/registry";

/** The ids of the partners with a `fulfillment` entry in PARTNERS. */
export function fulfilmentPartnerIds(env: { PARTNERS: string }): ReadonlySet<string> {
  return new Set(fulfilmentPartners(env.PARTNERS).keys());
}
