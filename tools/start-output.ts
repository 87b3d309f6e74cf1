// What `npm start` shows of its servers' output: a pure line filter over wrangler dev's lines. It drops
// what is not the user's problem — wrangler's banner, the bindings table, the offline `Request.cf` lookup
// (a warning, then `getaddrinfo ENOTFOUND workers.cloudflare.com` with its stack), the "Ready on" lines
// the ready banner replaces — and keeps everything else: errors, the workers' own logs, reloads.

/** Which multi-line block of noise the previous line opened, if any. */
export interface FilterState {
  skipping: "stack" | "bindings" | "warning" | null;
}

export const INITIAL_STATE: FilterState = { skipping: null };

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters.
const ANSI = /\x1b\[[0-9;]*m/g;

/** Single lines that are noise wherever they appear. */
const NOISE: readonly RegExp[] = [
  /^⛅️ wrangler \d/,
  /^─+$/,
  /^Using (secrets|vars) defined in /,
  /^❓ Your types might be out of date/,
  /^\[wrangler:warn\] Unable to fetch the `Request\.cf` object/,
  /^\[wrangler:info\] Ready on /,
  /^⎔ (Starting local server|Connection status updated|Reloading local server)/,
  // `npm start` polls /health until every server answers: its own requests.
  /^\[wrangler:info\] GET \/health \d{3} /,
  // The cron warning's hint, should it arrive on another stream than its header (it does: stderr, stdout).
  /^To manually trigger a scheduled event, run:$/,
  /^curl "http:\/\/[^"]+\/cdn-cgi\/local\/scheduled"$/,
  /^For more details, see https:\/\/developers\.cloudflare\.com\/workers\/configuration\/cron-triggers\//,
  // Offline, wrangler's update check fails the same way as the Request.cf lookup.
  /^Resource location: local$/,
  /^Use --remote if you want to access the remote instance\.$/,
];

/** The lines inside a block: what keeps the block open. */
const INSIDE: Record<NonNullable<FilterState["skipping"]>, RegExp> = {
  // Only the frames of the ENOTFOUND error: a real error's stack is never hidden.
  stack: /^at /,
  // A value of several lines (PARTNERS) continues until its row ends in the Mode column.
  bindings: /^(Binding\s+Resource\s+Mode$|env\.\S+ )|\s(local|remote)$/,
  // The continuation lines of wrangler's "Scheduled Workers are not automatically triggered" warning.
  warning: /^ {2}/,
};

/** Whether to show `line`, and the state for the next line of the same stream. */
export function filterLine(state: FilterState, line: string): { state: FilterState; keep: boolean } {
  const plain = line.replace(ANSI, "");
  const text = plain.trim();
  if (state.skipping) {
    const inside = state.skipping === "warning" ? INSIDE.warning.test(plain) : INSIDE[state.skipping].test(text);
    if (inside) return { state, keep: false };
    state = INITIAL_STATE;
  }
  if (text === "") return { state, keep: false };
  if (/^Error: getaddrinfo ENOTFOUND workers\.cloudflare\.com\b/.test(text)) return { state: { skipping: "stack" }, keep: false };
  if (/^Your Worker has access to the following bindings:$/.test(text)) return { state: { skipping: "bindings" }, keep: false };
  // The cron hint is in the ready banner instead.
  if (/^▲ \[WARNING\] Scheduled Workers are not automatically triggered/.test(text)) return { state: { skipping: "warning" }, keep: false };
  return { state, keep: !NOISE.some((re) => re.test(text)) };
}
