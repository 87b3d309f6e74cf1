import { describe, expect, it } from "vitest";
import { HttpProblem } from "../platform/problem";
import { decodeCursor, encodeCursor } from "./cursor";

describe("page cursors", () => {
  it.each(["s42", '["2026-11-20T10:00:00.000Z","SO-Ünïcødé-1"]', "SO-日本-2", "emoji 📦", ""])("round-trips %j, using only the base64url alphabet", (text) => {
    const cursor = encodeCursor(text);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]*$/);
    expect(decodeCursor(cursor)).toBe(text);
  });

  it.each([
    ["outside the base64url alphabet", "garbage!"],
    ["standard base64 with padding", "WyJhIl0="],
    ["standard base64's + and /", "+/+/"],
    ["a length no encoder produces", "abcde"],
    ["bytes that are not UTF-8", encodeCursorOfBytes([0xff, 0xfe, 0x41])],
  ])("refuses a cursor %s with a 400 that names the parameter", (_what, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpProblem);
    expect(thrown).toMatchObject({ status: 400, slug: "invalid-cursor", detail: expect.stringContaining("cursor parameter") });
  });
});

function encodeCursorOfBytes(bytes: number[]): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}
