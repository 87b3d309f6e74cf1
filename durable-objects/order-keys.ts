// Binding the correlation keys an order learns (release refs, tracking numbers): the outbox calls this
// after the commit that stored a key. The key's CorrelationDO hands over the events parked under it; they
// join the order's log before the CorrelationDO forgets them.
import type { CanonicalEvent } from "../src/domain/event";
import type { IngestResult } from "../src/domain/order-step";
import { log } from "../src/platform/log";
import type { CorrelationDO } from "./correlation";

export type CorrelationApi = Pick<CorrelationDO, "bind" | "release">;

export interface KeyHost {
  orderId(): string | undefined;
  correlation(key: string): CorrelationApi;
  /** Adds events to the order's set, as an ingest does. */
  record(orderId: string, items: { e: CanonicalEvent; correlationId: string }[]): Promise<IngestResult[]>;
  markKey(key: string, status: "bound" | "conflict"): void;
}

/** Claims a key; events parked under it join this order's log before the CorrelationDO forgets them. */
export async function bindKey(h: KeyHost, key: string): Promise<void> {
  const orderId = h.orderId();
  if (!orderId) return;
  const correlation = h.correlation(key);
  const result = await correlation.bind(key, orderId);
  if (result.status === "conflict") {
    h.markKey(key, "conflict");
    return;
  }
  if (result.parked.length > 0) {
    const recorded = await h.record(
      orderId,
      result.parked.map((p) => ({ e: { ...p.event, orderId } as CanonicalEvent, correlationId: p.correlationId })),
    );
    // A parked event whose id the order already holds with other content: the order's version stands.
    // Its partner's answer was `parked` long ago, so the log is where ops learn of it.
    for (const r of recorded.filter((x) => x.conflict)) {
      const parked = result.parked.find((p) => p.event.eventId === r.eventId);
      log.warn("parked event conflicts with the recorded one; the recorded version stands", {
        orderId,
        key,
        eventId: r.eventId,
        correlationId: parked?.correlationId,
      });
    }
    await correlation.release(result.parked.map((p) => p.id));
    log.info("parked events delivered", { orderId, key, events: result.parked.length });
  }
  h.markKey(key, "bound");
}
