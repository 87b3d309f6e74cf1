// Event identity for partners that do not give each event an id of their own: derived from what the
// event says (DESIGN §3.1), so a payload resent — even a whole history — deduplicates naturally.
import { sha256Hex } from "../platform/crypto";

const CONTENT_EVENT_ID = /^[a-z0-9-]+:[0-9a-f]{32}$/;

/** Whether an id is one `contentEventId` derived (the fact's own parts), not one the partner assigned. */
export const isContentEventId = (eventId: string): boolean => CONTENT_EVENT_ID.test(eventId);

export async function contentEventId(partnerId: string, parts: readonly (string | undefined)[]): Promise<string> {
  // The unit separator cannot occur in the parts' text, so distinct tuples never collide by concatenation.
  const digest = await sha256Hex(parts.map((p) => p ?? "").join("\u001f"));
  return `${partnerId}:${digest.slice(0, 32)}`;
}
