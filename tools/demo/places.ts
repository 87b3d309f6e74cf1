// Where the demo's parcels go and pass through, and how each vendor writes a time: the carriers report local
// wall-clock times (UPS, AfterShip) or UTC (EasyPost), Shopify writes the shop's offset, X12 its own fields.
// Offsets are standard time (the demo's day is in late November, when US daylight saving time is off).

export interface Place {
  city: string;
  state: string;
  zip: string;
  /** Hours from UTC. */
  offset: number;
}

export const WAREHOUSE: Place = { city: "Memphis", state: "TN", zip: "38118", offset: -6 };
/** The second warehouse, which reports by X12 945 through the EDI gateway. */
export const EDI_WAREHOUSE: Place = { city: "Reno", state: "NV", zip: "89502", offset: -8 };

export const HUBS: Readonly<Record<"ups" | "fedex" | "usps", readonly Place[]>> = {
  ups: [
    { city: "Louisville", state: "KY", zip: "40209", offset: -5 },
    { city: "Hodgkins", state: "IL", zip: "60525", offset: -6 },
  ],
  fedex: [
    { city: "Memphis", state: "TN", zip: "38194", offset: -6 },
    { city: "Indianapolis", state: "IN", zip: "46241", offset: -5 },
  ],
  usps: [
    { city: "Memphis", state: "TN", zip: "38136", offset: -6 },
    { city: "Atlanta", state: "GA", zip: "30320", offset: -5 },
  ],
};

export const DESTINATIONS: readonly Place[] = [
  { city: "Brooklyn", state: "NY", zip: "11201", offset: -5 },
  { city: "Chicago", state: "IL", zip: "60607", offset: -6 },
  { city: "Austin", state: "TX", zip: "78704", offset: -6 },
  { city: "Denver", state: "CO", zip: "80205", offset: -7 },
  { city: "Seattle", state: "WA", zip: "98103", offset: -8 },
  { city: "Atlanta", state: "GA", zip: "30307", offset: -5 },
  { city: "Boston", state: "MA", zip: "02118", offset: -5 },
  { city: "Phoenix", state: "AZ", zip: "85004", offset: -7 },
  { city: "Nashville", state: "TN", zip: "37206", offset: -6 },
  { city: "Portland", state: "OR", zip: "97214", offset: -8 },
  { city: "Miami", state: "FL", zip: "33137", offset: -5 },
  { city: "Minneapolis", state: "MN", zip: "55408", offset: -6 },
];

export const STREETS = ["Main St", "Oak Ave", "Elm St", "Maple Dr", "Cedar Ln", "Pine St", "Lake Rd", "Hill St", "River Rd", "Park Ave"] as const;
export const NAMES = [
  "Ada Lovelace",
  "Grace Hopper",
  "Alan Turing",
  "Katherine Johnson",
  "Edsger Dijkstra",
  "Barbara Liskov",
  "Donald Knuth",
  "Margaret Hamilton",
  "Ken Thompson",
  "Frances Allen",
  "John Backus",
  "Radia Perlman",
  "Niklaus Wirth",
  "Shafi Goldwasser",
  "Tony Hoare",
  "Hedy Lamarr",
] as const;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The wall-clock fields of an instant at a fixed offset. */
export function local(ms: number, offset: number) {
  const d = new Date(ms + offset * 3_600_000);
  const date = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const sign = offset < 0 ? "-" : "+";
  const zone = `${sign}${pad(Math.abs(Math.trunc(offset)))}:${pad(Math.abs(offset % 1) * 60)}`;
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}${zone}`;
  return { date, time, iso, day: iso.slice(0, 10) };
}

/** UTC, whole seconds: `2026-11-21T14:02:00Z`. */
export function utc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
