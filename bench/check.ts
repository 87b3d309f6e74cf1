// Correctness after a run: each checked order's state in its Durable Object (GET /ops/orders/{id}) equals
// the reference fold of the events the benchmark sent, and the ERP booked every command the reference
// predicts exactly once, numbered 1..n per order with no gap and nothing else.
import type { ErpRecord, ErpSim } from "./erp";
import { sleep } from "./metrics";
import type { Reference } from "./reference";

export interface CheckResult {
  ok: boolean;
  ordersChecked: number;
  stateMismatches: number;
  erp: { orders: number; expected: number; recorded: number; duplicates: number; gaps: number; missing: number; unexpected: number };
  problems: string[];
}

interface OpsView {
  state: { status: string; version: number } | null;
}

async function fetchState(base: URL, opsToken: string, orderId: string): Promise<OpsView["state"]> {
  const res = await fetch(new URL(`/ops/orders/${encodeURIComponent(orderId)}`, base), { headers: { Authorization: `Bearer ${opsToken}` } });
  if (!res.ok) return null;
  return ((await res.json()) as OpsView).state;
}

/** Checks the states of `orderIds` (several at a time), re-reading mismatches for a while: parked events reach their order asynchronously. */
async function checkStates(base: URL, opsToken: string, ref: Reference, orderIds: string[], problems: string[]): Promise<number> {
  let pending = orderIds;
  for (let attempt = 0; attempt < 20 && pending.length > 0; attempt++) {
    if (attempt > 0) await sleep(500);
    const wrong: string[] = [];
    for (let i = 0; i < pending.length; i += 32) {
      await Promise.all(
        pending.slice(i, i + 32).map(async (id) => {
          const got = await fetchState(base, opsToken, id);
          const want = ref.expected(id);
          if (!got || got.status !== want.status || got.version !== want.version) wrong.push(id);
        }),
      );
    }
    pending = wrong;
  }
  for (const id of pending.slice(0, 5)) {
    const got = await fetchState(base, opsToken, id);
    const want = ref.expected(id);
    problems.push(`order ${id}: state ${got?.status}/v${got?.version}, reference ${want.status}/v${want.version}`);
  }
  return pending.length;
}

function checkErp(records: ErpRecord[], ref: Reference, problems: string[]): CheckResult["erp"] {
  const byOrder = new Map<string, ErpRecord[]>();
  for (const r of records) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), r]);
  const out = { orders: 0, expected: 0, recorded: records.length, duplicates: 0, gaps: 0, missing: 0, unexpected: 0 };
  const note = (msg: string) => problems.length < 20 && problems.push(msg);
  for (const orderId of ref.orderIds()) {
    out.orders++;
    const want = ref.expected(orderId).commandKeys;
    out.expected += want.length;
    const got = byOrder.get(orderId) ?? [];
    byOrder.delete(orderId);
    const keys = got.map((r) => r.body.commandKey ?? "?");
    const dup = got.length - new Set(got.map((r) => r.idempotencyKey)).size + (keys.length - new Set(keys).size);
    if (dup > 0) note(`order ${orderId}: ${dup} command(s) booked twice`);
    out.duplicates += dup;
    const seqs = got.map((r) => r.seq).sort((a, b) => a - b);
    if (seqs.some((s, i) => s !== i + 1)) {
      out.gaps++;
      note(`order ${orderId}: ERP seqs ${seqs.join(",")}`);
    }
    const missing = want.filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !want.includes(k));
    if (missing.length > 0) note(`order ${orderId}: ERP misses ${missing.join(", ")}`);
    if (extra.length > 0) note(`order ${orderId}: ERP has unexpected ${extra.join(", ")}`);
    out.missing += missing.length;
    out.unexpected += extra.length;
  }
  for (const [orderId, rs] of byOrder) {
    out.unexpected += rs.length;
    note(`order ${orderId}: ${rs.length} ERP record(s) for an order the benchmark never sent`);
  }
  return out;
}

/** Waits for the ERP to book what the reference predicts, then checks states and ERP records. */
export async function check(base: URL, opsToken: string, erp: ErpSim, ref: Reference, statesOf: string[], waitMs = 120_000): Promise<CheckResult> {
  const problems: string[] = [];
  const expectedTotal = ref.orderIds().reduce((n, id) => n + ref.expected(id).commandKeys.length, 0);
  if ((await erp.waitForApplied(expectedTotal, waitMs)) === null)
    problems.push(`ERP booked ${(await erp.stats()).applied} of ${expectedTotal} commands within ${waitMs / 1000} s`);
  const stateMismatches = await checkStates(base, opsToken, ref, statesOf, problems);
  const erpResult = checkErp(await erp.records(), ref, problems);
  const ok =
    stateMismatches === 0 &&
    erpResult.duplicates === 0 &&
    erpResult.gaps === 0 &&
    erpResult.missing === 0 &&
    erpResult.unexpected === 0 &&
    problems.length === 0;
  return { ok, ordersChecked: statesOf.length, stateMismatches, erp: erpResult, problems };
}
