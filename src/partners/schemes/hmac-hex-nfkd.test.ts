import { describe, expect, it } from "vitest";
import batchCreated from "../easypost/fixtures/batch-created.json?raw";
import { failure } from "../test-helpers";
import { signHmacHexNfkd, verifyHmacHexNfkd } from "./hmac-hex-nfkd";

// EasyPost's own client-library test vector: secret "sécret" over the batch.created event body.
const SECRET = "s\u00e9cret";
const SIGNATURE = "hmac-sha256-hex=e93977c8ccb20363d51a62b3fe1fc402b7829be1152da9e88cf9e8d07115a46b";
const BODY = new TextEncoder().encode(batchCreated);
const OTHER = "another-secret";

describe("EasyPost HMAC (hex, NFKD secret)", () => {
  it("signs EasyPost's published test vector", async () => {
    expect(await signHmacHexNfkd(SECRET, BODY)).toBe(SIGNATURE);
  });

  it("verifies EasyPost's published test vector over the raw bytes", async () => {
    await expect(verifyHmacHexNfkd([SECRET], SIGNATURE, BODY)).resolves.toBeUndefined();
  });

  it("treats a precomposed and a decomposed secret as the same key (NFKD)", async () => {
    await expect(verifyHmacHexNfkd(["se\u0301cret"], SIGNATURE, BODY)).resolves.toBeUndefined();
  });

  it("accepts upper-case hex digits", async () => {
    const upper = `hmac-sha256-hex=${SIGNATURE.slice("hmac-sha256-hex=".length).toUpperCase()}`;
    await expect(verifyHmacHexNfkd([SECRET], upper, BODY)).resolves.toBeUndefined();
  });

  it("accepts a signature made with the newer secret during a rotation", async () => {
    const sig = await signHmacHexNfkd(OTHER, BODY);
    await expect(verifyHmacHexNfkd([SECRET, OTHER], sig, BODY)).resolves.toBeUndefined();
  });

  it("rejects a signature made with a secret that is not active", async () => {
    const sig = await signHmacHexNfkd(OTHER, BODY);
    expect(await failure(verifyHmacHexNfkd([SECRET], sig, BODY))).toBe("invalid");
  });

  it("rejects a body that was re-serialised (one byte differs)", async () => {
    const reserialised = new TextEncoder().encode(JSON.stringify(JSON.parse(batchCreated), null, 1));
    expect(await failure(verifyHmacHexNfkd([SECRET], SIGNATURE, reserialised))).toBe("invalid");
  });

  it("rejects a signature whose last digits differ", async () => {
    expect(await failure(verifyHmacHexNfkd([SECRET], `${SIGNATURE.slice(0, -4)}aaaa`, BODY))).toBe("invalid");
  });

  it("rejects a signature without the hmac-sha256-hex= prefix", async () => {
    expect(await failure(verifyHmacHexNfkd([SECRET], SIGNATURE.slice("hmac-sha256-hex=".length), BODY))).toBe("invalid");
  });

  it("rejects a missing or empty header", async () => {
    expect(await failure(verifyHmacHexNfkd([SECRET], null, BODY))).toBe("missing");
    expect(await failure(verifyHmacHexNfkd([SECRET], "  ", BODY))).toBe("missing");
  });

  it("reports no configured secret, or an empty one, as our misconfiguration", async () => {
    expect(await failure(verifyHmacHexNfkd([], SIGNATURE, BODY))).toBe("misconfigured");
    expect(await failure(verifyHmacHexNfkd([""], SIGNATURE, BODY))).toBe("misconfigured");
  });
});
