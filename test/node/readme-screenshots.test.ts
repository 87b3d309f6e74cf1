// The README's screenshots are the browser tests' own: each image it shows is committed, and a browser
// test writes a screenshot of that name (so `npm run test:browser` renews it, and CI keeps it as an artefact).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";

const readme = readFileSync("README.md", "utf8");
const images = [...readme.matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((m) => m[1] ?? "");
const e2e = readdirSync("test/e2e")
  .filter((f) => f.endsWith(".e2e.ts"))
  .map((f) => readFileSync(join("test/e2e", f), "utf8"))
  .join("\n");

describe("the README's screenshots", () => {
  it("shows at least two, each committed and written by a browser test", () => {
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const path of images) {
      expect(existsSync(path), path).toBe(true);
      // PNG signature: a real image, not a placeholder.
      expect(readFileSync(path).subarray(1, 4).toString(), path).toBe("PNG");
      expect(e2e, `no browser test writes ${basename(path)}`).toContain(`/${basename(path)}\``);
    }
  });
});
