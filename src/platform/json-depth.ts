// How deep a JSON text nests, checked before JSON.parse: the parser recurses per level, and nothing we
// accept needs more than a handful of levels, so a deeply nested body is refused as malformed instead of
// being parsed (and walked again by zod) at whatever depth the sender chose.
import { HttpProblem } from "./problem";

/** Deepest nesting of arrays and objects we parse in any body (the outermost object is level 1). */
export const MAX_JSON_DEPTH = 32;

/** Whether `text` opens more than `max` arrays/objects inside one another. Brackets in strings do not count. */
export function nestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character (\" among them)
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > max) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

/** Throws 400 malformed-body if `text` nests deeper than MAX_JSON_DEPTH. Malformed JSON is JSON.parse's to find. */
export function assertJsonDepth(text: string): void {
  if (nestsDeeperThan(text)) {
    throw new HttpProblem(400, "malformed-body", "Malformed request body", `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
}
