import { describe, expect, it } from "vitest";
import { hasToken } from "../../src/platform/auth";

describe("bearer tokens", () => {
  it("accepts the configured token and refuses others", () => {
    expect(hasToken("Bearer s3cret-token", "s3cret-token")).toBe(true);
    expect(hasToken("Bearer s3cret-tokeN", "s3cret-token")).toBe(false);
    expect(hasToken(undefined, "s3cret-token")).toBe(false);
    expect(hasToken("Basic s3cret-token", "s3cret-token")).toBe(false);
  });

  it("accepts every token of a comma-separated list during a rotation", () => {
    expect(hasToken("Bearer new-token", "new-token,old-token")).toBe(true);
    expect(hasToken("Bearer old-token", "new-token, old-token")).toBe(true);
    expect(hasToken("Bearer new-token,old-token", "new-token,old-token")).toBe(false);
  });

  it("accepts nothing when the secret is unset or empty", () => {
    expect(hasToken("Bearer x", undefined)).toBe(false);
    expect(hasToken("Bearer x", "")).toBe(false);
    expect(hasToken("Bearer ", ",")).toBe(false);
  });
});
