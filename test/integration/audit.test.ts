// The audit log: every state-changing ops request, API and console, is recorded after it ran with who,
// what, on what and how it ended; reads and unauthenticated requests are not; secrets never are.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/utils/jwt/jwt";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { auditFor, tokenPosition } from "../../src/ops/audit";
import { CONSOLE_ORIGIN, call, consoleLogin, eventually, SECRETS } from "../helpers/http";

type Row = { actor: string; actorKind: string; action: string; target: string | null; status: number; detail: string | null; correlationId: string };
type Page = { items: (Row & { id: number; at: string; failed: boolean })[]; nextCursor: string | null };

let n = 0;
/** A correlation id of our own per request: the way to find the entry that request wrote. */
const cid = (what: string) => `audit-${what}-${Date.now()}-${++n}`;

const rowOf = (correlationId: string) =>
  env.DB.prepare(
    "SELECT actor, actor_kind AS actorKind, action, target, status, detail, correlation_id AS correlationId FROM audit_log WHERE correlation_id = ?",
  )
    .bind(correlationId)
    .first<Row>();
/** The entry a request wrote; it is written after the answer, so it may take a moment. */
const entry = (correlationId: string) => eventually(async () => (await rowOf(correlationId)) ?? undefined, 10_000, `audit entry ${correlationId}`);

const asOps = (path: string, correlationId: string, init: RequestInit = {}) =>
  call(path, {
    ...init,
    headers: { Authorization: `Bearer ${SECRETS.ops}`, "Content-Type": "application/json", "X-Correlation-Id": correlationId, ...init.headers },
  });

const audit = async (query: string): Promise<Page> => {
  const res = await call(`/ops/audit?${query}`, { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
};

const form = (correlationId: string, cookie: string, body: string) => ({
  method: "POST",
  headers: { Cookie: cookie, Origin: CONSOLE_ORIGIN, "Content-Type": "application/x-www-form-urlencoded", "X-Correlation-Id": correlationId },
  body,
  redirect: "manual" as const,
});

describe("the audit log", () => {
  it("records an API reconcile by the ops token, with the orders it named", async () => {
    const id = cid("reconcile");
    const res = await asOps("/ops/reconcile", id, { method: "POST", body: JSON.stringify({ orderIds: ["SO-AUD-R1", "SO-AUD-R2"] }) });
    expect(res.status).toBe(200);
    expect(await entry(id)).toEqual({
      actor: "ops-token",
      actorKind: "token",
      action: "Reconcile",
      target: "2 orders: SO-AUD-R1, SO-AUD-R2",
      status: 200,
      detail: "Done.",
      correlationId: id,
    });
  });

  it("records issuing an API key and creating a subscription by the customer, never the key, the secret or the token", async () => {
    const keyId = cid("key");
    const issued = await asOps("/ops/api-keys", keyId, { method: "POST", body: JSON.stringify({ customerId: "CUST-AUDIT-1", label: "dashboard" }) });
    expect(issued.status).toBe(201);
    const { key } = (await issued.json()) as { key: string };
    expect(await entry(keyId)).toMatchObject({ actor: "ops-token", action: "Issue API key", target: "customer CUST-AUDIT-1", status: 201, detail: "Created." });

    const subId = cid("sub");
    const created = await asOps("/ops/subscriptions", subId, {
      method: "POST",
      body: JSON.stringify({ url: "https://hooks.test/hooks/audit?token=url-credential-xyz", events: ["ops.dead_letter"] }),
    });
    expect(created.status).toBe(201);
    const { secret } = (await created.json()) as { secret: string };
    expect(await entry(subId)).toMatchObject({ actor: "ops-token", action: "Create subscription", status: 201 });

    const { results } = await env.DB.prepare("SELECT * FROM audit_log").all();
    const everything = JSON.stringify(results);
    for (const secretText of [key, secret, SECRETS.ops, "url-credential-xyz"]) expect(everything).not.toContain(secretText);
  });

  it("records a refused action with its status and the problem", async () => {
    const id = cid("refused");
    const res = await asOps("/ops/dead-letters/dl-audit-unknown/replay", id, { method: "POST" });
    expect(res.status).toBe(404);
    const row = await entry(id);
    expect(row).toMatchObject({ actor: "ops-token", action: "Replay dead letter", target: "dead letter dl-audit-unknown", status: 404 });
    expect(row.detail).toMatch(/^Not Found/);
    const page = await audit("target=dl-audit-unknown");
    expect(page.items.map((i) => [i.action, i.failed])).toEqual([["Replay dead letter", true]]);
  });

  it("records a console sign-in, then a console reconcile by that session with its message", async () => {
    const signInId = cid("signin");
    const login = await call("/ops/login", {
      ...form(signInId, "", `token=${SECRETS.ops}`),
      headers: { Origin: CONSOLE_ORIGIN, "Content-Type": "application/x-www-form-urlencoded", "X-Correlation-Id": signInId },
    });
    expect(login.status).toBe(303);
    expect(await entry(signInId)).toMatchObject({ actor: "ops-token", actorKind: "token", action: "Sign in", status: 303, detail: "Signed in." });

    const cookie = (login.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await call("/ops", { headers: { Cookie: cookie } })).text())?.[1] ?? "";
    const id = cid("console-reconcile");
    const res = await call("/ops/console/reconcile", form(id, cookie, `csrf=${encodeURIComponent(csrf)}`));
    expect(res.status).toBe(303);
    const row = await entry(id);
    expect(row).toMatchObject({ actorKind: "session", action: "Reconcile", status: 303 });
    // The session is named by its sign-in time, which the cookie carries (as its expiry, 8 h later).
    const signedIn = /^console session \(signed in (\S+)\)$/.exec(row.actor)?.[1] ?? "";
    expect(Math.abs(Date.parse(signedIn) - Date.now())).toBeLessThan(10 * 60_000);
    expect(row.detail).toMatch(/^Reconciled \d+ orders/);

    const outId = cid("signout");
    expect((await call("/ops/logout", form(outId, cookie, `csrf=${encodeURIComponent(csrf)}`))).status).toBe(303);
    expect(await entry(outId)).toMatchObject({ actor: row.actor, action: "Sign out", status: 303 });
  });

  it("records a failed sign-in as unknown and failed, without the token tried", async () => {
    const id = cid("bad-signin");
    const res = await call("/ops/login", {
      method: "POST",
      headers: { Origin: CONSOLE_ORIGIN, "Content-Type": "application/x-www-form-urlencoded", "X-Correlation-Id": id },
      body: "token=guessed-token-audit",
      redirect: "manual",
    });
    expect(res.headers.get("Location")).toBe("/ops/login?failed=1");
    const row = await entry(id);
    expect(row).toMatchObject({ actor: "unknown", action: "Sign in", status: 303, detail: "Failed: the token is not valid." });
    expect(JSON.stringify(row)).not.toContain("guessed-token-audit");
    const page = await audit("action=sign%20in&actor=unknown");
    expect(page.items.find((i) => i.correlationId === id)?.failed).toBe(true);
  });

  it("records a console action refused by the order as failed, with the console's message", async () => {
    const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await call("/ops", { headers: { Cookie: cookie } })).text())?.[1] ?? "";
    const id = cid("console-refused");
    const res = await call("/ops/console/dead-letters/dl-audit-nope/replay", form(id, cookie, `csrf=${encodeURIComponent(csrf)}`));
    expect(res.headers.get("Location")).toMatch(/level=error/);
    const row = await entry(id);
    expect(row).toMatchObject({ action: "Replay dead letter", target: "dead letter dl-audit-nope", status: 303 });
    expect(row.detail).toMatch(/^Failed: /);
    expect(row.detail).not.toContain("Not done");
  });

  it("records a console bulk replay when it is confirmed, not when it only asks, with the orders it named", async () => {
    const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await call("/ops", { headers: { Cookie: cookie } })).text())?.[1] ?? "";
    const fields = `csrf=${encodeURIComponent(csrf)}&reason=&orderIds=SO-AUD-BULK-1&orderIds=SO-AUD-BULK-2`;
    const ask = cid("bulk-ask");
    expect((await call("/ops/console/dead-letters/replay", form(ask, cookie, fields))).status).toBe(200);
    const confirm = cid("bulk-confirm");
    expect((await call("/ops/console/dead-letters/replay", form(confirm, cookie, `${fields}&confirm=yes`))).status).toBe(303);
    expect(await entry(confirm)).toMatchObject({
      actorKind: "session",
      action: "Replay dead letters in bulk",
      target: "2 orders: SO-AUD-BULK-1, SO-AUD-BULK-2",
      status: 303,
    });
    expect(await rowOf(ask)).toBeNull();
  });

  it("records an Access identity by its email", async () => {
    const jwk = JSON.parse(env.TEST_ACCESS_PRIVATE_JWK) as JsonWebKey & { kid: string };
    const now = Math.floor(Date.now() / 1000);
    const jwt = await sign({ iss: "https://access.test", aud: ["test-ops-aud"], email: "auditor@example.com", iat: now, exp: now + 300 }, jwk, "RS256");
    const id = cid("access");
    const res = await call("/ops/orders/SO-AUD-ACCESS/replay", { method: "POST", headers: { "Cf-Access-Jwt-Assertion": jwt, "X-Correlation-Id": id } });
    expect(res.status).toBeLessThan(500);
    expect(await entry(id)).toMatchObject({ actor: "auditor@example.com", actorKind: "access", action: "Replay order", target: "order SO-AUD-ACCESS" });
  });

  it("does not record reads or requests no credentials admitted", async () => {
    const read = cid("read");
    expect((await asOps("/ops/metrics", read)).status).toBe(200);
    const anonymous = cid("anonymous");
    expect((await call("/ops/reconcile", { method: "POST", headers: { "X-Correlation-Id": anonymous } })).status).toBe(401);
    // Written after these two were answered: once it is there, theirs would be too.
    const later = cid("later");
    await asOps("/ops/reconcile", later, { method: "POST", body: "{}" });
    await entry(later);
    expect(await rowOf(read)).toBeNull();
    expect(await rowOf(anonymous)).toBeNull();
  });

  it("filters by who, what, target and time, newest first, in pages", async () => {
    const started = new Date().toISOString();
    const ids = [1, 2, 3].map((i) => cid(`page-${i}`));
    for (const [i, id] of ids.entries()) await asOps(`/ops/orders/SO-AUD-PAGE-${i + 1}/replay`, id, { method: "POST" });
    await Promise.all(ids.map(entry));

    const first = await audit("target=so-aud-page&limit=2");
    expect(first.items.map((i) => i.target)).toEqual(["order SO-AUD-PAGE-3", "order SO-AUD-PAGE-2"]);
    expect(first.nextCursor).not.toBeNull();
    const second = await audit(`target=so-aud-page&limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.target)).toEqual(["order SO-AUD-PAGE-1"]);
    expect(second.nextCursor).toBeNull();

    expect((await audit("target=SO-AUD-PAGE&action=replay%20order&actor=ops-token")).items).toHaveLength(3);
    expect((await audit("target=SO-AUD-PAGE&action=reconcile")).items).toHaveLength(0);
    expect((await audit("target=SO-AUD-PAGE&actor=someone@example.com")).items).toHaveLength(0);
    expect((await audit(`target=SO-AUD-PAGE&from=${encodeURIComponent(started)}`)).items).toHaveLength(3);
    expect((await audit(`target=SO-AUD-PAGE&to=${encodeURIComponent(started)}`)).items).toHaveLength(0);

    const bad = await call("/ops/audit?cursor=bm9wZQ", { headers: { Authorization: `Bearer ${SECRETS.ops}` } });
    expect(bad.status).toBe(400);
    expect((await call("/ops/audit?limit=101", { headers: { Authorization: `Bearer ${SECRETS.ops}` } })).status).toBe(422);
    expect((await call("/ops/audit")).status).toBe(401);
  });

  it("finds an order's actions, its own and the bulk ones that named it, and no other order's", async () => {
    const own = cid("own");
    await asOps("/ops/orders/SO-AUD-FOR/replay", own, { method: "POST" });
    const bulk = cid("bulk");
    await asOps("/ops/reconcile", bulk, { method: "POST", body: JSON.stringify({ orderIds: ["SO-AUD-FOR-2", "SO-AUD-FOR"] }) });
    const other = cid("other");
    await asOps("/ops/orders/SO-AUD-FOR-2/replay", other, { method: "POST" });
    await Promise.all([own, bulk, other].map(entry));
    const found = await auditFor(env.DB, "order SO-AUD-FOR", 10);
    expect(found.map((e) => e.correlationId)).toEqual([bulk, own]);
  });

  it("shows the log in the console: who in words, orders linked, failures marked, filters and pages", async () => {
    const ids = [cid("page-a"), cid("page-b"), cid("page-c")];
    await asOps("/ops/orders/SO-AUD-CONSOLE/replay", ids[0] as string, { method: "POST" });
    await asOps("/ops/orders/SO-AUD-CONSOLE-2/replay", ids[1] as string, { method: "POST" });
    await asOps("/ops/dead-letters/dl-audit-console/replay", ids[2] as string, { method: "POST" });
    await Promise.all(ids.map(entry));
    const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const page = async (query: string) => {
      const res = await call(`/ops/console/audit?${query}`, { headers: { Cookie: cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };

    const html = await page("target=aud-console");
    expect(html.match(/data-testid="audit-row"/g)).toHaveLength(2);
    expect(html).toContain('<a href="/ops/console/orders?orderId=SO-AUD-CONSOLE">SO-AUD-CONSOLE</a>');
    expect(html).toContain("Replay order");
    expect(html).toContain("Ops token");
    expect(html).toMatch(/<time datetime="[^"]+" title="\d+ \w+ \d{4}, \d\d:\d\d UTC">/);

    const refused = await page("target=dl-audit-console&action=dead");
    expect(refused).toMatch(/<td class="outcome bad"><b>Not found<\/b> <span class="muted">HTTP 404<\/span>/);

    // The console pages with the API's cursor: the second page holds the older entry only.
    const cursor = (await audit("target=SO-AUD-CONSOLE&limit=1")).nextCursor;
    expect(cursor).not.toBeNull();
    const second = await page(`target=SO-AUD-CONSOLE&cursor=${cursor}`);
    expect(second).not.toContain(">SO-AUD-CONSOLE-2<");
    expect(second).toContain(">SO-AUD-CONSOLE<");
    expect(second).toContain('<a href="/ops/console/audit?target=SO-AUD-CONSOLE">Newest entries</a>');

    expect(await page("from=not-a-date")).toContain("is not a date and time");
    expect(await page("target=nothing-like-this-anywhere")).toContain("No action matches these filters.");
    expect((await call("/ops/console/audit", { redirect: "manual" })).status).toBe(303);
  });

  it("names which ops token acted by its position during a rotation, never the token", async () => {
    const ROTATION = "old-rotated-ops-token,test-ops-token";
    /** The worker with OPS_TOKEN listing two tokens; its waitUntil work (the audit write) done when this returns. */
    const during = async (path: string, init: RequestInit) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`http://dockline.test${path}`, init), { ...env, OPS_TOKEN: ROTATION } as Env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const api = cid("rotation-api");
    await during("/ops/reconcile", { method: "POST", headers: { Authorization: `Bearer ${SECRETS.ops}`, "X-Correlation-Id": api } });
    const signIn = cid("rotation-signin");
    await during("/ops/login", {
      method: "POST",
      headers: { Origin: CONSOLE_ORIGIN, "Content-Type": "application/x-www-form-urlencoded", "X-Correlation-Id": signIn },
      body: "token=old-rotated-ops-token",
      redirect: "manual",
    });
    const rows = [await rowOf(api), await rowOf(signIn)];
    expect(rows.map((r) => [r?.actor, r?.action])).toEqual([
      ["ops-token #2", "Reconcile"],
      ["ops-token #1", "Sign in"],
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/old-rotated-ops-token|test-ops-token/);
  });

  it("finds a token's position in OPS_TOKEN", () => {
    expect(tokenPosition("new-token", "old-token, new-token")).toBe(2);
    expect(tokenPosition("old-token", "old-token,new-token")).toBe(1);
    expect(tokenPosition("other", "old-token,new-token")).toBeNull();
    expect(tokenPosition(null, "old-token")).toBeNull();
  });
});
