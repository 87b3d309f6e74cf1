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
