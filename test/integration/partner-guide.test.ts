// docs/partners.md, "Adding a partner on an existing format", at the worker: a partner added as the guide
// says (its PARTNERS entry, and its .dev.vars line, which wrangler hands the worker only once `[secrets]
// required` lists it: test/node/partner-guide.test.ts shows that part with wrangler's own loader) has its
// signed webhooks accepted; the same partner without its secret answers 503, never 500.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import guide from "../../docs/partners.md?raw";
import worker from "../../src/index";
import { moduleNamed, secretName } from "../../src/partners/registry";

/** The guide's first block of `lang` in the section `title`. */
function block(title: string, lang: string): string {
  const section = guide.slice(guide.indexOf(`\n## ${title}\n`));
  const found = new RegExp(`^ *\`\`\`${lang}\\n([\\s\\S]*?)^ *\`\`\``, "m").exec(section.slice(0, section.indexOf("\n## ", 1)));
  if (!found?.[1]) throw new Error(`no ${lang} block in "${title}"`);
  return found[1].trim();
}

const SECTION = "Adding a partner on an existing format";
const partner = JSON.parse(block(SECTION, "json")) as { id: string; adapter: string };
const [name, ...value] = block(SECTION, "dotenv").split("=");
const secret = value.join("=");

/** POSTs a milestone signed by the guide's partner to a worker configured as the guide says (`withSecret`: step 2 done). */
async function postAsNewPartner(withSecret: boolean, orderId: string): Promise<Response> {
  const configured = {
    ...env,
    PARTNERS: JSON.stringify([...(JSON.parse(env.PARTNERS) as unknown[]), partner]),
    ...(withSecret ? { [name as string]: secret } : {}),
  } as Env;
  const raw = new TextEncoder().encode(
    JSON.stringify({ type: "milestone", data: { orderId, code: "fulfillment.picked", occurredAt: "2026-11-20T10:00:00Z", eventId: crypto.randomUUID() } }),
  );
  const module = moduleNamed(partner.adapter);
  if (!module) throw new Error(`the guide names adapter ${partner.adapter}, which is not a module`);
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://dockline.test/v1/webhooks/${partner.id}`, { method: "POST", headers: await module.sign(secret, raw, {}), body: raw }),
    configured,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("a partner added as docs/partners.md says", () => {
  it("has its signed webhooks accepted (202)", async () => {
    expect(name).toBe(secretName(partner.id));
    const res = await postAsNewPartner(true, "SO-GUIDE-1");
    expect(res.status).toBe(202);
    const body = (await res.json()) as { results: { outcome: string }[] };
    expect(body.results.map((r) => r.outcome)).toEqual(["accepted"]);
  });

  it("answers 503, not 500, while the worker lacks its secret (the [secrets] required step skipped)", async () => {
    const res = await postAsNewPartner(false, "SO-GUIDE-2");
    expect(res.status).toBe(503);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  });
});
