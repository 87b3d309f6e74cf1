// `npm run send -- <partnerId> <file> [--url http://127.0.0.1:8787] [--id <webhook id>]`
// Sends a fixture to a running dockline exactly as the partner would: the file's bytes, unchanged, with
// the partner's signature made with the partner's local secret (from .dev.vars, else .dev.vars.example).
import { readFileSync, existsSync } from "node:fs";
import { unstable_readConfig } from "wrangler";
import { signStandardWebhook } from "../src/partners/schemes/standard-webhooks";

const SIGNERS: Record<string, (secret: string, body: Uint8Array) => Promise<{ headers: Record<string, string> }>> = {
  async canonical(secret, body) {
    const id = flag("--id") ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    const ts = Math.floor(Date.now() / 1000);
    return {
      headers: {
        "Content-Type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(ts),
        "webhook-signature": await signStandardWebhook(secret, id, ts, body),
      },
    };
  },
};

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function localSecret(partnerId: string): string {
  const name = `PARTNER_SECRET_${partnerId.toUpperCase().replaceAll("-", "_")}`;
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    if (!existsSync(file)) continue;
    const m = new RegExp(`^${name}=(.*)$`, "m").exec(readFileSync(file, "utf8"));
    // Several comma-separated secrets mean a rotation: sign with the newest (first).
    if (m?.[1]) return m[1].split(",")[0]?.trim() ?? "";
  }
  throw new Error(`no ${name} in .dev.vars or .dev.vars.example`);
}

async function main(): Promise<void> {
  const [partnerId, file] = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
  if (!partnerId || !file) {
    console.error("usage: npm run send -- <partnerId> <file> [--url http://127.0.0.1:8787] [--id <webhook id>]");
    process.exit(2);
  }
  const config = unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true });
  const partners = JSON.parse(String(config.vars.PARTNERS ?? "[]")) as { id: string; adapter: string }[];
  const partner = partners.find((p) => p.id === partnerId);
  if (!partner) throw new Error(`unknown partner ${partnerId}; configured: ${partners.map((p) => p.id).join(", ")}`);
  const sign = SIGNERS[partner.adapter];
  if (!sign) throw new Error(`no signer for adapter ${partner.adapter}`);
  const body = new Uint8Array(readFileSync(file));
  const { headers } = await sign(localSecret(partnerId), body);
  const url = `${flag("--url") ?? "http://127.0.0.1:8787"}/v1/webhooks/${partnerId}`;
  const res = await fetch(url, { method: "POST", headers, body });
  console.log(`${res.status} ${res.statusText}  (X-Correlation-Id: ${res.headers.get("X-Correlation-Id")})`);
  console.log(await res.text());
  if (!res.ok) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
