// The `ups` adapter: UPS Track Alert webhooks (one activity per message, `credential` header echoing the
// token we registered) and, for backfills, a Tracking API response (a package's whole activity history).
// UPS knows nothing of our orders, so every event correlates by its normalised tracking number alone.
import { normalizeTrackingNumber, present } from "../normalize";
import { parseJson } from "../parse";
import { byOccurrence, collectScans, type ScanLocation, scanEvent, scanLocation, withLatestEta } from "../scan";
import { signSharedToken, verifySharedToken } from "../schemes/shared-token";
import { type InboundWebhook, type MapResult, type MappedEvent, type PartnerModule, Unmappable } from "../types";
import { TrackAlertMessage, type TrackingActivity, type TrackingPackage, TrackingResponse } from "./payload";
import { mapUpsStatus, type UpsStatus } from "./status";
import { upsDay, upsInstant } from "./time";

/** Track Alert echoes the subscription's `destination.credential` in this header, unchanged. */
export const UPS_TOKEN_HEADER = { header: "credential" } as const;
const CARRIER = "ups";
type Text = string | null | undefined;

interface Scan {
  trackingNumber: string;
  status: UpsStatus;
  occurredAt: string;
  location?: ScanLocation;
  eta?: string;
}

/**
 * When the activity happened. UPS sends the activity's local date and time WITHOUT a zone, and (Track
 * Alert, Tracking API) the same instant in GMT: the GMT pair is preferred, then local time with the
 * Tracking API's `gmtOffset`. Only when both are missing is local time read as UTC — a documented
 * assumption that can misplace the scan by the location's offset, never by more than a day.
 */
function occurredAt(gmt: [date: Text, time: Text], local: [date: Text, time: Text], offset?: Text): string {
  const zone = present(offset);
  const at = upsInstant(gmt[0], gmt[1]) ?? (zone ? upsInstant(local[0], local[1], zone) : undefined) ?? upsInstant(local[0], local[1]);
  if (!at) throw new Unmappable("UPS activity has neither a GMT nor a local date and time");
  return at;
}

function trackingNumberOf(raw: string): string {
  const tn = normalizeTrackingNumber(raw);
  if (!tn) throw new Unmappable("UPS payload has an empty trackingNumber");
  return tn;
}

async function toEvent(partnerId: string, scan: Scan): Promise<MappedEvent | { ignored: string }> {
  const mapped = mapUpsStatus(scan.status);
  if (mapped.kind === "unknown") throw new Unmappable(mapped.why);
  if (mapped.kind === "ignored") return { ignored: mapped.why };
  return scanEvent({
    partnerId,
    trackingNumber: scan.trackingNumber,
    code: mapped.code,
    occurredAt: scan.occurredAt,
    // The UPS activity code and the city tell apart two scans of the same milestone in the same second
    // (an arrival and a departure scan); upper-cased because the two UPS APIs differ in case.
    distinguishedBy: [present(scan.status.code)?.toUpperCase(), scan.location?.city?.toUpperCase()],
    carrier: CARRIER,
    reason: mapped.reason,
    location: scan.location,
    description: present(scan.status.description),
    eta: scan.eta,
  });
}

function alertScan(m: TrackAlertMessage): Scan {
  const loc = m.activityLocation;
  const eta = upsDay(m.scheduledDeliveryDate);
  const where = scanLocation(loc?.city, loc?.stateProvince, loc?.postalCode, loc?.country);
  return {
    trackingNumber: trackingNumberOf(m.trackingNumber),
    status: m.activityStatus,
    occurredAt: occurredAt([m.gmtActivityDate, m.gmtActivityTime], [m.localActivityDate, m.localActivityTime]),
    ...(where ? { location: where } : {}),
    ...(eta ? { eta } : {}),
  };
}

function activityScan(trackingNumber: string, a: TrackingActivity): Scan {
  const addr = a.location?.address;
  const where = scanLocation(addr?.city, addr?.stateProvince, addr?.postalCode, present(addr?.countryCode) ?? addr?.country);
  return {
    trackingNumber,
    status: { type: a.status.type, code: a.status.code, description: a.status.description, descriptionCode: a.status.statusCode },
    occurredAt: occurredAt([a.gmtDate, a.gmtTime], [a.date, a.time], a.gmtOffset),
    ...(where ? { location: where } : {}),
  };
}

/** The package's expected delivery day: a rescheduled date over the scheduled one. */
function packageEta(p: TrackingPackage): string | undefined {
  const dates = p.deliveryDate ?? [];
  const pick = (type: string) => dates.find((d) => d.type === type)?.date;
  return upsDay(pick("RDD") ?? pick("SDD"));
}

async function mapHistory(partnerId: string, body: TrackingResponse): Promise<MapResult> {
  const events: MappedEvent[] = [];
  const ignored: string[] = [];
  for (const shipment of body.trackResponse.shipment) {
    for (const pkg of shipment.package ?? []) {
      const tn = trackingNumberOf(pkg.trackingNumber);
      const mapped: MappedEvent[] = [];
      for (const activity of pkg.activity ?? []) {
        const e = await toEvent(partnerId, activityScan(tn, activity));
        if ("ignored" in e) ignored.push(e.ignored);
        else mapped.push(e);
      }
      // UPS lists the most recent activity first; the ETA belongs to the package now, so only the latest scan carries it.
      events.push(...withLatestEta(mapped.sort(byOccurrence), packageEta(pkg)));
    }
  }
  // A history may repeat a scan verbatim; one event per identity, the first copy kept.
  const list = collectScans(events, "first");
  if (list.length > 0) return { events: list };
  return { events: [], ignored: ignored[0] ?? "UPS tracking response has no activity" };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export const ups: PartnerModule<"ups"> = {
  name: "ups",
  contentTypes: ["application/json"],

  async verify(req, secrets) {
    await verifySharedToken(secrets, req.headers, UPS_TOKEN_HEADER);
  },

  async sign(secret) {
    const [name, value] = signSharedToken(secret, UPS_TOKEN_HEADER);
    return { "Content-Type": "application/json", [name]: value };
  },

  async map(req: InboundWebhook): Promise<MapResult> {
    const body = parseJson(req.raw);
    if (isRecord(body) && "trackResponse" in body) {
      const parsed = TrackingResponse.safeParse(body);
      if (!parsed.success) throw new Unmappable(`not a UPS Tracking API response: ${parsed.error.issues[0]?.path.join(".") || "shape"}`);
      return mapHistory(req.partnerId, parsed.data);
    }
    const parsed = TrackAlertMessage.safeParse(body);
    if (!parsed.success) throw new Unmappable(`not a UPS Track Alert message: ${parsed.error.issues[0]?.path.join(".") || "shape"}`);
    const e = await toEvent(req.partnerId, alertScan(parsed.data));
    return "ignored" in e ? { events: [], ignored: e.ignored } : { events: [e] };
  },
};
