// The `shippo` adapter: Shippo webhooks, signed with Shippo-Auth-Signature (t=<unix>,v1=<hex HMAC of
// "t.body">, ±300 s). A track_updated carries the parcel's status and its whole history; each status in it
// becomes one canonical event with a content-derived id, so a re-sent history deduplicates itself.
import { normalizeTrackingNumber, present } from "../normalize";
import { parseJson, readVendor } from "../parse";
import { collectScans, placeKey, type ScanLocation, scanEvent, scanLocation, withLatestEta } from "../scan";
import { signShippo, verifyShippoSignature } from "../schemes/shippo-signature";
import { type InboundWebhook, type MapResult, type MappedEvent, type PartnerModule, Unmappable } from "../types";
import { ShippoWebhook, Track, type TrackingStatus } from "./payload";
import { mapShippoStatus } from "./status";
import { shippoInstant } from "./time";

export const SHIPPO_SIGNATURE_HEADER = "shippo-auth-signature";
// Shippo's other webhook events are about labels and batches we do not buy through it: authentic, no milestone.
// Any event outside this list is quarantined, so ops notice what Shippo adds.
const IRRELEVANT_EVENTS = new Set(["transaction_created", "transaction_updated", "batch_created", "batch_purchased"]);

function location(s: TrackingStatus): ScanLocation | undefined {
  const l = s.location;
  return scanLocation(l?.city, l?.state, l?.zip, l?.country);
}

function substatusCode(s: TrackingStatus): string | undefined {
  return typeof s.substatus === "string" ? present(s.substatus) : present(s.substatus?.code);
}

function readTrack(data: unknown): Track {
  return readVendor(Track, data, "Shippo track_updated without a readable Tracking", (path) => `data.${path}`);
}

async function statusEvent(partnerId: string, track: Track, trackingNumber: string, s: TrackingStatus): Promise<MappedEvent | undefined> {
  const substatus = substatusCode(s);
  const mapped = mapShippoStatus(s.status, substatus);
  if ("unknown" in mapped) throw new Unmappable(mapped.unknown);
  if ("ignored" in mapped) return undefined;
  // A status without a date (Shippo sends them for statuses it has not dated yet) cannot be placed in the
  // timeline; it is left out rather than dated by our clock, which would change its id on every re-send.
  if (!present(s.status_date)) return undefined;
  const occurredAt = shippoInstant(s.status_date);
  if (!occurredAt) throw new Unmappable(`Shippo status has an unreadable status_date "${s.status_date}"`);
  const loc = location(s);
  return scanEvent({
    partnerId,
    trackingNumber,
    code: mapped.code,
    occurredAt,
    // Content-derived, not Shippo's object_id: the current status and its copy in the history must collapse into
    // one event, and test-mode payloads carry placeholder object_ids. The substatus and place tell apart two
    // statuses of one milestone at the same instant; the carrier's wording does not take part.
    distinguishedBy: [s.status, substatus, placeKey(loc)],
    carrier: present(track.carrier),
    reason: mapped.reason,
    location: loc,
    description: present(s.status_details),
  });
}

async function mapTrack(partnerId: string, track: Track): Promise<MapResult> {
  // Correlation: by the normalised tracking number only. Shippo's `metadata` is free text the label buyer
  // chose and `transaction` is Shippo's label id; neither is a reference we issued, so neither is trusted.
  const trackingNumber = normalizeTrackingNumber(track.tracking_number);
  if (!trackingNumber) throw new Unmappable("Shippo Tracking has an empty tracking_number");
  // The current status comes last, so where it repeats a history entry its copy is the one kept.
  const statuses = [...(track.tracking_history ?? []), ...(track.tracking_status ? [track.tracking_status] : [])];
  const scans: (MappedEvent | undefined)[] = [];
  for (const s of statuses) scans.push(await statusEvent(partnerId, track, trackingNumber, s));
  // Shippo lists the history oldest first, but nothing promises it: ordered by instant, ties by id.
  const events = collectScans(scans);
  if (events.length === 0) {
    return { events, ignored: `Shippo tracking ${trackingNumber} (${track.tracking_status?.status ?? "no status"}) has no dated status to report yet` };
  }
  return { events: withLatestEta(events, shippoInstant(track.eta)) };
}

export const shippo: PartnerModule<"shippo"> = {
  name: "shippo",
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifyShippoSignature(secrets, req.headers.get(SHIPPO_SIGNATURE_HEADER), req.raw);
  },

  async sign(secret, raw, o) {
    return { "Content-Type": "application/json", "Shippo-Auth-Signature": await signShippo(secret, raw, o.timestamp ?? Math.floor(Date.now() / 1000)) };
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const { event, data } = readVendor(ShippoWebhook, parseJson(req.raw), "not a Shippo webhook");
    if (event === "track_updated") return mapTrack(req.partnerId, readTrack(data));
    if (IRRELEVANT_EVENTS.has(event)) return { events: [], ignored: `Shippo ${event} events carry no parcel milestone` };
    throw new Unmappable(`unknown Shippo event "${event}"`);
  },
};
