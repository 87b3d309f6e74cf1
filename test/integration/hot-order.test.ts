// Big and busy orders against the real Queues limits (128 KB a message, 256 KB and 100 messages a batch):
// a hot order's burst of concurrent scans and a long order's 300 scans both reach the portal, because the
// outbox collapses an order's pending snapshots, sends the timeline as what is new, and sizes its batches.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventually, milestone, releaseOrder, sendAcme } from "../helpers/http";

const BASE = Date.UTC(2026, 10, 20, 10);
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();

const portalRow = (orderId: string) =>
  env.DB.prepare("SELECT status, version FROM orders WHERE order_id = ?").bind(orderId).first<{ status: string; version: number }>();
const timelineRows = async (orderId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM timeline WHERE order_id = ?").bind(orderId).first<{ n: number }>())?.n ?? 0;

/** A carrier scan with everything a real one carries: a place and the carrier's own words. */
function scan(orderId: string, i: number) {
  return milestone({
    orderId,
    code: "shipment.in_transit",
    occurredAt: at(60 + i),
    shipmentId: "S1",
    trackingNumber: `1ZHOT${orderId.length}`,
    location: { city: `Distribution Center ${i}`, region: "Tennessee", postalCode: "38118", country: "US" },
    description: `Departed from facility ${i}: the package is on its way to the next facility in the network. `.repeat(4).slice(0, 300),
  });
}

async function dispatched(orderId: string): Promise<void> {
  expect((await releaseOrder(orderId)).status).toBe(202);
  const res = await sendAcme(
    milestone({ orderId, code: "shipment.dispatched", occurredAt: at(30), shipmentId: "S1", trackingNumber: `1ZHOT${orderId.length}` }),
  );
  expect(res.status).toBe(202);
}

describe("orders that outgrow one queue message", () => {
  it("a hot order: 150 distinct scans plus duplicates, 50 at a time, all answered 202, and the portal shows delivered", async () => {
    const orderId = "SO-HOT-150";
    await dispatched(orderId);
    const scans = Array.from({ length: 150 }, (_, i) => scan(orderId, i));
    // Every tenth scan is sent twice (a partner retrying): the same milestone, a different webhook message.
    const sends = [...scans, ...scans.filter((_, i) => i % 10 === 0)];
    for (let i = 0; i < sends.length; i += 50) {
      const answers = await Promise.all(sends.slice(i, i + 50).map((body) => sendAcme(body)));
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 202));
    }
    const last = await sendAcme(
      milestone({ orderId, code: "shipment.delivered", occurredAt: at(600), shipmentId: "S1", trackingNumber: `1ZHOT${orderId.length}` }),
    );
    expect(last.status).toBe(202);
    // release + dispatch + 150 scans + delivery
    const row = await eventually(
      async () => {
        const r = await portalRow(orderId);
        return r?.status === "delivered" && r.version === 153 ? r : undefined;
      },
      15_000,
      "the portal to show the delivered order",
    );
    expect(row.version).toBe(153);
    await eventually(async () => ((await timelineRows(orderId)) === 153 ? true : undefined), 10_000, "the whole timeline in D1");
  });

  it("a long order: 300 scans with a place and a description on every one, and the portal shows delivered", async () => {
    const orderId = "SO-LONG-300";
    await dispatched(orderId);
    for (let i = 0; i < 300; i += 25) {
      const answers = await Promise.all(Array.from({ length: 25 }, (_, k) => sendAcme(scan(orderId, i + k))));
      expect(answers.every((r) => r.status === 202)).toBe(true);
    }
    await sendAcme(milestone({ orderId, code: "shipment.delivered", occurredAt: at(900), shipmentId: "S1", trackingNumber: `1ZHOT${orderId.length}` }));
    await eventually(async () => ((await portalRow(orderId))?.status === "delivered" ? true : undefined), 15_000, "the portal to show delivered");
    await eventually(async () => ((await timelineRows(orderId)) === 303 ? true : undefined), 10_000, "the whole timeline in D1");
  });
});
