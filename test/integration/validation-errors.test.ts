// A 422 says, in plain words, which parameter or body field is wrong and what it may be: the allowed values
// of an enum, the limits of a number, that a field is required, not the validator's own text.
import { describe, expect, it } from "vitest";
import { call, issueKey, SECRETS } from "../helpers/http";

const OPS = { Authorization: `Bearer ${SECRETS.ops}` };

interface Problem {
  type: string;
  detail: string;
  errors: { path: string; code: string; message: string }[];
}

async function problem422(res: Response): Promise<Problem> {
  expect(res.status).toBe(422);
  expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  const p = (await res.json()) as Problem;
  expect(p.type).toMatch(/schema-violation$/);
  return p;
}

describe("query parameter errors", () => {
  it("GET /v1/orders?status=bogus names status and lists every order status", async () => {
    const key = await issueKey("CUST-VALIDATION");
    const p = await problem422(await call("/v1/orders?status=bogus", { headers: { Authorization: `Bearer ${key}` } }));
    expect(p.detail).toMatch(/^Query parameter status: must be a comma-separated list of: /);
    for (const s of ["released", "shipped", "delivered", "cancelled"]) expect(p.detail).toContain(s);
    expect(p.errors.map((e) => e.path)).toEqual(["status"]);
  });

  it("GET /ops/dead-letters?status=x names status and its allowed values", async () => {
    const p = await problem422(await call("/ops/dead-letters?status=x", { headers: OPS }));
    expect(p.detail).toBe("Query parameter status: must be one of open, replayed.");
  });

  it("GET /v1/subscriptions/{id}/deliveries?status=x names status and its allowed values", async () => {
    const key = await issueKey("CUST-VALIDATION");
    const p = await problem422(await call("/v1/subscriptions/sub_none/deliveries?status=x", { headers: { Authorization: `Bearer ${key}` } }));
    expect(p.detail).toBe("Query parameter status: must be one of pending, delivered, dead, skipped.");
  });

  it("names every wrong parameter with its limit, and a missing required one as required", async () => {
    const p = await problem422(await call("/ops/dead-letters?status=x&limit=0", { headers: OPS }));
    expect(p.detail).toBe("Query parameter status: must be one of open, replayed. Query parameter limit: must be at least 1.");
    const missing = await problem422(await call("/ops/api-keys", { headers: OPS }));
    expect(missing.detail).toBe("Query parameter customerId: is required (a string).");
  });
});

describe("JSON body errors", () => {
  it("names each body field and what it must be, without validator text", async () => {
    const res = await call("/v1/orders", {
      method: "POST",
      headers: { Authorization: `Bearer ${SECRETS.erpInbound}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        orderId: "SO-VALIDATION-1",
        lines: [{ sku: "WID-1", quantity: 0 }],
        shipTo: { name: "Ada", city: "Memphis", country: "US" },
        releasedAt: "yesterday",
      }),
    });
    const p = await problem422(res);
    expect(p.detail).toContain("Body field customerId: is required (a string).");
    expect(p.detail).toContain("Body field lines.0.quantity: must be greater than 0.");
    expect(p.detail).toContain("Body field releasedAt: must be an ISO 8601 date-time with a time zone, e.g. 2026-11-20T10:00:00Z.");
    expect(p.detail).not.toMatch(/Invalid input|expected string, received/);
    expect(p.errors.map((e) => e.path).sort()).toEqual(["customerId", "lines.0.quantity", "releasedAt"]);
  });

  it("says what a body must be when it is not an object at all", async () => {
    const res = await call("/ops/api-keys", { method: "POST", headers: { ...OPS, "Content-Type": "application/json" }, body: "[]" });
    const p = await problem422(res);
    expect(p.detail).toBe("Body: must be an object.");
  });
});
