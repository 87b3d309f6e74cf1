// How each module's partner signs a request: the headers it would send with `raw`. Used by the sender CLI
// (`npm run send`), the demo and the benchmark, and by tests — never by the ingress path. Each module
// carries its own `sign`; this only looks it up by the adapter name PARTNERS uses.
import { moduleNamed } from "./registry";
import type { SignOptions } from "./types";

export type { SignOptions } from "./types";

export async function signFor(adapter: string, secret: string, raw: Uint8Array, options: SignOptions = {}): Promise<Record<string, string>> {
  const module = moduleNamed(adapter);
  if (!module) throw new Error(`no signer for adapter ${adapter}`);
  return module.sign(secret, raw, options);
}
