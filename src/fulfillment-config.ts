// FULFILLMENT_ROUTES of this environment, checked against PARTNERS' fulfilment partners, parsed once per
// isolate and configuration. An invalid configuration throws with what is wrong and where: `npm run check`
// refuses it before a deploy, and a request that meets it anyway fails loudly rather than routing nothing.
import type { FulfillmentRoute } from "./domain/routing";
import { parseRoutes } from "./domain/routing";
import { fulfilmentPartners } from "./partners/registry";

let cache: { key: string; routes: FulfillmentRoute[] } | undefined;

export function routesFromEnv(env: { PARTNERS: string; FULFILLMENT_ROUTES?: string }): FulfillmentRoute[] {
  const key = `${env.PARTNERS}\u0000${env.FULFILLMENT_ROUTES ?? ""}`;
  if (cache?.key !== key) cache = { key, routes: parseRoutes(env.FULFILLMENT_ROUTES, new Set(fulfilmentPartners(env.PARTNERS).keys())) };
  return cache.routes;
}

/** The ids of the partners with a `fulfillment` entry in PARTNERS. */
export function fulfilmentPartnerIds(env: { PARTNERS: string }): ReadonlySet<string> {
  return new Set(fulfilmentPartners(env.PARTNERS).keys());
}
