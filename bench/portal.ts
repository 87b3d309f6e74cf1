// The customer side: API keys issued by ops, and reads of the portal API.
import type { Prepared } from "./sign";
import type { OrderPlan } from "./traffic";

/** One API key per customer (POST /ops/api-keys answers it once). */
export async function issueKeys(base: URL, opsToken: string, customers: readonly string[]): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const customerId of customers) {
    const res = await fetch(new URL("/ops/api-keys", base), {
      method: "POST",
      headers: { Authorization: `Bearer ${opsToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ customerId, label: "bench" }),
    });
    if (res.status !== 201) throw new Error(`POST /ops/api-keys: ${res.status} ${await res.text()}`);
    keys.set(customerId, ((await res.json()) as { key: string }).key);
  }
  return keys;
}

export function portalReads(orders: readonly OrderPlan[], keys: Map<string, string>): Prepared[] {
  return orders.map((o) => ({
    method: "GET",
    path: `/v1/orders/${encodeURIComponent(o.orderId)}`,
    headers: { Authorization: `Bearer ${keys.get(o.customerId) ?? ""}` },
  }));
}

/** The order's version as the portal shows it (from the ETag), or 0 when it does not show the order yet. */
export async function portalVersion(base: URL, orderId: string, key: string): Promise<number> {
  const res = await fetch(new URL(`/v1/orders/${encodeURIComponent(orderId)}`, base), { headers: { Authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  const m = /^"v(\d+)"$/.exec(res.headers.get("ETag") ?? "");
  return res.ok && m?.[1] ? Number(m[1]) : 0;
}
