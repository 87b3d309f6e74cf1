// The outside world, as the worker under test sees it in tests: every outbound fetch lands here.
// access.test serves a local JWKS (Cloudflare Access's certs endpoint); 127.0.0.1:8789 (dockline's local
// fulfillment URLs) and 3pl.test are the 3PL simulator; 127.0.0.1:8790 and hooks.test (subscription URLs)
// are the subscriber simulator; everything else is the ERP simulator. The simulators are reached through
// service bindings.
interface PeersEnv {
  ERP: Fetcher;
  THREE_PL: Fetcher;
  SUBSCRIBERS: Fetcher;
  ACCESS_JWKS: string;
}

export default {
  async fetch(request: Request, env: PeersEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.hostname === "access.test") {
      if (url.pathname === "/cdn-cgi/access/certs") return new Response(env.ACCESS_JWKS, { headers: { "Content-Type": "application/json" } });
      return new Response("not found", { status: 404 });
    }
    if (url.host === "127.0.0.1:8789" || url.hostname === "3pl.test") return env.THREE_PL.fetch(request);
    if (url.host === "127.0.0.1:8790" || url.hostname === "hooks.test") return env.SUBSCRIBERS.fetch(request);
    return env.ERP.fetch(request);
  },
};
