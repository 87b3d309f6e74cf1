// How dockline authenticates to the ERP: a static bearer token (ERP_TOKEN), or OAuth 2.0 client
// credentials (RFC 6749 §4.4): a token from ERP_TOKEN_URL, cached per isolate until shortly before it
// expires. No token or secret ever goes into a reason, a log line or an error.
import { parseRetryAfter } from "./backoff";

export type ErpAuth =
  | { kind: "bearer"; token: string }
  | { kind: "oauth2-client-credentials"; tokenUrl: string; clientId: string; clientSecret: string; scope?: string }
  /** A configuration that cannot work: every delivery fails transiently with this reason until it is fixed. */
  | { kind: "misconfigured"; reason: string };

/**
 * What the ERP authentication reads from the environment. ERP_CLIENT_SECRET is an optional secret (only
 * OAuth needs one), so it is not in wrangler.toml's `secrets.required` nor in the generated `Env`.
 */
export interface ErpAuthEnv {
  ERP_AUTH?: string;
  ERP_TOKEN?: string;
  ERP_TOKEN_URL?: string;
  ERP_CLIENT_ID?: string;
  ERP_CLIENT_SECRET?: string;
  ERP_SCOPE?: string;
}

export function erpAuthFromEnv(env: ErpAuthEnv): ErpAuth {
  const mode = (env.ERP_AUTH ?? "").trim() || "bearer";
  if (mode === "bearer") return { kind: "bearer", token: env.ERP_TOKEN ?? "" };
  if (mode !== "oauth2-client-credentials") {
    return { kind: "misconfigured", reason: `ERP_AUTH is "${mode.slice(0, 40)}": use "bearer" or "oauth2-client-credentials"` };
  }
  const missing = (["ERP_TOKEN_URL", "ERP_CLIENT_ID", "ERP_CLIENT_SECRET"] as const).filter((k) => !env[k]?.trim());
  if (missing.length > 0) return { kind: "misconfigured", reason: `ERP_AUTH is oauth2-client-credentials but ${missing.join(", ")} not set` };
  const tokenUrl = (env.ERP_TOKEN_URL ?? "").trim();
  if (!URL.canParse(tokenUrl)) return { kind: "misconfigured", reason: "ERP_TOKEN_URL is not a URL" };
  const scope = env.ERP_SCOPE?.trim();
  return {
    kind: "oauth2-client-credentials",
    tokenUrl,
    clientId: (env.ERP_CLIENT_ID ?? "").trim(),
    clientSecret: env.ERP_CLIENT_SECRET ?? "",
    ...(scope ? { scope } : {}),
  };
}

type OAuth = Extract<ErpAuth, { kind: "oauth2-client-credentials" }>;

export type TokenResult = { ok: true; token: string } | { ok: false; reason: string; retryAfterSeconds?: number };

/** RFC 6749 makes `expires_in` only RECOMMENDED: without it a token is taken to last this long (a 401 refreshes it sooner). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;
/** A token is replaced this long before it expires (at most half its lifetime), so none expires on its way to the ERP. */
export const REFRESH_MARGIN_SECONDS = 60;

/**
 * Access tokens by client, one per isolate (`isolateTokens`). Concurrent deliveries share one request for
 * a new token. The clock is injectable so that tests can move past a token's lifetime.
 */
export class TokenSource {
  private readonly cached = new Map<string, { token: string; refreshAt: number }>();
  private readonly pending = new Map<string, Promise<TokenResult>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * A token for `auth`: the cached one while it is fresh, else a new one. `rejected` is a token the ERP
   * answered 401 to: it is dropped, unless another delivery already replaced it.
   */
  async token(auth: OAuth, timeoutMs: number, rejected?: string): Promise<TokenResult> {
    const key = `${auth.tokenUrl}\n${auth.clientId}\n${auth.scope ?? ""}`;
    const hit = this.cached.get(key);
    if (hit && rejected !== undefined && hit.token === rejected) this.cached.delete(key);
    else if (hit && this.now() < hit.refreshAt) return { ok: true, token: hit.token };
    let request = this.pending.get(key);
    if (!request) {
      request = this.request(auth, timeoutMs).then((r) => {
        if (r.ok) this.cached.set(key, { token: r.token, refreshAt: r.refreshAt });
        return r.ok ? { ok: true, token: r.token } : r;
      });
      this.pending.set(key, request);
      void request.finally(() => this.pending.delete(key));
    }
    return request;
  }

  /** RFC 6749 §4.4.2: a form POST with the client's credentials in HTTP Basic (§2.3.1). */
  private async request(auth: OAuth, timeoutMs: number): Promise<{ ok: true; token: string; refreshAt: number } | Extract<TokenResult, { ok: false }>> {
    const form = new URLSearchParams({ grant_type: "client_credentials", ...(auth.scope ? { scope: auth.scope } : {}) });
    let res: Response;
    try {
      res = await fetch(auth.tokenUrl, {
        method: "POST",
        headers: {
          Authorization: `Basic ${btoa(`${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`)}`,
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body: form.toString(),
        // Never follow: a redirect would carry the client's credentials to a URL nobody configured.
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return { ok: false, reason: `OAuth token endpoint: ${err instanceof Error && err.name === "TimeoutError" ? "timeout" : "network error"}` };
    }
    const text = await res.text().catch(() => "");
    const body = parseObject(text);
    if (res.status < 200 || res.status >= 300) {
      // The RFC 6749 §5.2 error code only (e.g. invalid_client): its description is free text from elsewhere.
      const code = typeof body?.error === "string" && /^[\w.-]{1,64}$/.test(body.error) ? ` (${body.error})` : "";
      const hint = res.status >= 300 && res.status < 400 ? " redirect: check ERP_TOKEN_URL" : "";
      const retryAfterSeconds = parseRetryAfter(res.headers.get("Retry-After"));
      return {
        ok: false,
        reason: `OAuth token endpoint answered HTTP ${res.status}${code}${hint}`,
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      };
    }
    const token = body?.access_token;
    const type = body?.token_type;
    if (typeof token !== "string" || token === "" || /[\s\p{Cc}]/u.test(token))
      return { ok: false, reason: "OAuth token endpoint answered without a usable access_token" };
    if (typeof type !== "string" || type.toLowerCase() !== "bearer")
      return { ok: false, reason: "OAuth token endpoint answered a token_type other than Bearer" };
    const expiresIn = typeof body?.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_LIFETIME_SECONDS;
    const refreshIn = expiresIn - Math.min(REFRESH_MARGIN_SECONDS, expiresIn / 2);
    return { ok: true, token, refreshAt: this.now() + refreshIn * 1000 };
  }
}

/** The isolate's tokens: shared by every delivery this isolate makes. */
export const isolateTokens = new TokenSource();

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 wants the client id and secret before Basic encoding. */
function formEncode(s: string): string {
  return new URLSearchParams({ v: s }).toString().slice(2);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const j: unknown = JSON.parse(text);
    return typeof j === "object" && j !== null && !Array.isArray(j) ? (j as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
