// Terminal output for the demo: a one-line progress bar redrawn with `\r` (no dependency), and plain
// aligned tables for the summary.

const isTty = Boolean(process.stdout.isTTY);

export class Progress {
  private lastLogged = -1;
  private readonly started = Date.now();

  constructor(
    private readonly title: string,
    private readonly total: number,
  ) {}

  update(done: number, note = ""): void {
    const ratio = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(0).padStart(3);
    if (isTty) {
      const width = 28;
      const full = Math.round(ratio * width);
      const bar = `${"█".repeat(full)}${"░".repeat(width - full)}`;
      const columns = process.stdout.columns ?? 120;
      const line = `${this.title} ${bar} ${String(done).padStart(String(this.total).length)}/${this.total} ${String(Math.round(ratio * 100)).padStart(3)}% ${elapsed}s  ${note}`;
      process.stdout.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
      return;
    }
    // Not a terminal (a log file, CI): one line per tenth, so the log stays readable.
    const tenth = Math.floor(ratio * 10);
    if (tenth > this.lastLogged) {
      this.lastLogged = tenth;
      console.log(`${this.title} ${String(Math.round(ratio * 100)).padStart(3)}% (${done}/${this.total}) ${elapsed}s  ${note}`);
    }
  }

  done(note = ""): void {
    this.update(this.total, note);
    if (isTty) process.stdout.write("\n");
  }
}

/** Prints rows under a header, numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], indent = "  "): void {
  const cells = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  const numeric = header.map((_, c) => rows.every((r) => typeof r[c] === "number" || r[c] === "" || r[c] === "—"));
  const fmt = (r: readonly string[]) =>
    r
      .map((v, c) => (numeric[c] && c > 0 ? v.padStart(widths[c] ?? 0) : v.padEnd(widths[c] ?? 0)))
      .join("  ")
      .trimEnd();
  console.log(indent + fmt(cells[0] ?? []));
  console.log(indent + widths.map((w) => "─".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(indent + fmt(r));
}

export function heading(text: string): void {
  console.log(`\n${text}`);
}
