// How an order's change becomes subscribers' events (src/subscriptions/events.ts): exactly the
// customer-visible changes, in the documented order, each with the view after it; bounded in size; ops
// events for ops only; PagerDuty hears the resolution of what it was told opened.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/domain/decider";
import type { CanonicalEvent } from "../../src/domain/event";
import { portalView } from "../../src/domain/view";
import { bounded, MAX_VIEW_BYTES, orderEvents, wants } from "../../src/subscriptions/events";
import { at, ORDER, released, ship } from "../helpers/events";

const NOW = "2026-11-21T09:00:00.000Z";
const view = (...events: CanonicalEvent[]) => {
  const v = portalView(decide(ORDER, events, [], 0).state, NOW);
  if (!v) throw new Error("not released");
  return v;
};
const types = (before: CanonicalEvent[] | null, after: CanonicalEvent[]) => orderEvents(before ? view(...before) : null, view(...after)).map((e) => e.type);

describe("orderEvents", () => {
  const base = [released(), ship("shipment.dispatched", at(10))];

  it("announces a new order with its status and the update", () => {
    expect(types(null, [released()])).toEqual(["order.status_changed", "order.updated"]);
  });

  it("a status move is status_changed then updated, with the previous status", () => {
    const events = orderEvents(view(released()), view(...base));
    expect(events.map((e) => e.type)).toEqual(["order.status_changed", "order.updated"]);
    expect(events[0]?.data).toMatchObject({ orderId: ORDER, status: "shipped", previousStatus: "released", version: 2 });
  });

  it("a scan that changes what the customer sees but not the status is only an update", () => {
    const moving = [...base, ship("shipment.in_transit", at(12))];
    expect(types(moving, [...moving, ship("shipment.in_transit", at(15), "S1", { eventId: "scan-2", location: { city: "Denver", country: "US" } })])).toEqual([
      "order.updated",
    ]);
  });

  it("nothing the customer sees changed: no event (an ERP posting, a repeated fact)", () => {
    expect(orderEvents(view(...base), view(...base))).toEqual([]);
  });

  it("an exception opens, then resolves, each with the exception", () => {
    const late = ship("shipment.exception", at(13), "S1", { reason: "address_issue" });
    const opened = orderEvents(view(...base), view(...base, late));
    expect(opened.map((e) => e.type)).toContain("order.exception_opened");
    const x = opened.find((e) => e.type === "order.exception_opened")?.data.exception as { kind: string; reason: string };
    expect(x).toMatchObject({ kind: "shipment_exception", reason: "address_issue" });
    const resolved = orderEvents(view(...base, late), view(...base, late, ship("shipment.delivered", at(18))));
    expect(resolved.map((e) => e.type)).toEqual(["order.status_changed", "order.exception_resolved", "order.updated"]);
  });
});

describe("bounded", () => {
  it("keeps a small view whole", () => {
    const v = view(released());
    expect(bounded(v)).toBe(v);
  });

  it("cuts the oldest timeline entries of a huge view to fit, and says so", () => {
    const scans = Array.from({ length: 600 }, (_, i) =>
      ship("shipment.in_transit", new Date(Date.parse(at(10)) + i * 60_000).toISOString(), "S1", {
        eventId: `scan-${i}`,
        description: `Arrived at a sorting facility with a rather long name, number ${i}`,
        location: { city: "Memphis", region: "TN", country: "US" },
      }),
    );
    const v = view(released(), ship("shipment.dispatched", at(9)), ...scans);
    expect(new TextEncoder().encode(JSON.stringify(v)).length).toBeGreaterThan(MAX_VIEW_BYTES);
    const b = bounded(v);
    expect(b.timelineTruncated).toBe(true);
    expect(new TextEncoder().encode(JSON.stringify(b)).length).toBeLessThanOrEqual(MAX_VIEW_BYTES);
    expect(b.timeline.at(-1)).toEqual(v.timeline.at(-1));
    expect(b.timeline.length).toBeLessThan(v.timeline.length);
  });
});

describe("wants", () => {
  it("ops events reach ops subscriptions only", () => {
    expect(wants({ scope: "customer", events: ["ops.dead_letter"] }, "ops.dead_letter")).toBe(false);
    expect(wants({ scope: "ops", events: ["ops.dead_letter"] }, "ops.dead_letter")).toBe(true);
  });

  it("a PagerDuty subscription hears the resolution of what it subscribed to; others only what they chose", () => {
    const pd = { scope: "ops" as const, events: ["ops.sla_breached", "order.exception_opened"], format: "pagerduty" };
    expect(wants(pd, "ops.sla_resolved")).toBe(true);
    expect(wants(pd, "order.exception_resolved")).toBe(true);
    expect(wants({ ...pd, format: "slack" }, "ops.sla_resolved")).toBe(false);
    expect(wants(pd, "order.updated")).toBe(false);
  });
});
