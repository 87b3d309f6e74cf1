// Limits on every route: bodies (413), JSON nesting (400), and per-client rate limits (429 with
// Retry-After), so that neither a big body nor a flood of requests costs more than the caller is allowed.
// The local rate limiter counts exactly, in wall-clock windows; each test uses its own client address
// (CF-Connecting-IP) or API key, so no other test shares its counters.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { partnerSecrets, partners } from "../../src/partners/registry";
import { signFor } from "../../src/partners/signers";
import { call, issueKey, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";

const KiB = 1024;
const ORIGIN = "http://dockline.test";

async function expectProblem(res: Response, status: number, slug: string): Promise<{ detail?: string }> {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await res.json()) as { type: string; status: number; detail?: string };
  expect(body).toMatchObject({ type: `https://dockline.dev/problems/${slug}`, status });
  return body;
}

/** A client address of its own for each use (the documentation range 2001:db8::/32: never a real client). */
let nextAddress = 0;
const uniqueAddress = () => `2001:db8::${(++nextAddress).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;

/** `depth` levels of nested arrays around a number: depth 1 is `[0]`. */
const nested = (depth: number) => `${"[".repeat(depth)}0${"]".repeat(depth)}`;

/** Waits until the start of a wall-clock window of `periodSeconds` (the local limiter's windows), so a burst fits in one. */
async function startOfWindow(periodSeconds: number): Promise<void> {
  const period = periodSeconds * 1000;
  const into = Date.now() % period;
  if (into > period * 0.4) await new Promise((r) => setTimeout(r, period - into + 50));
}

/**
 * Sends until the first 429, at most 2 × limit + 1 times: whatever window boundary the burst straddles
 * (at most one, for a burst shorter than the window), the limit is reached within that many.
 */
async function untilThrottled(limit: number, send: (i: number) => Promise<Response>): Promise<{ before: number[]; throttled: Response | null }> {
  const before: number[] = [];
  for (let i = 0; i < 2 * limit + 1; i++) {
    const res = await send(i);
    if (res.status === 429) return { before, throttled: res };
    await res.arrayBuffer();
    before.push(res.status);
  }
  return { before, throttled: null };
}

const releaseHeaders = { Authorization: `Bearer ${SECRETS.erpInbound}`, "Content-Type": "application/json" };
const opsHeaders = { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json" };
const release = (orderId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ orderId, customerId: "CUST-LIMITS", lines: [{ sku: "WID-1", quantity: 1 }], shipTo: { name: "Ada", country: "US" }, ...extra });

describe("body limits on every route that reads a body", () => {
  it.each([
    ["POST /v1/orders", "/v1/orders", releaseHeaders, 256 * KiB],
    ["POST /v1/orders/{id}/cancel", "/v1/orders/SO-LIMIT-CANCEL/cancel", releaseHeaders, 256 * KiB],
    ["POST /ops/api-keys", "/ops/api-keys", opsHeaders, 64 * KiB],
    ["POST /ops/reconcile", "/ops/reconcile", opsHeaders, 64 * KiB],
  ])("answers 413 problem+json for %s one byte over its limit", async (_name, path, headers, limit) => {
    const body = JSON.stringify({ pad: "" });
    const padded = body.replace('""', `"${"x".repeat(limit + 1 - body.length)}"`);
    expect(new TextEncoder().encode(padded).byteLength).toBe(limit + 1);
    const p = await expectProblem(await call(path, { method: "POST", headers, body: padded }), 413, "payload-too-large");
    expect(p.detail).toBe(`The body exceeds ${limit} bytes.`);
  });

  it("takes a release just under its limit", async () => {
    const body = release("SO-LIMIT-UNDER", { promisedDate: "2026-12-01" });
    const res = await call("/v1/orders", { method: "POST", headers: releaseHeaders, body: `${body}${" ".repeat(256 * KiB - body.length)}` });
    expect(res.status).toBe(202);
  });

  it("answers 413 for a release streamed without Content-Length, without reading it all", async () => {
    let sent = 0;
    const chunk = new Uint8Array(64 * KiB).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const res = await call("/v1/orders", { method: "POST", headers: releaseHeaders, body, duplex: "half" } as RequestInit);
    await expectProblem(res, 413, "payload-too-large");
    expect(sent).toBeLessThan(64);
  });

  it("answers 413 for an ops sign-in form over 4 KiB, before looking at the token", async () => {
    const form = `token=${SECRETS.ops}&pad=${"x".repeat(4 * KiB)}`;
    const res = await call("/ops/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, "CF-Connecting-IP": uniqueAddress() },
      body: form,
      redirect: "manual",
    });
    await expectProblem(res, 413, "payload-too-large");
    expect(res.headers.get("Set-Cookie")).toBeNull();
  });
});

describe("JSON nesting depth", () => {
  it("refuses a release nested deeper than 32 levels with 400 malformed-body, and reads one nested 32 levels", async () => {
    // The release object is level 1, so the array inside `refs` may nest 31 more.
    const deep = await call("/v1/orders", { method: "POST", headers: releaseHeaders, body: release("SO-LIMIT-DEEP").replace(/}$/, `,"x":${nested(32)}}`) });
    const p = await expectProblem(deep, 400, "malformed-body");
    expect(p.detail).toBe("The JSON body nests deeper than 32 levels.");
    const ok = await call("/v1/orders", { method: "POST", headers: releaseHeaders, body: release("SO-LIMIT-DEEP").replace(/}$/, `,"x":${nested(31)}}`) });
    expect(ok.status).toBe(202);
  });

  it("refuses an ops JSON body nested deeper than 32 levels", async () => {
    const p = await expectProblem(
      await call("/ops/reconcile", { method: "POST", headers: opsHeaders, body: `{"orderIds":${nested(32)}}` }),
      400,
      "malformed-body",
    );
    expect(p.detail).toBe("The JSON body nests deeper than 32 levels.");
  });

  it("refuses a partner webhook nested deeper than 32 levels with 400 malformed-body, nothing written", async () => {
    await releaseOrder("SO-LIMIT-DEEP-HOOK");
    const body = JSON.stringify(milestone({ orderId: "SO-LIMIT-DEEP-HOOK", code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z" })).replace(
      /}}$/,
      `,"x":${nested(31)}}}`,
    );
    const p = await expectProblem(await sendAcme(body), 400, "malformed-body");
    expect(p.detail).toBe("The JSON body nests deeper than 32 levels.");
  });

  it("does not count brackets inside strings as nesting", async () => {
    const res = await call("/v1/orders", {
      method: "POST",
      headers: releaseHeaders,
      body: release("SO-LIMIT-BRACKETS", { shipTo: { name: "[".repeat(100), country: "US" } }),
    });
    expect(res.status).toBe(202);
  });
});

describe("rate limits per client", () => {
  it("limits ops sign-in attempts per client address: past 10 a minute, 429 even for the right token, other addresses unaffected", async () => {
    const from = uniqueAddress();
    const attempt = (token: string, ip = from) =>
      call("/ops/login", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, "CF-Connecting-IP": ip },
        body: `token=${encodeURIComponent(token)}`,
        redirect: "manual",
      });
    const { before, throttled } = await untilThrottled(10, (i) => attempt(`guess-${i}`));
    expect(before.slice(0, 10)).toEqual(Array(10).fill(303));
    expect(throttled).not.toBeNull();
    const p = await expectProblem(throttled as Response, 429, "rate-limited");
    expect(throttled?.headers.get("Retry-After")).toBe("60");
    expect(p.detail).toMatch(/sign-in attempts/);
    // Over the limit nothing is checked: a right guess would otherwise still be told apart.
    const right = await attempt(SECRETS.ops);
    expect(right.status).toBe(429);
    expect(right.headers.get("Set-Cookie")).toBeNull();
    expect((await attempt(SECRETS.ops, uniqueAddress())).status).toBe(303);
  });

  it("limits portal reads per API key: past 200 in 10 s, 429 with Retry-After; another key is unaffected", async () => {
    const key = await issueKey("CUST-LIMITS-PORTAL");
    const other = await issueKey("CUST-LIMITS-PORTAL");
    const read = (k: string) => call("/v1/orders/SO-LIMIT-NONE", { headers: { Authorization: `Bearer ${k}` } });
    await startOfWindow(10);
    const { before, throttled } = await untilThrottled(200, () => read(key));
    expect(before.slice(0, 200).every((s) => s === 404)).toBe(true);
    expect(throttled).not.toBeNull();
    const p = await expectProblem(throttled as Response, 429, "rate-limited");
    expect(throttled?.headers.get("Retry-After")).toBe("10");
    expect(p.detail).toMatch(/API key/);
    expect((await read(other)).status).toBe(404);
  });

  it("limits tracking pages per client address: past 300 a minute, 429 with Retry-After; other addresses unaffected", async () => {
    const from = uniqueAddress();
    const page = (ip: string) => call("/track/not-a-real-token", { headers: { "CF-Connecting-IP": ip } });
    const { before, throttled } = await untilThrottled(300, () => page(from));
    expect(before.slice(0, 300).every((s) => s === 404)).toBe(true);
    expect(throttled).not.toBeNull();
    await expectProblem(throttled as Response, 429, "rate-limited");
    expect(throttled?.headers.get("Retry-After")).toBe("60");
    expect((await page(uniqueAddress())).status).toBe(404);
  });
});

describe("partner ingress: only authentic requests count against a partner", () => {
  const FLOOD_SECRET = "whsec_Zmxvb2QgdGVzdCBwYXJ0bmVyIHNlY3JldCBrZXk=";

  /** A canonical milestone to rl-flood, signed with `secret`, from client address `ip`. */
  async function toFloodPartner(secret: string, ip: string | null, orderId = "SO-FLOOD"): Promise<Response> {
    const raw = new TextEncoder().encode(
      JSON.stringify(milestone({ orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z", eventId: crypto.randomUUID() })),
    );
    const headers = await signFor("canonical", secret, raw, {});
    return call("/v1/webhooks/rl-flood", { method: "POST", headers: { ...headers, ...(ip ? { "CF-Connecting-IP": ip } : {}) }, body: raw });
  }

  it("keeps accepting the genuine partner after 120 badly signed requests in its name (they never touch its quota)", async () => {
    await releaseOrder("SO-FLOOD");
    // The partner limit is 100 per 10 s in tests: the whole flood falls in one window.
    await startOfWindow(10);
    const attacker = uniqueAddress();
    const flood: number[] = [];
    for (let i = 0; i < 120; i++) flood.push((await toFloodPartner("whsec_bm90IHRoZSBwYXJ0bmVyJ3Mgc2VjcmV0", attacker)).status);
    expect(flood.every((s) => s === 401 || s === 429)).toBe(true);
    const genuine = await toFloodPartner(FLOOD_SECRET, uniqueAddress());
    expect(genuine.status).toBe(202);
  });

  it("answers 429 to an address whose requests keep failing the signature check, whatever partner they name; other addresses and authentic requests unaffected", async () => {
    const from = uniqueAddress();
    // Every configured partner that takes JSON (an X12 one answers 415 first) and has its secret here (else 503).
    const PARTNERS = [...partners(env.PARTNERS).values()]
      .filter((p) => p.impl.contentTypes.includes("application/json") && partnerSecrets(env, p.id).length > 0)
      .map((p) => p.id);
    const unsigned = (partnerId: string, ip: string) =>
      call(`/v1/webhooks/${partnerId}`, { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip }, body: "{}" });
    const { before, throttled } = await untilThrottled(100, (i) => unsigned(PARTNERS[i % PARTNERS.length] as string, from));
    expect(before.slice(0, 100)).toEqual(Array(100).fill(401));
    expect(throttled).not.toBeNull();
    const p = await expectProblem(throttled as Response, 429, "rate-limited");
    expect(throttled?.headers.get("Retry-After")).toBe("60");
    expect(p.detail).toMatch(/your address/);
    expect((await unsigned("acme-3pl", uniqueAddress())).status).toBe(401);
    // A partner sharing that address (a NAT, a cloud egress) is still accepted: only failures are throttled.
    await releaseOrder("SO-FLOOD-SHARED");
    const genuine = await sendAcme(milestone({ orderId: "SO-FLOOD-SHARED", code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z" }), {
      headers: { "CF-Connecting-IP": from },
    });
    expect(genuine.status).toBe(202);
  });
});
