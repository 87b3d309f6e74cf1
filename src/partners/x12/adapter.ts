// The `x12` adapter: X12 interchanges (214 carrier status, 945 warehouse shipping advice) posted by our
// AS2/SFTP gateway as application/edi-x12, authenticated by the gateway's bearer token. Each transaction
// set is mapped by its ST01, on its own: a set we do not map (850, 997…) or one that is defective does not
// stop the others, and is reported as unprocessed so the interchange is kept in quarantine for it.
import { collectScans } from "../scan";
import { signSharedToken, verifySharedToken } from "../schemes/shared-token";
import { type InboundWebhook, type MapResult, type MappedEvent, type PartnerModule, Unmappable } from "../types";
import { build997, decideAcks } from "./ack-997";
import { formatX12Request } from "./fulfillment";
import { map214 } from "./map-214";
import { map945 } from "./map-945";
import { parseX12 } from "./parse";

/** The gateway authenticates with `Authorization: Bearer <token>`; there is no signature over the body. */
export const X12_AUTH = { header: "Authorization", scheme: "Bearer" } as const;

export const x12: PartnerModule<"x12"> = {
  name: "x12",
  contentTypes: ["application/edi-x12"],
  fulfillment: { format: "x12-940", request: formatX12Request },

  // Every interchange gets its 997: each set accepted, accepted with errors (an envelope that miscounts) or
  // rejected (unsupported, or its SE disagrees). Numbered after the inbound ISA13, so a re-sent interchange
  // gets the same 997.
  acknowledge(req) {
    let interchange: ReturnType<typeof parseX12>;
    try {
      interchange = parseX12(req.raw);
    } catch {
      return undefined;
    }
    const body = build997(interchange, decideAcks(interchange), { controlNumber: Number(interchange.control) || 1, at: req.receivedAt });
    return body ? { format: "x12-997", body } : undefined;
  },

  async verify(req, secrets) {
    await verifySharedToken(secrets, req.headers, X12_AUTH);
  },

  async sign(secret) {
    const [name, value] = signSharedToken(secret, X12_AUTH);
    return { "Content-Type": "application/edi-x12", [name]: value };
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const interchange = parseX12(req.raw);
    const warnings = interchange.warnings.map((w) => `envelope warning: ${w}`);
    const events: MappedEvent[] = [];
    const notes: string[] = [];
    const unprocessed: string[] = [];
    for (const group of interchange.groups) {
      for (const set of group.sets) {
        try {
          if (set.defect) unprocessed.push(`transaction set ${set.id} ${set.control}: ${set.defect}`);
          else if (set.id === "214") {
            const result = await map214(set, req.partnerId);
            events.push(...result.events);
            if (result.events.length === 0) notes.push(`214 ${set.control}: no mapped status (${result.skipped.join("; ") || "no AT7"})`);
          } else if (set.id === "945") {
            const result = await map945(set, req.partnerId);
            if ("event" in result) events.push(result.event);
            else notes.push(result.skipped);
          } else {
            // Authentic input we have no mapping for (a 997 acknowledgement, an 850…): kept for ops, never dropped.
            unprocessed.push(`unsupported transaction set ${set.id} (ST02 ${set.control})`);
          }
        } catch (err) {
          if (!(err instanceof Unmappable)) throw err;
          unprocessed.push(err.reason);
        }
      }
    }
    // A re-sent status can appear in two sets of one interchange: one event per id, the first set's copy kept.
    // Sorted by when it happened (ids break ties), so the same interchange always yields the same list.
    const unique = collectScans(events, "first");
    if (unique.length === 0 && unprocessed.length > 0) throw new Unmappable(unprocessed.join("; "), warnings);
    const extra = { ...(unprocessed.length > 0 ? { unprocessed } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
    if (unique.length > 0) return { events: unique, ...extra };
    return { events: [], ignored: notes.length > 0 ? notes.join("; ").slice(0, 500) : "the interchange has no transaction sets", ...extra };
  },
};
