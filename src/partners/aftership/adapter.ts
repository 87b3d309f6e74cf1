// The `aftership` adapter: AfterShip Tracking webhooks, signed with `aftership-hmac-sha256` (base64 HMAC of
// the raw body). A tracking_update carries the whole Tracking with all its checkpoints; each checkpoint
// becomes one canonical event with a content-derived id, so re-sent checkpoints deduplicate themselves.
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber, present } from "../normalize";
import { parseJson } from "../parse";
import { verifyHmacBase64 } from "../schemes/hmac-base64";
import { type Adapter, type InboundWebhook, type MapResult, type MappedEvent, Unmappable } from "../types";
import { AfterShipWebhook, type Checkpoint, Tracking } from "./payload";
import { mapAfterShipTag } from "./tags";
import { aftershipInstant } from "./time";

export const AFTERSHIP_SIGNATURE_HEADER = "aftership-hmac-sha256";
// AfterShip events that are authentic but carry no checkpoint: a revised delivery estimate, a tracking that
// has been pending for a while. Any other event is quarantined, so ops notice what AfterShip adds.
const IRRELEVANT_EVENTS = new Set(["edd_revise", "tracking_pending_time"]);
const DESCRIPTION_MAX = 500;
type Location = NonNullable<MappedEvent["location"]>;

function location(c: Checkpoint): Location | undefined {
  // AfterShip's free-text `location` ("DONGGUAN CN") is not split into fields: guessing would be wrong as often as right.
  const loc = { city: present(c.city), region: present(c.state), postalCode: present(c.zip), country: present(c.country_iso3) ?? present(c.country_region) };
  const entries = Object.entries(loc).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as Location) : undefined;
}

function readTracking(msg: unknown): Tracking {
  const parsed = Tracking.safeParse(msg);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Unmappable(`AfterShip tracking_update without a readable Tracking: msg.${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
  }
  return parsed.data;
}

interface Context {
  partnerId: string;
  trackingNumber: string;
  carrier: string | undefined;
}

async function checkpointEvent(ctx: Context, c: Checkpoint): Promise<MappedEvent | undefined> {
  const mapped = mapAfterShipTag(c.tag, c.subtag);
  if ("unknown" in mapped) throw new Unmappable(mapped.unknown);
  if ("ignored" in mapped) return undefined;
  const occurredAt = aftershipInstant(c.checkpoint_time);
  if (occurredAt === null) throw new Unmappable(`AfterShip checkpoint has an unreadable checkpoint_time "${c.checkpoint_time}"`);
  // An empty checkpoint_time is documented: such a checkpoint cannot be placed in the timeline, so it is left out.
  if (occurredAt === undefined) return undefined;
  const loc = location(c);
  // The subtag and the carrier's raw status tell apart two checkpoints of one milestone at the same time
  // (an arrival and an export release); the message text is left out because carriers reword it.
  const eventId = await contentEventId(ctx.partnerId, [
    ctx.trackingNumber,
    mapped.code,
    occurredAt,
    present(c.subtag) ?? c.tag,
    present(c.raw_tag),
    loc ? [loc.city, loc.region, loc.postalCode, loc.country].join("|") : undefined,
  ]);
  const message = present(c.message);
  const carrier = ctx.carrier ?? present(c.slug);
  return {
    eventId,
    code: mapped.code,
    occurredAt,
    source: ctx.partnerId,
    trackingNumber: ctx.trackingNumber,
    ...(carrier ? { carrier } : {}),
    ...(mapped.reason ? { reason: mapped.reason } : {}),
    ...(loc ? { location: loc } : {}),
    ...(message ? { description: message.slice(0, DESCRIPTION_MAX) } : {}),
  };
}

// AfterShip tags a tracking Expired when the carrier has been silent for long; there is usually no checkpoint
// saying so. That verdict becomes one event, dated by the webhook's `ts` (when AfterShip says it happened),
// and identified by the tracking number alone so a re-sent verdict is a duplicate.
async function expiredEvent(ctx: Context, at: string): Promise<MappedEvent> {
  return {
    eventId: await contentEventId(ctx.partnerId, [ctx.trackingNumber, "shipment.exception", "Expired"]),
    code: "shipment.exception",
    reason: "other",
    occurredAt: at,
    source: ctx.partnerId,
    trackingNumber: ctx.trackingNumber,
    ...(ctx.carrier ? { carrier: ctx.carrier } : {}),
    description: "AfterShip: no tracking information from the carrier for a long time (Expired)",
  };
}

function eta(t: Tracking): string | undefined {
  for (const raw of [
    t.expected_delivery,
    t.courier_estimated_delivery_date?.estimated_delivery_date,
    t.aftership_estimated_delivery_date?.estimated_delivery_date,
  ]) {
    const at = aftershipInstant(raw);
    if (at) return at;
  }
  return undefined;
}

async function mapTracking(partnerId: string, tracking: Tracking, webhookAt: string): Promise<MapResult> {
  // Correlation: by the normalised tracking number only. AfterShip's order_id / order_number are whatever
  // the merchant typed when creating the tracking, not a reference we issued, so they are not trusted as orderId.
  const trackingNumber = normalizeTrackingNumber(tracking.tracking_number);
  if (!trackingNumber) throw new Unmappable("AfterShip Tracking has an empty tracking_number");
  const ctx: Context = { partnerId, trackingNumber, carrier: present(tracking.slug) };
  const byId = new Map<string, MappedEvent>();
  const checkpoints = tracking.checkpoints ?? [];
  for (const c of checkpoints) {
    const event = await checkpointEvent(ctx, c);
    if (event) byId.set(event.eventId, event);
  }
  if (tracking.tag === "Expired" && !checkpoints.some((c) => c.tag === "Expired")) {
    const event = await expiredEvent(ctx, webhookAt);
    byId.set(event.eventId, event);
  }
  // Checkpoints come oldest first in AfterShip's samples, but nothing promises it; instants with different
  // offsets only compare once converted. Ties are broken by id so the order is the same every time.
  const events = [...byId.values()].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId));
  if (events.length === 0) return { events, ignored: `AfterShip tracking ${trackingNumber} (${tracking.tag ?? "no tag"}) has no checkpoint to report yet` };
  const estimate = eta(tracking);
  const last = events[events.length - 1];
  if (estimate && last) events[events.length - 1] = { ...last, eta: estimate };
  return { events };
}

export const aftership: Adapter = {
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyHmacBase64(secrets, req.headers, AFTERSHIP_SIGNATURE_HEADER, req.raw);
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const parsed = AfterShipWebhook.safeParse(parseJson(req.raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Unmappable(`not an AfterShip webhook: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim());
    }
    const { event, msg, ts } = parsed.data;
    if (event === "tracking_update") {
      // `ts` is AfterShip's "UTC unix timestamp that the event occurred"; our receipt time stands in without it.
      const webhookAt = typeof ts === "number" && ts > 0 && ts < 1e11 ? new Date(ts * 1000).toISOString() : req.receivedAt;
      return mapTracking(req.partnerId, readTracking(msg), webhookAt);
    }
    if (IRRELEVANT_EVENTS.has(event)) return { events: [], ignored: `AfterShip ${event} events carry no checkpoint` };
    throw new Unmappable(`unknown AfterShip event "${event}"`);
  },
};
