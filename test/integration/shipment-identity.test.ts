// One parcel is one shipment, at the ERP and in the portal, whoever reports it and in whatever order:
// a parcel reported under two shipment ids books one confirmation, the portal's shipment set is replaced
// (a name that changed leaves no row behind), and lines that disagree with the order are held for ops.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, erpRecords, erpRecordsEventually, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const shipmentRows = async (orderId: string) =>
  (
    await env.DB.prepare("SELECT shipment_id, tracking_number, status FROM shipments WHERE order_id = ? ORDER BY shipment_id")
      .bind(orderId)
      .all<{ shipment_id: string; tracking_number: string | null; status: string }>()
  ).results;
const d1Version = async (orderId: string) =>
  (await env.DB.prepare("SELECT version FROM orders WHERE order_id = ?").bind(orderId).first<{ version: number }>())?.version;
const settled = (orderId: string, version: number) =>
  eventually(async () => ((await d1Version(orderId)) === version ? true : undefined), 10_000, `${orderId} v${version}`);

describe("a parcel's identity", () => {
  it("books one shipment confirmation when a second source names the same parcel 5555 after the 3PL's SHP-9", async () => {
    const orderId = "SO-REN-1";
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T14:00:00Z", shipmentId: "SHP-9", trackingNumber: "1ZREN0001" }));
    await erpRecordsEventually(orderId, 1);
    // Another system reports the same parcel (same tracking number) under its own id, dated a little earlier.
    await sendAcme(
      milestone({
        orderId,
        eventId: "other-system-5555",
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T13:55:00Z",
        shipmentId: "5555",
        trackingNumber: "1ZREN0001",
      }),
    );
    await sendAcme(milestone({ orderId, code: "shipment.delivered", occurredAt: "2026-11-21T10:00:00Z", trackingNumber: "1ZREN0001" }));
    const records = await erpRecordsEventually(orderId, 2);
    expect(records.map((r) => r.kind)).toEqual(["shipment-confirmations", "delivery-confirmations"]);
    await settled(orderId, 4);
    // Nothing more arrives later.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await erpRecords(orderId)).toHaveLength(2);
    // One shipment, shown under the id of its earliest dispatch report (a rule of the fold, not of arrival).
    expect(await shipmentRows(orderId)).toEqual([{ shipment_id: "5555", tracking_number: "1ZREN0001", status: "delivered" }]);
  });

  it("replaces the portal's shipment set: a parcel first seen by its tracking number leaves no second row once the 3PL names it", async () => {
    const orderId = "SO-REN-2";
    await releaseOrder(orderId);
    // The carrier's scan arrives first and knows only the tracking number.
    await sendAcme(milestone({ orderId, code: "shipment.in_transit", occurredAt: "2026-11-20T16:00:00Z", trackingNumber: "1ZREN0002" }));
    await settled(orderId, 2);
    expect((await shipmentRows(orderId)).map((r) => r.tracking_number)).toEqual(["1ZREN0002"]);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T14:00:00Z", shipmentId: "SHP-20", trackingNumber: "1ZREN0002" }));
    await settled(orderId, 3);
    expect(await shipmentRows(orderId)).toEqual([{ shipment_id: "SHP-20", tracking_number: "1ZREN0002", status: "in_transit" }]);
  });
});

describe("shipment lines checked against the order", () => {
  it("holds a shipment of SKUs the order does not have: no confirmation at the ERP, listed for ops to review, not shown to the customer", async () => {
    const orderId = "SO-LINES-1";
    await releaseOrder(orderId); // WID-1 × 2
    await sendAcme(
      milestone({
        orderId,
        code: "shipment.dispatched",
        occurredAt: "2026-11-20T14:00:00Z",
        shipmentId: "SHP-X",
        trackingNumber: "1ZLINES01",
        lines: [{ sku: "NOT-ON-ORDER", quantity: 1 }],
      }),
    );
    await settled(orderId, 2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await erpRecords(orderId)).toEqual([]);
    const stuck = (await (await call("/ops/stuck", { headers: { Authorization: `Bearer ${SECRETS.ops}` } })).json()) as {
      items: { orderId: string; reason: string; detail: string }[];
    };
    const review = stuck.items.find((i) => i.orderId === orderId && i.reason === "needs_review");
    expect(review).toMatchObject({ reason: "needs_review" });
    expect(review?.detail).toContain("NOT-ON-ORDER");
    const portal = await env.DB.prepare("SELECT open_exceptions FROM orders WHERE order_id = ?").bind(orderId).first<{ open_exceptions: string }>();
    expect(portal?.open_exceptions).toBe("[]");
  });
});
