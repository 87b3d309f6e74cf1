// What an identifier, a text and an instant may be, wherever one enters: the ERP release, a partner payload
// (through the canonical schema), a URL path. One rule each, so nothing accepted at one door is refused, or
// read differently, at another.
import { z } from "zod";

/**
 * Order ids: ASCII letters and digits, then also `.`, `_` and `-`, at most 64 characters. No `/` or
 * whitespace (they are path segments and Durable Object names), no `:` (our own keys and idempotency keys
 * join ids with it), nothing invisible or look-alike. Every ERP order number we have seen fits.
 */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ORDER_ID_RULE = "an order id is 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit";

export const isOrderId = (v: string): boolean => ORDER_ID_PATTERN.test(v);
export const OrderId = z.string().regex(ORDER_ID_PATTERN, ORDER_ID_RULE);

/**
 * What a tracking number is printed with that is not part of it: whitespace, dashes, and format characters
 * (Unicode Cf: zero-width space, BOM, soft hyphen…), which are invisible and arrive by copy and paste.
 */
export const TRACKING_NUMBER_LAYOUT = /[\s\p{Cf}-]+/gu;
/** Carriers' tracking numbers are letters and digits; 64 leaves room for the longest (34-digit) barcodes. */
const TRACKING_NUMBER_CHARS = /^[A-Za-z0-9]{1,64}$/;
export const TRACKING_NUMBER_RULE = "a tracking number is 1 to 64 ASCII letters and digits (spaces and dashes are ignored)";

/**
 * Whether `raw` is a tracking number once its layout is removed. Checked before upper-casing: `toUpperCase`
 * folds some letters into two (`ß` → `SS`), which would make a foreign value equal to another parcel's.
 */
export const isTrackingNumber = (raw: string): boolean => TRACKING_NUMBER_CHARS.test(raw.replace(TRACKING_NUMBER_LAYOUT, ""));

// Control characters (Unicode Cc: C0, DEL and C1); text may keep tab, line feed and carriage return. Lone
// surrogates are not text (they cannot be encoded as UTF-8, so a JSON `\ud800` escape would turn into U+FFFD
// somewhere downstream).
const CONTROL_IN_TEXT = /(?![\t\n\r])\p{Cc}/u;
const CONTROL_IN_ID = /\p{Cc}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const hasLoneSurrogate = (s: string): boolean => LONE_SURROGATE.test(s);

/** Free text (a description, a place, a name): any script and line breaks, no control characters. */
export const SafeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !CONTROL_IN_TEXT.test(s), "control characters are not allowed")
    .refine((s) => !hasLoneSurrogate(s), "lone surrogates are not allowed");

/** An identifier other than an order id (event, shipment, SKU, customer…): trimmed, no control characters at all. */
export const SafeId = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !CONTROL_IN_ID.test(s), "control characters are not allowed")
  .refine((s) => !hasLoneSurrogate(s), "lone surrogates are not allowed");

/** Nothing we track happened before this; a timestamp earlier than it is a zero or a unit mistake. */
export const EARLIEST_PLAUSIBLE_INSTANT = "2000-01-01T00:00:00.000Z";
/** How far ahead of our clock a past fact may claim to be: clocks and time zones go wrong, by hours at most. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * An ISO-8601 instant with an offset, normalised to UTC (`toISOString()`), when a fact happened: from
 * `EARLIEST_PLAUSIBLE_INSTANT` to `MAX_FUTURE_SKEW_MS` ahead of `now`. An estimate (an ETA) is not bounded so.
 */
export const PlausibleInstant = (now: () => number = Date.now) =>
  z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s).toISOString())
    .refine((s) => s >= EARLIEST_PLAUSIBLE_INSTANT, `must not be before ${EARLIEST_PLAUSIBLE_INSTANT}`)
    .refine((s) => Date.parse(s) <= now() + MAX_FUTURE_SKEW_MS, "must not be more than a day in the future");
