// docs/subscribers.md is exactly what `npm run docs:api` renders from /openapi.json, the delivery formats and
// wrangler.toml, and its WebCrypto verifier works as written: it accepts what dockline signs (with either
// secret during a rotation) and refuses a foreign secret, a changed body and a stale timestamp.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { formatDelivery } from "../../src/subscriptions/formats";
import { EVENT_EXAMPLES } from "../../src/subscriptions/schemas";
import { renderSubscribersMarkdown, type SubscriberDoc, subscriberFigures } from "../../tools/api-docs";

const GUIDE = readFileSync("docs/subscribers.md", "utf8");

describe("docs/subscribers.md", () => {
  it("is exactly what `npm run docs:api` renders (regenerate it when this fails)", async () => {
    const doc = (await (await app.request("/openapi.json")).json()) as SubscriberDoc;
    expect(await renderSubscribersMarkdown(doc, subscriberFigures())).toBe(GUIDE);
  });
});

describe("the guide's WebCrypto verifier", () => {
  type Verify = (secrets: string[], headers: Headers, body: Uint8Array) => Promise<boolean>;
  const dir = mkdtempSync(join(tmpdir(), "subscribers-doc-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function verifier(): Promise<Verify> {
    const section = GUIDE.slice(GUIDE.indexOf("\n## Verifying a delivery\n"), GUIDE.indexOf("\n## Retries\n"));
    const code = [...section.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string).find((c) => c.includes("export async function verifyDockline"));
    if (!code) throw new Error("the guide has no verifyDockline block");
    const file = join(dir, "verify.mjs");
    writeFileSync(file, code);
    return ((await import(pathToFileURL(file).href)) as { verifyDockline: Verify }).verifyDockline;
  }

  const current = "whsec_c2Vjb25kIGFjdGl2ZSBzZWNyZXQgZm9yIHJvdGF0aW9u";
  const previous = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const example = EVENT_EXAMPLES["order.status_changed"];

  async function delivery(now: Date, secrets = [current, previous]) {
    const out = await formatDelivery("standard", { id: "msg_8c1f5a0d3b7e9f2a64c0d8e1b5", ...example, data: example.data }, { secrets, now });
    if (!out) throw new Error("the standard format always sends");
    return { headers: new Headers(out.headers), body: new TextEncoder().encode(out.body) };
  }

  it("accepts a delivery signed by dockline, with the current or the previous secret during a rotation", async () => {
    const verifyDockline = await verifier();
    const d = await delivery(new Date());
    expect(d.headers.get("webhook-signature")?.split(" ")).toHaveLength(2);
    expect(await verifyDockline([current], d.headers, d.body)).toBe(true);
    expect(await verifyDockline([previous], d.headers, d.body)).toBe(true);
    expect(await verifyDockline(["whsec_dGhpcmQgc2VjcmV0IG5vYm9keSBzaWduZWQgd2l0aA==", previous], d.headers, d.body)).toBe(true);
  });

  it("refuses another secret, a changed body, a stale timestamp and a missing header", async () => {
    const verifyDockline = await verifier();
    const d = await delivery(new Date());
    expect(await verifyDockline(["whsec_dGhpcmQgc2VjcmV0IG5vYm9keSBzaWduZWQgd2l0aA=="], d.headers, d.body)).toBe(false);
    const changed = new TextEncoder().encode(new TextDecoder().decode(d.body).replace('"shipped"', '"delivered"'));
    expect(await verifyDockline([current], d.headers, changed)).toBe(false);
    const stale = await delivery(new Date(Date.now() - 6 * 60_000));
    expect(await verifyDockline([current], stale.headers, stale.body)).toBe(false);
    const unsigned = new Headers(d.headers);
    unsigned.delete("webhook-signature");
    expect(await verifyDockline([current], unsigned, d.body)).toBe(false);
  });
});
