// `npm run bench -- --cold`: what an event costs when its order's Durable Object is warm (its previous
// event a moment ago) and when it was evicted in between (workerd evicts an idle object after about
// 10 s; in production an order's events are minutes to days apart, so that is the usual case). Same
// runtime, same traffic shape, warm pass first and last; CPU of dockline's workerd per request until idle.
import { check } from "./check";
import { localSecrets } from "./config";
import { ErpSim } from "./erp";
import { type Served, serveDocklineWithErp } from "./harness";
import { sendAll } from "./load";
import { round } from "./metrics";
import type { Ctx } from "./phases";
import { Reference } from "./reference";
import { releases, signSends } from "./sign";
import { cpuSplitMs } from "./proc";
import { meter, quiet } from "./system";
import { inOrder, type OrderPlan, planOrders, REALISTIC, random } from "./traffic";

export interface ColdPass {
  name: string;
  /** Pause before each wave of webhooks (one per order). */
  pauseMs: number;
  requests: number;
  cpuMsPerRequest: number;
  /** The same CPU split: user space, and the kernel's share (system calls, mostly file I/O). */
  userMsPerRequest: number;
  systemMsPerRequest: number;
  openFilesAfter: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function coldVsWarm(
  log: Ctx["log"],
  orders = 150,
  evictionWaitMs = 30_000,
): Promise<{ passes: ColdPass[]; coldOverWarm: number; check: boolean; problems: string[] }> {
  const secrets = localSecrets();
  const served: Served[] = [];
  try {
    const { erpSim, dockline } = await serveDocklineWithErp(secrets, served);
    const erp = new ErpSim(erpSim.direct);
    await erp.reset();
    const ref = new Reference();
    const rnd = random(20261124);
    // Canonical scans only: every order then has the same number of webhooks, sent as waves.
    const shape = { ...REALISTIC, easypostShare: 0 };
    const sets = { warm: planOrders("WA", orders, rnd, shape), cold: planOrders("CO", orders, rnd, shape), warm2: planOrders("WB", orders, rnd, shape) };
    const all = [...sets.warm, ...sets.cold, ...sets.warm2];
    const released = await sendAll(dockline.direct, releases(all, secrets), 16);
    for (const o of all) ref.release(o);
    const problems: string[] = [];
    if ((released.statuses["202"] ?? 0) !== all.length) problems.push(`releases: ${JSON.stringify(released.statuses)}`);

    const pass = async (name: string, plans: OrderPlan[], pauseMs: number): Promise<ColdPass> => {
      await sleep(evictionWaitMs); // whatever ran before is idle and evicted
      await quiet([dockline.pid], 60_000, 2);
      const waves = Math.min(...plans.map((o) => o.webhooks.length));
      const stop = meter(dockline.pid);
      const split0 = cpuSplitMs(dockline.pid);
      let requests = 0;
      for (let k = 0; k < waves; k++) {
        if (k > 0) await sleep(pauseMs);
        const sends = plans.map((o) => inOrder(o)[k]).filter((s) => s !== undefined);
        const r = await sendAll(dockline.direct, await signSends(sends, secrets), 16);
        if ((r.statuses["202"] ?? 0) !== sends.length) problems.push(`${name} wave ${k}: ${JSON.stringify(r.statuses)}`);
        for (const s of sends) await ref.webhook(s.webhook);
        requests += sends.length;
      }
      // Past the outbox alarms, then idle: their CPU belongs to the events.
      await sleep(6_000);
      await quiet([dockline.pid], 60_000, 2);
      const usage = stop();
      const split = cpuSplitMs(dockline.pid);
      const p = {
        name,
        pauseMs,
        requests,
        cpuMsPerRequest: round(usage.workerdCpuMs / requests, 3),
        userMsPerRequest: round((split.user - split0.user) / requests, 3),
        systemMsPerRequest: round((split.system - split0.system) / requests, 3),
        openFilesAfter: usage.openFiles,
      };
      log(`cold/warm ${name}: ${requests} webhooks, ${p.cpuMsPerRequest} CPU-ms per webhook (user ${p.userMsPerRequest}, kernel ${p.systemMsPerRequest})`);
      return p;
    };
    const passes = [await pass("warm", sets.warm, 1_000), await pass("cold", sets.cold, evictionWaitMs), await pass("warm, again", sets.warm2, 1_000)];
    if ((await erp.waitForApplied(ref.commandCount(), 180_000)) === null) problems.push("ERP backlog not drained");
    const result = await check(dockline.direct, secrets.OPS_TOKEN ?? "", erp, ref, ref.orderIds());
    if (!result.ok) problems.push(...result.problems.slice(0, 5));
    const warm = ((passes[0]?.cpuMsPerRequest ?? 0) + (passes[2]?.cpuMsPerRequest ?? 0)) / 2;
    return { passes, coldOverWarm: round((passes[1]?.cpuMsPerRequest ?? 0) / warm, 2), check: result.ok, problems };
  } finally {
    for (const s of served) await s.close().catch(() => undefined);
  }
}

export function coldTable(passes: ColdPass[]): string {
  return [
    "| pass | pause before each wave | webhooks | workerd CPU-ms per webhook (until idle) | of which user / kernel | open files after |",
    "|---|---|---|---|---|---|",
    ...passes.map(
      (p) =>
        `| ${p.name} | ${p.pauseMs / 1000} s | ${p.requests} | ${p.cpuMsPerRequest} | ${p.userMsPerRequest} / ${p.systemMsPerRequest} | ${p.openFilesAfter} |`,
    ),
  ].join("\n");
}
