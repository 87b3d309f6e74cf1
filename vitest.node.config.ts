// Node-side checks, part of `npm test`: what needs Node rather than workerd (a JSON-schema validator that
// compiles schemas with `new Function`, which workerd forbids).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["test/node/**/*.test.ts"], environment: "node" },
});
