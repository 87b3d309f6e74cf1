// GET /ops/api-keys?customerId=: ops sees a customer's keys (label, dates, revoked or not) but never a key or
// its hash, and never another customer's keys.
import { describe, expect, it } from "vitest";
import { call, SECRETS } from "../helpers/http";

const OPS = { Authorization: `Bearer ${SECRETS.ops}` };

async function issue(customerId: string, label: string): Promise<{ id: string; key: string }> {
  const res = await call("/ops/api-keys", {
    method: "POST",
    headers: { ...OPS, "Content-Type": "application/json" },
    body: JSON.stringify({ customerId, label }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

interface KeyList {
  customerId: string;
  items: { id: string; label: string | null; createdAt: string; revokedAt: string | null }[];
}

describe("GET /ops/api-keys", () => {
  it("lists a customer's keys newest first, revoked ones with their revocation time, without keys or hashes", async () => {
    const customer = `CUST-KEYS-${crypto.randomUUID()}`;
    const first = await issue(customer, "first");
    await new Promise((r) => setTimeout(r, 5)); // distinct creation times, so "newest first" is observable
    const second = await issue(customer, "second");
    const other = await issue(`${customer}-OTHER`, "someone else's");
    expect((await call(`/ops/api-keys/${first.id}`, { method: "DELETE", headers: OPS })).status).toBe(204);

    const res = await call(`/ops/api-keys?customerId=${encodeURIComponent(customer)}`, { headers: OPS });
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as KeyList;
    expect(body.customerId).toBe(customer);
    expect(body.items.map((k) => [k.id, k.label])).toEqual([
      [second.id, "second"],
      [first.id, "first"],
    ]);
    expect(body.items[0]?.revokedAt).toBeNull();
    expect(Date.parse(body.items[1]?.revokedAt ?? "")).not.toBeNaN();
    expect(Object.keys(body.items[0] ?? {}).sort()).toEqual(["createdAt", "id", "label", "revokedAt"]);
    expect(text).not.toContain(first.key);
    expect(text).not.toContain(second.key);
    expect(text).not.toContain(other.id);
    expect(text).not.toMatch(/hash/i);
  });

  it("answers an empty list for a customer with no keys", async () => {
    const res = await call("/ops/api-keys?customerId=CUST-NOBODY", { headers: OPS });
    expect(res.status).toBe(200);
    expect(((await res.json()) as KeyList).items).toEqual([]);
  });

  it("requires customerId, naming it in the 422", async () => {
    const res = await call("/ops/api-keys", { headers: OPS });
    expect(res.status).toBe(422);
    expect(res.headers.get("Content-Type")).toContain("application/problem+json");
    const problem = (await res.json()) as { detail: string; errors: { path: string }[] };
    expect(problem.detail).toMatch(/Query parameter customerId: is required/);
    expect(problem.errors.map((e) => e.path)).toEqual(["customerId"]);
  });

  it("answers 401 without ops authentication", async () => {
    const res = await call("/ops/api-keys?customerId=CUST-1");
    expect(res.status).toBe(401);
    const wrong = await call("/ops/api-keys?customerId=CUST-1", { headers: { Authorization: "Bearer dk_customer_key" } });
    expect(wrong.status).toBe(401);
  });
});
