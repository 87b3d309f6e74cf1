// Page cursors are opaque to clients: whatever the read model pages on, as base64url of its UTF-8 bytes
// (RFC 4648 §5, no padding), so any text is safe in a query string as it is. `btoa` alone took only
// Latin-1, and a non-ASCII order id at a page boundary answered 500.
import { fromBase64, toBase64 } from "../platform/crypto";
import { HttpProblem } from "../platform/problem";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function encodeCursor(text: string): string {
  return toBase64(new TextEncoder().encode(text)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The text `encodeCursor` encoded; anything else (wrong alphabet, padding, not UTF-8) is a 400. */
export function decodeCursor(cursor: string): string {
  // A length of 1 mod 4 is never the output of an encoder: atob would reject it, say so first.
  const bytes = BASE64URL.test(cursor) && cursor.length % 4 !== 1 ? fromBase64(cursor.replaceAll("-", "+").replaceAll("_", "/")) : null;
  if (bytes === null) throw invalidCursor();
  try {
    return decoder.decode(bytes);
  } catch {
    throw invalidCursor();
  }
}

/** The JSON value `encodeCursor(JSON.stringify(v))` encoded; anything else is a 400. */
export function decodeJsonCursor(cursor: string): unknown {
  const text = decodeCursor(cursor);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidCursor();
  }
}

/** The one answer for a cursor this API did not issue (or no longer understands). */
export function invalidCursor(): HttpProblem {
  return new HttpProblem(
    400,
    "invalid-cursor",
    "Invalid cursor",
    "The cursor parameter is not one this API issued: pass back the cursor of an earlier answer unchanged.",
  );
}
