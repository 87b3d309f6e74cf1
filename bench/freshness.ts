// End-to-end freshness: the time from a webhook's 202 to the moment the portal API shows the order at the
// new version. Sampled orders are sent by this prober alone, one webhook at a time in the order things
// happened, so the version each webhook must produce is known (from the reference fold).
import { sleep } from "./metrics";
import type { Reference } from "./reference";
import { signSends } from "./sign";
import { inOrder, type OrderPlan } from "./traffic";
import { portalVersion } from "./portal";

export interface FreshnessSample {
  ms: number;
  /** Whether the main load was still running when the webhook was accepted. */
  underLoad: boolean;
}

export interface ProbeOptions {
  base: URL;
  secrets: Record<string, string>;
  keys: Map<string, string>;
  ref: Reference;
  workers: number;
  /** Longest pause between two polls of the portal (they start at 10 ms and grow by half each time). */
  pollMs?: number;
  timeoutMs?: number;
  loaded: () => boolean;
  /** Stop sending once the load is over (its samples would measure the backlog it left). */
  stopWithLoad?: boolean;
}

export async function probeFreshness(orders: readonly OrderPlan[], o: ProbeOptions): Promise<{ samples: FreshnessSample[]; failures: string[] }> {
  const samples: FreshnessSample[] = [];
  const failures: string[] = [];
  const queue = [...orders];
  const worker = async () => {
    for (let order = queue.shift(); order; order = queue.shift()) {
      const key = o.keys.get(order.customerId) ?? "";
      for (const send of inOrder(order)) {
        // Whatever was not sent is simply not in the reference: the checks stay exact.
        if (o.stopWithLoad && !o.loaded()) return;
        const [req] = await signSends([send], o.secrets);
        if (!req) continue;
        const res = await fetch(new URL(req.path, o.base), { method: req.method, headers: req.headers, body: req.body ?? null });
        await res.arrayBuffer();
        const accepted = performance.now();
        const underLoad = o.loaded();
        if (res.status !== 202) {
          failures.push(`${order.orderId}: webhook answered ${res.status}`);
          continue;
        }
        await o.ref.webhook(send.webhook);
        const want = o.ref.expected(order.orderId).version;
        const until = accepted + (o.timeoutMs ?? 30_000);
        let polls = 0;
        for (;;) {
          if ((await portalVersion(o.base, order.orderId, key)) >= want) {
            samples.push({ ms: performance.now() - accepted, underLoad });
            break;
          }
          if (performance.now() > until) {
            failures.push(`${order.orderId}: v${want} not visible after ${o.timeoutMs ?? 30_000} ms`);
            break;
          }
          // Polls are portal reads on the same two cores: a fixed 20-ms poll from 8 probers was ≈ 240 reads/s,
          // more work than the webhooks of a half-capacity load. Start fast, back off to 50 ms (the
          // resolution at the 1-s target).
          polls++;
          await sleep(Math.min(o.pollMs ?? 50, 10 * 1.5 ** Math.min(polls, 10)));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: o.workers }, worker));
  return { samples, failures };
}
