// What the figures were measured on: the machine, the versions, and a meter for the runtime's CPU time and
// memory (the workerd process of a served worker) around a phase.
import { spawnSync } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { sleep } from "./metrics";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { cpuMs, cpuMsOrZero, descendantsNamed, machineBusyMs, memoryMiB, openFiles } from "./proc";

export function machine(): { nproc: number; cpuModel: string; ramGiB: number; kernel: string } {
  const model = /^model name\s*:\s*(.*)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  return { nproc: os.availableParallelism(), cpuModel: model, ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, kernel: os.release() };
}

/** `sourceAtStart`: the digest taken when the run began (the harness bundles src/ at every start and reset). */
export function versions(workerdPid: number, sourceAtStart: string): Record<string, string> {
  // Read from node_modules: some packages do not export their package.json.
  const pkg = (name: string) => (JSON.parse(readFileSync(path.join("node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  // The workerd binary the harness really runs (wrangler's own copy), asked for its version.
  const exe = readlinkSync(`/proc/${workerdPid}/exe`);
  const workerd = spawnSync(exe, ["--version"], { encoding: "utf8" }).stdout.trim();
  return {
    node: process.version,
    wrangler: pkg("wrangler"),
    workerd,
    miniflare: pkg("miniflare"),
    autocannon: pkg("autocannon"),
    hono: pkg("hono"),
    // Miniflare's local observability collector (bench/env.ts): off unless asked for.
    localObservability: process.env.X_LOCAL_OBSERVABILITY ?? "wrangler's default",
    // Other people edit src/ while benchmarks run: a change in between is shown, not hidden.
    sourceDigest: sourceAtStart === sourceDigest() ? sourceAtStart : `${sourceAtStart} → ${sourceDigest()} (changed during the run)`,
  };
}

/**
 * A digest of what was measured (src/, durable-objects/, migrations/, wrangler.toml): the code changes
 * while people work, and a figure is only comparable with another of the same code.
 */
export function sourceDigest(roots = ["src", "durable-objects", "migrations", "wrangler.toml"]): string {
  const hash = createHash("sha256");
  const walk = (p: string): string[] => {
    try {
      return readdirSync(p, { withFileTypes: true }).flatMap((d) => walk(path.join(p, d.name)));
    } catch {
      return [p];
    }
  };
  for (const file of roots.flatMap(walk).sort()) hash.update(`${file}\0`).update(readFileSync(file));
  return hash.digest("hex").slice(0, 12);
}

export interface Usage {
  wallMs: number;
  /** CPU time of every other process on the machine (other people's tests and servers share the 2 cores). */
  othersCpuMs: number;
  /** CPU time of the measured workerd process. */
  workerdCpuMs: number;
  /** CPU time of this Node process (load generator, harness, and the ERP calls the harness forwards). */
  nodeCpuMs: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  peakMiB: number;
  openFiles: number;
}

/** Starts measuring `pid`; the returned function stops and reports. */
export function meter(pid: number): () => Usage {
  const t0 = performance.now();
  // This process and everything it started (workerd, esbuild): what is not in here is someone else's.
  const ours = () => descendantsNamed(process.pid).reduce((s, p) => s + cpuMsOrZero(p), 0) + cpuMs(process.pid);
  const ours0 = ours();
  const busy0 = machineBusyMs();
  const cpu0 = cpuMs(pid);
  const node0 = process.cpuUsage();
  const mem0 = memoryMiB(pid);
  return () => {
    const node = process.cpuUsage(node0);
    const mem = memoryMiB(pid);
    return {
      wallMs: Math.round(performance.now() - t0),
      othersCpuMs: Math.max(0, Math.round(machineBusyMs() - busy0 - (ours() - ours0))),
      workerdCpuMs: Math.round(cpuMs(pid) - cpu0),
      nodeCpuMs: Math.round((node.user + node.system) / 1000),
      rssBeforeMiB: Math.round(mem0.rss * 10) / 10,
      rssAfterMiB: Math.round(mem.rss * 10) / 10,
      peakMiB: Math.round(mem.peak * 10) / 10,
      openFiles: openFiles(pid),
    };
  };
}

/**
 * Waits until the workerd processes are idle: under 5 % of a core for `windows` half-second windows in a
 * row. The queue consumers and each order's outbox alarm (OUTBOX_RETRY_SECONDS after its last write) keep
 * working after the last webhook is answered; where their CPU must be counted, wait for two windows past
 * the alarms; between latency runs one calm window is enough.
 */
export async function quiet(pids: number[], timeoutMs = 120_000, windows = 2): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  let calm = 0;
  let last = pids.reduce((s, p) => s + cpuMs(p), 0);
  while (Date.now() < until) {
    await sleep(500);
    const now = pids.reduce((s, p) => s + cpuMs(p), 0);
    calm = now - last <= 25 ? calm + 1 : 0;
    last = now;
    if (calm >= windows) return true;
  }
  return false;
}
