// The wire formats of a fulfillment request: canonical JSON that a Standard Webhooks verifier accepts under
// the partner's secret (and carries only the contract's fields), and X12 940 interchanges — an original
// (W0501 N) and a cancellation (W0501 F) — that the inbound parser reads back.
import { describe, expect, it } from "vitest";
import { formatRequest } from "./fulfillment-formats";
import { standardWebhookHeaders, verifyStandardWebhook } from "./schemes/standard-webhooks";
import { parseX12 } from "./x12/parse";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const asked = {
  requestId: "SO-9:acme-3pl:1",
  orderId: "SO-9",
  customerId: "CUST-1",
  shipTo: { name: "Ada", city: "Austin", country: "US" },
  lines: [{ sku: "WID-1", quantity: 2 }],
};
const context = { partnerId: "edi", controlNumber: 42, senderId: "DOCKLINE", at: new Date("2026-12-01T08:00:00Z") };

describe("canonical", () => {
  it("is { type, data } signed with Standard Webhooks under the partner's secret, webhook-id the command key", async () => {
    const f = await formatRequest("canonical", { type: "fulfillment.requested", key: "fulfillment.requested:SO-9:acme-3pl:1", data: asked }, SECRET, context);
    expect(JSON.parse(f.body)).toEqual({ type: "fulfillment.requested", data: asked });
    const headers = standardWebhookHeaders(new Headers(f.headers));
    expect(headers.id).toBe("fulfillment.requested:SO-9:acme-3pl:1");
    await expect(verifyStandardWebhook([SECRET], headers, new TextEncoder().encode(f.body))).resolves.toBe(headers.id);
  });

  it("sends a cancellation as requestId, orderId and reason only", async () => {
    const data = { requestId: asked.requestId, orderId: "SO-9", reason: "changed mind", request: asked };
    const f = await formatRequest("canonical", { type: "fulfillment.cancelled", key: "fulfillment.cancelled:SO-9:acme-3pl:1", data }, SECRET, context);
    expect(JSON.parse(f.body)).toEqual({ type: "fulfillment.cancelled", data: { requestId: asked.requestId, orderId: "SO-9", reason: "changed mind" } });
  });
});

describe("x12-940", () => {
  const w05 = (body: string) => parseX12(new TextEncoder().encode(body)).groups[0]?.sets[0]?.segments.find((s) => s.id === "W05")?.elements;

  it("is a 940 the parser reads back, with a bearer token, the order and request ids in W05", async () => {
    const f = await formatRequest("x12-940", { type: "fulfillment.requested", key: "k", data: asked }, "edi-token", context);
    expect(f.headers).toEqual({ "Content-Type": "application/edi-x12", Authorization: "Bearer edi-token" });
    expect(w05(f.body)).toEqual(["N", "SO-9", "SO-9:acme-3pl:1"]);
  });

  it("cancels with W0501 F, restating what was asked; the same command formats to the same bytes", async () => {
    const data = { requestId: asked.requestId, orderId: "SO-9", request: asked };
    const a = await formatRequest("x12-940", { type: "fulfillment.cancelled", key: "c", data }, "edi-token", context);
    const b = await formatRequest("x12-940", { type: "fulfillment.cancelled", key: "c", data }, "edi-token", context);
    expect(w05(a.body)).toEqual(["F", "SO-9", "SO-9:acme-3pl:1"]);
    expect(a.body).toBe(b.body);
  });
});
