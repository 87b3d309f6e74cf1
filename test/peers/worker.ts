// The outside world, as the worker under test sees it in tests: every outbound fetch lands here.
// access.test serves a local JWKS (Cloudflare Access's certs endpoint); everything else is the ERP
// simulator, reached through a service binding.
interface PeersEnv {
  ERP: Fetcher;
  ACCESS_JWKS: string;
}

export default {
  async fetch(request: Request, env: PeersEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.hostname === "access.test") {
      if (url.pathname === "/cdn-cgi/access/certs") return new Response(env.ACCESS_JWKS, { headers: { "Content-Type": "application/json" } });
      return new Response("not found", { status: 404 });
    }
    return env.ERP.fetch(request);
  },
};
