// Tracking links: a dated, signed token per order. One test per way a link is refused, expires or is revoked.
import { describe, expect, it } from "vitest";
import { linkExpired, linkRevoked, readTrackingToken, trackingToken } from "../../src/platform/tracking-token";

const DAY = 86_400_000;
const ISSUED = Date.parse("2026-11-20T09:00:00Z");
const b64url = (s: string) => btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

describe("tracking tokens", () => {
  it("round-trips the order and the issue time, and stays far below the route's 400 characters", async () => {
    const orderId = `SO-${"9".repeat(61)}`;
    const token = await trackingToken("s1", orderId, ISSUED);
    expect(token.split(".")).toHaveLength(3);
    expect(token.length).toBeLessThan(200);
    expect(await readTrackingToken("s1", token)).toEqual({ orderId, issuedAt: ISSUED });
  });

  it("refuses a token whose issue time was moved (the MAC covers it)", async () => {
    const [id, , mac] = (await trackingToken("s1", "SO-1", ISSUED)).split(".");
    expect(await readTrackingToken("s1", `${id}.${b64url(String(Date.now()))}.${mac}`)).toBeNull();
    // The same instant spelled differently is another token, not ours.
    expect(await readTrackingToken("s1", `${id}.${b64url(`0${ISSUED}`)}.${mac}`)).toBeNull();
  });

  it("refuses a token signed with a secret not in the list, another order's MAC, and malformed tokens", async () => {
    const token = await trackingToken("old", "SO-1", ISSUED);
    expect(await readTrackingToken("new", token)).toBeNull();
    const [, time, mac] = token.split(".");
    expect(await readTrackingToken("old", `${b64url("SO-2")}.${time}.${mac}`)).toBeNull();
    for (const bad of ["", "x", "a.b.c.d", `${b64url("SO-1")}..${mac}`, "!!.!!.!!", "a".repeat(401)]) {
      expect(await readTrackingToken("old", bad)).toBeNull();
    }
  });

  it("accepts links signed with either secret during a rotation, and signs with the first", async () => {
    const byOld = await trackingToken("old", "SO-1", ISSUED);
    const byNew = await trackingToken("new, old", "SO-1", ISSUED);
    expect(await readTrackingToken("new,old", byOld)).toEqual({ orderId: "SO-1", issuedAt: ISSUED });
    expect(await readTrackingToken("new,old", byNew)).toEqual({ orderId: "SO-1", issuedAt: ISSUED });
    expect(await readTrackingToken("new", byNew)).not.toBeNull();
    expect(await readTrackingToken("old", byNew)).toBeNull();
  });

  it("reads a legacy two-part link, which cannot pass as a dated one or the other way round", async () => {
    const dated = await trackingToken("s1", "SO-1", ISSUED);
    const [id, , mac] = dated.split(".");
    // The MAC of a dated link does not make a legacy link.
    expect(await readTrackingToken("s1", `${id}.${mac}`)).toBeNull();
    const legacy = await legacyToken("s1", "SO-1");
    expect(await readTrackingToken("s1", legacy)).toEqual({ orderId: "SO-1", issuedAt: null });
  });
});

describe("expiry and revocation", () => {
  const link = { orderId: "SO-1", issuedAt: ISSUED };
  const legacy = { orderId: "SO-1", issuedAt: null };

  it("expires a link older than the lifetime, not one within it; never with a lifetime of 0", () => {
    expect(linkExpired(link, 90, ISSUED + 90 * DAY)).toBe(false);
    expect(linkExpired(link, 90, ISSUED + 90 * DAY + 1)).toBe(true);
    expect(linkExpired(link, 0, ISSUED + 9000 * DAY)).toBe(false);
  });

  it("accepts a legacy link only while links never expire", () => {
    expect(linkExpired(legacy, 0, ISSUED)).toBe(false);
    expect(linkExpired(legacy, 90, ISSUED)).toBe(true);
  });

  it("revokes links issued before the revocation, not those issued after; a legacy link is always older", () => {
    expect(linkRevoked(link, null)).toBe(false);
    expect(linkRevoked(link, new Date(ISSUED + 1).toISOString())).toBe(true);
    expect(linkRevoked(link, new Date(ISSUED).toISOString())).toBe(false);
    expect(linkRevoked(link, new Date(ISSUED - DAY).toISOString())).toBe(false);
    expect(linkRevoked(legacy, new Date(ISSUED - DAY).toISOString())).toBe(true);
  });
});

/** A link as the previous version issued it: b64url(orderId) "." MAC over "dockline-track:<orderId>". */
async function legacyToken(secret: string, orderId: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`dockline-track:${orderId}`))).slice(0, 16);
  return `${b64url(orderId)}.${b64url(String.fromCharCode(...mac))}`;
}
