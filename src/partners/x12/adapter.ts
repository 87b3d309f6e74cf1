// The `x12` adapter: X12 interchanges (214 carrier status, 945 warehouse shipping advice) posted by our
// AS2/SFTP gateway as application/edi-x12, authenticated by the gateway's bearer token. Each transaction
// set is mapped by its ST01; other sets (997 acknowledgements, …) in a valid envelope are ignored.
import { collectScans } from "../scan";
import { verifySharedToken } from "../schemes/shared-token";
import type { Adapter, InboundWebhook, MapResult, MappedEvent } from "../types";
import { map214 } from "./map-214";
import { map945 } from "./map-945";
import { parseX12 } from "./parse";

/** The gateway authenticates with `Authorization: Bearer <token>`; there is no signature over the body. */
export const X12_AUTH = { header: "Authorization", scheme: "Bearer" } as const;

export const x12: Adapter = {
  contentTypes: ["application/edi-x12"],

  async verify(req, secrets) {
    await verifySharedToken(secrets, req.headers, X12_AUTH);
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const interchange = parseX12(req.raw);
    const events: MappedEvent[] = [];
    const notes: string[] = [];
    for (const group of interchange.groups) {
      for (const set of group.sets) {
        if (set.id === "214") {
          const result = await map214(set, req.partnerId);
          events.push(...result.events);
          if (result.events.length === 0) notes.push(`214 ${set.control}: no mapped status (${result.skipped.join("; ") || "no AT7"})`);
        } else if (set.id === "945") {
          const result = map945(set, req.partnerId);
          if ("event" in result) events.push(result.event);
          else notes.push(result.skipped);
        } else {
          // A 997 acknowledges our own outbound files; other sets are not ours to map.
          notes.push(`transaction set ${set.id} ${set.control} is not mapped`);
        }
      }
    }
    // A re-sent status can appear in two sets of one interchange: one event per id, the first set's copy kept.
    // Sorted by when it happened (ids break ties), so the same interchange always yields the same list.
    const unique = collectScans(events, "first");
    if (unique.length > 0) return { events: unique };
    return { events: [], ignored: notes.length > 0 ? notes.join("; ").slice(0, 500) : "the interchange has no transaction sets" };
  },
};
