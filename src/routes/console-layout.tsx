// The ops console's shared parts: authentication (the ops API's, or a session cookie after signing in),
// the CSRF guard, the layout with its navigation and live refresh, one-button forms, the action runner,
// and readable times and durations. Every console page (./console*.tsx) is built from these.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { FC } from "hono/jsx";
import type { AppEnv } from "../app-types";
import { Page } from "../http/html";
import { opsIdentity } from "../platform/auth";
import { csrfToken, SESSION_COOKIE, validCsrf, validSession } from "../platform/console-session";
import { HttpProblem } from "../platform/problem";

export type ConsoleEnv = AppEnv & { Variables: { session: string; csrf: string } };
export type C = Context<ConsoleEnv>;
/** What an action says when it comes back: a message, or an error shown as one. */
export type Outcome = string | { error: string };

export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}
header{background:#1d2430;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}
main{padding:1rem;max-width:80rem;margin:0 auto}
h1{font-size:1.1rem;margin:0}
h2{font-size:1rem;margin:0 0 .5rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem}
.tile,.card{background:#fff;border-radius:.5rem;padding:.75rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card{margin:1rem 0;overflow-x:auto}
.tile b{display:block;font-size:1.4rem}
.bad,.bad b{color:#b42318}.ok b{color:#067647}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef0f3;vertical-align:top}
th{font-weight:600;color:#5b6473}
form.inline{display:inline}
button{font:inherit;padding:.25rem .6rem;border:1px solid #1d2430;border-radius:.3rem;background:#fff;cursor:pointer}
input,select{font:inherit;padding:.25rem .4rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f7f9;padding:.5rem;border-radius:.3rem;max-height:28rem;overflow:auto}
.flash{background:#ecfdf3;border-left:4px solid #12b76a;padding:.5rem .75rem}
.flash.error{background:#fef3f2;border-left-color:#f04438}
.flash.secret{background:#fffaeb;border-left-color:#f79009;margin-bottom:1rem}
.flash.secret pre{font-size:1rem;user-select:all}
details summary{cursor:pointer;color:#5b6473}
.muted{color:#5b6473}
header nav{display:flex;gap:.75rem;flex-wrap:wrap}
header nav a[aria-current=page]{font-weight:700;text-decoration-thickness:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;color:#1d2430;padding:.25rem .5rem;z-index:1}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #2e90fa;outline-offset:2px}
.live{margin:0 0 .5rem;font-size:.85rem}
@media (max-width:40rem){main{padding:.5rem}th,td{padding:.25rem .3rem}header{padding:.5rem}}
`;

/** The console's pages, in the header's order. */
export const NAV: { href: string; label: string }[] = [
  { href: "/ops", label: "Overview" },
  { href: "/ops/console/events", label: "Events" },
  { href: "/ops/console/charts", label: "Charts" },
  { href: "/ops/console/quarantine", label: "Quarantine" },
  { href: "/ops/console/conflicts", label: "Conflicts" },
  { href: "/ops/console/dead-letters", label: "Dead letters" },
  { href: "/ops/console/subscriptions", label: "Subscriptions" },
  { href: "/ops/console/audit", label: "Audit log" },
];

/**
 * Live refresh, for pages that show state that moves (`live`): every 10 s the page fetches itself and swaps
 * in the new <main>, unless the reader is typing, has ticked a box, has the tab hidden, or has paused it.
 * Without script the page is simply static (and its "Refresh" link works).
 */
const LIVE_REFRESH = `(() => {
  const box = document.getElementById("live");
  if (!box) return;
  let touched = false;
  const mark = (e) => { if (e.target && e.target.id !== "live") touched = true; };
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  const tick = async () => {
    if (!box.checked || touched || document.hidden) return;
    try {
      const r = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!r.ok || !(r.headers.get("Content-Type") || "").includes("text/html")) return;
      const next = new DOMParser().parseFromString(await r.text(), "text/html").querySelector("main");
      const main = document.querySelector("main");
      if (!next || !main || touched) return;
      // What the reader unfolded stays unfolded: a <details> with a test id keeps its place in the new page.
      for (const d of main.querySelectorAll("details[open][data-testid]")) next.querySelector('details[data-testid="' + CSS.escape(d.dataset.testid) + '"]')?.setAttribute("open", "");
      // The fresh page's nonce is not this page's, so its own <style> would be refused: keep this page's.
      for (const s of main.querySelectorAll("style")) next.prepend(s);
      main.replaceWith(next); document.getElementById("refreshed").textContent = "updated " + new Date().toLocaleTimeString();
    } catch {}
  };
  setInterval(tick, 10000);
})();`;

export const Shell: FC<{ c: C; title: string; live?: boolean; children: unknown }> = ({ c, title, live, children }) => {
  const path = new URL(c.req.url).pathname;
  return (
    <Page title={`${title} · dockline ops`} nonce={c.get("secureHeadersNonce") ?? ""} css={CSS} script={live ? LIVE_REFRESH : undefined}>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header>
        <h1>dockline ops</h1>
        <nav aria-label="Console">
          {NAV.map((n) => (
            <a href={n.href} {...(n.href === path ? { "aria-current": "page" } : {})}>
              {n.label}
            </a>
          ))}
        </nav>
        <form method="get" action="/ops/console/orders" class="inline">
          <input name="orderId" placeholder="Order id" aria-label="Order id" required />
          <button type="submit">Open</button>
        </form>
        <Action c={c} path="/ops/logout" label="Sign out" />
      </header>
      <main id="content">
        {live && (
          <p class="live muted">
            <label>
              <input type="checkbox" id="live" checked /> Live (refreshes every 10 s)
            </label>{" "}
            <span id="refreshed" aria-live="polite" /> <a href={c.req.url}>Refresh</a>
          </p>
        )}
        {c.req.query("msg") && (
          <p {...(c.req.query("level") === "error" ? { class: "flash error", role: "alert" } : { class: "flash", role: "status" })} data-testid="flash">
            {c.req.query("msg")}
          </p>
        )}
        {children}
      </main>
    </Page>
  );
};

/** A one-button form carrying the session's CSRF token. */
export const Action: FC<{ c: C; path: string; label: string; name?: string }> = ({ c, path, label, name }) => (
  <form method="post" action={path} class="inline">
    <input type="hidden" name="csrf" value={c.get("csrf")} />
    <button type="submit" data-testid={name}>
      {label}
    </button>
  </form>
);

export const Tile: FC<{ label: string; value: string | number; bad?: boolean; testid?: string }> = ({ label, value, bad, testid }) => (
  <div class={`tile ${bad ? "bad" : "ok"}`} data-testid={testid}>
    <span class="muted">{label}</span>
    <b>{value}</b>
  </div>
);

/** Authenticates like the ops API, or by the console session cookie; sets the CSRF token for forms. */
export const consoleAuth = createMiddleware<ConsoleEnv>(async (c, next) => {
  const secret = c.env.OPS_TOKEN;
  const identity = await opsIdentity(c.env, c.req.raw.headers);
  const cookie = getCookie(c, SESSION_COOKIE);
  let session: string | null = null;
  if (identity) session = `id:${identity}`;
  else if (await validSession(secret, cookie)) session = `cookie:${cookie}`;
  if (!session) {
    if (c.req.method === "GET") return c.redirect("/ops/login", 303);
    throw new HttpProblem(401, "unauthorized", "Unauthorized", "Sign in to the console first.");
  }
  c.set("session", session);
  c.set("csrf", await csrfToken(secret, session));
  c.header("Cache-Control", "no-store");
  await next();
});

/** State-changing console requests: our own origin (Origin header) and the session's CSRF token. */
export const csrfGuard = createMiddleware<ConsoleEnv>(async (c, next) => {
  const form = await c.req.parseBody();
  const token = typeof form.csrf === "string" ? form.csrf : undefined;
  if (!(await validCsrf(c.env.OPS_TOKEN, c.get("session"), token))) throw new HttpProblem(403, "csrf", "Forbidden", "Missing or invalid CSRF token.");
  await next();
});

export const back = (c: C, outcome: Outcome, to = "/ops") => {
  const [msg, level] = typeof outcome === "string" ? [outcome, ""] : [outcome.error, "&level=error"];
  return c.redirect(`${to}${to.includes("?") ? "&" : "?"}msg=${encodeURIComponent(msg)}${level}`, 303);
};

/** Runs a repair and comes back with what happened; a refusal (already replayed, not found…) as an error. */
export async function act(c: C, run: () => Promise<Outcome>, to?: string): Promise<Response> {
  try {
    return back(c, await run(), to);
  } catch (err) {
    if (err instanceof HttpProblem) return back(c, { error: `Not done: ${err.detail ?? err.title}` }, to);
    throw err;
  }
}

/** The console's actor for the audit log and repairs' log lines: the Access identity, or "console session". */
export const actorOf = (c: C): { actor: string; kind: "access" | "token" | "session" } => {
  const s = c.get("session");
  if (s.startsWith("id:")) {
    const id = s.slice(3);
    return id === "ops-token" ? { actor: "ops-token", kind: "token" } : { actor: id, kind: "access" };
  }
  return { actor: "console session (OPS_TOKEN sign-in)", kind: "session" };
};

/** Month names as the console writes dates ("3 Dec 2026"). */
export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "3 Dec 2026, 22:31 UTC": an instant in words, with its year. */
export function absoluteTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hh = String(d.getUTCHours()).padStart(2, "0");
  const mm = String(d.getUTCMinutes()).padStart(2, "0");
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** A length of time in words: "45 s", "13 min", "2 h 5 min", "3 d 4 h". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "13 min ago" / "in 5 min", relative to `now`. */
export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const diff = (now - t) / 1000;
  if (Math.abs(diff) < 5) return "just now";
  return diff >= 0 ? `${duration(diff)} ago` : `in ${duration(-diff)}`;
}

/** An instant as people read it: "13 min ago", with the exact time (UTC, with its year) beside it on hover and for machines. */
export const When: FC<{ at: string | null | undefined; now?: number }> = ({ at, now }) =>
  at ? (
    <time datetime={at} title={absoluteTime(at)}>
      {ago(at, now)}
    </time>
  ) : (
    <span class="muted">—</span>
  );

/** A snake_case code in words: "released_not_acknowledged" → "Released not acknowledged". */
export const words = (code: string) => {
  const s = code.replace(/[_.-]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** How long a shortened reason or answer is, by default. */
export const SHORTENED = 140;

/** One line of at most `max` characters, cut between words with "…", so a reason never ends mid-word. */
export function shorten(text: string, max = SHORTENED): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max).lastIndexOf(" ");
  return `${line.slice(0, cut > max / 2 ? cut : max - 1).replace(/[\s,.;:—-]+$/, "")}…`;
}

/** A reason as a sentence: capitalised, otherwise untouched (it names ids, tags and partners exactly). */
export const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
