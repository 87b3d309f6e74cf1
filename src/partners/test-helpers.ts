// Helpers for the adapter and scheme tests (imported by tests only): requests built as the ingress route hands
// them to an adapter, and the errors a call throws caught as values, so a test asserts on the error itself.
import { expect } from "vitest";
import { CanonicalEvent } from "../domain/event";
import { HttpProblem } from "../platform/problem";
import { SignatureError } from "./schemes/signature-error";
import type { InboundWebhook, MapResult, MappedEvent } from "./types";

export const bytes = (s: string) => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;

/**
 * An inbound request carrying `raw` exactly, as JSON unless `headers` names another content type. Tests pin
 * `receivedAt` where a mapping may fall back on it, so the event (and its id) does not depend on the clock.
 */
export function inbound(partnerId: string, raw: string, headers: Record<string, string> = {}, receivedAt = new Date().toISOString()): InboundWebhook {
  return { partnerId, headers: new Headers({ "content-type": "application/json", ...headers }), raw: bytes(raw), receivedAt };
}

/** What `p` throws (or rejects with); fails the test when it settles without an error. */
export async function thrown(p: unknown): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

/** The reason of the SignatureError `p` rejects with; any other error fails the test as it is. */
export async function failure(p: Promise<unknown>): Promise<string> {
  const err = await thrown(p);
  if (err instanceof SignatureError) return err.reason;
  throw err;
}

/** The HttpProblem `p` rejects with; any other error fails the test as it is. */
export async function problem(p: Promise<unknown>): Promise<HttpProblem> {
  const err = await thrown(p);
  if (err instanceof HttpProblem) return err;
  throw err;
}

/** The one event of a mapping that must yield exactly one and ignore nothing. */
export function only({ events, ignored }: MapResult): MappedEvent {
  expect(ignored).toBeUndefined();
  expect(events).toHaveLength(1);
  return events[0] as MappedEvent;
}

/** Whether a mapped event is a valid canonical event once correlation has resolved its order. */
export function canonicalOnceResolved(e: MappedEvent, orderId = "SO-1001"): boolean {
  return CanonicalEvent.safeParse({ ...e, orderId }).success;
}

/** `raw` with `from` replaced by `to` in the text, so a variant keeps the published bytes around the change. */
export function withField(raw: string, from: string, to: string): string {
  if (!raw.includes(from)) throw new Error(`fixture has no ${from}`);
  return raw.replace(from, to);
}

/** A JSON fixture with some top-level fields replaced, for cases the vendor publishes no sample of. */
export function patched(raw: string, patch: Record<string, unknown>): string {
  return JSON.stringify({ ...(JSON.parse(raw) as Record<string, unknown>), ...patch });
}
