// Shopify ids are 64-bit integers written as bare JSON numbers (order_id 820982911946154508): JSON.parse
// would round them to the nearest double (…154500) and correlate the event to a different order. This
// parse keeps every integer beyond 2^53 as the exact digits it was written with.
import { decodeJsonText, parseJson } from "../parse";
import { Unmappable } from "../types";

/** The reviver's third argument (TC39 "JSON.parse source text access", in V8 since 11.4). */
interface ReviverContext {
  source?: string;
}

function keepBigIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
  const source = context?.source;
  // Without the source text an id would silently be wrong: refuse instead of guessing.
  if (source === undefined) throw new Unmappable("this runtime cannot read Shopify's 64-bit ids exactly");
  return /^-?\d+$/.test(source) ? source : value;
}

/** Parses a Shopify body; malformed bytes are the shared 400, as for every partner. */
export function parseShopifyJson(raw: Uint8Array): unknown {
  const text = decodeJsonText(raw); // not UTF-8, or nested too deep: the shared 400
  try {
    return JSON.parse(text, keepBigIntegers);
  } catch (err) {
    if (err instanceof Unmappable) throw err;
    return parseJson(raw); // not JSON: throws the shared 400
  }
}

/**
 * A Shopify id as exact decimal digits, from a number (safe integers only: bigger ones arrive as digit
 * strings from parseShopifyJson), a digit string, or a GraphQL id ("gid://shopify/Order/820982911946154508").
 */
export function shopifyId(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? String(value) : undefined;
  if (typeof value !== "string") return undefined;
  const digits = /^(?:gid:\/\/shopify\/[A-Za-z]+\/)?(\d+)(?:\?.*)?$/.exec(value.trim());
  return digits?.[1];
}
