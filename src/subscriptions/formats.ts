// What one event looks like on the wire for each subscription format: the Standard Webhooks body, a Slack
// incoming-webhook message, or a PagerDuty Events API v2 event. Pure apart from WebCrypto (signing).
//
// Every format is signed the Standard Webhooks way, Slack and PagerDuty included: they ignore the headers,
// and a relay or proxy in front of them can still check that a message came from dockline.
//
// The event data each type carries (what `summarize` and the PagerDuty keys rely on):
// - order.status_changed, order.updated: the portal's order view { orderId, customerId, status, statusAt,
//   shipments[], openExceptions[], version, updatedAt, timeline[] } (status_changed adds previousStatus);
// - order.exception_opened / order.exception_resolved: the same view plus
//   exception: { id, kind, reason, shipmentId, occurredAt, description };
// - ops.sla_breached / ops.sla_resolved: { breachId, orderId, customerId, check, subject, dueAt, breachedAt,
//   resolvedAt, description, status, serviceLevel };
// - ops.dead_letter: { deadLetterId, customerId, orderId, destination, seq, commandKey, type, reason, status, deadAt };
// - ops.quarantined: { quarantineId, partner, reason, orderId, receivedAt, alsoQuarantinedSinceLastAlert };
// - ops.subscription_disabled: { subscriptionId, customerId, url (its origin), reason, failingSince, disabledAt };
// - webhook.test: { subscriptionId, message }.
import { toBase64, utf8 } from "../platform/crypto";
import { signStandardWebhook } from "../partners/schemes/standard-webhooks";

export const SUBSCRIPTION_FORMATS = ["standard", "slack", "pagerduty"] as const;
export type SubscriptionFormat = (typeof SUBSCRIPTION_FORMATS)[number];

export interface OutboundEvent {
  /** The webhook-id: the same for every retry of one event, so a subscriber can drop duplicates. */
  id: string;
  type: string;
  /** ISO time the event happened. */
  timestamp: string;
  data: Record<string, unknown>;
}

export interface FormatOptions {
  /** Signing secrets, `whsec_…`: the current one first, then the previous one while a rotation's grace lasts. */
  secrets: readonly string[];
  now: Date;
  /** PagerDuty's integration key (required for that format). */
  routingKey?: string;
  /** The ops console's base URL, without a trailing slash: links to `${consoleUrl}/orders?orderId=<orderId>`, the console's order view. */
  consoleUrl?: string;
}

export interface FormattedDelivery {
  headers: Record<string, string>;
  body: string;
}

/** The request for one delivery, or null when this format has nothing to say about the event (PagerDuty: no incident). */
export async function formatDelivery(format: SubscriptionFormat, event: OutboundEvent, options: FormatOptions): Promise<FormattedDelivery | null> {
  const body = render(format, event, options);
  if (body === null) return null;
  if (options.secrets.length === 0) throw new Error("formatDelivery needs at least one signing secret: an unsigned delivery cannot be verified");
  const timestamp = Math.floor(options.now.getTime() / 1000);
  const bytes = utf8(body);
  const signatures = await Promise.all(options.secrets.map((secret) => signStandardWebhook(secret, event.id, timestamp, bytes)));
  return {
    headers: {
      "content-type": "application/json",
      "user-agent": "dockline-webhooks/1",
      "webhook-id": event.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatures.join(" "),
    },
    body,
  };
}

/** A new subscription secret: 32 random bytes, in the Standard Webhooks `whsec_<base64>` form. */
export function newSubscriptionSecret(): string {
  return `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`;
}

function render(format: SubscriptionFormat, event: OutboundEvent, options: FormatOptions): string | null {
  switch (format) {
    case "standard":
      // Exactly these keys in this order: the body is what is signed, and documented as such.
      return JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
    case "slack":
      return JSON.stringify(slackMessage(event, options.consoleUrl));
    case "pagerduty":
      return pagerDutyEvent(event, options);
  }
}

// ---- summary --------------------------------------------------------------------------------------------

/** PagerDuty's limit on payload.summary; Slack's message uses the same line. */
export const MAX_SUMMARY_LENGTH = 1024;

/** One plain-English line saying what happened (never the subscriber's URL: a Slack webhook URL is a secret). */
export function summarize(event: OutboundEvent): string {
  const d = event.data;
  const order = text(d.orderId);
  const exception = record(d.exception);
  let line: string;
  switch (event.type) {
    case "order.status_changed":
      line = `Order ${order} is now ${words(d.status)}`;
      break;
    case "order.updated":
      line = `Order ${order} updated (${words(d.status)}${d.version === undefined ? "" : `, version ${text(d.version)}`})`;
      break;
    case "order.exception_opened":
      line = `Exception on order ${order}: ${text(exception.description) || words(exception.kind)}`;
      break;
    case "order.exception_resolved":
      line = `Exception resolved on order ${order}: ${text(exception.description) || words(exception.kind)}`;
      break;
    case "ops.sla_breached":
      line = prefixed("SLA breached", text(d.description) || `order ${order} missed its ${words(d.check)} deadline (due ${utcTime(d.dueAt)})`);
      break;
    case "ops.sla_resolved":
      line = prefixed("SLA breach resolved", text(d.description) || `order ${order}, ${words(d.check)} (was due ${utcTime(d.dueAt)})`);
      break;
    case "ops.dead_letter":
      line = `Dead letter: ${text(d.type) || "command"} #${text(d.seq)} for order ${order} to ${text(d.destination)} gave up: ${text(d.reason)}`;
      break;
    case "ops.quarantined":
      line = `Quarantined: a webhook from ${text(d.partner)}${d.orderId ? ` about order ${order}` : ""}: ${text(d.reason)}`;
      break;
    case "ops.subscription_disabled":
      line = `Subscription ${text(d.subscriptionId)}${d.customerId ? ` (customer ${text(d.customerId)})` : ""} disabled: ${text(d.reason)}`;
      break;
    case "webhook.test":
      line = text(d.message) || `Test event for subscription ${text(d.subscriptionId)}`;
      break;
    default:
      line = text(d.description) || `${event.type}${d.orderId ? ` on order ${order}` : ""}`;
  }
  return clip(line.replace(/\s+/g, " ").trim(), MAX_SUMMARY_LENGTH);
}

/** An SLA description says what was missed; the prefix says which way it went (replacing one it already has). */
const prefixed = (prefix: string, line: string): string => `${prefix}: ${line.replace(/^SLA (breached|breach resolved|resolved):\s*/i, "")}`;

const text = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "");
const words = (v: unknown): string => text(v).replaceAll("_", " ") || "unknown";
const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** "2026-11-03 14:00 UTC", or the value as given when it is not a time. */
function utcTime(v: unknown): string {
  const s = text(v);
  const t = Date.parse(s);
  return Number.isNaN(t) ? s || "unknown" : `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

// ---- Slack ----------------------------------------------------------------------------------------------

/** Slack's limit on a section's text. */
const MAX_SECTION_TEXT = 3000;

/**
 * Slack reads `&`, `<` and `>` as control characters (`<!channel>`, `<url|label>`): in text that came from a
 * customer or a partner they must be entities, or an order note could ping a channel or forge a link.
 */
function slackEscape(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

interface SlackMessage {
  text: string;
  blocks: ({ type: "section"; text: { type: "mrkdwn"; text: string } } | { type: "context"; elements: { type: "mrkdwn"; text: string }[] })[];
}

function slackMessage(event: OutboundEvent, consoleUrl: string | undefined): SlackMessage {
  const summary = slackEscape(summarize(event));
  const d = event.data;
  const concerns: [string, unknown][] = [
    ["Order", d.orderId],
    ["Customer", d.customerId],
    ["Partner", d.partner],
    ["Destination", d.destination],
    ["Subscription", d.subscriptionId],
  ];
  const lines = [`*${summary}*`];
  const about = concerns.filter(([, v]) => text(v) !== "").map(([label, v]) => `*${label}:* ${slackEscape(text(v))}`);
  if (about.length > 0) lines.push(about.join("   "));
  lines.push(`*When:* ${slackEscape(utcTime(event.timestamp))}`);
  const orderId = text(d.orderId);
  // Whatever concerns one order links to it. A link, not a button: a button also posts an interaction to the Slack app behind the webhook, which no
  // one here answers. Opening the link needs nothing from that app.
  if (consoleUrl && orderId) {
    lines.push(`<${slackEscape(`${consoleUrl}/orders?orderId=${encodeURIComponent(orderId)}`)}|Open order ${slackEscape(orderId)} in the dockline console>`);
  }
  return {
    text: summary,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: clipEscaped(lines.join("\n"), MAX_SECTION_TEXT) } },
      { type: "context", elements: [{ type: "mrkdwn", text: slackEscape(`dockline · ${event.type} · ${event.id}`) }] },
    ],
  };
}

/** Cuts escaped text without leaving half an entity. */
function clipEscaped(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1).replace(/&[a-z]*$/, "")}…`;
}

// ---- PagerDuty ------------------------------------------------------------------------------------------

type Severity = "critical" | "error" | "warning" | "info";

interface Incident {
  action: "trigger" | "resolve";
  severity: Severity;
  /** Opens and closes one incident: the resolve of a trigger carries the same key. */
  dedupKey: string;
  component: string;
  group: string;
  class: string;
}

/** The events that open or close a PagerDuty incident; anything else is not an incident and sends nothing. */
const INCIDENTS: Readonly<Record<string, (d: Record<string, unknown>, type: string) => Incident>> = {
  "ops.sla_breached": (d, type) => ({ action: "trigger", severity: "error", ...sla(d, type) }),
  "ops.sla_resolved": (d, type) => ({ action: "resolve", severity: "info", ...sla(d, type) }),
  "ops.dead_letter": (d, type) => ({
    action: "trigger",
    severity: "error",
    dedupKey: `dead-letter:${need(d, "destination", type)}:${need(d, "orderId", type)}:${need(d, "seq", type)}`,
    component: text(d.destination),
    group: "deliveries",
    class: "dead_letter",
  }),
  "ops.quarantined": (d, type) => ({
    action: "trigger",
    severity: "warning",
    dedupKey: `quarantine:${need(d, "quarantineId", type)}`,
    component: text(d.partner) || "ingest",
    group: "ingest",
    class: "quarantine",
  }),
  "ops.subscription_disabled": (d, type) => ({
    action: "trigger",
    severity: "warning",
    dedupKey: `subscription-disabled:${need(d, "subscriptionId", type)}`,
    component: "subscriptions",
    group: d.customerId ? `customer:${text(d.customerId)}` : "ops",
    class: "subscription_disabled",
  }),
  "order.exception_opened": (d, type) => ({ action: "trigger", severity: "warning", ...orderException(d, type) }),
  "order.exception_resolved": (d, type) => ({ action: "resolve", severity: "info", ...orderException(d, type) }),
};

function sla(d: Record<string, unknown>, type: string): Omit<Incident, "action" | "severity"> {
  return { dedupKey: `sla:${need(d, "breachId", type)}`, component: "orders", group: `customer:${text(d.customerId)}`, class: `sla:${text(d.check)}` };
}

function orderException(d: Record<string, unknown>, type: string): Omit<Incident, "action" | "severity"> {
  const x = record(d.exception);
  return {
    dedupKey: `exception:${need(d, "orderId", type)}:${need(x, "id", `${type} exception`)}`,
    component: "orders",
    group: `customer:${text(d.customerId)}`,
    class: text(x.kind) || "exception",
  };
}

/**
 * A field the incident key is made of. Missing, the key would merge unrelated incidents (or never resolve
 * one), so it is a producer's bug to be loud about, not a delivery to send.
 */
function need(d: Record<string, unknown>, key: string, what: string): string {
  const v = text(d[key]);
  if (v === "") throw new Error(`${what} event has no data.${key}: cannot key its PagerDuty incident`);
  return v;
}

function pagerDutyEvent(event: OutboundEvent, options: FormatOptions): string | null {
  const incident = INCIDENTS[event.type]?.(event.data, event.type);
  if (!incident) return null;
  if (!options.routingKey) throw new Error("a pagerduty subscription needs a routing key (its Events API v2 integration key)");
  const orderId = text(event.data.orderId);
  const links =
    options.consoleUrl && orderId
      ? [{ href: `${options.consoleUrl}/orders?orderId=${encodeURIComponent(orderId)}`, text: `Order ${orderId} in the dockline console` }]
      : undefined;
  return JSON.stringify({
    routing_key: options.routingKey,
    event_action: incident.action,
    dedup_key: incident.dedupKey,
    // PagerDuty reads the payload of a trigger only; a resolve carries it too, so every event has one shape.
    payload: {
      summary: summarize(event),
      source: "dockline",
      severity: incident.severity,
      timestamp: event.timestamp,
      component: incident.component,
      group: incident.group,
      class: incident.class,
      custom_details: event.data,
    },
    ...(links ? { links } : {}),
  });
}
