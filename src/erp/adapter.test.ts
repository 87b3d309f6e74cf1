import { describe, expect, it } from "vitest";
import { classify, idempotencyKey } from "./adapter";
import { backoffSeconds, parseRetryAfter } from "./backoff";

describe("ERP answer classification (DESIGN §3.4)", () => {
  it.each([200, 201, 204])("treats %i as done", (s) => expect(classify(s, { text: "" }).kind).toBe("done"));

  it("treats 409 on the same idempotency key as already applied", () => {
    expect(classify(409, { type: "https://erp.example/already-applied", text: "" }).kind).toBe("done");
  });

  it("treats a 409 sequence gap as transient: the predecessor is not there yet", () => {
    expect(classify(409, { type: "https://dockline.dev/problems/erp-sim/sequence-gap", text: "" }).kind).toBe("transient");
  });

  it.each([408, 429, 500, 502, 503, 504])("treats %i as transient", (s) => expect(classify(s, { text: "" }).kind).toBe("transient"));

  it.each([400, 401, 403, 404, 422])("treats %i as permanent and keeps the ERP's answer", (s) => {
    const o = classify(s, { text: '{"detail":"bad sku"}' });
    expect(o).toEqual({ kind: "permanent", status: s, reason: `HTTP ${s}: {"detail":"bad sku"}` });
  });

  it("carries Retry-After on transient answers", () => {
    expect(classify(429, { text: "" }, 7)).toMatchObject({ kind: "transient", retryAfterSeconds: 7 });
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
