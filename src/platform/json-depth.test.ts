import { describe, expect, it } from "vitest";
import { assertJsonDepth, MAX_JSON_DEPTH, nestsDeeperThan } from "./json-depth";
import { HttpProblem } from "./problem";

const nested = (depth: number) => `${"[".repeat(depth)}0${"]".repeat(depth)}`;

describe("JSON nesting depth", () => {
  it("counts arrays and objects alike, the outermost as level 1", () => {
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(nestsDeeperThan("0", 0)).toBe(false);
  });

  it(`allows exactly ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });

  it("measures depth, not the number of brackets: siblings do not add up", () => {
    expect(nestsDeeperThan(`[${Array(1000).fill("[0]").join(",")}]`, 2)).toBe(false);
  });

  it("ignores brackets inside strings, escaped quotes included", () => {
    expect(nestsDeeperThan(JSON.stringify({ a: "[[[[{{{{", b: 'say \\"[[[["' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify(["\\", [[0]]]), 2)).toBe(true);
  });

  it("throws 400 malformed-body with a clear detail", () => {
    let thrown: unknown;
    try {
      assertJsonDepth(nested(100_000));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpProblem);
    expect(thrown).toMatchObject({ status: 400, slug: "malformed-body", detail: "The JSON body nests deeper than 32 levels." });
    expect(() => assertJsonDepth(nested(MAX_JSON_DEPTH))).not.toThrow();
  });
});
