// The partner registry is configuration: the PARTNERS var (JSON, validated here) names each partner and
// its adapter; secrets are PARTNER_SECRET_<ID>, comma-separated when several are active (rotation).
import { z } from "zod";
import { aftership } from "./aftership/adapter";
import { canonical } from "./canonical/adapter";
import { easypost } from "./easypost/adapter";
import { shipbob } from "./shipbob/adapter";
import { shippo } from "./shippo/adapter";
import { shopify } from "./shopify/adapter";
import type { Adapter } from "./types";
import { ups } from "./ups/adapter";
import { x12 } from "./x12/adapter";

/** Adapters by name. A new partner on an existing adapter is a PARTNERS entry and a secret, no code. */
export const ADAPTERS = { canonical, shipbob, easypost, aftership, shopify, shippo, ups, x12 } satisfies Record<string, Adapter>;

/** A partner that fulfils orders (DESIGN §3.9): where its fulfillment requests go, and in which format. */
const Fulfillment = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    format: z.enum(["canonical", "x12-940"]),
  })
  .strict();

const PartnerConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "lower-case letters, digits and dashes"),
  adapter: z.enum(Object.keys(ADAPTERS) as [keyof typeof ADAPTERS, ...(keyof typeof ADAPTERS)[]]),
  fulfillment: Fulfillment.optional(),
});
const PartnerList = z.array(PartnerConfig).refine((l) => new Set(l.map((p) => p.id)).size === l.length, "partner ids must be unique");
export type PartnerConfig = z.infer<typeof PartnerConfig>;

export interface Partner extends PartnerConfig {
  impl: Adapter;
}

// Parsed once per isolate and per distinct configuration string.
let cache: { source: string; partners: Map<string, Partner> } | undefined;

export function partners(source: string): Map<string, Partner> {
  if (cache?.source === source) return cache.partners;
  const list = PartnerList.parse(JSON.parse(source));
  const map = new Map(list.map((p) => [p.id, { ...p, impl: ADAPTERS[p.adapter] }]));
  cache = { source, partners: map };
  return map;
}

/** The partners that fulfil orders (a `fulfillment` entry), by id. */
export function fulfilmentPartners(source: string): Map<string, Partner & { fulfillment: z.infer<typeof Fulfillment> }> {
  return new Map([...partners(source)].flatMap(([id, p]) => (p.fulfillment ? [[id, { ...p, fulfillment: p.fulfillment }] as const] : [])));
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
