// The 3PL simulator (tools/3pl-sim) inside workerd, reached the way dockline reaches it: at
// http://127.0.0.1:8789, which test-peers routes to it. It records each fulfillment request once per
// Idempotency-Key, refuses what a 3PL would refuse, fails on demand, and what it answers with — the
// partners' own milestone webhooks — is what dockline's partner ingress accepts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { orderStub } from "../../src/orders";
import { signStandardWebhook } from "../../src/partners/schemes/standard-webhooks";
import type { Receipt, Stats, StoredRequest } from "../../tools/3pl-sim/src/ledger";
import type { SendResult } from "../../tools/3pl-sim/src/respond";
import { EDI_SHIP_TO, eventually, releaseOrder, SECRETS } from "../helpers/http";

const SIM = "http://127.0.0.1:8789";
/** The first PARTNER_SECRET_EDI of the test environment: the gateway's bearer token. */
const EDI_TOKEN = "test-edi-gateway-bearer-token";

let counter = 0;
/** One uniquely named order per test: the simulator is shared by every test of the file. */
const orderIdFor = (name: string) => `SO-3PL-${name}-${Date.now().toString(36)}-${++counter}`;

function requested(orderId: string, requestId = `${orderId}:acme-3pl:1`) {
  return {
    type: "fulfillment.requested",
    data: {
      requestId,
      orderId,
      customerId: "CUST-1",
      shipTo: { name: "Ada", city: "Memphis", region: "TN", country: "US" },
      lines: [{ sku: "WID-1", quantity: 2 }],
    },
  };
}

interface SendOptions {
  key?: string | null;
  secret?: string;
  timestamp?: number;
  contentType?: string;
}

/** POSTs `body` to the simulator as dockline sends to acme-3pl: signed with Standard Webhooks (dockline's signer). */
async function sendCanonical(body: object | string, o: SendOptions = {}): Promise<Response> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const id = `msg_${crypto.randomUUID()}`;
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const key = o.key === undefined ? (JSON.parse(raw) as { data: { requestId: string } }).data.requestId : o.key;
  return fetch(`${SIM}/acme-3pl`, {
    method: "POST",
    headers: {
      "Content-Type": o.contentType ?? "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(ts),
      "webhook-signature": await signStandardWebhook(o.secret ?? SECRETS.acme, id, ts, new TextEncoder().encode(raw)),
      "X-Correlation-Id": "corr-3pl-test",
      ...(key === null ? {} : { "Idempotency-Key": key }),
    },
    body: raw,
  });
}

/** A 940 as dockline writes one: W05*N*<orderId>*<requestId>, N1*ST with its N4, LX + W01 per line. */
function x940(orderId: string, requestId: string, lines: { sku: string; quantity: number }[]): string {
  const body = [
    "ST*940*0001",
    `W05*N*${orderId}*${requestId}`,
    "N1*ST*Ada",
    "N4*Hamburg**20095*DE",
    ...lines.flatMap((l, i) => [`LX*${i + 1}`, `W01*${l.quantity}*EA**VN*${l.sku}`]),
    `W76*${lines.reduce((n, l) => n + l.quantity, 0)}`,
  ];
  return [
    "ISA*00*          *00*          *ZZ*DOCKLINE       *ZZ*ACMEWH         *261120*0910*U*00401*000000042*0*P*>",
    "GS*OW*DOCKLINE*ACMEWH*20261120*0910*42*X*004010",
    ...body,
    `SE*${body.length + 1}*0001`,
    "GE*1*42",
    "IEA*1*000000042",
  ]
    .map((s) => `${s}~`)
    .join("");
}

function send940(text: string, key: string, token = EDI_TOKEN): Promise<Response> {
  return fetch(`${SIM}/edi`, {
    method: "POST",
    headers: { "Content-Type": "application/edi-x12", Authorization: `Bearer ${token}`, "Idempotency-Key": key },
    body: text,
  });
}

async function recorded(query: string): Promise<{ requests: StoredRequest[]; stats: Stats }> {
  const res = await fetch(`${SIM}/admin/requests?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { requests: StoredRequest[]; stats: Stats };
}

function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${SIM}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
  });
}

async function respondFor(body: Record<string, unknown>): Promise<{ ok: boolean; sent: SendResult[] }> {
  const res = await admin("POST", "/admin/respond", { dockline: "self-test", ...body });
  expect(res.status).toBe(200);
  return (await res.json()) as { ok: boolean; sent: SendResult[] };
}

async function expectProblem(res: Response, status: number, slug: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(await res.json()).toMatchObject({ type: `https://dockline.dev/problems/3pl-sim/${slug}`, status });
}

describe("acme-3pl: canonical requests signed with Standard Webhooks", () => {
  it("records a correctly signed request once; the same key and body again is a replay answered with the original receipt", async () => {
    const orderId = orderIdFor("once");
    const body = requested(orderId);
    const first = await sendCanonical(body);
    expect(first.status).toBe(202);
    expect(first.headers.get("x-correlation-id")).toBe("corr-3pl-test");
    const receipt = (await first.json()) as Receipt;
    expect(receipt).toEqual({ requestId: `${orderId}:acme-3pl:1`, receivedAt: expect.any(String), recordId: expect.stringMatching(/^3PL-\d+$/) });
    const replaysBefore = (await recorded("")).stats.replays;

    // A retry is signed anew (new webhook-id and timestamp) but is the same request.
    const again = await sendCanonical(body);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.json()).toEqual(receipt);

    const { requests, stats } = await recorded(`orderId=${orderId}`);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      recordId: receipt.recordId,
      partner: "acme-3pl",
      type: "fulfillment.requested",
      orderId,
      idempotencyKey: `${orderId}:acme-3pl:1`,
      correlationId: "corr-3pl-test",
      replays: 1,
      lines: [{ sku: "WID-1", quantity: 2 }],
      body,
    });
    expect(stats.replays).toBeGreaterThan(replaysBefore);
  });

  it("answers 422 to the same key with a different body, and keeps the first", async () => {
    const orderId = orderIdFor("reuse");
    expect((await sendCanonical(requested(orderId))).status).toBe(202);
    const changed = requested(orderId);
    changed.data.lines = [{ sku: "WID-1", quantity: 3 }];
    await expectProblem(await sendCanonical(changed), 422, "idempotency-key-reused");
    const { requests } = await recorded(`orderId=${orderId}`);
    expect(requests.map((r) => r.lines)).toEqual([[{ sku: "WID-1", quantity: 2 }]]);
  });

  it("records a cancellation beside the request it cancels, under the same key", async () => {
    const orderId = orderIdFor("cancel");
    expect((await sendCanonical(requested(orderId))).status).toBe(202);
    const cancel = { type: "fulfillment.cancelled", data: { requestId: `${orderId}:acme-3pl:1`, orderId, reason: "customer changed their mind" } };
    expect((await sendCanonical(cancel)).status).toBe(202);
    expect((await recorded(`orderId=${orderId}`)).requests.map((r) => r.type)).toEqual(["fulfillment.requested", "fulfillment.cancelled"]);
  });

  it("refuses a signature made with another secret, or a stale one, with 401 and records nothing", async () => {
    const orderId = orderIdFor("badsig");
    const before = (await recorded("")).stats.rejectedSignatures;
    await expectProblem(await sendCanonical(requested(orderId), { secret: "whsec_c2Vjb25kIGFjdGl2ZSBzZWNyZXQgZm9yIHJvdGF0aW9u" }), 401, "unauthorized");
    await expectProblem(await sendCanonical(requested(orderId), { timestamp: Math.floor(Date.now() / 1000) - 301 }), 401, "unauthorized");
    const unsigned = await fetch(`${SIM}/acme-3pl`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": "k" },
      body: JSON.stringify(requested(orderId)),
    });
    await expectProblem(unsigned, 401, "unauthorized");
    const { requests, stats } = await recorded(`orderId=${orderId}`);
    expect(requests).toEqual([]);
    expect(stats.rejectedSignatures).toBeGreaterThanOrEqual(before + 3);
  });

  it("refuses a wrong content type (415), malformed JSON (400), a request without requestId (422) and a missing Idempotency-Key (400)", async () => {
    const orderId = orderIdFor("invalid");
    await expectProblem(await sendCanonical(requested(orderId), { contentType: "text/plain" }), 415, "unsupported-media-type");
    await expectProblem(await sendCanonical("{not json", { key: "k-1" }), 400, "malformed-json");
    const res = await sendCanonical({ type: "fulfillment.requested", data: { orderId } }, { key: "k-2" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(["data.requestId"]);
    await expectProblem(await sendCanonical(requested(orderId), { key: null }), 400, "invalid-idempotency-key");
    expect((await recorded(`orderId=${orderId}`)).requests).toEqual([]);
  });
});

describe("edi: X12 940s with the gateway's bearer token", () => {
  it("records a 940 with the right bearer: the order from W0502, the request from W0503, the lines from W01, once per key", async () => {
    const orderId = orderIdFor("940");
    const requestId = `${orderId}:edi:1`;
    const text = x940(orderId, requestId, [
      { sku: "BULK-PALLET-1", quantity: 4 },
      { sku: "GAD-2", quantity: 1 },
    ]);
    const res = await send940(text, requestId);
    expect(res.status).toBe(202);
    const receipt = (await res.json()) as Receipt;
    expect(receipt.requestId).toBe(requestId);
    // Resent with new control numbers, it is still the same 940.
    const resent = await send940(text.replaceAll("000000042", "000000043").replace("*42*X*", "*43*X*").replace("GE*1*42", "GE*1*43"), requestId);
    expect(resent.status).toBe(200);
    expect(await resent.json()).toEqual(receipt);
    const { requests } = await recorded(`orderId=${orderId}&partner=edi`);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      partner: "edi",
      type: "fulfillment.requested",
      requestId,
      lines: [
        { sku: "BULK-PALLET-1", quantity: 4 },
        { sku: "GAD-2", quantity: 1 },
      ],
      shipTo: { city: "Hamburg", country: "DE" },
      x12: { group: "42", set: "0001" },
      replays: 1,
      body: text,
    });
  });

  it("refuses a wrong bearer (401), a body that is not X12 (400) and a 940 without a W05 (422)", async () => {
    const orderId = orderIdFor("940bad");
    const text = x940(orderId, `${orderId}:edi:1`, [{ sku: "BULK-1", quantity: 1 }]);
    const wrong = await send940(text, "k", "not-the-gateway-token-at-all");
    await expectProblem(wrong, 401, "unauthorized");
    expect(wrong.headers.get("www-authenticate")).toContain("Bearer");
    await expectProblem(await send940("<order/>", "k"), 400, "malformed-x12");
    await expectProblem(await send940(text.replace(/W05\*[^~]*~/, ""), "k"), 422, "invalid-940");
    expect((await recorded(`orderId=${orderId}`)).requests).toEqual([]);
  });
});

describe("faults", () => {
  it("answers 503 while errorRate is 1 for its scope, records nothing, and takes the request once the faults are cleared", async () => {
    const orderId = orderIdFor("fail");
    const set = await admin("PUT", "/admin/faults", { errorRate: 1, scope: orderId });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ errorRate: 1, scope: orderId, down: false });
    try {
      await expectProblem(await sendCanonical(requested(orderId)), 503, "internal-3pl-error");
      // Another order is outside the scope.
      expect((await sendCanonical(requested(orderIdFor("unscoped")))).status).toBe(202);
      expect((await recorded(`orderId=${orderId}`)).requests).toEqual([]);
    } finally {
      expect((await admin("DELETE", "/admin/faults")).status).toBe(200);
    }
    expect((await sendCanonical(requested(orderId))).status).toBe(202);
    expect((await recorded(`orderId=${orderId}`)).requests).toHaveLength(1);
  });

  it("is down for downForMs (503 with Retry-After, then 429 when throttled) and recovers on its own", async () => {
    const orderId = orderIdFor("down");
    expect((await admin("PUT", "/admin/faults", { downForMs: 1500, scope: orderId })).status).toBe(200);
    const down = await sendCanonical(requested(orderId));
    await expectProblem(down, 503, "unavailable");
    expect(Number(down.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const res = await eventually(async () => {
      const r = await sendCanonical(requested(orderId));
      return r.status === 503 ? undefined : r;
    }, 5000);
    expect(res.status).toBe(202);

    expect((await admin("PUT", "/admin/faults", { rate429: 1, retryAfterSeconds: 7, scope: orderId })).status).toBe(200);
    try {
      const throttled = await sendCanonical(requested(orderId, `${orderId}:acme-3pl:2`));
      await expectProblem(throttled, 429, "rate-limited");
      expect(throttled.headers.get("retry-after")).toBe("7");
    } finally {
      await admin("DELETE", "/admin/faults");
    }
  });

  it("refuses an invalid fault configuration with problem+json naming the field", async () => {
    const res = await admin("PUT", "/admin/faults", { errorRate: 2, surprise: true });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = (await res.json()) as { type: string; errors: { path: string }[] };
    expect(body.type).toBe("https://dockline.dev/problems/3pl-sim/invalid-fault-config");
    expect(body.errors.map((e) => e.path).sort()).toEqual(["", "errorRate"]);
  });
});

describe("answering like a 3PL: the partners' webhooks to dockline", () => {
  it("POST /admin/respond sends acme-3pl's acknowledgement to dockline, which accepts it (202)", async () => {
    const orderId = orderIdFor("ack");
    // Released to the US: routed to acme-3pl, so acme-3pl may report on it.
    expect((await releaseOrder(orderId)).status).toBe(202);
    // A key of our own: dockline's own request for the order, if it sends one, is a second record.
    expect((await sendCanonical(requested(orderId), { key: `test:${orderId}` })).status).toBe(202);

    // One answer per request id, whichever of the two records came first.
    const answer = await respondFor({ orderId, partner: "acme-3pl", milestones: ["acknowledged"] });
    expect(answer.ok).toBe(true);
    expect(answer.sent).toEqual([
      expect.objectContaining({
        requestId: `${orderId}:acme-3pl:1`,
        milestone: "acknowledged",
        status: 202,
        answer: expect.objectContaining({ results: [expect.objectContaining({ orderId, outcome: "accepted" })] }),
      }),
    ]);

    const view = await orderStub(env, orderId).inspect();
    expect(view.events.filter((e) => e.source === "acme-3pl").map((e) => e.code)).toEqual(["fulfillment.acknowledged"]);
    // dockline counts its request to acme-3pl as acknowledged.
    expect(view.deliveries.find((d) => d.partner === "acme-3pl" && d.type === "fulfillment.requested")?.acknowledgedAt).toEqual(expect.any(String));
    const { requests } = await recorded(`orderId=${orderId}&partner=acme-3pl`);
    expect(requests.flatMap((r) => r.responses)).toEqual([{ milestone: "acknowledged", status: 202, sentAt: expect.any(String) }]);
  });

  it("sends acme-3pl's milestones in order, each accepted once: acknowledged, picked, dispatched (with a tracking number), delivered", async () => {
    const orderId = orderIdFor("chain");
    expect((await releaseOrder(orderId)).status).toBe(202);
    expect((await sendCanonical(requested(orderId), { key: `test:${orderId}` })).status).toBe(202);
    const milestones = ["acknowledged", "picked", "dispatched", "delivered"];
    const answer = await respondFor({ orderId, partner: "acme-3pl", milestones, requestId: `${orderId}:acme-3pl:1` });
    expect(answer.sent.map((s) => [s.milestone, "status" in s ? s.status : null])).toEqual(milestones.map((m) => [m, 202]));
    // Saying it again is a duplicate to dockline, not a second shipment.
    const again = await respondFor({ orderId, partner: "acme-3pl", milestones: ["dispatched"], requestId: `${orderId}:acme-3pl:1` });
    expect(again.sent[0]).toMatchObject({ status: 202, answer: { results: [{ outcome: "duplicate" }] } });

    const view = await orderStub(env, orderId).inspect();
    const codes = view.events.filter((e) => e.source === "acme-3pl").map((e) => e.code);
    expect(codes).toEqual(["fulfillment.acknowledged", "fulfillment.picked", "shipment.dispatched", "shipment.delivered"]);
    const dispatched = view.events.find((e) => e.code === "shipment.dispatched");
    expect(dispatched).toMatchObject({ carrier: "ups", trackingNumber: expect.stringMatching(/^1Z[0-9A-F]{16}$/), lines: [{ sku: "WID-1", quantity: 2 }] });
  });

  it("edi: dispatched is a 945 and delivered a 214, both accepted by dockline; picked has no X12 message and is skipped", async () => {
    const orderId = orderIdFor("edi");
    // Released to Germany: routed to edi.
    expect((await releaseOrder(orderId, "CUST-1", { ...EDI_SHIP_TO, lines: [{ sku: "BULK-PALLET-1", quantity: 4 }] })).status).toBe(202);
    const requestId = `${orderId}:edi:1`;
    expect((await send940(x940(orderId, requestId, [{ sku: "BULK-PALLET-1", quantity: 4 }]), `test:${requestId}`)).status).toBe(202);

    const answer = await respondFor({ orderId, partner: "edi", milestones: ["picked", "dispatched", "delivered"], requestId });
    expect(answer.sent).toMatchObject([
      { milestone: "picked", skipped: expect.stringContaining("945 and 214") },
      { milestone: "dispatched", status: 202, answer: { results: [{ orderId, outcome: "accepted" }] } },
      { milestone: "delivered", status: 202, answer: { results: [{ orderId, outcome: "accepted" }] } },
    ]);
    const view = await orderStub(env, orderId).inspect();
    expect(view.events.filter((e) => e.source === "edi").map((e) => e.code)).toEqual(["shipment.dispatched", "shipment.delivered"]);
    expect(view.events.find((e) => e.code === "shipment.dispatched")).toMatchObject({ lines: [{ sku: "BULK-PALLET-1", quantity: 4 }] });
  });

  it("in auto mode acknowledges each newly recorded fulfillment.requested on its own", async () => {
    const orderId = orderIdFor("auto");
    expect((await releaseOrder(orderId)).status).toBe(202);
    const mode = await admin("PUT", "/admin/respond-mode", { auto: true, partners: ["acme-3pl"], dockline: "self-test" });
    expect(await mode.json()).toEqual({ auto: true, milestones: ["acknowledged"], partners: ["acme-3pl"], dockline: "self-test", delayMs: 0 });
    try {
      expect((await sendCanonical(requested(orderId), { key: `test:${orderId}` })).status).toBe(202);
      const responses = await eventually(async () => {
        const r = (await recorded(`orderId=${orderId}`)).requests.find((q) => q.idempotencyKey === `test:${orderId}`)?.responses;
        return r && r.length > 0 ? r : undefined;
      });
      expect(responses).toEqual([{ milestone: "acknowledged", status: 202, sentAt: expect.any(String) }]);
    } finally {
      expect(await (await admin("DELETE", "/admin/respond-mode")).json()).toMatchObject({ auto: false });
    }
    const view = await orderStub(env, orderId).inspect();
    expect(view.events.some((e) => e.source === "acme-3pl" && e.code === "fulfillment.acknowledged")).toBe(true);
  });

  it("answers 404 for an order it has no request of, and 400 for an unknown milestone", async () => {
    await expectProblem(
      await admin("POST", "/admin/respond", { orderId: orderIdFor("none"), partner: "acme-3pl", milestones: ["acknowledged"] }),
      404,
      "no-requests",
    );
    await expectProblem(await admin("POST", "/admin/respond", { orderId: "SO-1", partner: "acme-3pl", milestones: ["teleported"] }), 400, "invalid-respond");
  });
});
