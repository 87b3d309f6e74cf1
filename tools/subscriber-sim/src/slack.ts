// Slack incoming webhooks as Slack answers them (pure): a JSON object with a non-empty `text` or a non-empty
// `blocks` array is posted and answered 200 `ok`; anything else 400 with Slack's error code, as plain text.
import { parseJson } from "../../sim-kit/json";

export type SlackAnswer = { status: 200; text: "ok" } | { status: 400; text: "invalid_payload" | "no_text" };

const INVALID: SlackAnswer = { status: 400, text: "invalid_payload" };

export function checkSlack(body: string): SlackAnswer {
  const parsed = parseJson(body);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) return INVALID;
  const { text, blocks } = parsed.value as { text?: unknown; blocks?: unknown };
  // A field of the wrong type makes the payload unreadable; a missing or empty one only leaves nothing to post.
  if ((text !== undefined && typeof text !== "string") || (blocks !== undefined && !Array.isArray(blocks))) return INVALID;
  const hasText = typeof text === "string" && text.length > 0;
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  return hasText || hasBlocks ? { status: 200, text: "ok" } : { status: 400, text: "no_text" };
}
