import type { Reader } from "./readmodel/queries";

// Hono's typing for this worker: bindings from `wrangler types`, per-request variables set by middleware.
export interface AppEnv {
  Bindings: Env;
  Variables: { correlationId: string; customerId: string; reader: Reader; secureHeadersNonce?: string };
}
