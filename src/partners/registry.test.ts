// The registry's modules, each taken from the one list: what a module signs, it verifies, and only with the
// secret it signed with; a PARTNERS entry naming no module, and FULFILLMENT_ROUTES naming a partner that
// does not fulfil, are configuration errors that name the variable.
import { describe, expect, it } from "vitest";
import { ConfigError, fulfillmentRoutes, MODULES, moduleNamed, partners } from "./registry";
import { bytes, failure } from "./test-helpers";

// One secret every scheme accepts: a Standard Webhooks key (whsec_ + base64) is also a long enough token.
const SECRET = "whsec_dGhlIHJlZ2lzdHJ5IHRlc3QgbW9kdWxlIHNlY3JldA==";
const OTHER = "whsec_YW5vdGhlciBzZWNyZXQgZW50aXJlbHkgZGlmZmVyZW50";

describe.each(MODULES.map((m) => [m.name, m] as const))("module %s", (name, module) => {
  const raw = bytes(name === "x12" ? "ISA*00*~" : '{"any":"payload"}');
  const request = (headers: Record<string, string>) => ({
    partnerId: `test-${name}`,
    headers: new Headers(headers),
    raw,
    receivedAt: new Date().toISOString(),
  });

  it("verifies what its own sign produces, with a content type it accepts", async () => {
    const headers = await module.sign(SECRET, raw, {});
    expect(module.contentTypes).toContain(headers["Content-Type"]);
    await expect(module.verify(request(headers), [SECRET])).resolves.toBeUndefined();
    expect(moduleNamed(name)).toBe(module);
  });

  it("rejects its own signature under another secret", async () => {
    const headers = await module.sign(OTHER, raw, {});
    expect(await failure(module.verify(request(headers), [SECRET]))).toBe("invalid");
  });
});

describe("configuration errors", () => {
  it("names PARTNERS when an entry names no module", () => {
    expect(() => partners(JSON.stringify([{ id: "globex-3pl", adapter: "globex" }]))).toThrow(
      expect.objectContaining({ name: "ConfigError", variable: "PARTNERS", message: expect.stringMatching(/^PARTNERS\[0\.adapter\]/) }),
    );
    expect(() => partners("[")).toThrow(new ConfigError("PARTNERS", "PARTNERS is not valid JSON"));
  });

  it("names FULFILLMENT_ROUTES when a route names a partner without a fulfillment entry", () => {
    const PARTNERS = JSON.stringify([{ id: "shipbob", adapter: "shipbob" }]);
    expect(() => fulfillmentRoutes({ PARTNERS, FULFILLMENT_ROUTES: '[{"partner":"shipbob"}]' })).toThrow(
      expect.objectContaining({ variable: "FULFILLMENT_ROUTES", message: expect.stringContaining('"shipbob" is not a partner with a "fulfillment" entry') }),
    );
  });

  it("finds no module under a name that is not one (not even Object's own properties)", () => {
    expect(moduleNamed("toString")).toBeUndefined();
    expect(moduleNamed("globex")).toBeUndefined();
  });
});
