// `npm run send` as a user runs it: a real process, its exit code, stdout and stderr.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");

/** Runs tools/send.ts with the repository's PATH (node_modules/.bin first: Node 22, as npm scripts do). */
async function send(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PATH: `${resolve(root, "node_modules/.bin")}${delimiter}${process.env.PATH ?? ""}` };
  try {
    const { stdout, stderr } = await run(resolve(root, "node_modules/.bin/tsx"), ["tools/send.ts", ...args], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A local port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

const config = unstable_readConfig({ config: resolve(root, "wrangler.toml") }, { hideWarnings: true });
const partnerIds = (JSON.parse(String(config.vars.PARTNERS)) as { id: string }[]).map((p) => p.id);
const fixture = "src/partners/easypost/fixtures/tracker-updated.json";

describe("npm run send", { timeout: 60_000 }, () => {
  it.each(["--help", "-h"])("%s prints the usage to stdout with every partner, its scheme and the topics, exit 0", async (flag) => {
    const { code, stdout } = await send(flag);
    expect(code).toBe(0);
    for (const id of partnerIds) expect(stdout).toMatch(new RegExp(`^  ${id} `, "m"));
    expect(stdout).toContain("Standard Webhooks");
    expect(stdout).toContain("HMAC-SHA256 base64 in X-Shopify-Hmac-Sha256");
    expect(stdout).toMatch(/shopify .*needs --topic \(X-Shopify-Topic\)/);
    expect(stdout).toMatch(/^ {2}shopify +fulfillments\/create, fulfillments\/update/m);
    for (const option of ["--url", "--id", "--topic"]) expect(stdout).toContain(option);
    // The examples name files that exist.
    const examples = [...stdout.matchAll(/^ {2}npm run send -- \S+ (\S+)/gm)].map((m) => m[1] as string);
    expect(examples).toHaveLength(2);
    for (const file of examples) expect(existsSync(resolve(root, file)), file).toBe(true);
  });

  it("without a file says so first, then the usage on stderr, exit 2", async () => {
    const { code, stdout, stderr } = await send("easypost");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toBe("missing <file>");
    expect(stderr).toContain("usage: npm run send --");
  });

  it("without arguments says what is missing, exit 2", async () => {
    const { code, stderr } = await send();
    expect(code).toBe(2);
    expect(stderr.split("\n")[0]).toBe("missing <partner> and <file>");
  });

  it("names the configured partners for an unknown one, exit 2", async () => {
    const { code, stderr } = await send("nope", fixture);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown partner "nope"');
    for (const id of partnerIds) expect(stderr).toContain(id);
  });

  it("says a file is missing, exit 2", async () => {
    const { code, stderr } = await send("easypost", "no/such/file.json");
    expect(code).toBe(2);
    expect(stderr).toContain("cannot read no/such/file.json: no such file");
  });

  it("says dockline is not answering when the stack is down, never 'fetch failed', exit 1", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { code, stderr } = await send("easypost", fixture, "--url", url);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`dockline is not answering at ${url} — start it with \`npm start\``);
    expect(stderr).not.toContain("fetch failed");
  });
});
