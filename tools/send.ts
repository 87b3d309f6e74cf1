// `npm run send -- <partner> <file> [--url …] [--id …] [--topic …]` (`--help` for the partners and schemes):
// sends a fixture to a running dockline exactly as the partner would: the file's bytes, unchanged, signed
// with the partner's scheme and its local secret (from .dev.vars, else .dev.vars.example).
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { moduleNamed } from "../src/partners/registry";
import { describeModule, localPartners, localSecret, unreachable } from "./cli";

const DEFAULT_URL = "http://127.0.0.1:8787";

/** The help, built from PARTNERS and what each partner's module says about its signature and topics. */
async function usage(): Promise<string> {
  const partners = localPartners();
  const rows = await Promise.all(
    partners.map(async (p) => ({ ...p, ...(await describeModule(moduleNamed(p.adapter) ?? fail(`PARTNERS: no module ${p.adapter}`))) })),
  );
  const width = Math.max(...rows.map((r) => r.id.length));
  const adapterWidth = Math.max(...rows.map((r) => r.adapter.length));
  return [
    "Sends a file to a running dockline as the partner would: its bytes unchanged, signed with the partner's",
    "scheme and its local secret (PARTNER_SECRET_<ID> from .dev.vars, else .dev.vars.example).",
    "",
    "usage: npm run send -- <partner> <file> [--url <base>] [--id <webhook id>] [--topic <topic>]",
    "",
    "partners (PARTNERS in wrangler.toml), their adapter and signature scheme:",
    ...rows.map((r) => `  ${r.id.padEnd(width)}  ${r.adapter.padEnd(adapterWidth)}  ${r.scheme}${r.topic ? `; needs --topic (${r.topic.header})` : ""}`),
    "",
    "topics (--topic; the first is sent when --topic is absent):",
    ...rows.flatMap((r) => (r.topic ? wrap(`  ${r.id.padEnd(width)}  `, [r.topic.default, ...r.topic.accepted.filter((t) => t !== r.topic?.default)]) : [])),
    "",
    "options:",
    `  --url <base>     dockline's address (default ${DEFAULT_URL})`,
    "  --id <id>        the webhook message id, for schemes that carry one (random when absent)",
    "  --topic <topic>  the topic header, for the partners above that need one",
    "  -h, --help       this help",
    "",
    "examples:",
    "  npm run send -- easypost src/partners/easypost/fixtures/tracker-updated.json",
    "  npm run send -- shopify src/partners/shopify/fixtures/fulfillments-update.json --topic fulfillments/update",
    "",
  ].join("\n");
}

/** `words` after `lead`, comma-separated, wrapped under the first at about 100 columns. */
function wrap(lead: string, words: string[]): string[] {
  const lines = [lead];
  for (const [i, w] of words.entries()) {
    const piece = i < words.length - 1 ? `${w}, ` : w;
    if ((lines.at(-1) as string).length + piece.length > 100) lines.push(" ".repeat(lead.length));
    lines[lines.length - 1] += piece;
  }
  return lines.map((l) => l.trimEnd());
}

function fail(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      allowPositionals: true,
      options: { url: { type: "string" }, id: { type: "string" }, topic: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  try {
    parsed = parse();
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n\n${await usage()}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(await usage());
    return;
  }
  const [partnerId, file, ...extra] = positionals;
  if (!partnerId) fail(`missing <partner> and <file>\n\n${await usage()}`);
  if (!file) fail(`missing <file>\n\n${await usage()}`);
  if (extra.length > 0) fail(`unexpected ${extra.join(" ")}\n\n${await usage()}`);
  const partners = localPartners();
  const partner = partners.find((p) => p.id === partnerId);
  if (!partner) fail(`unknown partner "${partnerId}"; partners: ${partners.map((p) => p.id).join(", ")} (--help for their schemes)`);
  if (!existsSync(file)) fail(`cannot read ${file}: no such file`);
  const base = (values.url ?? DEFAULT_URL).replace(/\/+$/, "");
  if (!URL.canParse(base)) fail(`--url ${base} is not a URL`);
  const body = new Uint8Array(readFileSync(file));
  const module = moduleNamed(partner.adapter) ?? fail(`PARTNERS: partner ${partner.id} names no module (${partner.adapter})`);
  const headers = await module.sign(localSecret(partnerId), body, {
    ...(values.id ? { id: values.id } : {}),
    ...(values.topic ? { topic: values.topic } : {}),
  });
  let res: Response;
  try {
    res = await fetch(`${base}/v1/webhooks/${partnerId}`, { method: "POST", headers, body });
  } catch (err) {
    if (unreachable(err)) fail(`dockline is not answering at ${base} — start it with \`npm start\``, 1);
    throw err;
  }
  console.log(`${res.status} ${res.statusText}  (X-Correlation-Id: ${res.headers.get("X-Correlation-Id")})`);
  console.log(await res.text());
  if (!res.ok) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
