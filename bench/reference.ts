// The reference the worker is checked against: the same canonical events, built in Node by the partners'
// own adapters from the exact bytes that were sent, folded by the domain's pure fold, with the ERP commands
// the domain's rules derive from the final state.
import { desiredCommands } from "../src/domain/commands";
import { type CanonicalEvent, Instant, OrderDetails } from "../src/domain/event";
import { fold } from "../src/domain/state";
import { ADAPTERS } from "../src/partners/registry";
import { utf8 } from "../src/platform/crypto";
import type { OrderPlan, Webhook } from "./traffic";

export interface Expected {
  status: string;
  version: number;
  /** Keys of the ERP commands the order must have produced, each exactly once. */
  commandKeys: string[];
}

export class Reference {
  private readonly events = new Map<string, CanonicalEvent[]>();
  /** Mapping is pure: a duplicate's body maps to the same events, so it is mapped once. */
  private readonly mapped = new Map<string, CanonicalEvent[]>();

  /** The release as POST /v1/orders turns it into an `order.released` event. */
  release(order: OrderPlan): void {
    const { orderId, releasedAt, ...rest } = JSON.parse(order.release) as { orderId: string; releasedAt: string } & Record<string, unknown>;
    const details = OrderDetails.parse(rest);
    this.add(orderId, [
      { eventId: `erp:release:${orderId}`, orderId, code: "order.released", occurredAt: Instant.parse(releasedAt), source: "erp", order: details },
    ]);
  }

  /** A webhook that was answered 202: its events belong to the order it was generated for. */
  async webhook(w: Webhook): Promise<void> {
    const key = `${w.partnerId}\n${w.body}`;
    let events = this.mapped.get(key);
    if (!events) {
      const result = await ADAPTERS[w.adapter].map({
        partnerId: w.partnerId,
        headers: new Headers(),
        raw: utf8(w.body),
        receivedAt: new Date().toISOString(),
      });
      // Events that name only a parcel reach their order through the tracking number it dispatched.
      events = result.events.map((e) => ({ ...e, orderId: w.orderId }) as CanonicalEvent);
      this.mapped.set(key, events);
    }
    this.add(w.orderId, events);
  }

  expected(orderId: string): Expected {
    const state = fold(orderId, this.events.get(orderId) ?? []);
    return { status: state.status, version: state.version, commandKeys: desiredCommands(state).map((c) => c.key) };
  }

  eventsOf(orderId: string): readonly CanonicalEvent[] {
    return this.events.get(orderId) ?? [];
  }

  orderIds(): string[] {
    return [...this.events.keys()];
  }

  /** ERP commands the reference predicts over every order it knows. */
  commandCount(): number {
    return this.orderIds().reduce((n, id) => n + this.expected(id).commandKeys.length, 0);
  }

  /** Distinct canonical events over every order (the sum of the orders' versions). */
  eventCount(): number {
    return this.orderIds().reduce((n, id) => n + this.expected(id).version, 0);
  }

  private add(orderId: string, events: CanonicalEvent[]): void {
    const list = this.events.get(orderId) ?? [];
    list.push(...events);
    this.events.set(orderId, list);
  }
}
