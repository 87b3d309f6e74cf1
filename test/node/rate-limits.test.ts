// The Retry-After a throttled caller is told is the limiter's window, which only wrangler.toml knows:
// every environment must configure every limiter the code uses, with the period the code announces.
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { RATE_LIMIT_PERIODS } from "../../src/platform/rate-limit";

describe("rate-limit bindings in wrangler.toml", () => {
  it.each(["", "staging", "production"])("configures every limiter with the period the code announces (env %j)", (env) => {
    const config = unstable_readConfig({ config: "./wrangler.toml", ...(env ? { env } : {}) }, { hideWarnings: true });
    const periods = Object.fromEntries(config.ratelimits.map((r: { name: string; simple: { period: number } }) => [r.name, r.simple.period]));
    expect(periods).toEqual(RATE_LIMIT_PERIODS);
  });
});
