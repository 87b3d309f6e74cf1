import { describe, expect, it } from "vitest";
import { failure } from "../test-helpers";
import { signHmacBase64, verifyHmacBase64 } from "./hmac-base64";

// RFC 4231 test case 2 (HMAC-SHA256, key "Jefe"), its digest written in base64.
const SECRET = "Jefe";
const BODY = new TextEncoder().encode("what do ya want for nothing?");
const SIGNATURE = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=";
const HEADER = "aftership-hmac-sha256";
const OTHER = "another-secret";

const headers = (value: string | null, name = HEADER) => new Headers(value === null ? {} : { [name]: value });

describe("base64 HMAC-SHA256 of the raw body", () => {
  it("signs the RFC 4231 test vector", async () => {
    expect(await signHmacBase64(SECRET, BODY)).toBe(SIGNATURE);
  });

  it("verifies the RFC 4231 test vector in the named header", async () => {
    await expect(verifyHmacBase64([SECRET], headers(SIGNATURE), HEADER, BODY)).resolves.toBeUndefined();
  });

  it("reads whichever header it is told to, in any letter case", async () => {
    await expect(verifyHmacBase64([SECRET], headers(SIGNATURE, "X-Shopify-Hmac-Sha256"), "x-shopify-hmac-sha256", BODY)).resolves.toBeUndefined();
    expect(await failure(verifyHmacBase64([SECRET], headers(SIGNATURE, "X-Shopify-Hmac-Sha256"), HEADER, BODY))).toBe("missing");
  });

  it("accepts a signature made with the newer secret during a rotation", async () => {
    const sig = await signHmacBase64(OTHER, BODY);
    await expect(verifyHmacBase64([SECRET, OTHER], headers(sig), HEADER, BODY)).resolves.toBeUndefined();
  });

  it("rejects a signature made with a secret that is not active", async () => {
    const sig = await signHmacBase64(OTHER, BODY);
    expect(await failure(verifyHmacBase64([SECRET], headers(sig), HEADER, BODY))).toBe("invalid");
  });

  it("rejects a body that differs by one byte", async () => {
    const changed = new TextEncoder().encode("what do ya want for nothing!");
    expect(await failure(verifyHmacBase64([SECRET], headers(SIGNATURE), HEADER, changed))).toBe("invalid");
  });

  it("rejects a value that is not base64 of a SHA-256 digest (hex, say)", async () => {
    const hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    expect(await failure(verifyHmacBase64([SECRET], headers(hex), HEADER, BODY))).toBe("invalid");
  });

  it("rejects a missing or empty header", async () => {
    expect(await failure(verifyHmacBase64([SECRET], headers(null), HEADER, BODY))).toBe("missing");
    expect(await failure(verifyHmacBase64([SECRET], headers(" "), HEADER, BODY))).toBe("missing");
  });

  it("reports no configured secret, or an empty one, as our misconfiguration", async () => {
    expect(await failure(verifyHmacBase64([], headers(SIGNATURE), HEADER, BODY))).toBe("misconfigured");
    expect(await failure(verifyHmacBase64([""], headers(SIGNATURE), HEADER, BODY))).toBe("misconfigured");
  });
});
