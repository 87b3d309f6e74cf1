// Correlation keys this isolate has seen bound to an order (key → order id). A binding never changes once
// made: the first order to claim a key keeps it, and a later claim is recorded as a conflict for ops
// (CorrelationDO.bind). So a remembered binding is never stale, and a carrier scan for a known parcel can go
// straight to its OrderDO instead of through the key's CorrelationDO: one Durable Object hop (and, when that
// object was evicted, one start) less per scan. A miss only costs the hop it would have cost anyway.

/** Enough for the parcels an isolate sees in its lifetime; the least recently used go first. */
export const BOUND_KEYS_MAX = 10_000;

const bound = new Map<string, string>();
let capacity = BOUND_KEYS_MAX;

/** Changes how many bindings are held; 0 turns the memory off (the benchmark's what-if, tests). */
export function setBoundKeyCapacity(n: number): void {
  capacity = n;
  while (bound.size > capacity) bound.delete(bound.keys().next().value as string);
}

export function boundOrder(key: string): string | undefined {
  const orderId = bound.get(key);
  if (orderId !== undefined) {
    // Map keeps insertion order: re-inserting makes this key the most recently used.
    bound.delete(key);
    bound.set(key, orderId);
  }
  return orderId;
}

export function rememberBinding(key: string, orderId: string): void {
  if (capacity <= 0) return;
  bound.delete(key);
  bound.set(key, orderId);
  if (bound.size > capacity) bound.delete(bound.keys().next().value as string);
}

/** For tests: how many bindings are held. */
export function boundKeyCount(): number {
  return bound.size;
}
