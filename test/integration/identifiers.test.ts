// Bad identifiers and text are refused at every door and write nothing: the ERP release, partner payloads
// (422 for our canonical format, quarantine for a vendor's), and order ids in paths.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import easypostTracker from "../../src/partners/easypost/fixtures/tracker-updated.json?raw";
import shipbobShipped from "../../src/partners/shipbob/fixtures/order-shipped.json?raw";
import { orderStub } from "../../src/orders";
import { call, issueKey, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";
import { sendAs, type WebhookAnswer } from "../helpers/partners";

const DAY_MS = 24 * 60 * 60 * 1000;

async function expectProblem(res: Response, status: number): Promise<{ type: string; errors?: { path: string; message: string }[]; detail?: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  return (await res.json()) as { type: string; errors?: { path: string; message: string }[]; detail?: string };
}

async function nothingWritten(orderId: string): Promise<void> {
  expect((await orderStub(env, orderId).inspect()).orderId).toBeNull();
}

const release = (body: Record<string, unknown>) =>
  call("/v1/orders", {
    method: "POST",
    headers: { Authorization: `Bearer ${SECRETS.erpInbound}`, "Content-Type": "application/json" },
    body: JSON.stringify({ customerId: "CUST-1", lines: [{ sku: "WID-1", quantity: 2 }], shipTo: { country: "US" }, ...body }),
  });

describe("order ids", () => {
  it("refuses an ERP release whose order id is a path, has control characters or whitespace, or is not ASCII", async () => {
    for (const orderId of ["SO/../x", "SO-1\u0000\n", "SO 1", "ordér-1", "SO-1\u200b"]) {
      const p = await expectProblem(await release({ orderId }), 422);
      expect(p.errors?.[0]?.path, orderId).toBe("orderId");
      await nothingWritten(orderId);
    }
    expect((await release({ orderId: "SO-ID-OK.1_a" })).status).toBe(202);
  });

  it("refuses a canonical partner event for such an order id with 422 and writes nothing", async () => {
    for (const orderId of ["SO/../x", "SO-1\u0000\n"]) {
      const p = await expectProblem(await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z" })), 422);
      expect(p.errors?.map((e) => e.path)).toContain("data.orderId");
      await nothingWritten(orderId);
    }
  });

  it("quarantines a vendor payload that names its order with an id outside the grammar, and writes nothing", async () => {
    const body = shipbobShipped.replaceAll('"reference_id": "TEST101"', '"reference_id": "SO/../x"');
    expect(body).not.toBe(shipbobShipped);
    const res = await sendAs("shipbob", body, { topic: "order.shipped" });
    expect(res.status).toBe(202);
    const a = (await res.json()) as WebhookAnswer;
    expect(a.results).toEqual([{ outcome: "quarantined", quarantineId: expect.stringMatching(/^q_/), reason: expect.stringMatching(/orderId/) }]);
    await nothingWritten("SO/../x");
  });

  it("answers 422 for an order id in a path that is outside the grammar", async () => {
    const res = await call(`/v1/orders/${encodeURIComponent("SO/../x")}/cancel`, {
      method: "POST",
      headers: { Authorization: `Bearer ${SECRETS.erpInbound}`, "Content-Type": "application/json" },
      body: "{}",
    });
    const p = await expectProblem(res, 422);
    expect(p.detail).toMatch(/Path parameter orderId/);
    await nothingWritten("SO/../x");
  });
});

describe("order ids in the portal and ops paths", () => {
  it("answers a problem, never an order, for an id outside the grammar", async () => {
    const key = await issueKey("CUST-1");
    for (const bad of ["SO/../x", "SO-1\u0000\n", "ordér-1"]) {
      const portal = await call(`/v1/orders/${encodeURIComponent(bad)}`, { headers: { Authorization: `Bearer ${key}` } });
      expect([404, 422], `portal ${JSON.stringify(bad)}`).toContain(portal.status);
      expect(portal.headers.get("Content-Type")).toBe("application/problem+json");
      const ops = await call(`/ops/orders/${encodeURIComponent(bad)}`, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
      expect([404, 422], `ops ${JSON.stringify(bad)}`).toContain(ops.status);
      expect(ops.headers.get("Content-Type")).toBe("application/problem+json");
    }
  });
});

describe("tracking numbers", () => {
  it("refuses a canonical tracking number with anything but letters and digits (ß is not SS)", async () => {
    for (const trackingNumber of ["trkß1", "1Z/999", "TRK\u00001"]) {
      const p = await expectProblem(await sendAcme(milestone({ trackingNumber, code: "shipment.in_transit", occurredAt: "2026-11-20T10:00:00Z" })), 422);
      expect(
        p.errors?.map((e) => e.path),
        trackingNumber,
      ).toContain("data.trackingNumber");
    }
  });

  it("ignores invisible format characters: a zero-width space does not make a second parcel", async () => {
    const orderId = "SO-ID-TRK-1";
    await releaseOrder(orderId);
    await sendAcme(
      milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T10:00:00Z", shipmentId: "S1", trackingNumber: "1ZIDTRK0000000001" }),
    );
    const res = await sendAcme(milestone({ trackingNumber: "1ZIDTRK\u200b0000000001", code: "shipment.in_transit", occurredAt: "2026-11-20T12:00:00Z" }));
    expect(res.status).toBe(202);
    const events = (await orderStub(env, orderId).inspect()).events;
    expect(events.filter((e) => e.trackingNumber === "1ZIDTRK0000000001").map((e) => e.code)).toEqual(["shipment.dispatched", "shipment.in_transit"]);
  });

  it("quarantines a vendor payload whose tracking number is not letters and digits", async () => {
    const body = easypostTracker.replace('"tracking_code":"1"', '"tracking_code":"trkß1"');
    expect(body).not.toBe(easypostTracker);
    const res = await sendAs("easypost", body);
    expect(res.status).toBe(202);
    const a = (await res.json()) as WebhookAnswer;
    expect(a.results).toEqual([{ outcome: "quarantined", quarantineId: expect.stringMatching(/^q_/), reason: expect.stringMatching(/tracking number/) }]);
  });
});

describe("text and instants", () => {
  it("refuses control characters and lone surrogates in a canonical event's text, and keeps line breaks", async () => {
    const orderId = "SO-ID-TEXT-1";
    await releaseOrder(orderId);
    const send = (description: string) => sendAcme(milestone({ orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z", description }));
    for (const description of ["bell\u0007", "nul\u0000", "c1\u0085"]) {
      const p = await expectProblem(await send(description), 422);
      expect(p.errors?.map((e) => e.path)).toContain("data.description");
    }
    // A lone surrogate can only arrive as a JSON escape: JSON.stringify writes it as \ud800.
    const lone = JSON.stringify(milestone({ orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z", description: "x\ud800y" }));
    expect(lone).toContain("\\ud800");
    await expectProblem(await sendAcme(lone), 422);
    expect((await orderStub(env, orderId).inspect()).events.map((e) => e.code)).toEqual(["order.released"]);
    expect((await send("Picked\nby the night shift")).status).toBe(202);
  });

  it("refuses control characters in an ERP release's text", async () => {
    const p = await expectProblem(await release({ orderId: "SO-ID-TEXT-2", shipTo: { name: "Ada\u0000", country: "US" } }), 422);
    expect(p.errors?.map((e) => e.path)).toContain("shipTo.name");
    await nothingWritten("SO-ID-TEXT-2");
  });

  it("refuses an occurredAt before 2000 or more than a day ahead", async () => {
    const orderId = "SO-ID-TIME-1";
    await releaseOrder(orderId);
    for (const occurredAt of ["1999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", new Date(Date.now() + 2 * DAY_MS).toISOString()]) {
      const p = await expectProblem(await sendAcme(milestone({ orderId, code: "fulfillment.picked", occurredAt })), 422);
      expect(
        p.errors?.map((e) => e.path),
        occurredAt,
      ).toContain("data.occurredAt");
    }
    expect((await orderStub(env, orderId).inspect()).events.map((e) => e.code)).toEqual(["order.released"]);
  });

  it("refuses a releasedAt before 2000 or more than a day ahead", async () => {
    for (const [orderId, releasedAt] of [
      ["SO-ID-TIME-2", "1970-01-01T00:00:00Z"],
      ["SO-ID-TIME-3", new Date(Date.now() + 2 * DAY_MS).toISOString()],
    ] as const) {
      const p = await expectProblem(await release({ orderId, releasedAt }), 422);
      expect(p.errors?.map((e) => e.path)).toContain("releasedAt");
      await nothingWritten(orderId);
    }
  });
});
