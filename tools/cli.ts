// Small helpers shared by the command-line tools: flags, fatal errors, and the wrangler environment.
import { experimental_readRawConfig } from "wrangler";

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
