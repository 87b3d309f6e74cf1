// Fulfillment routing (DESIGN §3.9): which partner fulfils which line of a released order, as pure
// configuration. `FULFILLMENT_ROUTES` is a list of `{ partner, when? }`; for each line the first route whose
// `when` matches the order and the line wins (no `when`: a catch-all). Lines that go to different partners
// become separate requests (a split), numbered per partner in the order the partners first appear. A line
// no route matches is unroutable: kept on the order and shown to ops, never dropped (decision 0014).
import { z } from "zod";
import { SafeId, SafeText } from "./identifiers";

/**
 * The conditions on the order as a whole (who bought, how fast), shared with the SLA policies (./sla.ts) so
 * that one `when` reads the same in every configuration. Strict: a misspelt condition is refused, not ignored.
 */
export const OrderCondition = z
  .object({
    serviceLevels: z.array(SafeText(64).min(1)).min(1).optional(),
    customers: z.array(SafeId).min(1).optional(),
  })
  .strict();
export type OrderCondition = z.infer<typeof OrderCondition>;

const Condition = OrderCondition.extend({
  /** Ship-to country codes (compared case-insensitively). */
  countries: z.array(SafeText(64).min(1)).min(1).optional(),
  skuPrefixes: z.array(SafeText(64).min(1)).min(1).optional(),
}).strict();

export const FulfillmentRoute = z.object({ partner: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/), when: Condition.optional() }).strict();
export type FulfillmentRoute = z.infer<typeof FulfillmentRoute>;
export const FulfillmentRoutes = z.array(FulfillmentRoute).max(200);

/** What routing reads of an order. */
export interface RoutableOrder {
  customerId: string;
  serviceLevel?: string | undefined;
  shipTo: { country: string };
  lines: readonly { sku: string; quantity: number }[];
}

export interface RoutedRequest {
  partner: string;
  /** 1-based, per partner and order: the `<n>` of `requestId = <orderId>:<partnerId>:<n>`. */
  n: number;
  lines: { sku: string; quantity: number }[];
}

export interface Routing {
  requests: RoutedRequest[];
  /** Lines no route matched (with their position in the order). */
  unroutable: { index: number; sku: string; quantity: number }[];
}

const same = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();

/**
 * Whether an order meets a `when` on the order (no `when`, or an absent field, matches anything). Service
 * levels compare case-insensitively (ERPs spell them differently); customer ids exactly, as ids do.
 */
export function matchesOrder(when: OrderCondition | undefined, order: { customerId: string; serviceLevel?: string | undefined }): boolean {
  if (!when) return true;
  const level = order.serviceLevel;
  if (when.serviceLevels && !(level !== undefined && when.serviceLevels.some((s) => same(s, level)))) return false;
  if (when.customers && !when.customers.includes(order.customerId)) return false;
  return true;
}

function matches(route: FulfillmentRoute, order: RoutableOrder, line: { sku: string }): boolean {
  const w = route.when;
  if (!w) return true;
  if (w.countries && !w.countries.some((c) => same(c, order.shipTo.country))) return false;
  if (!matchesOrder(w, order)) return false;
  if (w.skuPrefixes && !w.skuPrefixes.some((p) => line.sku.startsWith(p))) return false;
  return true;
}

/** Routes each line to the first matching route's partner; one request per partner, in first-line order. */
export function route(order: RoutableOrder, routes: readonly FulfillmentRoute[]): Routing {
  const byPartner = new Map<string, RoutedRequest>();
  const unroutable: Routing["unroutable"] = [];
  order.lines.forEach((line, index) => {
    const r = routes.find((candidate) => matches(candidate, order, line));
    if (!r) {
      unroutable.push({ index, sku: line.sku, quantity: line.quantity });
      return;
    }
    const request = byPartner.get(r.partner) ?? { partner: r.partner, n: 1, lines: [] };
    request.lines.push({ sku: line.sku, quantity: line.quantity });
    byPartner.set(r.partner, request);
  });
  return { requests: [...byPartner.values()], unroutable };
}

/**
 * Parses `FULFILLMENT_ROUTES` against the fulfilment partners configured: every route must name one. Throws
 * an Error whose message says what is wrong and where (startup, and `npm run check`, report it as is).
 */
export function parseRoutes(source: string | undefined, fulfilmentPartners: ReadonlySet<string>): FulfillmentRoute[] {
  if (source === undefined || source.trim() === "") return [];
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch {
    throw new Error("FULFILLMENT_ROUTES is not valid JSON");
  }
  const parsed = FulfillmentRoutes.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`FULFILLMENT_ROUTES[${issue?.path.join(".") ?? ""}]: ${issue?.message ?? "invalid"}`);
  }
  parsed.data.forEach((r, i) => {
    if (!fulfilmentPartners.has(r.partner)) {
      throw new Error(`FULFILLMENT_ROUTES[${i}].partner: "${r.partner}" is not a partner with a "fulfillment" entry in PARTNERS`);
    }
  });
  return parsed.data;
}
