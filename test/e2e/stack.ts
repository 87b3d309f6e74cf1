// Starts the real dockline worker (wrangler.toml, local DO/D1/Queues) for browser tests, with test
// secrets, and drives it over HTTP like a partner, the ERP and a portal would.
import { createTestHarness, type TestHarness } from "wrangler";
import { signFor } from "../../src/partners/signers";

export const SECRETS = {
  ERP_INBOUND_TOKEN: "e2e-erp-inbound-token",
  ERP_TOKEN: "e2e-erp-token",
  OPS_TOKEN: "e2e-ops-token",
  TRACKING_TOKEN_SECRET: "e2e-tracking-link-secret",
  PARTNER_SECRET_ACME_3PL: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  PARTNER_SECRET_SHIPBOB: "whsec_ZTJlLXNoaXBib2I=",
  PARTNER_SECRET_EASYPOST: "e2e-easypost-secret",
  PARTNER_SECRET_AFTERSHIP: "e2e-aftership-secret",
  PARTNER_SECRET_SHOPIFY: "e2e-shopify-secret",
  PARTNER_SECRET_SHIPPO: "e2e-shippo-secret",
  PARTNER_SECRET_UPS: "e2e-ups-track-alert-credential",
  PARTNER_SECRET_EDI: "e2e-edi-gateway-bearer-token",
};

export class Stack {
  readonly harness: TestHarness;
  url = new URL("http://127.0.0.1/");

  constructor() {
    // The ERP is not part of these tests: point it at a closed port so commands simply wait.
    this.harness = createTestHarness({ workers: [{ configPath: "wrangler.toml", secrets: SECRETS, vars: { ERP_BASE_URL: "http://127.0.0.1:9" } }] });
  }

  async start(): Promise<void> {
    this.url = (await this.harness.listen()).url;
    await this.harness.getWorker().applyD1Migrations("DB");
  }

  close(): Promise<void> {
    return this.harness.close();
  }

  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(new URL(path, this.url), init);
  }

  release(order: Record<string, unknown>): Promise<Response> {
    return this.fetch("/v1/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${SECRETS.ERP_INBOUND_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify(order),
    });
  }

  async milestone(data: Record<string, unknown>): Promise<Response> {
    const raw = new TextEncoder().encode(JSON.stringify({ type: "milestone", data }));
    const headers = await signFor("canonical", SECRETS.PARTNER_SECRET_ACME_3PL, raw);
    return this.fetch("/v1/webhooks/acme-3pl", { method: "POST", headers, body: raw });
  }

  async customerKey(customerId: string): Promise<string> {
    const res = await this.fetch("/ops/api-keys", {
      method: "POST",
      headers: { Authorization: `Bearer ${SECRETS.OPS_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ customerId }),
    });
    return ((await res.json()) as { key: string }).key;
  }
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("timed out");
}
