// The partner registry is configuration over one list of modules: MODULES holds every partner format (one
// folder of src/partners each: verify, map, sign, and for fulfilment formats the outbound request), and the
// PARTNERS var (JSON, validated here) names each partner and its module. Secrets are PARTNER_SECRET_<ID>,
// comma-separated when several are active (rotation). Everything else (ingress, signers, tests) derives
// from these two.
import { z } from "zod";
import { type FulfillmentRoute, parseRoutes } from "../domain/routing";
import { aftership } from "./aftership/adapter";
import { canonical } from "./canonical/adapter";
import { easypost } from "./easypost/adapter";
import { shipbob } from "./shipbob/adapter";
import { shippo } from "./shippo/adapter";
import { shopify } from "./shopify/adapter";
import type { FulfillmentFormat, PartnerModule } from "./types";
import { ups } from "./ups/adapter";
import { x12 } from "./x12/adapter";

/** Every partner format dockline speaks, one module per folder. A new format is one folder plus its entry here. */
export const MODULES = [canonical, shipbob, easypost, aftership, shopify, shippo, ups, x12] as const;
type Module = (typeof MODULES)[number];
export type AdapterName = Module["name"];

/** Modules by name. A new partner on an existing module is a PARTNERS entry and a secret, no code. */
export const ADAPTERS = Object.fromEntries(MODULES.map((m) => [m.name, m])) as { readonly [M in Module as M["name"]]: M };

/** The module PARTNERS would name `name` by, if there is one. */
export function moduleNamed(name: string): PartnerModule | undefined {
  return MODULES.find((m) => m.name === name);
}

/** A partner that fulfils orders (docs/partners.md, "A fulfilment partner"): where its requests go, in which format. */
const Fulfillment = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    format: z.enum(["canonical", "x12-940"]) satisfies z.ZodType<FulfillmentFormat>,
  })
  .strict();

const PartnerConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and dashes"),
  adapter: z.enum(MODULES.map((m) => m.name) as [AdapterName, ...AdapterName[]]),
  fulfillment: Fulfillment.optional(),
});
const PartnerList = z.array(PartnerConfig).refine((l) => new Set(l.map((p) => p.id)).size === l.length, "partner ids must be unique");
export type PartnerConfig = z.infer<typeof PartnerConfig>;

export interface Partner extends PartnerConfig {
  impl: PartnerModule;
}

/**
 * A configuration variable the worker cannot run with. The error boundary answers it with a 500 "configuration
 * error" naming the variable (never a stack trace); `npm run check` reports the same message before a deploy.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: "PARTNERS" | "FULFILLMENT_ROUTES" | "SLA_POLICIES",
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

function parsePartners(source: string): PartnerConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch {
    throw new ConfigError("PARTNERS", "PARTNERS is not valid JSON");
  }
  const parsed = PartnerList.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError("PARTNERS", `PARTNERS[${issue?.path.join(".") ?? ""}]: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

// Parsed once per isolate and per distinct configuration string.
let cache: { source: string; partners: Map<string, Partner> } | undefined;

/** The configured partners by id; throws ConfigError when PARTNERS is not a valid list. */
export function partners(source: string): Map<string, Partner> {
  if (cache?.source === source) return cache.partners;
  const map = new Map(parsePartners(source).map((p) => [p.id, { ...p, impl: ADAPTERS[p.adapter] }]));
  cache = { source, partners: map };
  return map;
}

/** The partners that fulfil orders (a `fulfillment` entry), by id. */
export function fulfilmentPartners(source: string): Map<string, Partner & { fulfillment: z.infer<typeof Fulfillment> }> {
  return new Map([...partners(source)].flatMap(([id, p]) => (p.fulfillment ? [[id, { ...p, fulfillment: p.fulfillment }] as const] : [])));
}

let routesCache: { partners: string; routes: string | undefined; parsed: FulfillmentRoute[] } | undefined;

/**
 * FULFILLMENT_ROUTES, checked against the fulfilment partners of PARTNERS: every route must name one.
 * Throws ConfigError naming the variable at fault. Parsed once per isolate and configuration.
 */
export function fulfillmentRoutes(vars: { PARTNERS: string; FULFILLMENT_ROUTES?: string | undefined }): FulfillmentRoute[] {
  if (routesCache?.partners === vars.PARTNERS && routesCache.routes === vars.FULFILLMENT_ROUTES) return routesCache.parsed;
  const fulfilling = new Set(fulfilmentPartners(vars.PARTNERS).keys());
  let parsed: FulfillmentRoute[];
  try {
    parsed = parseRoutes(vars.FULFILLMENT_ROUTES, fulfilling);
  } catch (err) {
    throw new ConfigError("FULFILLMENT_ROUTES", err instanceof Error ? err.message : "FULFILLMENT_ROUTES is invalid");
  }
  routesCache = { partners: vars.PARTNERS, routes: vars.FULFILLMENT_ROUTES, parsed };
  return parsed;
}

export function secretName(partnerId: string): string {
  return `PARTNER_SECRET_${partnerId.toUpperCase().replaceAll("-", "_")}`;
}

/** Active secrets for a partner; several when a rotation is in progress. */
export function partnerSecrets(env: object, partnerId: string): string[] {
  const v = (env as Record<string, unknown>)[secretName(partnerId)];
  return typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
