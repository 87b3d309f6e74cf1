// Quarantine, correlation conflicts and dead letters as ops work them: discard, resolve and bulk actions through
// the API and the console's CSRF-protected forms, each recording who acted, and the console's lists in words.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { orderStub } from "../../src/orders";
import { CONSOLE_ORIGIN, call, consoleLogin, eventually, milestone, releaseOrder, SECRETS, sendAcme } from "../helpers/http";
import { sendAs, type WebhookAnswer } from "../helpers/partners";

const ops = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { Authorization: `Bearer ${SECRETS.ops}`, ...init.headers } });
const postJson = (path: string, body?: unknown) =>
  ops(path, { method: "POST", ...(body === undefined ? {} : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }) });

interface Entry {
  id: string;
  partnerId: string;
  status: string;
  closedBy: string | null;
  closeNote: string | null;
}
const entry = async (id: string): Promise<Entry> => (await (await ops(`/ops/quarantine/${id}`)).json()) as Entry;

let n = 0;
/** An authentic AfterShip payload with a checkpoint tag nobody maps: quarantined. Returns its quarantine id. */
async function quarantine(message = "Beamed up"): Promise<string> {
  const raw = JSON.stringify({
    event: "tracking_update",
    event_id: `ops-queues-${++n}-${Date.now()}`,
    msg: {
      tracking_number: `1ZQUEUES${n}`,
      slug: "ups",
      tag: "InTransit",
      checkpoints: [{ tag: "Teleported", subtag: "Teleported_001", checkpoint_time: "2026-11-20T12:00:00+00:00", message }],
    },
    ts: 1763629200,
  });
  const res = await sendAs("aftership", raw);
  expect(res.status).toBe(202);
  const id = ((await res.json()) as WebhookAnswer).results[0]?.quarantineId;
  expect(id).toMatch(/^q_/);
  return id as string;
}

/** Two orders dispatched with the same tracking number: the second one's claim is a conflict. */
async function conflict(tracking: string, a: string, b: string): Promise<void> {
  for (const orderId of [a, b]) {
    await releaseOrder(orderId);
    await sendAcme(milestone({ orderId, code: "shipment.dispatched", occurredAt: "2026-11-20T11:00:00Z", shipmentId: "S1", trackingNumber: tracking }));
    await eventually(async () => ((await orderStub(env, orderId).inspect()).outbox.length === 0 ? true : undefined));
  }
  await eventually(async () => {
    const r = (await (await ops("/ops/conflicts")).json()) as { items: { key: string }[] };
    return r.items.some((i) => i.key === `trk:${tracking}`) ? true : undefined;
  });
}

async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const cookie = ((await consoleLogin()).headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  const html = await (await call("/ops", { headers: { Cookie: cookie } })).text();
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "" };
}

const form = (cookie: string, path: string, fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return call(path, {
    method: "POST",
    headers: { Cookie: cookie, Origin: CONSOLE_ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
    body: body.toString(),
    redirect: "manual",
  });
};
const flash = (res: Response) => decodeURIComponent(res.headers.get("Location") ?? "");
const page = async (cookie: string, path: string) => {
  const res = await call(path, { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return res.text();
};
/** What a reader sees: the text between tags (attributes such as <time datetime> left out). */
const visible = (html: string) =>
  html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe("quarantine: discard and resolve through the API", () => {
  it("discards an open payload with a note and who did it, keeps it for the record, and refuses a second close with 409", async () => {
    const id = await quarantine();
    const res = await postJson(`/ops/quarantine/${id}/discard`, { note: "sandbox traffic" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, status: "discarded", closedBy: "ops-token", closeNote: "sandbox traffic" });
    expect(await entry(id)).toMatchObject({ status: "discarded", closedBy: "ops-token", closeNote: "sandbox traffic" });

    for (const verb of ["discard", "resolve", "replay"]) {
      const again = await postJson(`/ops/quarantine/${id}/${verb}`);
      expect(again.status).toBe(409);
      expect(again.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
      expect(await again.json()).toMatchObject({
        status: 409,
        quarantineStatus: "discarded",
        detail: 'This payload was discarded by ops-token ("sandbox traffic").',
        closedAt: expect.any(String),
      });
    }
    const listed = (await (await ops("/ops/quarantine?status=discarded&partnerId=aftership")).json()) as { items: Entry[] };
    expect(listed.items.map((i) => i.id)).toContain(id);
    const open = (await (await ops("/ops/quarantine?status=open")).json()) as { items: Entry[] };
    expect(open.items.map((i) => i.id)).not.toContain(id);
  });

  it("marks a payload resolved without a body, and answers 404 for an unknown one", async () => {
    const id = await quarantine();
    const res = await postJson(`/ops/quarantine/${id}/resolve`);
    expect(res.status).toBe(200);
    expect(await entry(id)).toMatchObject({ status: "resolved", closedBy: "ops-token", closeNote: null });
    expect((await postJson("/ops/quarantine/q_nope/resolve")).status).toBe(404);
  });

  it("acts on each listed payload on its own: done, already closed and unknown each report their own outcome", async () => {
    const [open, closed] = [await quarantine(), await quarantine()];
    await postJson(`/ops/quarantine/${closed}/discard`);
    const res = await postJson("/ops/quarantine/bulk", { action: "resolve", ids: [open, closed, "q_missing"], note: "handled by phone" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      action: "resolve",
      matched: 3,
      done: 1,
      refused: 2,
      more: false,
      items: [
        { id: open, outcome: "resolved" },
        { id: closed, outcome: "refused", status: 409, problem: "This payload was discarded by ops-token." },
        { id: "q_missing", outcome: "refused", status: 404, problem: "No such quarantined payload." },
      ],
    });
    expect(await entry(open)).toMatchObject({ status: "resolved", closeNote: "handled by phone" });
    expect(await entry(closed)).toMatchObject({ status: "discarded" });
  });

  it("acts on the open payloads matching a filter, and refuses a body that names no payloads or both ids and a filter", async () => {
    const marked = await quarantine("Beamed up by filter-42");
    const other = await quarantine();
    const res = await postJson("/ops/quarantine/bulk", { action: "discard", partnerId: "aftership", reasonContains: "TELEPORTED" });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { items: { id: string; outcome: string }[]; more: boolean };
    expect(report.items).toEqual(
      expect.arrayContaining([
        { id: marked, outcome: "discarded" },
        { id: other, outcome: "discarded" },
      ]),
    );
    expect(report.more).toBe(false);
    // Nothing open matches any more: a repeat does nothing.
    expect(((await (await postJson("/ops/quarantine/bulk", { action: "discard", partnerId: "aftership" })).json()) as { matched: number }).matched).toBe(0);

    const id = await quarantine();
    const missing = Array.from({ length: 100 }, (_, i) => `q_missing_${i}`);
    for (const body of [
      { action: "discard" },
      { action: "discard", ids: [id], partnerId: "aftership" },
      { action: "burn", ids: [id] },
      // Past the limit of one call (QUARANTINE_BULK_MAX = 100).
      { action: "discard", ids: [id, ...missing] },
    ]) {
      const refused = await postJson("/ops/quarantine/bulk", body);
      expect(refused.status).toBe(422);
      expect(refused.headers.get("Content-Type")).toMatch(/^application\/problem\+json/);
    }
    expect(await entry(id)).toMatchObject({ status: "open" });
    // At the limit: a hundred ids in one call, each with its own outcome.
    const full = (await (await postJson("/ops/quarantine/bulk", { action: "discard", ids: [id, ...missing.slice(1)] })).json()) as {
      matched: number;
      done: number;
      refused: number;
    };
    expect(full).toMatchObject({ matched: 100, done: 1, refused: 99 });
    expect(await entry(id)).toMatchObject({ status: "discarded" });
  });
});

describe("correlation conflicts", () => {
  it("lists open conflicts, records a resolution with who decided, moves it to the resolved list, and refuses a second one", async () => {
    await conflict("1ZQUEUESCONFLICT", "SO-QUEUES-A", "SO-QUEUES-B");
    const resolve = (body: unknown) => postJson("/ops/conflicts/resolve", body);
    const res = await resolve({ key: "trk:1ZQUEUESCONFLICT", claimantOrderId: "SO-QUEUES-B", note: "carrier reused the label" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      key: "trk:1ZQUEUESCONFLICT",
      boundOrderId: "SO-QUEUES-A",
      claimantOrderId: "SO-QUEUES-B",
      resolvedBy: "ops-token",
      resolution: "carrier reused the label",
      keyStaysWith: "SO-QUEUES-A",
    });
    const open = (await (await ops("/ops/conflicts")).json()) as { items: { key: string }[] };
    expect(open.items.map((i) => i.key)).not.toContain("trk:1ZQUEUESCONFLICT");
    const resolved = (await (await ops("/ops/conflicts?status=resolved")).json()) as { items: unknown[] };
    expect(resolved.items).toContainEqual({
      key: "trk:1ZQUEUESCONFLICT",
      boundOrderId: "SO-QUEUES-A",
      claimantOrderId: "SO-QUEUES-B",
      detectedAt: expect.any(String),
      resolvedAt: expect.any(String),
      resolvedBy: "ops-token",
      resolution: "carrier reused the label",
    });
    expect((await resolve({ key: "trk:1ZQUEUESCONFLICT", claimantOrderId: "SO-QUEUES-B", note: "again" })).status).toBe(409);
    expect((await resolve({ key: "trk:NOPE", claimantOrderId: "SO-QUEUES-B", note: "x" })).status).toBe(404);
    expect((await resolve({ key: "trk:1ZQUEUESCONFLICT", claimantOrderId: "SO-QUEUES-B" })).status).toBe(422);
    // The key stays where it was: a later scan still goes to the first order.
    const scan = (await (
      await sendAcme(milestone({ trackingNumber: "1ZQUEUESCONFLICT", code: "shipment.in_transit", occurredAt: "2026-11-20T15:00:00Z" }))
    ).json()) as WebhookAnswer;
    expect(scan.results[0]).toMatchObject({ orderId: "SO-QUEUES-A", outcome: "accepted" });
  });

  it("shows the conflict in the console with both orders linked, and resolves it from the form", async () => {
    await conflict("1ZQUEUESCONSOLE", "SO-QUEUES-C", "SO-QUEUES-D");
    const { cookie, csrf } = await signIn();
    const overview = await page(cookie, "/ops");
    expect(overview).toContain('href="/ops/console/conflicts"');
    const html = await page(cookie, "/ops/console/conflicts");
    expect(html).toContain('href="/ops/console/orders?orderId=SO-QUEUES-C"');
    expect(html).toContain('href="/ops/console/orders?orderId=SO-QUEUES-D"');
    expect(visible(html)).toContain("tracking number 1ZQUEUESCONSOLE");
    expect(visible(html)).not.toMatch(ISO);

    const fields = { key: "trk:1ZQUEUESCONSOLE", claimantOrderId: "SO-QUEUES-D", note: "SO-QUEUES-D gets a new label" };
    expect((await form(cookie, "/ops/console/conflicts/resolve", fields)).status).toBe(403);
    const empty = await form(cookie, "/ops/console/conflicts/resolve", { ...fields, note: " ", csrf });
    expect(flash(empty)).toMatch(/level=error$/);
    const done = await form(cookie, "/ops/console/conflicts/resolve", { ...fields, csrf });
    expect(done.status).toBe(303);
    expect(flash(done)).toBe("/ops/console/conflicts?msg=Conflict over trk:1ZQUEUESCONSOLE resolved; the key stays with SO-QUEUES-C.");
    const resolved = visible(await page(cookie, "/ops/console/conflicts?status=resolved"));
    expect(resolved).toContain("SO-QUEUES-D gets a new label");
    expect(resolved).toContain("by console session (OPS_TOKEN sign-in)");
  });
});

describe("the console's quarantine", () => {
  it("refuses a discard without the CSRF token and changes nothing; with it, records the console's actor and note", async () => {
    const id = await quarantine();
    const { cookie, csrf } = await signIn();
    const path = `/ops/console/quarantine/${id}/discard`;
    expect((await form(cookie, path, { note: "x" })).status).toBe(403);
    expect(await entry(id)).toMatchObject({ status: "open", closedBy: null });
    const done = await form(cookie, path, { csrf, note: "duplicate of a phone call", to: `/ops/console/quarantine/${id}` });
    expect(done.status).toBe(303);
    expect(flash(done)).toBe(`/ops/console/quarantine/${id}?msg=Quarantined payload discarded.`);
    expect(await entry(id)).toMatchObject({ status: "discarded", closedBy: "console session (OPS_TOKEN sign-in)", closeNote: "duplicate of a phone call" });
    // A second close comes back as an error, and a target off the console is not followed.
    const again = await form(cookie, `/ops/console/quarantine/${id}/resolve`, { csrf, to: "https://evil.example/" });
    expect(flash(again)).toMatch(/^\/ops\/console\/quarantine\?msg=Not done: This payload was discarded by console session .*&level=error$/);
  });

  it("bulk-resolves the ticked payloads after a confirmation that changes nothing, each reporting its own outcome", async () => {
    const [a, b, gone] = [await quarantine(), await quarantine(), await quarantine()];
    await postJson(`/ops/quarantine/${gone}/discard`);
    const { cookie, csrf } = await signIn();
    const list = await page(cookie, "/ops/console/quarantine");
    for (const id of [a, b]) expect(list).toContain(`name="ids" value="${id}"`);
    expect(list).not.toContain(`name="ids" value="${gone}"`);

    const fields = { action: "resolve", ids: [a, b, gone], note: "sent by mail" };
    expect((await form(cookie, "/ops/console/quarantine/bulk", fields)).status).toBe(403);
    const review = await form(cookie, "/ops/console/quarantine/bulk", { ...fields, csrf });
    expect(review.status).toBe(200);
    const confirm = await review.text();
    expect(confirm).toContain('data-testid="quarantine-bulk-confirm"');
    expect(visible(confirm)).toContain("Resolve 3 quarantined payloads?");
    expect(visible(confirm)).not.toMatch(ISO);
    expect(await entry(a)).toMatchObject({ status: "open" });

    const done = await form(cookie, "/ops/console/quarantine/bulk", { ...fields, csrf, confirm: "yes" });
    expect(done.status).toBe(303);
    expect(flash(done)).toBe(`/ops/console/quarantine?msg=Resolve: 2 resolved of 3; not done: ${gone}: This payload was discarded by ops-token.&level=error`);
    for (const id of [a, b]) expect(await entry(id)).toMatchObject({ status: "resolved", closeNote: "sent by mail" });
    const none = await form(cookie, "/ops/console/quarantine/bulk", { action: "discard", csrf });
    expect(none.status).toBe(303);
    expect(flash(none)).toMatch(/tick at least one payload.*level=error$/);
  });

  it("lists payloads by status and partner with readable times and reasons, and shows one in full, escaped", async () => {
    const id = await quarantine("<b>beamed</b> & gone");
    await postJson(`/ops/quarantine/${id}/discard`, { note: "test payload" });
    const { cookie } = await signIn();
    const list = await page(cookie, "/ops/console/quarantine?status=discarded&partner=aftership");
    expect(list).toContain(`href="/ops/console/quarantine/${id}"`);
    expect(visible(list)).toContain("Discarded (will not be processed)");
    expect(visible(list)).not.toMatch(ISO);
    expect(visible(await page(cookie, "/ops/console/quarantine?status=discarded&partner=shopify"))).not.toContain(id);

    const detail = await page(cookie, `/ops/console/quarantine/${id}`);
    expect(detail).toContain("&lt;b&gt;beamed&lt;/b&gt; &amp; gone");
    expect(detail).not.toContain("<b>beamed</b>");
    const history = visible(/data-testid="quarantine-history">([\s\S]*?)<\/ol>/.exec(detail)?.[1] ?? "");
    expect(history).toMatch(/Received (just now|\d+ \w+ ago)/);
    expect(history).toContain("Discarded by ops-token");
    expect(history).toContain("test payload");
    expect(detail).toContain('data-testid="quarantine-headers"');
    expect(detail).not.toContain('data-testid="quarantine-actions"');
    expect((await call("/ops/console/quarantine/q_nope", { headers: { Cookie: cookie } })).status).toBe(404);
  });

  it("shows a reason as written, ids and all: only its first letter capitalised", async () => {
    const orderId = "SO-QUEUES-REASON";
    await releaseOrder(orderId);
    const event = (occurredAt: string) => milestone({ eventId: "evt-queues-reason", orderId, code: "fulfillment.picked", occurredAt });
    await sendAcme(event("2026-11-20T10:00:00Z"));
    const answer = (await (await sendAcme(event("2026-11-20T11:00:00Z"))).json()) as WebhookAnswer;
    const id = answer.results[0]?.quarantineId as string;
    const { cookie } = await signIn();
    const reason = "Conflicting duplicate: event id acme-3pl:evt-queues-reason already recorded with different content";
    expect(visible(await page(cookie, "/ops/console/quarantine?partner=acme-3pl"))).toContain(reason);
    expect(visible(await page(cookie, `/ops/console/quarantine/${id}`))).toContain(reason);
  });
});

describe("the console's dead letters", () => {
  it("shows an ERP's JSON error as its message, the full text behind it, times in words, and replay forms", async () => {
    const long = `HTTP 422: ${JSON.stringify({ type: "https://erp.example/problems/unknown-sku", title: "Unprocessable", detail: "Unknown SKU WID-9 on line 2" })}`;
    await env.DB.prepare(
      "INSERT INTO dead_letters (id, order_id, seq, command_key, type, cause, reason, erp_status, correlation_id, created_at, status) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    )
      .bind("dl-queues-1", "SO-QUEUES-DL", 1, "SO-QUEUES-DL:1", "ShipmentConfirmation", "rejected", long, 422, "c-1", new Date().toISOString(), "open")
      .run();
    const { cookie, csrf } = await signIn();
    for (const path of ["/ops/console/dead-letters", "/ops/console/dead-letters?cause=rejected", "/ops"]) {
      const html = await page(cookie, path);
      const text = visible(html);
      expect(text).toContain("HTTP 422: Unknown SKU WID-9 on line 2");
      expect(text).toContain("Refused by the ERP");
      expect(text).not.toMatch(ISO);
      expect(html).toContain('action="/ops/console/dead-letters/replay"');
      expect(html).toContain('name="orderIds" value="SO-QUEUES-DL"');
    }
    expect(await page(cookie, "/ops/console/dead-letters?cause=exhausted")).not.toContain("SO-QUEUES-DL");

    // The list's bulk replay asks first, shows what matches, and comes back to the list.
    const review = await form(cookie, "/ops/console/dead-letters/replay", {
      csrf,
      reason: "rejected",
      orderIds: "SO-QUEUES-DL",
      to: "/ops/console/dead-letters?cause=rejected",
    });
    expect(review.status).toBe(200);
    const confirm = await review.text();
    expect(visible(confirm)).toContain("Replay 1 open dead letter?");
    expect(visible(confirm)).toContain("Shipment confirmation");
    expect(confirm).toContain('href="/ops/console/dead-letters?cause=rejected">Cancel');
    expect(confirm).not.toContain('data-testid="replay-dead-SO-QUEUES-DL"');
    const overview = await page(cookie, "/ops");
    expect(overview).toContain('href="/ops/console/dead-letters"');
    expect(overview).toContain('href="/ops/console/quarantine"');
  });
});
