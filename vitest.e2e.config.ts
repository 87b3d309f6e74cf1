// Browser tests (`npm run test:browser`): the real worker on local workerd (wrangler's test harness),
// driven by headless Chromium from Debian through playwright-core. Not part of `npm test`, because it
// needs a system browser; .ci/run installs one and runs these too.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
