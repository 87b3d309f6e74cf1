import { describe, expect, it } from "vitest";
import { failure } from "../test-helpers";
import { signStandardWebhook, TOLERANCE_SECONDS, verifyStandardWebhook } from "./standard-webhooks";

// The published Standard Webhooks test vector.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS = 1614265330;
const BODY = new TextEncoder().encode('{"test": 2432232314}');
const SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const OTHER = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXk=";

const headers = (signature = SIGNATURE, timestamp = String(TS), id = ID) => ({ id, timestamp, signature });

describe("Standard Webhooks", () => {
  it("signs the published test vector", async () => {
    expect(await signStandardWebhook(SECRET, ID, TS, BODY)).toBe(SIGNATURE);
  });

  it("verifies the published test vector over the raw bytes", async () => {
    await expect(verifyStandardWebhook([SECRET], headers(), BODY, TS)).resolves.toBe(ID);
  });

  it("accepts any of several offered signatures", async () => {
    await expect(verifyStandardWebhook([SECRET], headers(`v1,AAAA v1a,xyz ${SIGNATURE}`), BODY, TS)).resolves.toBe(ID);
  });

  it("accepts a signature made with the newer secret during a rotation", async () => {
    const sig = await signStandardWebhook(OTHER, ID, TS, BODY);
    await expect(verifyStandardWebhook([SECRET, OTHER], headers(sig), BODY, TS)).resolves.toBe(ID);
  });

  it("rejects a signature made with a rotated-out secret", async () => {
    const sig = await signStandardWebhook(OTHER, ID, TS, BODY);
    expect(await failure(verifyStandardWebhook([SECRET], headers(sig), BODY, TS))).toBe("invalid");
  });

  it("rejects a body that differs by one byte (re-serialised JSON)", async () => {
    expect(await failure(verifyStandardWebhook([SECRET], headers(), new TextEncoder().encode('{"test":2432232314}'), TS))).toBe("invalid");
  });

  it("rejects a timestamp older than the tolerance", async () => {
    expect(await failure(verifyStandardWebhook([SECRET], headers(), BODY, TS + TOLERANCE_SECONDS + 1))).toBe("stale");
  });

  it("rejects a timestamp further in the future than the tolerance", async () => {
    expect(await failure(verifyStandardWebhook([SECRET], headers(), BODY, TS - TOLERANCE_SECONDS - 1))).toBe("future");
  });

  it("accepts a timestamp exactly at the tolerance", async () => {
    await expect(verifyStandardWebhook([SECRET], headers(), BODY, TS + TOLERANCE_SECONDS)).resolves.toBe(ID);
  });

  it("rejects missing headers", async () => {
    expect(await failure(verifyStandardWebhook([SECRET], { id: ID, timestamp: String(TS), signature: null }, BODY, TS))).toBe("missing");
  });

  it("rejects a non-numeric timestamp", async () => {
    expect(await failure(verifyStandardWebhook([SECRET], headers(SIGNATURE, "2021-02-21"), BODY, TS))).toBe("invalid");
  });

  it("rejects a signature without the v1 prefix", async () => {
    expect(await failure(verifyStandardWebhook([SECRET], headers(SIGNATURE.slice(3)), BODY, TS))).toBe("invalid");
  });

  it("reports a secret that is not base64 as our misconfiguration", async () => {
    expect(await failure(verifyStandardWebhook(["whsec_!!!"], headers(), BODY, TS))).toBe("misconfigured");
  });
});
