// A partner whose secret is missing or unusable on OUR side: the caller (who may be anyone) learns only that
// webhooks cannot be accepted right now; the log names the secret to fix, never its value.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import multistop from "../../src/partners/x12/fixtures/multistop-214.edi?raw";

afterEach(() => {
  vi.restoreAllMocks();
});

/** POSTs as the `edi` partner to a worker whose environment has `secrets` in place of the configured one. */
async function postEdi(secret: string | undefined): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://dockline.test/v1/webhooks/edi", {
      method: "POST",
      headers: { "Content-Type": "application/edi-x12", Authorization: "Bearer whatever-the-caller-sends" },
      body: multistop,
    }),
    { ...env, PARTNER_SECRET_EDI: secret } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("a partner without a usable secret", () => {
  for (const [what, secret] of [
    ["no secret", undefined],
    ["a secret too short to be a token", "short"],
  ] as const) {
    it(`answers ${what} with a 503 that names no partner and no secret, and logs the secret's name only`, async () => {
      const logged = vi.spyOn(console, "error");
      const res = await postEdi(secret);
      expect(res.status).toBe(503);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(res.headers.get("Retry-After")).not.toBeNull();
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ type: "https://dockline.dev/problems/webhooks-unavailable", status: 503, title: "Temporarily unable to accept webhooks" });
      expect(JSON.stringify(body)).not.toMatch(/secret|misconfigur|edi|token|configured/i);

      const line = logged.mock.calls.map(([l]) => String(l)).find((l) => l.includes("PARTNER_SECRET_EDI"));
      expect(line && JSON.parse(line)).toMatchObject({ level: "error", partnerId: "edi", secret: "PARTNER_SECRET_EDI", correlationId: body.correlationId });
      if (secret) expect(line).not.toContain(secret);
    });
  }
});
