// Small helpers shared by the command-line tools: flags, fatal errors, the wrangler environment, and the
// local partners with what their modules say about how they sign.
import { existsSync, readFileSync } from "node:fs";
import { experimental_readRawConfig, unstable_readConfig } from "wrangler";
import { secretName } from "../src/partners/registry";
import { signHmacBase64 } from "../src/partners/schemes/hmac-base64";
import { signHmacHexNfkd } from "../src/partners/schemes/hmac-hex-nfkd";
import { signShippo } from "../src/partners/schemes/shippo-signature";
import { signStandardWebhook } from "../src/partners/schemes/standard-webhooks";
import type { PartnerModule } from "../src/partners/types";

export const WRANGLER = "node_modules/.bin/wrangler";
export const CONFIG = "wrangler.toml";
/** The all-zero database ids wrangler.toml ships with until `npm run provision` fills them in. */
export const PLACEHOLDER_ID = /^0{8}-0{4}-0{4}-0{4}-0{11}\d$/;

/** `--name value` or `--name=value`. */
export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  return process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

export function fail(message: string, code = 2): never {
  console.error(`✖ ${message}`);
  process.exit(code);
}

/**
 * The `--env` the user asked for, which must be one of wrangler.toml's `[env.*]`: the top level is local
 * development and is never provisioned or deployed.
 */
export function environmentArg(usage: (environments: string[]) => string): string {
  const raw: { rawConfig: { env?: Record<string, unknown> } } = experimental_readRawConfig({ config: CONFIG });
  const environments = Object.keys(raw.rawConfig.env ?? {});
  const env = flag("--env") ?? flag("-e");
  if (!env || env.startsWith("-")) fail(usage(environments));
  if (!environments.includes(env)) fail(`no [env.${env}] in ${CONFIG}; environments: ${environments.join(", ")}`);
  return env;
}

/** The partners `npm start` runs with: PARTNERS of wrangler.toml's top level (local development). */
export function localPartners(): { id: string; adapter: string }[] {
  const config = unstable_readConfig({ config: CONFIG }, { hideWarnings: true });
  return JSON.parse(String(config.vars.PARTNERS ?? "[]")) as { id: string; adapter: string }[];
}

/** A partner's first local secret (the newest of a rotation), from .dev.vars, else .dev.vars.example. */
export function localSecret(partnerId: string): string {
  const name = secretName(partnerId);
  for (const file of [".dev.vars", ".dev.vars.example"]) {
    if (!existsSync(file)) continue;
    const m = new RegExp(`^${name}=(.*)$`, "m").exec(readFileSync(file, "utf8"));
    if (m?.[1]) return m[1].split(",")[0]?.trim() ?? "";
  }
  throw new Error(`no ${name} in .dev.vars or .dev.vars.example`);
}

export interface SchemeDescription {
  /** How the partner authenticates, e.g. "HMAC-SHA256 base64 in X-Shopify-Hmac-Sha256". */
  scheme: string;
  /** For partners that name a topic in a header: the header, the topic sent by default, the topics mapped. */
  topic?: { header: string; default: string; accepted: string[] };
}

/**
 * What a module's `sign` does, found by running it: each header it writes is compared with what each
 * scheme's own signer makes of the same bytes. Nothing here lists partners; a module on a new scheme shows
 * the headers it signs with until its scheme is added below.
 */
export async function describeModule(module: PartnerModule): Promise<SchemeDescription> {
  // Valid for every scheme: Standard Webhooks wants whsec_ + base64, a shared token at least 16 characters.
  const secret = "whsec_cHJvYmUtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY=";
  const raw = new TextEncoder().encode("{}");
  const id = "probe-id";
  const timestamp = 1_700_000_000;
  const headers = await module.sign(secret, raw, { id, timestamp, topic: "probe-topic" });
  const plain = await module.sign(secret, raw, { id, timestamp });
  const topicHeader = Object.keys(headers).find((h) => headers[h] === "probe-topic");
  const schemes: string[] = [];
  const shown = new Set(["content-type", "webhook-id", "webhook-timestamp", topicHeader?.toLowerCase()]);
  for (const [name, value] of Object.entries(headers)) {
    if (shown.has(name.toLowerCase())) continue;
    if (name === "webhook-signature" && value === (await signStandardWebhook(secret, id, timestamp, raw)))
      schemes.push("Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)");
    else if (value === (await signHmacBase64(secret, raw))) schemes.push(`HMAC-SHA256 base64 in ${name}`);
    else if (value === (await signHmacHexNfkd(secret, raw))) schemes.push(`HMAC-SHA256 hex in ${name}`);
    else if (value === (await signShippo(secret, raw, timestamp))) schemes.push(`HMAC-SHA256 t=…,v1=… in ${name}`);
    else if (value === secret) schemes.push(`shared token in ${name}`);
    else if (value.endsWith(` ${secret}`)) schemes.push(`${value.slice(0, -secret.length - 1)} token in ${name}`);
    // A header that only echoes the message id (X-Shopify-Webhook-Id) is not part of the scheme.
    else if (value !== id) schemes.push(`signed in ${name}`);
  }
  const scheme = schemes.join(" + ") || "no authentication";
  if (!topicHeader) return { scheme };
  return { scheme, topic: { header: topicHeader, default: String(plain[topicHeader]), accepted: await acceptedTopics(module, topicHeader) } };
}

/**
 * The topics a module maps, from its `TOPICS` table, each confirmed by running `map`: a topic it maps
 * rejects an empty body, one it does not is answered "ignored" (authentic, no milestone).
 */
async function acceptedTopics(module: PartnerModule, header: string): Promise<string[]> {
  const file = `src/partners/${module.name}/adapter.ts`;
  const table = existsSync(file) ? /const TOPICS\b[^{]*\{([^}]*)\}/.exec(readFileSync(file, "utf8"))?.[1] : undefined;
  const candidates = [...(table ?? "").matchAll(/"([^"]+)"\s*:/g)].map((m) => m[1] as string);
  const accepted: string[] = [];
  for (const topic of candidates) {
    const req = {
      partnerId: "probe",
      headers: new Headers({ [header]: topic }),
      raw: new Uint8Array(new TextEncoder().encode("{}")),
      receivedAt: new Date(0).toISOString(),
    };
    try {
      const result = await module.map(req);
      if (result.events.length > 0 || !result.ignored) accepted.push(topic);
    } catch {
      accepted.push(topic);
    }
  }
  return accepted;
}

/** True for a fetch that never reached a server (refused, unresolvable, reset, timed out). */
export function unreachable(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  return (
    err instanceof TypeError &&
    err.message === "fetch failed" &&
    (cause?.code === undefined || /^(ECONNREFUSED|ENOTFOUND|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|UND_ERR_\w+)$/.test(cause.code))
  );
}
