// Fulfillment routing as a table: the default local routes of DESIGN §3.9, then each condition alone.
import { describe, expect, it } from "vitest";
import { type FulfillmentRoute, parseRoutes, type RoutableOrder, route } from "../../src/domain/routing";

/** DESIGN §3.9's default local configuration. */
const DEFAULT: FulfillmentRoute[] = [
  { partner: "edi", when: { skuPrefixes: ["BULK-"] } },
  { partner: "acme-3pl", when: { countries: ["US", "CA"] } },
  { partner: "edi" },
];

const order = (over: Partial<RoutableOrder> & { skus?: string[] } = {}): RoutableOrder => ({
  customerId: over.customerId ?? "CUST-1",
  serviceLevel: over.serviceLevel,
  shipTo: over.shipTo ?? { country: "US" },
  lines: over.lines ?? (over.skus ?? ["SKU-1"]).map((sku, i) => ({ sku, quantity: i + 1 })),
});

describe("route(order, rules) with the default local routes", () => {
  const table: { name: string; order: RoutableOrder; expected: Record<string, string[]> }[] = [
    { name: "a US order → acme-3pl", order: order({ skus: ["A", "B"] }), expected: { "acme-3pl": ["A", "B"] } },
    { name: "a Canadian order → acme-3pl (country case-insensitive)", order: order({ shipTo: { country: "ca" } }), expected: { "acme-3pl": ["SKU-1"] } },
    { name: "a German order → edi (catch-all)", order: order({ shipTo: { country: "DE" } }), expected: { edi: ["SKU-1"] } },
    {
      name: "a US order with a BULK- line → split: the BULK- line to edi, the other to acme-3pl",
      order: order({ skus: ["BULK-PALLET", "A"] }),
      expected: { edi: ["BULK-PALLET"], "acme-3pl": ["A"] },
    },
    {
      name: "a German order with a BULK- line → one request to edi",
      order: order({ shipTo: { country: "DE" }, skus: ["BULK-1", "A"] }),
      expected: { edi: ["BULK-1", "A"] },
    },
    { name: "a SKU merely containing BULK- is not a BULK- line", order: order({ skus: ["XBULK-1"] }), expected: { "acme-3pl": ["XBULK-1"] } },
  ];
  for (const t of table) {
    it(t.name, () => {
      const r = route(t.order, DEFAULT);
      expect(Object.fromEntries(r.requests.map((q) => [q.partner, q.lines.map((l) => l.sku)]))).toEqual(t.expected);
      expect(r.unroutable).toEqual([]);
      expect(r.requests.every((q) => q.n === 1)).toBe(true);
    });
  }

  it("keeps quantities and line order within each request, and partners in the order their first line appears", () => {
    const r = route(
      order({
        lines: [
          { sku: "A", quantity: 2 },
          { sku: "BULK-1", quantity: 5 },
          { sku: "B", quantity: 1 },
        ],
      }),
      DEFAULT,
    );
    expect(r.requests).toEqual([
      {
        partner: "acme-3pl",
        n: 1,
        lines: [
          { sku: "A", quantity: 2 },
          { sku: "B", quantity: 1 },
        ],
      },
      { partner: "edi", n: 1, lines: [{ sku: "BULK-1", quantity: 5 }] },
    ]);
  });
});

describe("conditions", () => {
  const rules: FulfillmentRoute[] = [
    { partner: "express", when: { serviceLevels: ["NEXT_DAY"], countries: ["US"] } },
    { partner: "vip", when: { customers: ["CUST-VIP"] } },
  ];
  const table: { name: string; order: RoutableOrder; partner: string | null }[] = [
    { name: "every condition of a route must hold (service level and country)", order: order({ serviceLevel: "next_day" }), partner: "express" },
    { name: "one condition failing skips the route", order: order({ serviceLevel: "NEXT_DAY", shipTo: { country: "MX" } }), partner: null },
    { name: "a serviceLevels condition never matches an order without one", order: order({}), partner: null },
    { name: "customers", order: order({ customerId: "CUST-VIP", shipTo: { country: "FR" } }), partner: "vip" },
    { name: "first match wins when two routes match", order: order({ customerId: "CUST-VIP", serviceLevel: "NEXT_DAY" }), partner: "express" },
  ];
  for (const t of table) {
    it(t.name, () => {
      const r = route(t.order, rules);
      if (t.partner === null) {
        expect(r.requests).toEqual([]);
        expect(r.unroutable).toEqual([{ index: 0, sku: "SKU-1", quantity: 1 }]);
      } else {
        expect(r.requests.map((q) => q.partner)).toEqual([t.partner]);
      }
    });
  }

  it("leaves a line no route matches unroutable, and routes the others", () => {
    const r = route(order({ skus: ["BULK-1", "A"] }), [{ partner: "edi", when: { skuPrefixes: ["BULK-"] } }]);
    expect(r.requests).toEqual([{ partner: "edi", n: 1, lines: [{ sku: "BULK-1", quantity: 1 }] }]);
    expect(r.unroutable).toEqual([{ index: 1, sku: "A", quantity: 2 }]);
  });

  it("routes nothing with no rules: every line unroutable", () => {
    expect(route(order({ skus: ["A", "B"] }), []).unroutable).toHaveLength(2);
  });
});

describe("parseRoutes", () => {
  const fulfilment = new Set(["acme-3pl", "edi"]);
  it("parses the default configuration", () => {
    expect(parseRoutes(JSON.stringify(DEFAULT), fulfilment)).toEqual(DEFAULT);
    expect(parseRoutes(undefined, fulfilment)).toEqual([]);
    expect(parseRoutes("  ", fulfilment)).toEqual([]);
  });
  it.each([
    ["not JSON", "[{", /not valid JSON/],
    ["an unknown condition", JSON.stringify([{ partner: "edi", when: { weightOver: 10 } }]), /FULFILLMENT_ROUTES\[0\.when\]/],
    ["an empty list of countries", JSON.stringify([{ partner: "edi", when: { countries: [] } }]), /FULFILLMENT_ROUTES\[0\.when\.countries\]/],
    [
      "a partner without a fulfillment entry",
      JSON.stringify([{ partner: "shipbob" }]),
      /FULFILLMENT_ROUTES\[0\]\.partner: "shipbob" is not a partner with a "fulfillment" entry/,
    ],
    ["not a list", JSON.stringify({ partner: "edi" }), /FULFILLMENT_ROUTES\[\]/],
  ])("refuses %s, saying where", (_name, source, message) => {
    expect(() => parseRoutes(source, fulfilment)).toThrow(message);
  });
});
