// The three subscribers an inbox can play, each answering a request as the real one would (before any fault):
// a Standard Webhooks receiver, a Slack incoming webhook, PagerDuty's Events API v2.
import { verify } from "./hooks";
import type { Kind } from "./ledger";
import { checkEvent, type IncidentEvent } from "./pagerduty";
import { problem } from "./problem";
import { checkSlack } from "./slack";

/** The answer a receiver gives, and what is recorded with it. */
export interface Verdict {
  answer: Response;
  verified: boolean | null;
  event: IncidentEvent | null;
}

/** A request as received: the raw bytes (what a signature covers) and the same bytes as text. */
export interface Incoming {
  raw: Uint8Array;
  text: string;
  headers: Headers;
}

export type Receiver = (request: Incoming, secrets: readonly string[]) => Verdict;

export const RECEIVERS: Record<Kind, Receiver> = {
  // A repeated webhook-id is answered like the first: the receiver already has that message, so the sender is done.
  hooks: ({ raw, headers }, secrets) => {
    const check = verify(secrets, raw, headers);
    if (check.verified === false) return { answer: problem(401, "unauthorized", "Unauthorized", check.detail), verified: false, event: null };
    return { answer: Response.json({ ok: true }), verified: check.verified, event: null };
  },
  slack: (request) => {
    const { status, text } = checkSlack(request.text);
    return { answer: new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } }), verified: null, event: null };
  },
  // PagerDuty generates a missing trigger dedup_key as 32 hex digits.
  pagerduty: (request) => {
    const check = checkEvent(request.text, () => crypto.randomUUID().replaceAll("-", ""));
    if (!check.ok) {
      return {
        answer: Response.json({ status: "invalid event", message: "Event object is invalid", errors: check.errors }, { status: 400 }),
        verified: null,
        event: null,
      };
    }
    const answer = Response.json({ status: "success", message: "Event processed", dedup_key: check.event.dedupKey }, { status: 202 });
    return { answer, verified: null, event: check.event };
  },
};
