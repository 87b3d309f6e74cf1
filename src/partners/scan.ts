// Carrier scans as canonical events: the one event shape the tracking adapters (EasyPost, Shippo, AfterShip,
// UPS) build from a scan, and how a (re-sent) history of them becomes one event per scan in a stable order.
import { contentEventId } from "./event-id";
import { present } from "./normalize";
import type { MappedEvent } from "./types";

export type ScanLocation = NonNullable<MappedEvent["location"]>;
type Text = string | null | undefined;

// The canonical format caps descriptions; a carrier's longer wording is cut, never a reason to refuse the scan.
const DESCRIPTION_MAX = 500;

/** One scan, already read the vendor's way: what its fields mean and which of them identify it stay in the adapter. */
export interface ScanParts {
  partnerId: string;
  trackingNumber: string;
  code: MappedEvent["code"];
  occurredAt: string;
  /**
   * What tells this scan apart from another of the same milestone at the same instant (the vendor's sub-status,
   * the carrier's event code, the place), in the vendor's chosen order. Never the carrier's wording, which
   * carriers reword: a re-sent scan must keep its id.
   */
  distinguishedBy: readonly (string | undefined)[];
  carrier?: string | undefined;
  reason?: MappedEvent["reason"];
  location?: ScanLocation | undefined;
  description?: string | undefined;
  eta?: string | undefined;
}

/**
 * The canonical event of one scan. Its id is derived from its content (tracking number, milestone, instant, then
 * `distinguishedBy`), so the history a vendor re-sends on every update deduplicates itself. Empty optional
 * parts are left out rather than sent as "".
 */
export async function scanEvent(s: ScanParts): Promise<MappedEvent> {
  const eventId = await contentEventId(s.partnerId, [s.trackingNumber, s.code, s.occurredAt, ...s.distinguishedBy]);
  return {
    eventId,
    code: s.code,
    occurredAt: s.occurredAt,
    source: s.partnerId,
    trackingNumber: s.trackingNumber,
    ...(s.carrier ? { carrier: s.carrier } : {}),
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.location ? { location: s.location } : {}),
    ...(s.description ? { description: s.description.slice(0, DESCRIPTION_MAX) } : {}),
    ...(s.eta ? { eta: s.eta } : {}),
  };
}

/** A scan's place from the vendor's four fields; blank fields are left out, and a place with none is no place. */
export function scanLocation(city: Text, region: Text, postalCode: Text, country: Text): ScanLocation | undefined {
  const loc = { city: present(city), region: present(region), postalCode: present(postalCode), country: present(country) };
  const entries = Object.entries(loc).filter(([, v]) => v !== undefined);
  return entries.length > 0 ? (Object.fromEntries(entries) as ScanLocation) : undefined;
}

/** The whole place as one id part, so two scans of one milestone at one instant but different places stay apart. */
export function placeKey(loc: ScanLocation | undefined): string | undefined {
  return loc ? [loc.city, loc.region, loc.postalCode, loc.country].join("|") : undefined;
}

/** Deterministic order whatever order the vendor listed scans in: by when they happened, then by id. */
export function byOccurrence(a: MappedEvent, b: MappedEvent): number {
  return a.occurredAt.localeCompare(b.occurredAt) || a.eventId.localeCompare(b.eventId);
}

/**
 * One event per id, in `byOccurrence` order. `undefined` entries (scans that carry no milestone) are skipped.
 * A repeated id keeps its last copy by default — in a re-sent history the later copy is the vendor's current
 * word on that scan (Shippo's current status after its history) — or its first with `keep: "first"`, which
 * UPS and X12 have always kept; switching either would change which copy's wording and ETA survive.
 */
export function collectScans(events: Iterable<MappedEvent | undefined>, keep: "first" | "last" = "last"): MappedEvent[] {
  const byId = new Map<string, MappedEvent>();
  for (const e of events) if (e && (keep === "last" || !byId.has(e.eventId))) byId.set(e.eventId, e);
  return [...byId.values()].sort(byOccurrence);
}

/** The estimate belongs to the parcel as it is now, so only the latest scan (the last, once ordered) carries it. */
export function withLatestEta(events: MappedEvent[], eta: string | undefined): MappedEvent[] {
  const last = events.at(-1);
  return eta && last ? [...events.slice(0, -1), { ...last, eta }] : events;
}
