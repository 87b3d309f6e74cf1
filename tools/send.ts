// `npm run send -- <partnerId> <file> [--url http://127.0.0.1:8787] [--id <webhook id>] [--topic <topic>]`
// Sends a fixture to a running dockline exactly as the partner would: the file's bytes, unchanged, signed
// with the partner's scheme and its local secret (from .dev.vars, else .dev.vars.example). Works for
// every partner in PARTNERS, e.g. `npm run send -- easypost src/partners/easypost/fixtures/tracker-updated.json`.
import { readFileSync, existsSync } from "node:fs";
import { unstable_readConfig } from "wrangler";
import { signFor } from "../src/partners/signers";
import { flag } from "./cli";

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
    console.error("usage: npm run send -- <partnerId> <file> [--url http://127.0.0.1:8787] [--id <webhook id>] [--topic <topic>]");
    process.exit(2);
  }
  const config = unstable_readConfig({ config: "wrangler.toml" }, { hideWarnings: true });
  const partners = JSON.parse(String(config.vars.PARTNERS ?? "[]")) as { id: string; adapter: string }[];
  const partner = partners.find((p) => p.id === partnerId);
  if (!partner) throw new Error(`unknown partner ${partnerId}; configured: ${partners.map((p) => p.id).join(", ")}`);
  const body = new Uint8Array(readFileSync(file));
  const id = flag("--id");
  const topic = flag("--topic");
  const headers = await signFor(partner.adapter, localSecret(partnerId), body, { ...(id ? { id } : {}), ...(topic ? { topic } : {}) });
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
