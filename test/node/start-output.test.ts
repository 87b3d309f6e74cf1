// The filter behind `npm start`'s output, over lines captured from a real `npm start` (wrangler 4.164,
// offline): what is not the user's problem is hidden, real errors and the workers' own logs are kept.
import { describe, expect, it } from "vitest";
import { type FilterState, filterLine, INITIAL_STATE } from "../../tools/start-output";

/** The lines of one stream that the filter keeps, in order. */
function kept(lines: readonly string[]): string[] {
  let state: FilterState = INITIAL_STATE;
  const out: string[] = [];
  for (const line of lines) {
    const r = filterLine(state, line);
    state = r.state;
    if (r.keep) out.push(line);
  }
  return out;
}

// Captured from `npm start` (one server's stream, its "[dockline] " prefix removed), abridged.
const STARTUP = [
  " ⛅️ wrangler 4.164.0",
  "────────────────────",
  "Using secrets defined in .dev.vars",
  "Your Worker has access to the following bindings:",
  "Binding                                                                                Resource                      Mode",
  "env.ORDERS (OrderDO)                                                                   Durable Object                local",
  "env.ERP_QUEUE (dockline-erp-writes)                                                    Queue                         local",
  "env.DB (dockline)                                                                      D1 Database                   local",
  "env.PARTNER_RATE_LIMITER (1000 requests/10s)                                           Rate Limit                    local",
  'env.PARTNERS ("[',
  '  {"id":"acme-3pl","adapter":"canon...")                              Environment Variable          local',
  'env.OPS_TOKEN ("(hidden)")                                                             Environment Variable          local',
  "❓ Your types might be out of date. Re-run `wrangler types` to ensure your types are correct.",
  "[wrangler:warn] Unable to fetch the `Request.cf` object! Falling back to a default placeholder...",
  "Error: getaddrinfo ENOTFOUND workers.cloudflare.com",
  "    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)",
  "    at GetAddrInfoReqWrap.callbackTrampoline (node:internal/async_hooks:130:17)",
  "\u001b[33m▲ \u001b[43;33m[\u001b[43;30mWARNING\u001b[43;33m]\u001b[0m \u001b[1mScheduled Workers are not automatically triggered during local development.\u001b[0m",
  "  To manually trigger a scheduled event, run:",
  '    curl "http://127.0.0.1:8787/cdn-cgi/local/scheduled"',
  "  For more details, see \u001b[4mhttps://developers.cloudflare.com/workers/configuration/cron-triggers/#test-cron-triggers-locally\u001b[0m",
  "⎔ Starting local server...",
  "[wrangler:warn] Unable to fetch the `Request.cf` object! Falling back to a default placeholder...",
  "Error: getaddrinfo ENOTFOUND workers.cloudflare.com",
  "    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)",
  "    at GetAddrInfoReqWrap.callbackTrampoline (node:internal/async_hooks:130:17)",
  "[wrangler:info] Ready on http://127.0.0.1:8787",
  "⎔ Reloading local server...",
  "⎔ Connection status updated",
  "Your Worker has access to the following bindings:",
  "Binding                                                                                Resource                      Mode",
  "env.ORDERS (OrderDO)                                                                   Durable Object                local",
  "⎔ Local server updated and ready",
];

describe("npm start's output filter", () => {
  it("hides wrangler's banner, bindings table, Request.cf lookup with its stack, cron warning and Ready lines", () => {
    // A reload after an edit is the user's own change taking effect: the one line kept.
    expect(kept(STARTUP)).toEqual(["⎔ Local server updated and ready"]);
  });

  it("hides the cron warning's hint when it arrives apart from its header, and npm start's own /health polls", () => {
    const lines = [
      "  To manually trigger a scheduled event, run:",
      '    curl "http://127.0.0.1:8787/cdn-cgi/local/scheduled"',
      "  For more details, see \u001b[4mhttps://developers.cloudflare.com/workers/configuration/cron-triggers/#test-cron-triggers-locally\u001b[0m",
      "[wrangler:info] GET /health 200 OK (3193ms)",
      "[wrangler:info] GET /ops 200 OK (12ms)",
    ];
    expect(kept(lines)).toEqual(["[wrangler:info] GET /ops 200 OK (12ms)"]);
  });

  it("hides the bindings of every simulator too (a shorter table)", () => {
    const sim = [
      "Your Worker has access to the following bindings:",
      "Binding                                              Resource                  Mode",
      "env.LEDGER (ErpLedger)                               Durable Object            local",
      'env.ERP_TOKEN ("dev-erp-token")                      Environment Variable      local',
      "[wrangler:info] Ready on http://127.0.0.1:8788",
    ];
    expect(kept(sim)).toEqual([]);
  });

  it("keeps an error that is not the offline lookup, with its whole stack", () => {
    const lines = [
      "Error: getaddrinfo ENOTFOUND workers.cloudflare.com",
      "    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)",
      "✘ [ERROR] Address already in use (127.0.0.1:8787). Please check that you are not already running a server on this address or specify a different port with --port.",
      "Error: The Durable Object's code threw",
      "    at OrderDO.ingest (src/durable-objects/order.ts:120:11)",
      "[wrangler:error] TypeError: Cannot read properties of undefined",
    ];
    expect(kept(lines)).toEqual(lines.slice(2));
  });

  it("keeps the workers' own log lines and warnings, and a line after a hidden block", () => {
    const lines = [
      "Your Worker has access to the following bindings:",
      "env.DB (dockline)                                                                      D1 Database                   local",
      '{"level":"warn","msg":"erp delivery failed","orderId":"SO-1001"}',
      "[wrangler:warn] Queue consumer dockline-erp-writes is slow",
      "[wrangler:info] POST /v1/webhooks/easypost 202 Accepted (12ms)",
    ];
    expect(kept(lines)).toEqual(lines.slice(2));
  });

  it("ends the offline lookup's stack at its last frame", () => {
    const r1 = filterLine(INITIAL_STATE, "Error: getaddrinfo ENOTFOUND workers.cloudflare.com");
    expect(r1).toEqual({ state: { skipping: "stack" }, keep: false });
    const r2 = filterLine(r1.state, "    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:dns:122:26)");
    expect(r2.keep).toBe(false);
    expect(filterLine(r2.state, "something else")).toEqual({ state: INITIAL_STATE, keep: true });
  });
});
