// What a partner adapter is: a signature check over the raw bytes and a mapping onto canonical events.
// Nothing downstream of an adapter ever sees a partner's own shape.
import type { CanonicalEvent, OrderRef } from "../domain/event";

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

/** An authentic payload we cannot map: kept in quarantine with this reason for ops to fix and replay. */
export class Unmappable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "Unmappable";
  }
}
