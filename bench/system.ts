// What the figures were measured on: the machine, the versions, and a meter for the runtime's CPU time and
// memory (the workerd process of a served worker) around a phase.
import { spawnSync } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import { sleep } from "./metrics";
import { cpuMs, memoryMiB } from "./proc";

export function machine(): { nproc: number; cpuModel: string; ramGiB: number; kernel: string } {
  const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  return { nproc: os.availableParallelism(), cpuModel: model, ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, kernel: os.release() };
}

export function versions(workerdPid: number): Record<string, string> {
  const require = createRequire(import.meta.url);
  const pkg = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  // The workerd binary the harness really runs (wrangler's own copy), asked for its version.
  const exe = readlinkSync(`/proc/${workerdPid}/exe`);
  const workerd = spawnSync(exe, ["--version"], { encoding: "utf8" }).stdout.trim();
  return { node: process.version, wrangler: pkg("wrangler"), workerd, miniflare: pkg("miniflare"), autocannon: pkg("autocannon"), hono: pkg("hono") };
}

export interface Usage {
  wallMs: number;
  /** CPU time of the measured workerd process. */
  workerdCpuMs: number;
  /** CPU time of this Node process (load generator, harness, and the ERP calls the harness forwards). */
  nodeCpuMs: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  peakMiB: number;
}

/** Starts measuring `pid`; the returned function stops and reports. */
export function meter(pid: number): () => Usage {
  const t0 = performance.now();
  const cpu0 = cpuMs(pid);
  const node0 = process.cpuUsage();
  const mem0 = memoryMiB(pid);
  return () => {
    const node = process.cpuUsage(node0);
    const mem = memoryMiB(pid);
    return {
      wallMs: Math.round(performance.now() - t0),
      workerdCpuMs: Math.round(cpuMs(pid) - cpu0),
      nodeCpuMs: Math.round((node.user + node.system) / 1000),
      rssBeforeMiB: Math.round(mem0.rss * 10) / 10,
      rssAfterMiB: Math.round(mem.rss * 10) / 10,
      peakMiB: Math.round(mem.peak * 10) / 10,
    };
  };
}

/**
 * Waits until the workerd process is idle: under 5 % of a core for two half-second windows in a row. The
 * queue consumers and each order's outbox alarm (OUTBOX_RETRY_SECONDS after its last write) keep working
 * after the last webhook is answered; their CPU belongs to the cost of the run.
 */
export async function quiet(pids: number[], timeoutMs = 120_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  let calm = 0;
  let last = pids.reduce((s, p) => s + cpuMs(p), 0);
  while (Date.now() < until) {
    await sleep(500);
    const now = pids.reduce((s, p) => s + cpuMs(p), 0);
    calm = now - last <= 25 ? calm + 1 : 0;
    last = now;
    if (calm >= 2) return true;
  }
  return false;
}
