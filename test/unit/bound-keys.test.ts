// The isolate's memory of bound correlation keys: bounded, least recently used first out.
import { afterEach, describe, expect, it } from "vitest";
import { BOUND_KEYS_MAX, boundKeyCount, boundOrder, rememberBinding, setBoundKeyCapacity } from "../../src/bound-keys";

afterEach(() => setBoundKeyCapacity(BOUND_KEYS_MAX));

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

  it("remembers nothing with a capacity of 0, and forgets down to a lowered capacity", () => {
    rememberBinding("trk:KEEP-1", "SO-K1");
    rememberBinding("trk:KEEP-2", "SO-K2");
    setBoundKeyCapacity(1);
    expect(boundKeyCount()).toBe(1);
    expect(boundOrder("trk:KEEP-2")).toBe("SO-K2");
    setBoundKeyCapacity(0);
    rememberBinding("trk:OFF", "SO-OFF");
    expect(boundOrder("trk:OFF")).toBeUndefined();
    expect(boundKeyCount()).toBe(0);
  });

  it("knows nothing of a key it was never told", () => {
    expect(boundOrder("trk:NEVER-SEEN")).toBeUndefined();
  });
});
