import { describe, expect, it } from "vitest";
import { ADAPTERS } from "../registry";
import type { PartnerModule } from "../types";
import { describeSigning } from "./signing";

const names = (headers: readonly { name: string }[]) => headers.map((h) => h.name);

describe("the scheme a module signs with, found by running its signer", () => {
  it("finds Standard Webhooks with its tolerance, its id and timestamp part of it (canonical)", async () => {
    const s = await describeSigning(ADAPTERS.canonical);
    expect(s.scheme?.name).toBe("Standard Webhooks");
    expect(s.scheme?.toleranceSeconds).toBe(300);
    expect(names(s.scheme?.headers ?? [])).toEqual(["webhook-id", "webhook-timestamp", "webhook-signature"]);
    expect(s.other).toEqual([]);
    expect(s.contentType).toBe("application/json");
  });

  it("names a topic header apart from the scheme, with the topic sent by default (shipbob)", async () => {
    const s = await describeSigning(ADAPTERS.shipbob);
    expect(s.scheme?.name).toBe("Standard Webhooks");
    expect(s.other).toEqual([{ name: "x-webhook-topic", format: "the event's topic (order.shipped when none is given)" }]);
  });

  it("tells the base64 HMAC apart from the hex one, each in its own header", async () => {
    expect((await describeSigning(ADAPTERS.easypost)).scheme?.name).toBe("HMAC-SHA256, hex (EasyPost)");
    const aftership = await describeSigning(ADAPTERS.aftership);
    expect(aftership.scheme?.name).toBe("HMAC-SHA256, base64");
    expect(names(aftership.scheme?.headers ?? [])).toEqual(["aftership-hmac-sha256"]);
    const shopify = await describeSigning(ADAPTERS.shopify);
    expect(names(shopify.scheme?.headers ?? [])).toEqual(["X-Shopify-Hmac-Sha256"]);
    expect(shopify.scheme?.toleranceSeconds).toBeUndefined();
    expect(names(shopify.other)).toEqual(["X-Shopify-Topic", "X-Shopify-Webhook-Id"]);
  });

  it("finds Shippo's signed timestamp and its tolerance", async () => {
    const s = await describeSigning(ADAPTERS.shippo);
    expect(s.scheme?.name).toBe("Shippo-Auth-Signature");
    expect(s.scheme?.toleranceSeconds).toBe(300);
  });

  it("finds a shared token, bare or behind an auth scheme", async () => {
    expect((await describeSigning(ADAPTERS.ups)).scheme?.headers).toEqual([{ name: "credential", format: "the token" }]);
    const x12 = await describeSigning(ADAPTERS.x12);
    expect(x12.scheme?.headers).toEqual([{ name: "Authorization", format: "Bearer <token>" }]);
    expect(x12.contentType).toBe("application/edi-x12");
  });

  it("leaves a scheme it does not know undescribed, its header listed, rather than guess", async () => {
    const unknown: PartnerModule = { ...ADAPTERS.aftership, sign: async () => ({ "Content-Type": "application/json", "x-made-up": "v2=abc" }) };
    const s = await describeSigning(unknown);
    expect(s.scheme).toBeUndefined();
    expect(s.other).toEqual([{ name: "x-made-up", format: "sent by the partner" }]);
  });
});
