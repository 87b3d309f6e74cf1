import { describe, expect, it } from "vitest";
import { failure } from "../test-helpers";
import { MIN_TOKEN_LENGTH, signSharedToken, verifySharedToken } from "./shared-token";

const TOKEN = "ups-track-alert-token-0001";
const NEXT = "ups-track-alert-token-0002";
const CREDENTIAL = { header: "credential" };
const BEARER = { header: "Authorization", scheme: "Bearer" };

const headers = (entries: Record<string, string>) => new Headers(entries);

describe("shared token", () => {
  it("signs as the bare token in the named header", () => {
    expect(signSharedToken(TOKEN, CREDENTIAL)).toEqual(["credential", TOKEN]);
  });

  it("signs with the auth scheme in front when one is named", () => {
    expect(signSharedToken(TOKEN, BEARER)).toEqual(["Authorization", `Bearer ${TOKEN}`]);
  });

  it("accepts the registered token echoed in the header", async () => {
    await expect(verifySharedToken([TOKEN], headers({ credential: TOKEN }), CREDENTIAL)).resolves.toBeUndefined();
  });

  it("reads the header name case-insensitively", async () => {
    await expect(verifySharedToken([TOKEN], headers({ Credential: TOKEN }), CREDENTIAL)).resolves.toBeUndefined();
  });

  it("accepts a bearer token, with the scheme in any case", async () => {
    await expect(verifySharedToken([TOKEN], headers({ authorization: `bearer ${TOKEN}` }), BEARER)).resolves.toBeUndefined();
  });

  it("accepts the newer token during a rotation", async () => {
    await expect(verifySharedToken([TOKEN, NEXT], headers({ credential: NEXT }), CREDENTIAL)).resolves.toBeUndefined();
  });

  it("rejects a rotated-out token", async () => {
    expect(await failure(verifySharedToken([NEXT], headers({ credential: TOKEN }), CREDENTIAL))).toBe("invalid");
  });

  it("rejects a token that differs only in case", async () => {
    expect(await failure(verifySharedToken([TOKEN], headers({ credential: TOKEN.toUpperCase() }), CREDENTIAL))).toBe("invalid");
  });

  it("rejects a prefix of the token", async () => {
    expect(await failure(verifySharedToken([TOKEN], headers({ credential: TOKEN.slice(0, -1) }), CREDENTIAL))).toBe("invalid");
  });

  it("rejects a missing header", async () => {
    expect(await failure(verifySharedToken([TOKEN], headers({}), CREDENTIAL))).toBe("missing");
  });

  it("rejects an empty header", async () => {
    expect(await failure(verifySharedToken([TOKEN], headers({ credential: "  " }), CREDENTIAL))).toBe("missing");
  });

  it("rejects a bearer header without the scheme", async () => {
    expect(await failure(verifySharedToken([TOKEN], headers({ authorization: TOKEN }), BEARER))).toBe("invalid");
  });

  it("rejects another auth scheme", async () => {
    expect(await failure(verifySharedToken([TOKEN], headers({ authorization: `Basic ${TOKEN}` }), BEARER))).toBe("invalid");
  });

  it("reports no configured token as our misconfiguration", async () => {
    expect(await failure(verifySharedToken([], headers({ credential: TOKEN }), CREDENTIAL))).toBe("misconfigured");
  });

  it("reports a guessably short token as our misconfiguration", async () => {
    const short = "x".repeat(MIN_TOKEN_LENGTH - 1);
    expect(await failure(verifySharedToken([short], headers({ credential: short }), CREDENTIAL))).toBe("misconfigured");
  });
});
