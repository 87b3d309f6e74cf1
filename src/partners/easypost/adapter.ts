// The `easypost` adapter: EasyPost webhook Events, signed with X-Hmac-Signature (hex HMAC, NFKD secret).
// A tracker event carries the parcel's whole history (`tracking_details`): each scan becomes one canonical
// event with a content-derived id, so the history EasyPost re-sends on every update deduplicates itself.
import { contentEventId } from "../event-id";
import { normalizeTrackingNumber, present } from "../normalize";
import { parseJson } from "../parse";
import { verifyHmacHexNfkd } from "../schemes/hmac-hex-nfkd";
import { type Adapter, type InboundWebhook, type MapResult, type MappedEvent, Unmappable } from "../types";
import { EasyPostEvent, Tracker, type TrackingDetail } from "./payload";
import { mapEasyPostStatus } from "./status";
import { easypostInstant } from "./time";

const TRACKER_EVENTS = new Set(["tracker.created", "tracker.updated"]);
// EasyPost resources whose events are authentic but carry no parcel milestone. An event type outside this
// list (and not a tracker event) is quarantined, so ops notice when EasyPost starts sending something new.
const IRRELEVANT_RESOURCES = ["batch.", "insurance.", "payment.", "refund.", "report.", "scan_form.", "shipment.", "claim.", "pickup."];
const DESCRIPTION_MAX = 500;
type Location = NonNullable<MappedEvent["location"]>;

function location(detail: TrackingDetail): Location | undefined {
  const l = detail.tracking_location;
  const loc = { city: present(l?.city), region: present(l?.state), postalCode: present(l?.zip), country: present(l?.country) };
  const entries = Object.entries(loc).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as Location) : undefined;
}

function readTracker(result: unknown, description: string): Tracker {
  const parsed = Tracker.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Unmappable(`EasyPost ${description} without a readable Tracker: ${issue?.path.join(".") || "result"} ${issue?.message ?? ""}`.trim());
  }
  return parsed.data;
}

async function scanEvent(partnerId: string, tracker: Tracker, trackingNumber: string, detail: TrackingDetail): Promise<MappedEvent | undefined> {
  const mapped = mapEasyPostStatus(detail.status, detail.status_detail);
  if ("unknown" in mapped) throw new Unmappable(mapped.unknown);
  if ("ignored" in mapped) return undefined;
  const occurredAt = easypostInstant(detail.datetime);
  if (!occurredAt) throw new Unmappable(`EasyPost tracking detail has an unreadable datetime "${detail.datetime}"`);
  const loc = location(detail);
  // What tells two scans of one milestone apart: EasyPost's status_detail, the carrier's own event code
  // ("AR" arrival, "DP" departure) and the place. Never the message text, which carriers reword.
  const eventId = await contentEventId(partnerId, [
    trackingNumber,
    mapped.code,
    occurredAt,
    detail.status,
    present(detail.status_detail),
    present(detail.carrier_code),
    loc ? [loc.city, loc.region, loc.postalCode, loc.country].join("|") : undefined,
  ]);
  const message = present(detail.message);
  const carrier = present(tracker.carrier);
  return {
    eventId,
    code: mapped.code,
    occurredAt,
    source: partnerId,
    trackingNumber,
    ...(carrier ? { carrier } : {}),
    ...(mapped.reason ? { reason: mapped.reason } : {}),
    ...(loc ? { location: loc } : {}),
    ...(message ? { description: message.slice(0, DESCRIPTION_MAX) } : {}),
  };
}

async function mapTracker(partnerId: string, tracker: Tracker): Promise<MapResult> {
  // Correlation: EasyPost knows nothing of our orders (a tracker is created from a tracking code), so the
  // normalised tracking code is the only key. EasyPost's shipment_id is deliberately not used as shipmentId:
  // it names EasyPost's own object, and the shipment's identity here is the one the 3PL dispatched.
  const trackingNumber = normalizeTrackingNumber(tracker.tracking_code);
  if (!trackingNumber) throw new Unmappable("EasyPost Tracker has an empty tracking_code");
  const byId = new Map<string, MappedEvent>();
  for (const detail of tracker.tracking_details ?? []) {
    const event = await scanEvent(partnerId, tracker, trackingNumber, detail);
    if (event) byId.set(event.eventId, event);
  }
  // EasyPost lists scans oldest first, but nothing promises it: order by when they happened, then by id so
  // that simultaneous scans come out the same way every time.
  const events = [...byId.values()].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId));
  if (events.length === 0) return { events, ignored: `EasyPost tracker ${trackingNumber} (${tracker.status}) has no scan to report yet` };
  // The estimate belongs to the tracker as it is now, so only the latest scan carries it.
  const eta = easypostInstant(tracker.est_delivery_date);
  const last = events[events.length - 1];
  if (eta && last) events[events.length - 1] = { ...last, eta };
  return { events };
}

export const easypost: Adapter = {
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyHmacHexNfkd(secrets, req.headers.get("x-hmac-signature"), req.raw);
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const parsed = EasyPostEvent.safeParse(parseJson(req.raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Unmappable(`not an EasyPost Event: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim());
    }
    const { description, result } = parsed.data;
    if (TRACKER_EVENTS.has(description)) return mapTracker(req.partnerId, readTracker(result, description));
    if (IRRELEVANT_RESOURCES.some((r) => description.startsWith(r))) {
      return { events: [], ignored: `EasyPost ${description} events carry no parcel milestone` };
    }
    throw new Unmappable(`unknown EasyPost event type "${description}"`);
  },
};
