// Whether a subscriber's URL may receive deliveries: https, no credentials, and no host that names a private,
// loopback, link-local or otherwise non-public place (SSRF). Pure: no DNS, no fetch.
//
// The check is literal: it judges what the URL says (an IP literal, a name reserved for private networks),
// never what a name resolves to, so a public name whose DNS answers 10.0.0.1 (or rebinds to it later) passes.
// That is enough, and why the check stops there: a Worker's fetch() leaves from Cloudflare's network, which
// has no route into a private network or to a machine's loopback, and dockline never follows redirects (a
// 3xx is a failed delivery), so no DNS answer or Location header can turn a delivery inward. What the
// literal check adds is an immediate, named refusal at subscription time, and the same rule wherever the
// code runs. `isPublicAddress` is for a delivery-time check that knows the address it is about to reach.

export const MAX_URL_LENGTH = 2048;

export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

/**
 * `url` is the WHATWG parser's normalisation of `raw` (what gets stored and fetched). A reason is a predicate
 * about the URL ("must use https", "resolves to a loopback address (127.0.0.1)"), ready for "url …".
 * `allowInsecure` (local development only) admits http and private hosts, never credentials or other schemes.
 */
export function checkSubscriptionUrl(raw: string, allowInsecure: boolean): UrlCheck {
  // Measured before parsing (no work on huge input) and after (percent-encoding can lengthen it).
  if (raw.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("is not a valid absolute URL");
  }
  if (url.protocol !== "https:" && !(allowInsecure && url.protocol === "http:")) return refuse(allowInsecure ? "must use http or https" : "must use https");
  // Credentials in a URL end up in logs and in the delivery list; a subscriber authenticates us by signature.
  if (url.username !== "" || url.password !== "") return refuse("must not contain a username or password");
  if (url.href.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters once normalised`);
  if (!allowInsecure) {
    const reason = hostRefusal(url.hostname);
    if (reason) return refuse(reason);
  }
  return { ok: true, url: url.href };
}

/**
 * True only for a globally reachable unicast address, IPv4 ("203.0.114.7") or IPv6 ("2606:4700::1111",
 * brackets allowed). Anything that is not a plainly written address (a name, "010.0.0.1", a zone id) is
 * false: an address nobody can read unambiguously is not shown to be public.
 */
export function isPublicAddress(ip: string): boolean {
  const text = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  const a4 = parseIPv4(text);
  if (a4 !== null) return rangeOf4(BigInt(a4)) === null;
  const a6 = parseIPv6(text);
  return a6 !== null && rangeOf6(a6) === null;
}

const refuse = (reason: string): UrlCheck => ({ ok: false, reason });

/** Why this (WHATWG-normalised) hostname may not be delivered to, or null. */
function hostRefusal(hostname: string): string | null {
  if (hostname.startsWith("[")) {
    const literal = hostname.slice(1, -1);
    const a = parseIPv6(literal);
    if (a === null) return `has an IPv6 address that cannot be read (${literal})`;
    const range = rangeOf6(a);
    if (!range) return null;
    return range.embedded ? `resolves to ${range.label} (${range.embedded}, ${range.via} ${literal})` : `resolves to ${range.label} (${literal})`;
  }
  const a4 = parseIPv4(hostname);
  if (a4 !== null) {
    const label = rangeOf4(BigInt(a4));
    return label ? `resolves to ${label} (${hostname})` : null;
  }
  // The parser turns "127.1", "0x7f.1" and "2130706433" into dotted IPv4, but not when trailing dots follow:
  // "127.0.0.1.." stays a name that a resolver would answer with the address. Judge it without them.
  const bare = hostname.replace(/\.+$/, "");
  if (bare !== hostname) {
    let canonical: string;
    try {
      canonical = new URL(`http://${bare}/`).hostname;
    } catch {
      return `has a host that looks like an IP address but is not one (${hostname})`;
    }
    return hostRefusal(canonical);
  }
  return nameRefusal(hostname);
}

/** Names that cloud instances answer with their metadata service (credentials live there). */
const METADATA_NAMES: ReadonlySet<string> = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]);

/**
 * Suffixes only a local resolver answers: `.local` (multicast DNS), `.home.arpa` (RFC 8375), `.internal`
 * (reserved for private use by ICANN), and those RFC 6762 (appendix G) lists as in common private use.
 */
const PRIVATE_SUFFIXES = ["local", "internal", "home.arpa", "lan", "intranet", "private", "corp", "home"] as const;

function nameRefusal(name: string): string | null {
  if (METADATA_NAMES.has(name)) return `is a cloud metadata service name (${name})`;
  if (name === "localhost" || name.endsWith(".localhost")) return `is a loopback name (${name})`;
  // A single label ("intranet", "printer") is completed by the resolver's search domains: always local.
  if (!name.includes(".")) return `is a single-label name (${name}) that only a local network resolves`;
  const suffix = PRIVATE_SUFFIXES.find((s) => name.endsWith(`.${s}`));
  return suffix ? `is a private-network name (.${suffix}: ${name})` : null;
}

// ---- strict parsers (above the tables built with them) ------------------------------------------------

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
/** Dotted decimal only, no leading zeros: "010.0.0.1" is 8.0.0.1 to some parsers and 10.0.0.1 to others. */
const DOTTED = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

function parseIPv4(text: string): number | null {
  if (!DOTTED.test(text)) return null;
  return text.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

function formatIPv4(a: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((a >> shift) & 0xffn)).join(".");
}

/** RFC 4291 text forms: eight hex groups, at most one "::", an optional dotted IPv4 tail. No zone id. */
function parseIPv6(text: string): bigint | null {
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const [left, right = []] = halves.map((half, i) => wordsOf(half, i === halves.length - 1));
  if (left == null || right === null) return null;
  const count = left.length + right.length;
  // Without "::" there must be all eight groups; with it, "::" stands for at least one.
  if (halves.length === 1 ? count !== 8 : count > 7) return null;
  return [...left, ...Array<number>(8 - count).fill(0), ...right].reduce((a, w) => (a << 16n) | BigInt(w), 0n);
}

/** The 16-bit words of one side of "::"; a dotted IPv4 may only end the address. */
function wordsOf(half: string, endsAddress: boolean): number[] | null {
  if (half === "") return [];
  const groups = half.split(":");
  const out: number[] = [];
  for (const [i, group] of groups.entries()) {
    if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      out.push(Number.parseInt(group, 16));
      continue;
    }
    const n = endsAddress && i === groups.length - 1 ? parseIPv4(group) : null;
    if (n === null) return null;
    out.push(Math.floor(n / 0x10000), n % 0x10000);
  }
  return out;
}

// ---- address ranges -------------------------------------------------------------------------------------
// From the IANA IPv4 and IPv6 special-purpose address registries. Order matters: the first match names the
// range, so a more specific prefix comes before the one that contains it.

type Prefix = readonly [base: bigint, length: number];

const inPrefix = (a: bigint, width: number, [base, length]: Prefix): boolean => a >> BigInt(width - length) === base >> BigInt(width - length);

const v4 = (text: string, length: number): Prefix => {
  const a = parseIPv4(text);
  if (a === null) throw new Error(`bad prefix ${text}`);
  return [BigInt(a), length];
};
const v6 = (text: string, length: number): Prefix => {
  const a = parseIPv6(text);
  if (a === null) throw new Error(`bad prefix ${text}`);
  return [a, length];
};

const IPV4_RANGES: readonly (readonly [Prefix, string])[] = [
  [v4("0.0.0.0", 32), "an unspecified address"],
  [v4("0.0.0.0", 8), "a 'this network' address"],
  [v4("10.0.0.0", 8), "a private address"],
  [v4("100.64.0.0", 10), "a carrier-grade NAT address"],
  [v4("127.0.0.0", 8), "a loopback address"],
  [v4("169.254.0.0", 16), "a link-local address"],
  [v4("172.16.0.0", 12), "a private address"],
  [v4("192.0.0.0", 24), "an address reserved for IETF protocols"],
  [v4("192.0.2.0", 24), "a documentation address"],
  [v4("192.88.99.0", 24), "a 6to4 relay anycast address"],
  [v4("192.168.0.0", 16), "a private address"],
  [v4("198.18.0.0", 15), "a benchmarking address"],
  [v4("198.51.100.0", 24), "a documentation address"],
  [v4("203.0.113.0", 24), "a documentation address"],
  [v4("224.0.0.0", 4), "a multicast address"],
  [v4("255.255.255.255", 32), "a broadcast address"],
  [v4("240.0.0.0", 4), "a reserved address"],
];

/** The non-public range holding an IPv4 address (as a 32-bit integer), or null when it is public. */
function rangeOf4(a: bigint): string | null {
  return IPV4_RANGES.find(([prefix]) => inPrefix(a, 32, prefix))?.[1] ?? null;
}

/** IPv6 prefixes whose low bits carry an IPv4 address that is what actually gets reached. */
const EMBEDDING: readonly (readonly [Prefix, string, (a: bigint) => bigint])[] = [
  [v6("::ffff:0:0", 96), "IPv4-mapped as", (a) => a & 0xffffffffn],
  [v6("64:ff9b::", 96), "through NAT64 as", (a) => a & 0xffffffffn],
  [v6("2002::", 16), "through 6to4 as", (a) => (a >> 80n) & 0xffffffffn],
];

const IPV6_RANGES: readonly (readonly [Prefix, string])[] = [
  [v6("::", 128), "an unspecified address"],
  [v6("::1", 128), "a loopback address"],
  [v6("::", 96), "a deprecated IPv4-compatible address"],
  [v6("64:ff9b:1::", 48), "a local-use NAT64 address"],
  [v6("100::", 64), "a discard-only address"],
  // Teredo's embedded IPv4 addresses are obfuscated: nothing to judge, so the whole prefix is refused.
  [v6("2001::", 32), "a Teredo tunnelling address"],
  [v6("2001:2::", 48), "a benchmarking address"],
  [v6("2001::", 23), "an address reserved for IETF protocols"],
  [v6("2001:db8::", 32), "a documentation address"],
  [v6("3fff::", 20), "a documentation address"],
  [v6("fc00::", 7), "a private (unique local) address"],
  [v6("fe80::", 10), "a link-local address"],
  [v6("fec0::", 10), "a site-local address"],
  [v6("ff00::", 8), "a multicast address"],
];

/** Global unicast: all of today's public IPv6 space; anything outside it is unassigned or special. */
const GLOBAL_UNICAST = v6("2000::", 3);

interface Range6 {
  label: string;
  embedded?: string;
  via?: string;
}

function rangeOf6(a: bigint): Range6 | null {
  for (const [prefix, via, extract] of EMBEDDING) {
    if (!inPrefix(a, 128, prefix)) continue;
    const inner = extract(a);
    const label = rangeOf4(inner);
    return label ? { label, embedded: formatIPv4(inner), via } : null;
  }
  const label = IPV6_RANGES.find(([prefix]) => inPrefix(a, 128, prefix))?.[1];
  if (label) return { label };
  return inPrefix(a, 128, GLOBAL_UNICAST) ? null : { label: "an unassigned or reserved address" };
}
