import { describe, expect, it } from "vitest";
import { failure } from "../test-helpers";
import { signShippo, TOLERANCE_SECONDS, verifyShippoSignature } from "./shippo-signature";

// Shippo publishes the header's form (t=1688493073,v1=<hex>) but no body to go with it, so this vector was
// computed independently, with Node's crypto module: HMAC-SHA256("shippo_secret", "1688493073." + BODY).
const SECRET = "shippo_secret";
const TS = 1688493073;
const BODY = new TextEncoder().encode('{"event":"track_updated"}');
const V1 = "64169f507fc454daf662d7351577eeb2dd1eadf7f7b347232db78ac14100741b";
const HEADER = `t=${TS},v1=${V1}`;
const OTHER = "another-secret";

describe("Shippo-Auth-Signature", () => {
  it("signs the independently computed vector", async () => {
    expect(await signShippo(SECRET, BODY, TS)).toBe(HEADER);
  });

  it("verifies the vector over the raw bytes and returns the signed timestamp", async () => {
    await expect(verifyShippoSignature([SECRET], HEADER, BODY, TS)).resolves.toBe(TS);
  });

  it("accepts any of several v1 signatures, in any order, with spaces and unknown keys", async () => {
    const header = `t=${TS}, v0=zzz, v1=${"0".repeat(64)}, v1=${V1.toUpperCase()}`;
    await expect(verifyShippoSignature([SECRET], header, BODY, TS)).resolves.toBe(TS);
  });

  it("accepts a signature made with the newer secret during a rotation", async () => {
    const header = await signShippo(OTHER, BODY, TS);
    await expect(verifyShippoSignature([SECRET, OTHER], header, BODY, TS)).resolves.toBe(TS);
  });

  it("rejects a signature made with a secret that is not active", async () => {
    const header = await signShippo(OTHER, BODY, TS);
    expect(await failure(verifyShippoSignature([SECRET], header, BODY, TS))).toBe("invalid");
  });

  it("rejects a body that differs by one byte (re-serialised JSON)", async () => {
    const spaced = new TextEncoder().encode('{"event": "track_updated"}');
    expect(await failure(verifyShippoSignature([SECRET], HEADER, spaced, TS))).toBe("invalid");
  });

  it("rejects a signature moved to another timestamp (the timestamp is signed)", async () => {
    expect(await failure(verifyShippoSignature([SECRET], `t=${TS + 1},v1=${V1}`, BODY, TS))).toBe("invalid");
  });

  it("rejects a timestamp older than the tolerance", async () => {
    expect(await failure(verifyShippoSignature([SECRET], HEADER, BODY, TS + TOLERANCE_SECONDS + 1))).toBe("stale");
  });

  it("rejects a timestamp further in the future than the tolerance", async () => {
    expect(await failure(verifyShippoSignature([SECRET], HEADER, BODY, TS - TOLERANCE_SECONDS - 1))).toBe("future");
  });

  it("accepts a timestamp exactly at the tolerance, either way", async () => {
    await expect(verifyShippoSignature([SECRET], HEADER, BODY, TS + TOLERANCE_SECONDS)).resolves.toBe(TS);
    await expect(verifyShippoSignature([SECRET], HEADER, BODY, TS - TOLERANCE_SECONDS)).resolves.toBe(TS);
  });

  it("rejects a header without a unix timestamp", async () => {
    expect(await failure(verifyShippoSignature([SECRET], `v1=${V1}`, BODY, TS))).toBe("invalid");
    expect(await failure(verifyShippoSignature([SECRET], `t=2023-07-04,v1=${V1}`, BODY, TS))).toBe("invalid");
  });

  it("rejects a header without a v1 signature", async () => {
    expect(await failure(verifyShippoSignature([SECRET], `t=${TS}`, BODY, TS))).toBe("invalid");
  });

  it("rejects a missing or empty header", async () => {
    expect(await failure(verifyShippoSignature([SECRET], null, BODY, TS))).toBe("missing");
    expect(await failure(verifyShippoSignature([SECRET], "", BODY, TS))).toBe("missing");
  });

  it("reports no configured secret, or an empty one, as our misconfiguration", async () => {
    expect(await failure(verifyShippoSignature([], HEADER, BODY, TS))).toBe("misconfigured");
    expect(await failure(verifyShippoSignature([""], HEADER, BODY, TS))).toBe("misconfigured");
  });
});
