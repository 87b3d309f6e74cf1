// Correlation: events that know only a tracking number or the partner's order reference reach their
// order through a CorrelationDO, parked until the order binds the key — in either arrival order.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { orderStub } from "../../src/orders";
import { call, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const results = async (res: Response) => {
  expect(res.status).toBe(202);
  return ((await res.json()) as { results: { eventId: string; orderId?: string; outcome: string }[] }).results;
};

const codes = async (orderId: string) => (await orderStub(env, orderId).inspect()).events.map((e) => e.code).sort();

describe("correlation by tracking number", () => {
  it("parks a carrier scan that arrives before its order knows the tracking number, then delivers it", async () => {
    const orderId = "SO-PARK-1";
    const scan = await results(await sendAcme(milestone({ trackingNumber: "1Z PARK 0001", code: "shipment.in_transit", occurredAt: "2026-11-20T18:00:00Z" })));
    expect(scan).toEqual([{ eventId: expect.any(String), outcome: "parked" }]);
    const inspect = (await call("/ops/correlations/trk:1ZPARK0001", { headers: { Authorization: `Bearer ${SECRETS.ops}` } }).then((r) => r.json())) as {
      parked: number;
    };
    expect(inspect.parked).toBe(1);

    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1z-park-0001" }));
    // Binding happens after the order's commit; the parked scan then joins the order's log.
    await eventually(async () => ((await codes(orderId)).includes("shipment.in_transit") ? true : undefined), 10_000, "the parked scan to be delivered");
    const view = await orderStub(env, orderId).inspect();
    expect(view.state?.status).toBe("in_transit");
    expect(view.state?.shipments).toEqual([expect.objectContaining({ shipmentId: "S1", trackingNumber: "1ZPARK0001", status: "in_transit" })]);
    await eventually(async () => {
      const c = (await call("/ops/correlations/trk:1ZPARK0001", { headers: { Authorization: `Bearer ${SECRETS.ops}` } }).then((r) => r.json())) as {
        parked: number;
        orderId: string;
      };
      return c.parked === 0 && c.orderId === orderId ? true : undefined;
    });
  });

  it("routes a carrier scan straight to the order once the tracking number is bound", async () => {
    const orderId = "SO-PARK-2";
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZPARK0002" }));
    await eventually(async () => {
      const c = (await call("/ops/correlations/trk:1ZPARK0002", { headers: { Authorization: `Bearer ${SECRETS.ops}` } }).then((r) => r.json())) as {
        orderId: string | null;
      };
      return c.orderId === orderId ? true : undefined;
    });
    const scan = await results(await sendAcme(milestone({ trackingNumber: "1ZPARK0002", code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z" })));
    expect(scan).toEqual([{ eventId: expect.any(String), orderId, outcome: "accepted" }]);
    expect((await orderStub(env, orderId).inspect()).state?.status).toBe("delivered");
    const again = await results(await sendAcme(milestone({ trackingNumber: "1ZPARK0002", code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z" })));
    expect(again[0]?.outcome).toBe("duplicate");
  });
});

describe("bound parcels known to the isolate", () => {
  it("sends later scans of a bound parcel straight to the order, without its CorrelationDO", async () => {
    const orderId = "SO-PARK-3";
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZPARK0003" }));
    await eventually(async () => {
      const c = (await call("/ops/correlations/trk:1ZPARK0003", { headers: { Authorization: `Bearer ${SECRETS.ops}` } }).then((r) => r.json())) as {
        orderId: string | null;
      };
      return c.orderId === orderId ? true : undefined;
    });
    const routedTo = vi.spyOn(env.CORRELATIONS, "getByName");
    try {
      // The first scan asks the CorrelationDO and learns the binding; the second goes to the order directly.
      const first = await results(await sendAcme(milestone({ trackingNumber: "1ZPARK0003", code: "shipment.in_transit", occurredAt: "2026-11-20T18:00:00Z" })));
      expect(first).toEqual([{ eventId: expect.any(String), orderId, outcome: "accepted" }]);
      expect(routedTo.mock.calls.filter(([key]) => key === "trk:1ZPARK0003")).toHaveLength(1);
      const second = await results(await sendAcme(milestone({ trackingNumber: "1ZPARK0003", code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z" })));
      expect(second).toEqual([{ eventId: expect.any(String), orderId, outcome: "accepted" }]);
      const again = await results(await sendAcme(milestone({ trackingNumber: "1ZPARK0003", code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z" })));
      expect(again).toEqual([{ eventId: expect.any(String), orderId, outcome: "duplicate" }]);
      expect(routedTo.mock.calls.filter(([key]) => key === "trk:1ZPARK0003")).toHaveLength(1);
    } finally {
      routedTo.mockRestore();
    }
    expect((await orderStub(env, orderId).inspect()).state?.status).toBe("delivered");
  });

  it("never remembers a parcel whose scan was parked", async () => {
    const routedTo = vi.spyOn(env.CORRELATIONS, "getByName");
    try {
      for (const at of ["2026-11-20T18:00:00Z", "2026-11-20T19:00:00Z"]) {
        const scan = await results(await sendAcme(milestone({ trackingNumber: "1ZPARK0004", code: "shipment.in_transit", occurredAt: at })));
        expect(scan).toEqual([{ eventId: expect.any(String), outcome: "parked" }]);
      }
      expect(routedTo.mock.calls.filter(([key]) => key === "trk:1ZPARK0004")).toHaveLength(2);
    } finally {
      routedTo.mockRestore();
    }
  });
});

describe("correlation by partner order reference", () => {
  it("parks an event keyed by the shop's order id until the ERP releases the order with that reference", async () => {
    const orderId = "SO-REF-1";
    const ev = await results(
      await sendAcme(
        milestone({ orderRef: { system: "shopify", id: "820982911946154508" }, code: "fulfillment.acknowledged", occurredAt: "2026-11-20T09:30:00Z" }),
      ),
    );
    expect(ev[0]?.outcome).toBe("parked");
    await releaseOrder(orderId, "CUST-1", { refs: [{ system: "shopify", id: "820982911946154508" }] });
    await eventually(async () => ((await codes(orderId)).includes("fulfillment.acknowledged") ? true : undefined), 10_000, "the parked event");
    expect((await orderStub(env, orderId).inspect()).state?.status).toBe("in_fulfillment");
  });

  it("delivers several parked events, and parks a repeated one only once", async () => {
    const orderId = "SO-REF-2";
    const ref = { system: "shopify", id: "1002" };
    await sendAcme(milestone({ orderRef: ref, code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z" }));
    await sendAcme(milestone({ orderRef: ref, code: "fulfillment.packed", occurredAt: "2026-11-20T10:30:00Z" }));
    await sendAcme(milestone({ orderRef: ref, code: "fulfillment.packed", occurredAt: "2026-11-20T10:30:00Z" }));
    await releaseOrder(orderId, "CUST-1", { refs: [ref] });
    await eventually(async () => ((await codes(orderId)).length === 3 ? true : undefined), 10_000, "both parked events");
    expect(await codes(orderId)).toEqual(["fulfillment.packed", "fulfillment.picked", "order.released"]);
  });
});

describe("conflicting claims", () => {
  it("surfaces a tracking number claimed by two orders to ops and keeps it with the first", async () => {
    for (const orderId of ["SO-CONFLICT-A", "SO-CONFLICT-B"]) {
      await releaseOrder(orderId);
      await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: "1ZCONFLICT" }));
      await eventually(async () => ((await orderStub(env, orderId).inspect()).outbox.length === 0 ? true : undefined));
    }
    const conflicts = await eventually(async () => {
      const r = (await call("/ops/conflicts", { headers: { Authorization: `Bearer ${SECRETS.ops}` } }).then((x) => x.json())) as { items: { key: string }[] };
      return r.items.some((i) => i.key === "trk:1ZCONFLICT") ? r.items : undefined;
    });
    expect(conflicts).toContainEqual({
      key: "trk:1ZCONFLICT",
      boundOrderId: "SO-CONFLICT-A",
      claimantOrderId: "SO-CONFLICT-B",
      detectedAt: expect.any(String),
    });
    const scan = await results(await sendAcme(milestone({ trackingNumber: "1ZCONFLICT", code: "shipment.in_transit", occurredAt: "2026-11-20T15:00:00Z" })));
    expect(scan[0]).toMatchObject({ orderId: "SO-CONFLICT-A", outcome: "accepted" });
  });
});
