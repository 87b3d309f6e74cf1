import { describe, expect, it } from "vitest";
import { classify, type ErpAnswer, idempotencyKey } from "./adapter";
import { backoffSeconds, parseRetryAfter } from "./backoff";

describe("ERP answer classification (docs/erp.md)", () => {
  const KEY = "SO-1:3";
  const answer = (status: number, more: Partial<ErpAnswer> = {}): ErpAnswer => ({ status, text: "", ...more });

  it.each([200, 201, 204])("treats %i as done", (s) => expect(classify(answer(s), KEY).kind).toBe("done"));

  it("treats a 409 already-applied that echoes our Idempotency-Key as done", () => {
    expect(classify(answer(409, { type: "https://erp.example/problems/already-applied", idempotencyKey: KEY }), KEY)).toEqual({ kind: "done", status: 409 });
  });

  it("treats a 409 already-applied for another key as a permanent conflict: it is not about our command", () => {
    const o = classify(answer(409, { type: "https://erp.example/problems/already-applied", idempotencyKey: "SO-1:2", text: "applied SO-1:2" }), KEY);
    expect(o).toEqual({ kind: "permanent", status: 409, reason: "HTTP 409: applied SO-1:2" });
  });

  it("treats a 409 already-applied that does not echo the key as permanent: nothing says it was ours", () => {
    expect(classify(answer(409, { type: "https://erp.example/problems/already-applied" }), KEY).kind).toBe("permanent");
  });

  it("treats a 409 that echoes our key but says something else than already-applied as permanent, with the ERP's detail", () => {
    const text = '{"type":"https://erp.example/problems/order-locked","detail":"order is being edited"}';
    const o = classify(answer(409, { type: "https://erp.example/problems/order-locked", idempotencyKey: KEY, text }), KEY);
    expect(o).toEqual({ kind: "permanent", status: 409, reason: `HTTP 409: ${text}` });
  });

  it("treats a bare 409 (no problem type, no key) as permanent, not as done", () => {
    expect(classify(answer(409, { text: "Conflict" }), KEY)).toEqual({ kind: "permanent", status: 409, reason: "HTTP 409: Conflict" });
  });

  it("treats a 409 sequence gap as transient: the predecessor is not there yet", () => {
    expect(classify(answer(409, { type: "https://dockline.dev/problems/erp-sim/sequence-gap" }), KEY).kind).toBe("transient");
  });

  it.each([300, 301, 302, 303, 307, 308])("treats a %i redirect as a transient failure, never as done", (s) => {
    expect(classify(answer(s, { redirectHost: "sso.example.com" }), KEY)).toMatchObject({ kind: "transient", status: s });
  });

  it("names only the redirect's host in the reason: no path, no query, no token", () => {
    const o = classify(answer(301, { redirectHost: "sso.example.com" }), KEY);
    expect(o.kind === "transient" && o.reason).toBe("HTTP 301 redirect to sso.example.com: check ERP_BASE_URL and any proxy in front of the ERP");
  });

  it("says when a redirect has no usable Location", () => {
    const o = classify(answer(302, { redirectHost: null }), KEY);
    expect(o.kind === "transient" && o.reason).toBe("HTTP 302 redirect without a usable Location: check ERP_BASE_URL and any proxy in front of the ERP");
  });

  it.each([408, 429, 500, 502, 503, 504])("treats %i as transient", (s) => expect(classify(answer(s), KEY).kind).toBe("transient"));

  it.each([400, 401, 403, 404, 422])("treats %i as permanent and keeps the ERP's answer", (s) => {
    const o = classify(answer(s, { text: '{"detail":"bad sku"}' }), KEY);
    expect(o).toEqual({ kind: "permanent", status: s, reason: `HTTP ${s}: {"detail":"bad sku"}` });
  });

  it("carries Retry-After on transient answers", () => {
    expect(classify(answer(429, { retryAfterSeconds: 7 }), KEY)).toMatchObject({ kind: "transient", retryAfterSeconds: 7 });
  });

  it("builds the idempotency key from order and sequence", () => {
    expect(idempotencyKey({ orderId: "SO-1", seq: 3 })).toBe("SO-1:3");
  });
});

describe("full-jitter backoff", () => {
  const policy = { baseSeconds: 2, maxSeconds: 300 };

  it("draws uniformly below base × 2^(attempt-1)", () => {
    expect(backoffSeconds(policy, 1, undefined, () => 0.999)).toBe(1);
    expect(backoffSeconds(policy, 4, undefined, () => 0.999)).toBe(15);
    expect(backoffSeconds(policy, 4, undefined, () => 0)).toBe(0);
  });

  it("is capped at the maximum", () => {
    expect(backoffSeconds(policy, 30, undefined, () => 0.999)).toBe(299);
  });

  it("never retries sooner than Retry-After, nor later than the maximum for it", () => {
    expect(backoffSeconds(policy, 1, 20, () => 0)).toBe(20);
    expect(backoffSeconds(policy, 1, 10_000, () => 0)).toBe(300);
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("120")).toBe(120);
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", Date.parse("Wed, 21 Oct 2026 07:27:00 GMT"))).toBe(60);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
