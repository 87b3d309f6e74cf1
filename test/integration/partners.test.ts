// Real vendor payloads through the real ingress: signed with each partner's own scheme over the fixture's
// exact bytes, mapped, correlated and routed. The adapters' own tests cover each mapping in detail.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import aftershipTracking from "../../src/partners/aftership/fixtures/get-tracking-result.json?raw";
import easypostTracker from "../../src/partners/easypost/fixtures/tracker-updated.json?raw";
import shipbobShipped from "../../src/partners/shipbob/fixtures/order-shipped.json?raw";
import shippoTrack from "../../src/partners/shippo/fixtures/track-updated.json?raw";
import shopifyFulfillment from "../../src/partners/shopify/fixtures/fulfillments-create.json?raw";
import upsDelivered from "../../src/partners/ups/fixtures/track-alert-delivered.json?raw";
import edi945 from "../../src/partners/x12/fixtures/two-945s.edi?raw";
import { orderStub } from "../../src/orders";
import { call, EDI_SHIP_TO, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";
import { sendAs, type WebhookAnswer } from "../helpers/partners";

const answer = async (res: Response): Promise<WebhookAnswer> => {
  expect(res.status).toBe(202);
  return (await res.json()) as WebhookAnswer;
};
const outcomes = (a: WebhookAnswer) => a.results.map((r) => r.outcome);
const ops = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}`, ...init.headers } });

describe("vendor payloads through the ingress", () => {
  it("EasyPost: a tracker history parks until the order binds the tracking number, and a resend is all duplicates", async () => {
    const first = await answer(await sendAs("easypost", easypostTracker));
    expect(first.results.length).toBeGreaterThan(3);
    expect(new Set(outcomes(first))).toEqual(new Set(["parked"]));

    const orderId = "SO-EASYPOST-1";
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2024-07-31T14:00:00Z", shipmentId: "S1", trackingNumber: "1" }));
    await eventually(async () =>
      (await orderStub(env, orderId).inspect()).events.filter((e) => e.source === "easypost").length === first.results.length ? true : undefined,
    );
    expect((await orderStub(env, orderId).inspect()).state?.status).toBe("in_transit");

    const again = await answer(await sendAs("easypost", easypostTracker));
    expect(new Set(outcomes(again))).toEqual(new Set(["duplicate"]));
  });

  it("AfterShip: checkpoints map to scans keyed by tracking number", async () => {
    const start = aftershipTracking.indexOf('"tracking": ') + '"tracking": '.length;
    const tracking = aftershipTracking.slice(start, aftershipTracking.lastIndexOf("\n  }\n}"));
    const body = `{"event":"tracking_update","event_id":"94dadd60-ed26-46d0-aa52-3ced925a50ff","is_tracking_first_tag":false,"msg":${tracking},"ts":1532481000}`;
    const a = await answer(await sendAs("aftership", body));
    expect(a.results.length).toBeGreaterThan(5);
    expect(new Set(outcomes(a))).toEqual(new Set(["parked"]));
  });

  it("Shippo: a track_updated webhook parks by tracking number", async () => {
    const a = await answer(await sendAs("shippo", shippoTrack));
    expect(a.results.length).toBeGreaterThan(0);
    expect(new Set(outcomes(a))).toEqual(new Set(["parked"]));
  });

  it("UPS: a Track Alert with the registered credential is accepted; a wrong credential is 401", async () => {
    expect(outcomes(await answer(await sendAs("ups", upsDelivered)))).toEqual(["parked"]);
    const res = await call("/v1/webhooks/ups", {
      method: "POST",
      headers: { "Content-Type": "application/json", credential: "not-the-registered-token" },
      body: upsDelivered,
    });
    expect(res.status).toBe(401);
  });

  it("Shopify: a fulfillment with a 64-bit order id reaches the order released with that Shopify reference", async () => {
    const orderId = "SO-SHOPIFY-1";
    await releaseOrder(orderId, "CUST-1", { refs: [{ system: "shopify", id: "820982911946154508" }] });
    const a = await eventually(async () => {
      const r = await answer(await sendAs("shopify", shopifyFulfillment, { topic: "fulfillments/create" }));
      return r.results.every((x) => x.outcome !== "parked") ? r : undefined;
    });
    expect(a.results[0]).toMatchObject({ orderId, outcome: expect.stringMatching(/accepted|duplicate/) });
    const view = await orderStub(env, orderId).inspect();
    expect(view.events.map((e) => e.code)).toContain("shipment.dispatched");
  });

  it("ShipBob: order.shipped reaches the order named by reference_id", async () => {
    const a = await answer(await sendAs("shipbob", shipbobShipped, { topic: "order.shipped" }));
    expect(a.results.length).toBeGreaterThan(0);
    expect(a.results.every((r) => r.outcome === "accepted" && r.orderId)).toBe(true);
  });

  it("EDI: a 945 warehouse shipping advice becomes the dispatch of the order in W06", async () => {
    await releaseOrder("SO-1001", "CUST-1", EDI_SHIP_TO);
    const a = await answer(await sendAs("edi", edi945));
    expect(a.results.find((r) => r.orderId === "SO-1001")).toMatchObject({ outcome: "accepted" });
    const state = (await orderStub(env, "SO-1001").inspect()).state;
    expect(state?.shipments[0]).toMatchObject({ shipmentId: "WH-SHP-5001", trackingNumber: "1Z999AA10123456784", status: "dispatched" });
  });

  it("EDI: a malformed interchange is 400 problem+json and writes nothing", async () => {
    const res = await sendAs("edi", "ISA*00*short~");
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  });
});

describe("quarantine", () => {
  it("keeps an authentic payload it cannot map, answers 202 quarantined, and shows it to ops", async () => {
    // A scan status EasyPost might add tomorrow: the payload is authentic, we just cannot map it yet.
    const unknownStatus = easypostTracker.replace('"status":"pre_transit"', '"status":"teleported"');
    expect(unknownStatus).not.toBe(easypostTracker);
    const a = await answer(await sendAs("easypost", unknownStatus));
    expect(a.results).toEqual([{ outcome: "quarantined", quarantineId: expect.stringMatching(/^q_/), reason: expect.stringMatching(/teleported/) }]);
    const id = a.results[0]?.quarantineId as string;

    const list = (await (await ops("/ops/quarantine?status=open")).json()) as { items: { id: string; partnerId: string; headers: Record<string, string> }[] };
    const entry = list.items.find((i) => i.id === id);
    expect(entry).toMatchObject({ partnerId: "easypost" });
    // Credentials are not kept; the body is, byte for byte.
    expect(Object.keys(entry?.headers ?? {}).some((h) => /hmac|signature/i.test(h))).toBe(false);
    const one = (await (await ops(`/ops/quarantine/${id}`)).json()) as { body: string; correlationId: string };
    expect(one.body).toBe(unknownStatus);
    expect(one.correlationId).toBe(a.correlationId);

    // Replaying before the mapping is fixed changes nothing.
    const replay = await ops(`/ops/quarantine/${id}/replay`, { method: "POST" });
    expect(replay.status).toBe(422);
    expect(((await (await ops(`/ops/quarantine/${id}`)).json()) as { status: string }).status).toBe("open");
  });

  it("replays a payload quarantined before its mapping was fixed, through the path it missed", async () => {
    // A row as an older adapter (one that did not know EasyPost's tracker history) would have left it.
    const { putInQuarantine } = await import("../../src/readmodel/quarantine");
    const raw = new TextEncoder().encode(easypostTracker) as Uint8Array<ArrayBuffer>;
    const id = await putInQuarantine(
      env.DB,
      {
        partnerId: "easypost",
        headers: new Headers({ "content-type": "application/json", "x-hmac-signature": "hmac-sha256-hex=00" }),
        raw,
        receivedAt: new Date().toISOString(),
      },
      "unknown status (older mapping)",
      "corr-quarantine-0001",
    );
    const res = await ops(`/ops/quarantine/${id}/replay`, { method: "POST" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; results: { outcome: string }[] };
    expect(body.status).toBe("replayed");
    expect(body.results.length).toBeGreaterThan(3);
    expect((await ops(`/ops/quarantine/${id}/replay`, { method: "POST" })).status).toBe(409);
    const stored = (await (await ops(`/ops/quarantine/${id}`)).json()) as { headers: Record<string, string> };
    expect(stored.headers["x-hmac-signature"]).toBeUndefined();
  });
});
