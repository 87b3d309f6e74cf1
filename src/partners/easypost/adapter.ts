// The `easypost` adapter: EasyPost webhook Events, signed with X-Hmac-Signature (hex HMAC, NFKD secret).
// A tracker event carries the parcel's whole history (`tracking_details`): each scan becomes one canonical
// event with a content-derived id, so the history EasyPost re-sends on every update deduplicates itself.
import { normalizeTrackingNumber, present } from "../normalize";
import { parseJson, readVendor } from "../parse";
import { collectScans, placeKey, type ScanLocation, scanEvent, scanLocation, withLatestEta } from "../scan";
import { signHmacHexNfkd, verifyHmacHexNfkd } from "../schemes/hmac-hex-nfkd";
import { type InboundWebhook, type MapResult, type MappedEvent, type PartnerModule, Unmappable } from "../types";
import { EasyPostEvent, Tracker, type TrackingDetail } from "./payload";
import { mapEasyPostStatus } from "./status";
import { easypostInstant } from "./time";

const TRACKER_EVENTS = new Set(["tracker.created", "tracker.updated"]);
// EasyPost resources whose events are authentic but carry no parcel milestone. An event type outside this
// list (and not a tracker event) is quarantined, so ops notice when EasyPost starts sending something new.
const IRRELEVANT_RESOURCES = ["batch.", "insurance.", "payment.", "refund.", "report.", "scan_form.", "shipment.", "claim.", "pickup."];

function location(detail: TrackingDetail): ScanLocation | undefined {
  const l = detail.tracking_location;
  return scanLocation(l?.city, l?.state, l?.zip, l?.country);
}

function readTracker(result: unknown, description: string): Tracker {
  return readVendor(Tracker, result, `EasyPost ${description} without a readable Tracker`, (path) => path || "result");
}

async function detailEvent(partnerId: string, tracker: Tracker, trackingNumber: string, detail: TrackingDetail): Promise<MappedEvent | undefined> {
  const mapped = mapEasyPostStatus(detail.status, detail.status_detail);
  if ("unknown" in mapped) throw new Unmappable(mapped.unknown);
  if ("ignored" in mapped) return undefined;
  const occurredAt = easypostInstant(detail.datetime);
  if (!occurredAt) throw new Unmappable(`EasyPost tracking detail has an unreadable datetime "${detail.datetime}"`);
  const loc = location(detail);
  return scanEvent({
    partnerId,
    trackingNumber,
    code: mapped.code,
    occurredAt,
    // What tells two scans of one milestone apart: EasyPost's status_detail, the carrier's own event code
    // ("AR" arrival, "DP" departure) and the place. Never the message text, which carriers reword.
    distinguishedBy: [detail.status, present(detail.status_detail), present(detail.carrier_code), placeKey(loc)],
    carrier: present(tracker.carrier),
    reason: mapped.reason,
    location: loc,
    description: present(detail.message),
  });
}

async function mapTracker(partnerId: string, tracker: Tracker): Promise<MapResult> {
  // Correlation: EasyPost knows nothing of our orders (a tracker is created from a tracking code), so the
  // normalised tracking code is the only key. EasyPost's shipment_id is deliberately not used as shipmentId:
  // it names EasyPost's own object, and the shipment's identity here is the one the 3PL dispatched.
  const trackingNumber = normalizeTrackingNumber(tracker.tracking_code);
  if (!trackingNumber) throw new Unmappable("EasyPost Tracker has an empty tracking_code");
  const scans: (MappedEvent | undefined)[] = [];
  for (const detail of tracker.tracking_details ?? []) scans.push(await detailEvent(partnerId, tracker, trackingNumber, detail));
  // EasyPost lists scans oldest first, but nothing promises it: ordered by instant, ties by id.
  const events = collectScans(scans);
  if (events.length === 0) return { events, ignored: `EasyPost tracker ${trackingNumber} (${tracker.status}) has no scan to report yet` };
  return { events: withLatestEta(events, easypostInstant(tracker.est_delivery_date)) };
}

export const easypost: PartnerModule<"easypost"> = {
  name: "easypost",
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyHmacHexNfkd(secrets, req.headers.get("x-hmac-signature"), req.raw);
  },

  async sign(secret, raw) {
    return { "Content-Type": "application/json", "X-Hmac-Signature": await signHmacHexNfkd(secret, raw) };
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const { description, result } = readVendor(EasyPostEvent, parseJson(req.raw), "not an EasyPost Event");
    if (TRACKER_EVENTS.has(description)) return mapTracker(req.partnerId, readTracker(result, description));
    if (IRRELEVANT_RESOURCES.some((r) => description.startsWith(r))) {
      return { events: [], ignored: `EasyPost ${description} events carry no parcel milestone` };
    }
    throw new Unmappable(`unknown EasyPost event type "${description}"`);
  },
};
