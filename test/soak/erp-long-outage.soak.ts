// `npm run soak` (not in CI): the long-outage drill of test/helpers/long-outage.ts at a larger size. A
// 72-hour ERP outage on a controllable clock with SOAK_LONG_ORDERS orders (default 1000) created
// throughout; after recovery every fact exactly once, in order, no dead letter, never more than
// ERP_MAX_CONCURRENCY in flight. Prints its figures as JSON; docs/erp.md records a run.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { longOutageDrill } from "../helpers/long-outage";

const ORDERS = Number((env as unknown as { SOAK_LONG_ORDERS: string }).SOAK_LONG_ORDERS);

describe("ERP long-outage soak", () => {
  it(`a 72-hour outage with ${ORDERS} orders drains on its own, exactly once, within the cap`, { timeout: 30 * 60_000 }, async () => {
    const figures = await longOutageDrill({ prefix: "SOAK72-", orders: ORDERS, outageHours: 72, steps: 12, drainTimeoutMs: 20 * 60_000, report: true });
    expect(figures.deadLetters).toBe(0);
    console.log(JSON.stringify({ drill: "72-hour ERP outage", ...figures }));
  });
});
