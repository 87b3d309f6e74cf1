// `npm run bench:trace [-- --perf]`: where the runtime's work goes on the webhook path, by counts that do
// not wobble with the machine's load. Serves dockline with the ERP simulator, sends the 64-connection
// traffic of the main run, and attaches to dockline's workerd process while it ingests and settles:
//   - always: CPU and the process's I/O counters per webhook (/proc/<pid>/io);
//   - strace (Debian's strace, when installed): fsync calls per webhook, by the file they flush;
//   - with --perf (Debian's linux-perf): a sampled call-graph profile of workerd, read as the inclusive
//     share of a few runtime functions (workerd's binary has its symbols).
// Tracing slows workerd down, so CPU figures taken under strace or perf are not comparable with the main
// run's; the counts are. Results go to bench/results/<date>-trace.json; the last stdout line is JSON.
import "./env";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { localSecrets } from "./config";
import { ErpSim } from "./erp";
import { type Served, serveDocklineWithErp } from "./harness";
import { sendAll, sendInSegments } from "./load";
import { round, sleep } from "./metrics";
import { ioCounters } from "./proc";
import { releases, signSends } from "./sign";
import { machine, meter, quiet, sourceDigest } from "./system";
import { planOrders, random, schedule } from "./traffic";

const ORDERS = Number(process.env.BENCH_TRACE_ORDERS ?? 300);
const STRACE_OUT = "bench/tmp/trace.strace";
const PERF_OUT = "bench/tmp/trace.perf";

/** Runtime functions whose inclusive share of workerd's samples says where the time goes. */
const PERF_SYMBOLS: [label: string, symbol: RegExp][] = [
  ["Miniflare's observability collector (tail stream)", /TailStreamTarget::report\(/],
  ["SQLite statements (sqlite3_step, commits included)", /\] sqlite3_step$/],
  ["SQLite statement compilation (sqlite3Prepare)", /\] sqlite3Prepare$/],
  ["SQLite commits (vdbeCommit)", /\] vdbeCommit$/],
  ["Durable Object starts (Worker::Actor::Actor)", /\] workerd::Worker::Actor::Actor$/],
  ["fsync system calls", /\] fsync$/],
  ["file opens (openat)", /\] __libc_openat64$/],
  ["V8 scavenges (young-generation GC)", /\] v8::internal::ScavengerCollector::CollectGarbage$/],
];

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;

async function main(): Promise<{ code: number; stdout: string }> {
  const withPerf = process.argv.includes("--perf");
  const secrets = localSecrets();
  const served: Served[] = [];
  try {
    const { erpSim, dockline } = await serveDocklineWithErp(secrets, served);
    await new ErpSim(erpSim.direct).reset();
    const rnd = random(20261202);
    const warm = planOrders("TW", 20, rnd);
    const orders = planOrders("TR", ORDERS, rnd);
    const released = await sendAll(dockline.direct, releases([...warm, ...orders], secrets), 64);
    if ((released.statuses["202"] ?? 0) !== warm.length + orders.length) throw new Error(`releases answered ${JSON.stringify(released.statuses)}`);
    await sendInSegments(dockline.direct, schedule(warm, rnd), 16, 15_000, (s) => signSends(s, secrets));
    await quiet([dockline.pid], 60_000, 2);
    const sends = schedule(orders, rnd);

    mkdirSync("bench/tmp", { recursive: true });
    let tracer: ChildProcess | undefined;
    let tool = "none";
    if (withPerf && has("perf")) {
      tool = "perf";
      tracer = spawn("perf", ["record", "-e", "cpu-clock", "-F", "999", "-g", "-o", PERF_OUT, "-p", String(dockline.pid)], { stdio: "ignore" });
    } else if (!withPerf && has("strace")) {
      tool = "strace";
      rmSync(STRACE_OUT, { force: true });
      tracer = spawn("strace", ["-f", "-y", "-e", "trace=fsync,fdatasync", "-o", STRACE_OUT, "-p", String(dockline.pid)], { stdio: "ignore" });
    }
    if (tracer) await sleep(1_000); // attached before the first request

    const stop = meter(dockline.pid);
    const io0 = ioCounters(dockline.pid);
    const r = await sendInSegments(dockline.direct, sends, 64, 15_000, (s) => signSends(s, secrets));
    // Past the outbox alarms and the queue consumers: their work belongs to the webhooks.
    await sleep(6_000);
    await quiet([dockline.pid], 120_000, 2);
    const usage = stop();
    const io1 = ioCounters(dockline.pid);
    if (tracer) {
      tracer.kill("SIGINT");
      await new Promise((resolve) => tracer?.once("exit", resolve));
    }

    const n = sends.length;
    const answered = r.statuses["202"] ?? 0;
    const perWebhook = {
      cpuMs: round(usage.workerdCpuMs / n, 3),
      writeSyscalls: round((io1.syscw - io0.syscw) / n, 2),
      readSyscalls: round((io1.syscr - io0.syscr) / n, 2),
      kibWritten: round((io1.writeBytes - io0.writeBytes) / 1024 / n, 1),
    };
    const fsyncs = tool === "strace" ? fsyncsByFile(readFileSync(STRACE_OUT, "utf8"), n) : [];
    const profile = tool === "perf" ? perfShares() : [];
    const results = {
      date: new Date().toISOString().slice(0, 10),
      mode: "trace",
      tool,
      machine: machine(),
      source: sourceDigest(),
      orders: ORDERS,
      webhooks: n,
      answered202: answered,
      rps: r.rps,
      perWebhook,
      fsyncs,
      profile,
    };
    mkdirSync("bench/results", { recursive: true });
    const file = `bench/results/${results.date}-trace${tool === "perf" ? "-perf" : ""}.json`;
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);

    const lines = [
      `${n} webhooks (${ORDERS} orders, 64 connections), traced with ${tool}; per webhook: ${perWebhook.cpuMs} CPU-ms of workerd, ${perWebhook.writeSyscalls} write and ${perWebhook.readSyscalls} read system calls, ${perWebhook.kibWritten} KiB written`,
      ...(fsyncs.length ? ["", "| file flushed (fsync) | per webhook |", "|---|---|", ...fsyncs.map((f) => `| ${f.file} | ${f.perWebhook} |`)] : []),
      ...(profile.length
        ? ["", "| runtime function | inclusive share of workerd's samples |", "|---|---|", ...profile.map((p) => `| ${p.label} | ${p.percent} % |`)]
        : []),
    ];
    const summary = { mode: "trace", tool, webhooks: n, answered202: answered, ...perWebhook, results: file };
    return { code: answered === n ? 0 : 1, stdout: `${lines.join("\n")}\n\nresults: ${file}\n${JSON.stringify(summary)}\n` };
  } finally {
    for (const s of served) await s.close().catch(() => undefined);
  }
}

/** fsync calls per webhook, grouped by what they flush: the object's class and file kind, not its id. */
function fsyncsByFile(trace: string, webhooks: number): { file: string; perWebhook: number }[] {
  const counts = new Map<string, number>();
  for (const m of trace.matchAll(/f(?:data)?sync\(\d+<([^>]+)>/g)) {
    const file = (m[1] ?? "")
      .replace(/^\/tmp\/miniflare-[^/]+\//, "")
      .replace(/[0-9a-f]{64}/g, "<id>")
      .replace(/^.*\/\.wrangler\//, ".wrangler/");
    counts.set(file, (counts.get(file) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([file, count]) => ({ file, perWebhook: round(count / webhooks, 2) }));
}

function perfShares(): { label: string; percent: number }[] {
  const report = spawnSync("perf", ["report", "-i", PERF_OUT, "--children", "--sort", "sym", "--stdio", "-g", "none"], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  }).stdout;
  const rows = report.split("\n").filter((l) => /^\s+[\d.]+%/.test(l));
  return PERF_SYMBOLS.map(([label, symbol]) => {
    const row = rows.find((l) => symbol.test(l.trimEnd()));
    return { label, percent: row ? Number(/^\s+([\d.]+)%/.exec(row)?.[1] ?? 0) : 0 };
  });
}

main().then(
  ({ code, stdout }) => {
    process.stdout.write(stdout);
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`bench:trace failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
