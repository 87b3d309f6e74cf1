// PagerDuty Events API v2 as events.pagerduty.com/v2/enqueue answers it (pure): the checks of an alert event,
// worded as PagerDuty words them, and what an accepted event does to the incident its dedup_key names.
import { parseJson } from "../../sim-kit/json";

export const ACTIONS = ["trigger", "acknowledge", "resolve"] as const;
export type Action = (typeof ACTIONS)[number];
export const SEVERITIES = ["critical", "error", "warning", "info"] as const;

const ROUTING_KEY_LENGTH = 32;
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;

/** An accepted event, as the incident state needs it. */
export interface IncidentEvent {
  action: Action;
  dedupKey: string;
}

export type EventCheck = { ok: true; event: IncidentEvent } | { ok: false; errors: string[] };

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === "object" && v !== null && !Array.isArray(v);
const blank = (v: unknown) => typeof v !== "string" || v.trim() === "";
const oneOf = (values: readonly string[]) =>
  values
    .map((v) => `'${v}'`)
    .join(", ")
    .replace(/, ([^,]*)$/, " or $1");

/**
 * Every error of the event at once, as PagerDuty lists them. A trigger without dedup_key gets `newKey()`
 * (PagerDuty makes one up and returns it); acknowledge and resolve must name theirs.
 */
export function checkEvent(body: string, newKey: () => string): EventCheck {
  const parsed = parseJson(body);
  if (!parsed.ok || !isFields(parsed.value)) return { ok: false, errors: ["Event object is not a JSON object"] };
  const event = parsed.value;
  const errors: string[] = [];

  const { routing_key: routingKey, event_action: action, dedup_key: dedupKey } = event;
  if (blank(routingKey)) errors.push("'routing_key' is missing or blank");
  else if (typeof routingKey === "string") {
    if (routingKey.length !== ROUTING_KEY_LENGTH) errors.push(`Length of 'routing_key' is incorrect (should be ${ROUTING_KEY_LENGTH} characters)`);
    if (!/^[A-Za-z0-9]*$/.test(routingKey)) errors.push("'routing_key' cannot contain non-alphanumeric characters.");
  }
  if (blank(action)) errors.push("'event_action' is missing or blank");
  else if (!(ACTIONS as readonly unknown[]).includes(action)) errors.push(`'event_action' is invalid (must be one of the following: ${oneOf(ACTIONS)})`);

  if (dedupKey !== undefined && typeof dedupKey !== "string") errors.push("'dedup_key' must be a string");
  else if (typeof dedupKey === "string" && dedupKey.length > MAX_DEDUP_KEY) errors.push(`Length of 'dedup_key' is too long (max ${MAX_DEDUP_KEY} characters)`);
  else if ((action === "acknowledge" || action === "resolve") && blank(dedupKey)) errors.push("'dedup_key' is missing or blank");

  if (action === "trigger") errors.push(...payloadErrors(event.payload));
  errors.push(...contextErrors(event));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, event: { action: action as Action, dedupKey: blank(dedupKey) ? newKey() : (dedupKey as string) } };
}

/** A trigger's payload: what the incident will say (summary, source, severity), and its optional details. */
function payloadErrors(payload: unknown): string[] {
  if (!isFields(payload)) return ["'payload' is missing or blank"];
  const errors: string[] = [];
  const { summary, source, severity, timestamp } = payload;
  if (blank(summary)) errors.push("'payload.summary' is missing or blank");
  else if (typeof summary === "string" && summary.length > MAX_SUMMARY) errors.push(`Length of 'payload.summary' is too long (max ${MAX_SUMMARY} characters)`);
  if (blank(source)) errors.push("'payload.source' is missing or blank");
  if (blank(severity)) errors.push("'payload.severity' is missing or blank");
  else if (!(SEVERITIES as readonly unknown[]).includes(severity)) {
    errors.push(`'payload.severity' is invalid (must be one of the following: ${oneOf(SEVERITIES)})`);
  }
  if (timestamp !== undefined && (typeof timestamp !== "string" || Number.isNaN(Date.parse(timestamp)))) {
    errors.push("'payload.timestamp' is invalid (must be an ISO 8601 timestamp)");
  }
  for (const name of ["component", "group", "class"]) {
    if (payload[name] !== undefined && typeof payload[name] !== "string") errors.push(`'payload.${name}' must be a string`);
  }
  if (payload.custom_details !== undefined && !isFields(payload.custom_details)) errors.push("'payload.custom_details' must be an object");
  return errors;
}

/** The optional fields every event may carry: where the sender can be found, and links for the responder. */
function contextErrors(event: Fields): string[] {
  const errors: string[] = [];
  for (const name of ["client", "client_url"]) {
    if (event[name] !== undefined && typeof event[name] !== "string") errors.push(`'${name}' must be a string`);
  }
  const { links } = event;
  if (links !== undefined && !(Array.isArray(links) && links.every((l) => isFields(l) && typeof l.href === "string"))) {
    errors.push("'links' must be a list of objects with an 'href'");
  }
  return errors;
}

export type IncidentStatus = "triggered" | "acknowledged" | "resolved";

/** One incident of an inbox, named as PagerDuty names its key; the counts are the events that reached it. */
export type Incident = {
  dedup_key: string;
  status: IncidentStatus;
  triggers: number;
  acknowledges: number;
  resolves: number;
};

/**
 * What an accepted event does to its incident. undefined: nothing, as PagerDuty drops an acknowledge or a
 * resolve for a key with no incident. A trigger for an open incident is folded into it (that is what
 * dedup_key is for); one for a resolved incident opens it again. A resolved incident stays resolved when
 * acknowledged.
 */
export function evolveIncident(incident: Incident | undefined, event: IncidentEvent): Incident | undefined {
  if (incident === undefined) {
    if (event.action !== "trigger") return undefined;
    return { dedup_key: event.dedupKey, status: "triggered", triggers: 1, acknowledges: 0, resolves: 0 };
  }
  switch (event.action) {
    case "trigger":
      return { ...incident, status: incident.status === "resolved" ? "triggered" : incident.status, triggers: incident.triggers + 1 };
    case "acknowledge":
      return { ...incident, status: incident.status === "resolved" ? "resolved" : "acknowledged", acknowledges: incident.acknowledges + 1 };
    case "resolve":
      return { ...incident, status: "resolved", resolves: incident.resolves + 1 };
  }
}
