// Event identity for partners that do not give each event an id of their own: derived from what the
// event says (DESIGN §3.1), so a payload resent — even a whole history — deduplicates naturally.
import { sha256Hex } from "../platform/crypto";

export async function contentEventId(partnerId: string, parts: readonly (string | undefined)[]): Promise<string> {
  // The unit separator cannot occur in the parts' text, so distinct tuples never collide by concatenation.
  const digest = await sha256Hex(parts.map((p) => p ?? "").join("\u001f"));
  return `${partnerId}:${digest.slice(0, 32)}`;
}
