// The two request formats dockline sends a 3PL, read into one shape (pure). `canonical`: JSON
// { type: "fulfillment.requested" | "fulfillment.cancelled", data: { requestId, orderId, lines?, shipTo?, … } }.
// `x12-940`: an X12 940 whose W05 names the order (W0502) and the request (W0503), one W01 per line, N1*ST
// with its N4 for the ship-to. Reading is tolerant on purpose: the simulator refuses what a 3PL would
// refuse (no order, no request), not every rule of the standard.
import { z } from "zod";
import { canonicalJson } from "../../sim-kit/json";
import { el, readSegments, type Segment } from "./x12";

export const REQUEST_TYPES = ["fulfillment.requested", "fulfillment.cancelled"] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export interface Line {
  sku: string;
  quantity: number;
}

/** Where the order goes, as far as a milestone's location needs it. */
export interface Place {
  city?: string;
  region?: string;
  country?: string;
}

export interface FulfillmentRequest {
  type: RequestType;
  /** Empty when a 940 has no W0503: the caller falls back to the Idempotency-Key. */
  requestId: string;
  orderId: string;
  lines: Line[];
  shipTo: Place;
  /** What "the same body" means for a replay: canonical JSON, or the 940's segments without envelope or control numbers. */
  fingerprint: string;
  /** The 940's group (GS06) and set (ST02) control numbers: what a 997 acknowledges. */
  x12?: { group: string; set: string };
}

export type Read =
  | { ok: true; value: FulfillmentRequest }
  | { ok: false; status: 400 | 422; slug: string; title: string; detail: string; errors?: { path: string; message: string }[] };

const Text = z.string().trim().min(1).max(200);
const CanonicalRequest = z.object({
  type: z.enum(REQUEST_TYPES),
  // Loose: the simulator records what it needs and keeps the rest of the body as sent.
  data: z.looseObject({
    requestId: Text,
    orderId: Text,
    lines: z
      .array(z.looseObject({ sku: Text, quantity: z.number().int().positive() }))
      .max(500)
      .optional(),
    shipTo: z.looseObject({ city: z.string().optional(), region: z.string().optional(), country: z.string().optional() }).optional(),
  }),
});

export function readCanonical(text: string): Read {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, slug: "malformed-json", title: "Malformed JSON body", detail: "The body is not valid JSON." };
  }
  const parsed = CanonicalRequest.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      status: 422,
      slug: "invalid-request",
      title: "Invalid fulfillment request",
      detail: "See `errors`.",
      errors: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    };
  }
  const { type, data } = parsed.data;
  const { city, region, country } = data.shipTo ?? {};
  return {
    ok: true,
    value: {
      type,
      requestId: data.requestId,
      orderId: data.orderId,
      lines: (data.lines ?? []).map(({ sku, quantity }) => ({ sku, quantity })),
      shipTo: definedOnly({ city, region, country }),
      fingerprint: canonicalJson(json),
    },
  };
}

// W0501 (order status code): F cancels the order, D deletes it; N (original) and the rest ask for it.
const CANCELLING = new Set(["F", "D"]);
const ENVELOPE = new Set(["ISA", "IEA", "GS", "GE"]);

export function read940(text: string): Read {
  if (!text.trimStart().startsWith("ISA")) {
    return { ok: false, status: 400, slug: "malformed-x12", title: "Malformed X12", detail: "The body does not start with an ISA interchange header." };
  }
  const segments = readSegments(text.trimStart());
  const at = segments.findIndex((s) => s.id === "W05");
  const w05 = segments[at];
  const invalid = (detail: string): Read => ({ ok: false, status: 422, slug: "invalid-940", title: "Invalid 940", detail });
  if (w05 === undefined) return invalid("The interchange has no W05 (shipping order identification) segment.");
  const orderId = el(w05, 2);
  if (orderId === "") return invalid("W0502 (depositor order number) is empty: it must carry the order id.");
  // The set and group the W05 belongs to: the nearest ST and GS before it.
  const before = segments.slice(0, at).reverse();
  const st = before.find((s) => s.id === "ST");
  const gs = before.find((s) => s.id === "GS");
  return {
    ok: true,
    value: {
      type: CANCELLING.has(el(w05, 1).toUpperCase()) ? "fulfillment.cancelled" : "fulfillment.requested",
      requestId: el(w05, 3),
      orderId,
      lines: lines(segments),
      shipTo: shipTo(segments),
      // A resent 940 gets new control numbers (and maybe a new ISA date): those do not make it a new order.
      fingerprint: segments
        .filter((s) => !ENVELOPE.has(s.id) && s.id !== "SE")
        .map((s) => (s.id === "ST" ? `ST*${el(s, 1)}` : [s.id, ...s.elements].join("*")))
        .join("\n"),
      x12: { group: el(gs, 6), set: el(st, 2) },
    },
  };
}

/** W01: W0101 quantity ordered, W0105 the product id (our SKU) or, without one, W0103 (UPC). */
function lines(segments: readonly Segment[]): Line[] {
  const out: Line[] = [];
  for (const s of segments) {
    if (s.id !== "W01") continue;
    const quantity = Number(el(s, 1));
    const sku = el(s, 5) || el(s, 3);
    if (sku !== "" && Number.isInteger(quantity) && quantity > 0) out.push({ sku, quantity });
  }
  return out;
}

/** The N4 (city, state, postal code, country) that follows N1*ST. */
function shipTo(segments: readonly Segment[]): Place {
  const n1 = segments.findIndex((s) => s.id === "N1" && el(s, 1).toUpperCase() === "ST");
  if (n1 < 0) return {};
  // The N1 loop is N1, N2, N3, N4 (PER…): anything else ends it.
  for (const s of segments.slice(n1 + 1)) {
    if (s.id === "N4") return definedOnly({ city: el(s, 1), region: el(s, 2), country: el(s, 4) });
    if (s.id !== "N2" && s.id !== "N3") break;
  }
  return {};
}

function definedOnly(place: { city?: string | undefined; region?: string | undefined; country?: string | undefined }): Place {
  return Object.fromEntries(Object.entries(place).filter(([, v]) => typeof v === "string" && v.trim() !== "")) as Place;
}
