// From the plan to what goes over the wire, in arrival order: the ERP's releases first, then the day's
// webhooks from every partner, the ERP's cancellations, the ERP outage, a forged request, partner retries
// (duplicates, ~5 %) and late deliveries (out of order, ~10 %). Pure and seeded.
import {
  acmeMilestone,
  aftershipUpdate,
  easypostEvent,
  messageId,
  shopifyFulfillment,
  shopifyRefund,
  UNDOCUMENTED_EASYPOST_SCAN,
  upsTrackAlert,
} from "./payloads";
import { local, WAREHOUSE } from "./places";
import { type Plan, type PlannedOrder, type PlannedShipment, type Scan, TRACKED_BY } from "./plan";
import type { Rng } from "./random";
import { interchange, set945 } from "./x12";

export type SendKind = "release" | "webhook" | "cancel" | "outage";

export interface Send {
  /** Position in the planned stream (stable tie-break). */
  seq: number;
  kind: SendKind;
  /** Simulated instant the request is sent. */
  at: number;
  /** Simulated instant of what it reports. */
  happenedAt: number;
  /** Partner id for webhooks; "erp" for releases and cancellations; "erp-sim" for the outage. */
  partnerId: string;
  path: string;
  body: string;
  topic?: string;
  /** Standard Webhooks message id (kept on a retry, as the standard says). */
  msgId?: string;
  orderIds: string[];
  what: string;
  duplicate?: boolean;
  late?: boolean;
  /** Signed with a secret the partner never had: must be rejected (401). */
  forged?: boolean;
  /** Authentic but unmappable: must be quarantined. */
  unmappable?: boolean;
}

const MIN = 60_000;

export function buildTraffic(r: Rng, plan: Plan, outageMs: number): Send[] {
  const { end } = plan;
  const out: Omit<Send, "seq">[] = [];
  const webhook = (partnerId: string, at: number, body: string, orderIds: string[], what: string, extra: Partial<Send> = {}) =>
    out.push({
      kind: "webhook",
      at,
      happenedAt: at,
      partnerId,
      path: `/v1/webhooks/${partnerId}`,
      body,
      // Kept by the partner across its retries (Standard Webhooks `webhook-id`, `X-Shopify-Webhook-Id`).
      msgId: messageId(partnerId, at, what, ...orderIds),
      orderIds,
      what,
      ...extra,
    });

  const releases: Omit<Send, "seq">[] = plan.orders.map((o) => ({
    kind: "release",
    at: o.releasedAt,
    happenedAt: o.releasedAt,
    partnerId: "erp",
    path: "/v1/orders",
    body: JSON.stringify({
      orderId: o.orderId,
      customerId: o.customerId,
      lines: o.lines,
      shipTo: {
        name: o.shipTo.name,
        line1: o.shipTo.line1,
        city: o.shipTo.place.city,
        region: o.shipTo.place.state,
        postalCode: o.shipTo.place.zip,
        country: "US",
      },
      promisedDate: o.promisedDate,
      ...(o.shopify ? { refs: [{ system: "shopify", id: o.shopify.orderId }] } : {}),
      releasedAt: new Date(o.releasedAt).toISOString(),
    }),
    orderIds: [o.orderId],
    what: "order released",
  }));

  const ediSets: { order: PlannedOrder; shipment: PlannedShipment }[] = [];
  for (const o of plan.orders) {
    const acme = (code: string, at: number | undefined, extra: Partial<Parameters<typeof acmeMilestone>[0]> = {}) => {
      if (at === undefined || at > end) return;
      const eventId = `evt-${messageId(o.orderId, code, at).slice(4, 20)}`;
      webhook("acme-3pl", at, acmeMilestone({ eventId, orderId: o.orderId, code, occurredAt: at, location: WAREHOUSE, ...extra }), [o.orderId], code);
    };
    acme("fulfillment.acknowledged", o.ackAt);
    acme("fulfillment.picked", o.pickedAt);
    acme("fulfillment.packed", o.packedAt);
    if (o.cancelAt !== undefined && o.cancelAt <= end) {
      out.push({
        kind: "cancel",
        at: o.cancelAt,
        happenedAt: o.cancelAt,
        partnerId: "erp",
        path: `/v1/orders/${o.orderId}/cancel`,
        body: JSON.stringify({ reason: "Customer cancelled the order", cancelledAt: new Date(o.cancelAt).toISOString() }),
        orderIds: [o.orderId],
        what: "order cancelled",
      });
    }

    o.shipments.forEach((s, k) => {
      if (s.dispatchAt <= end) {
        if (o.channel === "acme") {
          acme("shipment.dispatched", s.dispatchAt, {
            shipmentId: s.shipmentId,
            carrier: s.carrier,
            trackingNumber: s.trackingNumber,
            lines: s.lines,
          });
        } else if (o.channel === "shopify") {
          webhook("shopify", s.dispatchAt, shopifyFulfillment(o, s, k), [o.orderId], "fulfillments/create", { topic: "fulfillments/create" });
        } else {
          ediSets.push({ order: o, shipment: s });
        }
      }
      carrierTraffic(r, o, s, end, webhook);
    });

    if (o.ret && o.ret.refundAt <= end && o.shopify) {
      webhook("shopify", o.ret.refundAt, shopifyRefund(o, o.ret.refundId, o.ret.refundAt, o.ret.lines), [o.orderId], "refunds/create (return)", {
        topic: "refunds/create",
      });
      acme("return.received", o.ret.receivedAt, { returnId: o.ret.refundId, lines: o.ret.lines, description: `Return ${o.ret.rmaId} received and inspected` });
    }
  }

  // The EDI gateway delivers the warehouse's 945s in one interchange, after the last of them.
  if (ediSets.length > 0) {
    const at = Math.min(end, Math.max(...ediSets.map((e) => e.shipment.dispatchAt)) + r.int(5, 20) * MIN);
    const control = 100 + r.int(0, 899);
    const body = interchange(
      ediSets.map((e) => set945(e.order, e.shipment)),
      control,
      at,
    );
    webhook(
      "edi",
      at,
      body,
      ediSets.map((e) => e.order.orderId),
      `X12 945 ×${ediSets.length}`,
    );
  }

  // Out of order (~10 %): a webhook that reaches us one to four hours after things that happened later.
  // Duplicates (~5 %): a partner retrying a webhook it already delivered (same content, same message id).
  const partnerTraffic = out.filter((s) => s.kind === "webhook" && !s.unmappable && !s.late);
  for (const s of partnerTraffic) {
    if (r.chance(0.1)) {
      s.at = Math.min(end, s.at + r.int(60, 240) * MIN);
      s.late = true;
    }
  }
  for (const s of partnerTraffic) {
    if (r.chance(0.05)) out.push({ ...s, at: Math.min(end, s.at + r.int(1, 30) * MIN), duplicate: true, late: false });
  }

  // A request signed with a secret the partner never had (a misconfigured sender, or someone probing): 401.
  const forgedBase = partnerTraffic.find((s) => s.partnerId === "aftership") ?? partnerTraffic[0];
  const first = Math.min(...out.map((s) => s.at));
  const last = Math.max(...out.map((s) => s.at));
  if (forgedBase) out.push({ ...forgedBase, at: first + (last - first) / 3, forged: true, duplicate: false, late: false, what: `${forgedBase.what} (forged)` });

  // The ERP goes down in the middle of the day.
  out.push({
    kind: "outage",
    at: first + (last - first) / 2,
    happenedAt: first + (last - first) / 2,
    partnerId: "erp-sim",
    path: "/admin/faults",
    body: JSON.stringify({ downForMs: outageMs }),
    orderIds: [],
    what: `ERP down for ${outageMs / 1000} s`,
  });

  const events = out
    .map((s, i) => ({ ...s, seq: releases.length + i }))
    .sort((a, b) => a.at - b.at || a.seq - b.seq)
    .map((s, i) => ({ ...s, seq: releases.length + i }));
  return [...releases.map((s, i) => ({ ...s, seq: i })), ...events];
}

type Emit = (partnerId: string, at: number, body: string, orderIds: string[], what: string, extra?: Partial<Send>) => void;

/** A carrier's scans through the partner that tracks it, in that vendor's shape. */
function carrierTraffic(r: Rng, o: PlannedOrder, s: PlannedShipment, end: number, webhook: Emit): void {
  const partner = TRACKED_BY[s.carrier];
  const happened = s.scans.filter((x) => x.at <= end);
  const delivered = s.scans.find((x) => x.kind === "delivered");
  const estDelivery = delivered?.at;
  const deliveryDay = delivered ? local(delivered.at, delivered.place.offset).date : undefined;
  const ids = [o.orderId];
  if (partner === "ups") {
    for (const scan of happened) {
      const arrives = scan.arrivesAt !== undefined ? Math.min(end, scan.arrivesAt) : scan.at;
      webhook("ups", arrives, upsTrackAlert(s.trackingNumber, scan, deliveryDay), ids, `UPS ${scan.kind}`, {
        happenedAt: scan.at,
        ...(scan.arrivesAt !== undefined ? { late: true, what: `UPS ${scan.kind} (backfilled after delivery)` } : {}),
      });
    }
    return;
  }
  // EasyPost and AfterShip send the tracker's whole history on every update: earlier scans are duplicates.
  const update = (history: readonly Scan[], sentAt: number) =>
    partner === "easypost"
      ? easypostEvent({ trackingNumber: s.trackingNumber, history, sentAt, ...(estDelivery ? { estDelivery } : {}) })
      : aftershipUpdate({ trackingNumber: s.trackingNumber, orderId: o.orderId, history, sentAt, ...(estDelivery ? { estDelivery } : {}) });
  happened.forEach((scan, k) => {
    const sentAt = scan.at + r.int(1, 6) * MIN;
    webhook(partner, sentAt, update(happened.slice(0, k + 1), sentAt), ids, `${partner} ${scan.kind}`, { happenedAt: scan.at });
  });
  if (s.historyResendAt !== undefined && s.historyResendAt <= end) {
    webhook(partner, s.historyResendAt, update(happened, s.historyResendAt), ids, `${partner} history re-sent after delivery`, {
      happenedAt: happened.at(-1)?.at ?? s.historyResendAt,
    });
  }
  if (partner === "easypost" && s.unmappableAt !== undefined && s.unmappableAt <= end) {
    const before = happened.filter((x) => x.at <= (s.unmappableAt as number));
    const last = before.at(-1);
    if (last) {
      const body = easypostEvent({
        trackingNumber: s.trackingNumber,
        history: before,
        sentAt: s.unmappableAt,
        extra: { scan: { kind: "hub_departure", at: s.unmappableAt - 5 * MIN, place: last.place }, as: UNDOCUMENTED_EASYPOST_SCAN },
      });
      webhook("easypost", s.unmappableAt, body, ids, `easypost status "${UNDOCUMENTED_EASYPOST_SCAN.status}"`, { unmappable: true });
    }
  }
}
