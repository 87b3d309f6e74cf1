// Headless Chromium from Debian, driven by playwright-core (no browser download). The flags keep it off
// the network: this machine's closed network refuses Chromium's background connections.
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { Stack } from "./stack";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = "test-results";

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's \`chromium\` package (or set CHROMIUM_PATH). .ci/run does this.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A running stack and a browser for one test file: started before its tests, closed after them. */
export function useStackAndBrowser(): { stack: () => Stack; browser: () => Browser } {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    stack = new Stack();
    await stack.start();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  return {
    stack: () => stack as Stack,
    browser: () => browser as Browser,
  };
}
