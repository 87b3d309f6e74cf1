// Linux /proc readings: which workerd processes a harness started, the ports they listen on, and their
// CPU time and memory. workerd cannot be profiled with --cpu-prof, but its CPU ticks and RSS can be read.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every mainstream Linux build). */
const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; fields after it are plain.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function parentOf(pid: number): number | null {
  try {
    return Number(statFields(pid)[1]);
  } catch {
    return null;
  }
}

/** Every live descendant of `root` whose command name is `comm` (any name when omitted). */
export function descendantsNamed(root: number, comm?: string): number[] {
  const parents = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const ppid = parentOf(Number(d));
    if (ppid !== null) parents.set(Number(d), ppid);
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  return [...parents.keys()].filter((pid) => isDescendant(pid) && (comm === undefined || commOf(pid) === comm));
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/** TCP ports `pid` listens on (matched through its socket inodes). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // Column 3 is the state (0A = LISTEN), column 9 the inode.
      if (cols[3] === "0A" && cols[9] && inodes.has(cols[9])) ports.push(Number.parseInt(cols[1]?.split(":")[1] ?? "0", 16));
    }
  }
  return ports;
}

/** User + system CPU time of a process (all its threads), in milliseconds. */
export function cpuMs(pid: number): number {
  const f = statFields(pid);
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND;
}

/** CPU time split into user space and the kernel (system calls: file and socket I/O), in ms. */
export function cpuSplitMs(pid: number): { user: number; system: number } {
  const f = statFields(pid);
  return { user: (Number(f[11]) * 1000) / TICKS_PER_SECOND, system: (Number(f[12]) * 1000) / TICKS_PER_SECOND };
}

/** Resident memory now and its high-water mark, in MiB. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? "0");
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Open file descriptors of a process (each SQLite-backed Durable Object holds three while it is loaded). */
export function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * CPU time all processes of the machine spent (user + nice + system), in milliseconds. Interrupt and
 * softirq time is left out: the kernel's loopback networking for our own requests is charged there, to no
 * process, and would be mistaken for someone else's work.
 */
export function machineBusyMs(): number {
  const cols = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0] = cols;
  return ((user + nice + system) * 1000) / TICKS_PER_SECOND;
}

/** CPU time of a process, 0 when it has gone. */
export function cpuMsOrZero(pid: number): number {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
}

/**
 * The process's I/O counters (/proc/<pid>/io): system calls that read and write, and bytes that reached the
 * storage layer. Unlike CPU time they hardly vary from run to run, so they show a change in storage work
 * (a commit more or less per webhook) that CPU time on a shared machine cannot resolve.
 */
export function ioCounters(pid: number): { syscr: number; syscw: number; writeBytes: number } {
  const text = readFileSync(`/proc/${pid}/io`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  return { syscr: field("syscr"), syscw: field("syscw"), writeBytes: field("write_bytes") };
}
