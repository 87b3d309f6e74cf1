// What a partner adapter is: a signature check over the raw bytes and a mapping onto canonical events.
import type { CanonicalEvent } from "../domain/event";

export interface InboundWebhook {
  partnerId: string;
  headers: Headers;
  /** The raw body bytes, exactly as received: signatures are computed over these. */
  raw: Uint8Array<ArrayBuffer>;
  receivedAt: string;
}

/** An event the adapter could map, but which names its order only indirectly. Resolved by correlation. */
export type MappedEvent = Omit<CanonicalEvent, "orderId"> & { orderId: string };

export interface Adapter {
  /** Content types this partner sends; anything else is 415. */
  contentTypes: readonly string[];
  /** Throws SignatureError unless one of `secrets` signed the request. */
  verify(req: InboundWebhook, secrets: readonly string[]): Promise<void>;
  /** Maps an authentic request onto canonical events; throws HttpProblem (400/422) for bad input. */
  map(req: InboundWebhook): Promise<MappedEvent[]> | MappedEvent[];
}
