// The `aftership` adapter: AfterShip Tracking webhooks, signed with `aftership-hmac-sha256` (base64 HMAC of
// the raw body). A tracking_update carries the whole Tracking with all its checkpoints; each checkpoint
// becomes one canonical event with a content-derived id, so re-sent checkpoints deduplicate themselves.
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber, present } from "../normalize";
import { parseJson, readVendor } from "../parse";
import { collectScans, placeKey, type ScanLocation, scanEvent, scanLocation, withLatestEta } from "../scan";
import { signHmacBase64, verifyHmacBase64 } from "../schemes/hmac-base64";
import { type InboundWebhook, type MapResult, type MappedEvent, type PartnerModule, Unmappable } from "../types";
import { AfterShipWebhook, type Checkpoint, Tracking } from "./payload";
import { mapAfterShipTag } from "./tags";
import { aftershipInstant } from "./time";

export const AFTERSHIP_SIGNATURE_HEADER = "aftership-hmac-sha256";
// AfterShip events that are authentic but carry no checkpoint: a revised delivery estimate, a tracking that
// has been pending for a while. Any other event is quarantined, so ops notice what AfterShip adds.
const IRRELEVANT_EVENTS = new Set(["edd_revise", "tracking_pending_time"]);

function location(c: Checkpoint): ScanLocation | undefined {
  // AfterShip's free-text `location` ("DONGGUAN CN") is not split into fields: guessing would be wrong as often as right.
  return scanLocation(c.city, c.state, c.zip, present(c.country_iso3) ?? present(c.country_region));
}

function readTracking(msg: unknown): Tracking {
  return readVendor(Tracking, msg, "AfterShip tracking_update without a readable Tracking", (path) => `msg.${path}`);
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
  return scanEvent({
    partnerId: ctx.partnerId,
    trackingNumber: ctx.trackingNumber,
    code: mapped.code,
    occurredAt,
    // The subtag and the carrier's raw status tell apart two checkpoints of one milestone at the same time
    // (an arrival and an export release); the message text is left out because carriers reword it.
    distinguishedBy: [present(c.subtag) ?? c.tag, present(c.raw_tag), placeKey(loc)],
    carrier: ctx.carrier ?? present(c.slug),
    reason: mapped.reason,
    location: loc,
    description: present(c.message),
  });
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
  const checkpoints = tracking.checkpoints ?? [];
  const scans: (MappedEvent | undefined)[] = [];
  for (const c of checkpoints) scans.push(await checkpointEvent(ctx, c));
  if (tracking.tag === "Expired" && !checkpoints.some((c) => c.tag === "Expired")) scans.push(await expiredEvent(ctx, webhookAt));
  // Checkpoints come oldest first in AfterShip's samples, but nothing promises it; instants with different
  // offsets only compare once converted (they are, to UTC). Ties are broken by id.
  const events = collectScans(scans);
  if (events.length === 0) return { events, ignored: `AfterShip tracking ${trackingNumber} (${tracking.tag ?? "no tag"}) has no checkpoint to report yet` };
  return { events: withLatestEta(events, eta(tracking)) };
}

export const aftership: PartnerModule<"aftership"> = {
  name: "aftership",
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyHmacBase64(secrets, req.headers, AFTERSHIP_SIGNATURE_HEADER, req.raw);
  },

  async sign(secret, raw) {
    return { "Content-Type": "application/json", [AFTERSHIP_SIGNATURE_HEADER]: await signHmacBase64(secret, raw) };
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const { event, msg, ts } = readVendor(AfterShipWebhook, parseJson(req.raw), "not an AfterShip webhook");
    if (event === "tracking_update") {
      // `ts` is AfterShip's "UTC unix timestamp that the event occurred"; our receipt time stands in without it.
      const webhookAt = typeof ts === "number" && ts > 0 && ts < 1e11 ? new Date(ts * 1000).toISOString() : req.receivedAt;
      return mapTracking(req.partnerId, readTracking(msg), webhookAt);
    }
    if (IRRELEVANT_EVENTS.has(event)) return { events: [], ignored: `AfterShip ${event} events carry no checkpoint` };
    throw new Unmappable(`unknown AfterShip event "${event}"`);
  },
};
