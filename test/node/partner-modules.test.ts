// A partner format is one folder with one module, and MODULES (src/partners/registry.ts) lists every one:
// a folder with an adapter.ts that is not in the list is the one step a new format could forget.
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ADAPTERS, MODULES } from "../../src/partners/registry";

const folders = readdirSync("src/partners", { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`src/partners/${d.name}/adapter.ts`))
  .map((d) => d.name);

describe("partner modules", () => {
  it("lists every folder with an adapter.ts in MODULES, under the folder's name", async () => {
    for (const folder of folders) {
      const exported = Object.values(await import(`../../src/partners/${folder}/adapter.ts`));
      const module = MODULES.find((m) => exported.includes(m));
      expect(module?.name, `src/partners/${folder}/adapter.ts exports a module listed in MODULES`).toBe(folder);
    }
    expect(MODULES.map((m) => m.name).sort()).toEqual([...folders].sort());
  });

  it("gives every module a name of its own, and ADAPTERS is MODULES by name", () => {
    expect(new Set(MODULES.map((m) => m.name)).size).toBe(MODULES.length);
    expect(Object.values(ADAPTERS)).toEqual([...MODULES]);
  });
});
