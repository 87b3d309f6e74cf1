// Respond mode (pure): whether the simulator answers new fulfillment requests on its own, as a real 3PL's
// system acknowledges an order minutes after it arrives. Used by `npm start` and the demo.
import { z } from "zod";
import { MILESTONES } from "./milestones";
import { PARTNER_IDS } from "./partners";

/** Where dockline listens: a base URL, or "self-test" for the DOCKLINE service binding (tests). */
export const DocklineTarget = z.union([z.literal("self-test"), z.url({ protocol: /^https?$/ })]);

/** Body of PUT /admin/respond-mode; what is stored is the parsed value, defaults filled in. */
export const RespondModeSchema = z.strictObject({
  auto: z.boolean(),
  /** Sent, in this order, for every newly recorded fulfillment.requested. */
  milestones: z.array(z.enum(MILESTONES)).min(1).max(MILESTONES.length).default(["acknowledged"]),
  partners: z
    .array(z.enum(PARTNER_IDS))
    .min(1)
    .default([...PARTNER_IDS]),
  /** Defaults to the DOCKLINE_URL var (http://127.0.0.1:8787). */
  dockline: DocklineTarget.optional(),
  /** How long the 3PL takes to answer (the request is answered 202 first, either way). */
  delayMs: z.int().min(0).max(10_000).default(0),
});
export type RespondMode = z.infer<typeof RespondModeSchema>;

/**
 * The mode until PUT /admin/respond-mode sets one (and again after DELETE): acknowledging every request
 * when the AUTO_ACKNOWLEDGE var is "true" (wrangler.toml: under `npm start`), answering nothing otherwise (tests).
 */
export function defaultMode(autoAcknowledge: string | undefined): RespondMode {
  return { auto: autoAcknowledge === "true", milestones: ["acknowledged"], partners: [...PARTNER_IDS], delayMs: 0 };
}

/** Body of POST /admin/respond. */
export const RespondInputSchema = z.strictObject({
  orderId: z.string().min(1).max(200),
  partner: z.enum(PARTNER_IDS),
  milestones: z.array(z.enum(MILESTONES)).min(1).max(MILESTONES.length),
  /** Only this request of the order (an order split between warehouses of one partner has several). */
  requestId: z.string().min(1).max(300).optional(),
  dockline: DocklineTarget.optional(),
});
export type RespondInput = z.infer<typeof RespondInputSchema>;
