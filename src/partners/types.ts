// What a partner module is: a signature check over the raw bytes and a mapping onto canonical events (the
// adapter), how its partner signs, and, for fulfilment formats, how a request to the partner is written.
// Nothing downstream of an adapter ever sees a partner's own shape.
import type { CanonicalEvent, OrderRef } from "../domain/event";
import type { FulfillmentType } from "../domain/fulfillment";
import type { Json } from "../domain/json";

export interface InboundWebhook {
  partnerId: string;
  headers: Headers;
  /** The raw body bytes, exactly as received: signatures are computed over these. */
  raw: Uint8Array<ArrayBuffer>;
  receivedAt: string;
}

/**
 * A canonical event whose order may be known only indirectly: by `orderId`, by the partner's order
 * reference (`orderRef`), or by `trackingNumber` alone. The correlation layer resolves the order.
 */
export type MappedEvent = Omit<CanonicalEvent, "orderId"> & { orderId?: string; orderRef?: OrderRef };

export interface MapResult {
  events: MappedEvent[];
  /** Set when an authentic payload rightly carries no milestone (e.g. a tracker with no scan yet). */
  ignored?: string;
  /**
   * Parts of the payload that could not be processed, with why (an X12 transaction set we do not map, or
   * one that is defective on its own), beside `events` that could. The payload is kept in quarantine with
   * these reasons; the events are routed all the same.
   */
  unprocessed?: string[];
  /**
   * Problems the partner should fix that did not stop processing (an X12 trailer that miscounts its sets).
   * Shown to the partner in the answer and to ops in quarantine and the log.
   */
  warnings?: string[];
}

export interface Adapter {
  /** Content types this partner sends (lower case, without parameters); anything else is 415. */
  contentTypes: readonly string[];
  /** Throws SignatureError unless one of `secrets` authenticates the request. */
  verify(req: InboundWebhook, secrets: readonly string[]): Promise<void>;
  /**
   * Maps an authentic request onto canonical events. Throws HttpProblem 400 for bytes that are not the
   * partner's syntax at all (malformed JSON or X12), HttpProblem 422 for violations of OUR canonical
   * format, and Unmappable for a well-formed vendor payload we cannot map (it is quarantined, not lost).
   */
  map(req: InboundWebhook): Promise<MapResult> | MapResult;
}

/** What a test, the sender CLI, the demo or the benchmark may ask of a signature (never the ingress path). */
export interface SignOptions {
  /** Webhook message id (Standard Webhooks, Shopify); random when absent. */
  id?: string;
  /** Topic header for partners that send one (Shopify, ShipBob). */
  topic?: string;
  /** Unix seconds; now when absent. */
  timestamp?: number;
}

/** The headers the partner would send with `raw`: content type and its authentication, made with `secret`. */
export type Sign = (secret: string, raw: Uint8Array, options: SignOptions) => Promise<Record<string, string>>;

/** The formats a fulfilment partner can be sent: the `format` of its `fulfillment` entry in PARTNERS. */
export type FulfillmentFormat = "canonical" | "x12-940";

/** One fulfilment command as a format receives it: its type, its key (stable across retries) and its data. */
export interface OutboundFulfillment {
  type: FulfillmentType;
  key: string;
  data: Record<string, Json>;
}

/** What writing one request needs besides the command, all of it the sender's to supply so formats stay pure. */
export interface FulfillmentContext {
  partnerId: string;
  /** A number the sender keeps unique per partner and stable per command (an X12 interchange control number). */
  controlNumber: number;
  /** Our id towards the partner (an X12 sender id). */
  senderId: string;
  /** When the request is written (an envelope's date and time). */
  at: Date;
}

/** An outbound request to a fulfilment partner, ready to POST to its `fulfillment.url`. */
export interface OutboundRequest {
  /** Content type, authentication (made with `secret`), and any other header. */
  headers: Record<string, string>;
  body: string;
}

/** Writes one fulfilment command for the partner, authenticated with `secret` (its first PARTNER_SECRET_<ID>). */
export type FormatFulfillment = (request: OutboundFulfillment, secret: string, context: FulfillmentContext) => Promise<OutboundRequest>;

/**
 * A partner format, one per folder of src/partners: what its partners can do. The registry is the list of
 * these modules; a PARTNERS entry names one by `name` (its `adapter`).
 */
export interface PartnerModule<Name extends string = string> extends Adapter {
  /** What PARTNERS entries put in `adapter` to use this module. */
  name: Name;
  /** How this format's partner signs a request: for tests, the sender CLI, the demo and the benchmark. */
  sign: Sign;
  /** For formats fulfilment partners are sent orders in: the format's name and how a request is written. */
  fulfillment?: { format: FulfillmentFormat; request: FormatFulfillment };
  /**
   * For formats whose senders expect a functional acknowledgement of what they sent (X12: a 997 per
   * interchange): written from the authentic request, returned in the webhook's answer. Undefined when
   * there is nothing to acknowledge.
   */
  acknowledge?(req: InboundWebhook): { format: string; body: string } | undefined;
}

/** An authentic payload we cannot map: kept in quarantine with this reason for ops to fix and replay. */
export class Unmappable extends Error {
  constructor(
    readonly reason: string,
    /** Warnings found before the payload proved unmappable (see `MapResult.warnings`). */
    readonly warnings: readonly string[] = [],
  ) {
    super(reason);
    this.name = "Unmappable";
  }
}
