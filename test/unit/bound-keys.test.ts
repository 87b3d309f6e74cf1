// The isolate's memory of bound correlation keys: bounded, least recently used first out.
import { describe, expect, it } from "vitest";
import { BOUND_KEYS_MAX, boundKeyCount, boundOrder, rememberBinding } from "../../src/bound-keys";

describe("bound keys", () => {
  it("holds at most BOUND_KEYS_MAX bindings, dropping the least recently used", () => {
    rememberBinding("trk:FIRST", "SO-1");
    rememberBinding("trk:SECOND", "SO-2");
    for (let i = 0; i < BOUND_KEYS_MAX - 2; i++) rememberBinding(`trk:FILL${i}`, `SO-F${i}`);
    expect(boundKeyCount()).toBe(BOUND_KEYS_MAX);
    // Reading FIRST makes it recent: the next insert evicts SECOND instead.
    expect(boundOrder("trk:FIRST")).toBe("SO-1");
    rememberBinding("trk:NEW", "SO-3");
    expect(boundKeyCount()).toBe(BOUND_KEYS_MAX);
    expect(boundOrder("trk:SECOND")).toBeUndefined();
    expect(boundOrder("trk:FIRST")).toBe("SO-1");
    expect(boundOrder("trk:NEW")).toBe("SO-3");
  });

  it("knows nothing of a key it was never told", () => {
    expect(boundOrder("trk:NEVER-SEEN")).toBeUndefined();
  });
});
