// Subscriber URL checks as tables: what production refuses and why, what local development admits, and the
// address classifier the delivery-time check uses. The URLs go through the real WHATWG parser (workerd's).
import { describe, expect, it } from "vitest";
import { checkSubscriptionUrl, isPublicAddress, MAX_URL_LENGTH } from "../../src/subscriptions/url-safety";

describe("checkSubscriptionUrl in production (allowInsecure false)", () => {
  const accepted: { raw: string; url: string }[] = [
    { raw: "https://hooks.example.com/dockline", url: "https://hooks.example.com/dockline" },
    { raw: "https://HOOKS.Example.COM:8443/a?b=c", url: "https://hooks.example.com:8443/a?b=c" },
    { raw: "  https://example.com/a b  ", url: "https://example.com/a%20b" },
    { raw: "https://example.com.", url: "https://example.com./" },
    { raw: "https://8.8.8.8/hook", url: "https://8.8.8.8/hook" },
    { raw: "https://[2606:4700:4700::1111]/hook", url: "https://[2606:4700:4700::1111]/hook" },
    { raw: "https://[::ffff:8.8.8.8]/", url: "https://[::ffff:808:808]/" },
    { raw: "https://[2002:808:808::1]/", url: "https://[2002:808:808::1]/" },
    { raw: "https://@example.com/", url: "https://example.com/" },
    { raw: "https://bücher.example/", url: "https://xn--bcher-kva.example/" },
    { raw: "https://hooks.slack.com/services/T0/B0/xyz", url: "https://hooks.slack.com/services/T0/B0/xyz" },
    { raw: "https://events.pagerduty.com/v2/enqueue", url: "https://events.pagerduty.com/v2/enqueue" },
    { raw: "https://100.63.255.255/", url: "https://100.63.255.255/" },
    { raw: "https://172.32.0.1/", url: "https://172.32.0.1/" },
    { raw: "https://localhost.example.com/", url: "https://localhost.example.com/" },
  ];
  for (const t of accepted) {
    it(`accepts ${JSON.stringify(t.raw)} as ${t.url}`, () => {
      expect(checkSubscriptionUrl(t.raw, false)).toEqual({ ok: true, url: t.url });
    });
  }

  const refused: { name: string; raw: string; reason: string }[] = [
    // scheme, credentials, shape
    { name: "plain http", raw: "http://hooks.example.com/", reason: "must use https" },
    { name: "another scheme", raw: "ftp://hooks.example.com/", reason: "must use https" },
    { name: "javascript:", raw: "javascript:alert(1)", reason: "must use https" },
    { name: "not a URL", raw: "hooks.example.com/dockline", reason: "is not a valid absolute URL" },
    { name: "an empty string", raw: "", reason: "is not a valid absolute URL" },
    { name: "a user name", raw: "https://user@example.com/", reason: "must not contain a username or password" },
    { name: "a password only", raw: "https://:secret@example.com/", reason: "must not contain a username or password" },
    { name: "credentials posing as a host", raw: "https://127.0.0.1:443@example.com/", reason: "must not contain a username or password" },
    { name: "a URL over the limit", raw: `https://example.com/${"a".repeat(MAX_URL_LENGTH)}`, reason: `is longer than ${MAX_URL_LENGTH} characters` },
    {
      name: "a URL that percent-encoding takes over the limit",
      raw: `https://example.com/${" ".repeat(MAX_URL_LENGTH - 100)}x`,
      reason: `is longer than ${MAX_URL_LENGTH} characters once normalised`,
    },
    // IPv4 literals, in every form the parser reads
    { name: "loopback", raw: "https://127.0.0.1/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback, anywhere in 127/8", raw: "https://127.255.0.9/", reason: "resolves to a loopback address (127.255.0.9)" },
    { name: "loopback as one decimal number", raw: "https://2130706433/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback in hex", raw: "https://0x7f.1/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback as one octal number", raw: "https://017700000001/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback with octal octets", raw: "https://0177.0.0.1/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback shortened", raw: "https://127.1/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback percent-encoded", raw: "https://%31%32%37.0.0.1/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback in full-width digits", raw: "https://１２７.0.0.1/", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback with a trailing dot", raw: "https://127.0.0.1./", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "loopback with trailing dots the parser keeps", raw: "https://127.0.0.1../", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "hex loopback with trailing dots", raw: "https://0x7f.1../", reason: "resolves to a loopback address (127.0.0.1)" },
    { name: "unspecified", raw: "https://0.0.0.0/", reason: "resolves to an unspecified address (0.0.0.0)" },
    { name: "unspecified as 0", raw: "https://0/", reason: "resolves to an unspecified address (0.0.0.0)" },
    { name: "'this network'", raw: "https://0.1.2.3/", reason: "resolves to a 'this network' address (0.1.2.3)" },
    { name: "10/8", raw: "https://10.1.2.3/", reason: "resolves to a private address (10.1.2.3)" },
    { name: "172.16/12", raw: "https://172.31.255.255/", reason: "resolves to a private address (172.31.255.255)" },
    { name: "192.168/16", raw: "https://192.168.1.1:8443/", reason: "resolves to a private address (192.168.1.1)" },
    { name: "CGNAT 100.64/10", raw: "https://100.64.0.1/", reason: "resolves to a carrier-grade NAT address (100.64.0.1)" },
    { name: "CGNAT, its top", raw: "https://100.127.255.254/", reason: "resolves to a carrier-grade NAT address (100.127.255.254)" },
    { name: "link-local (cloud metadata)", raw: "https://169.254.169.254/latest/meta-data/", reason: "resolves to a link-local address (169.254.169.254)" },
    { name: "IETF protocol assignments", raw: "https://192.0.0.192/", reason: "resolves to an address reserved for IETF protocols (192.0.0.192)" },
    { name: "TEST-NET-1", raw: "https://192.0.2.10/", reason: "resolves to a documentation address (192.0.2.10)" },
    { name: "TEST-NET-2", raw: "https://198.51.100.7/", reason: "resolves to a documentation address (198.51.100.7)" },
    { name: "TEST-NET-3", raw: "https://203.0.113.1/", reason: "resolves to a documentation address (203.0.113.1)" },
    { name: "benchmarking 198.18/15", raw: "https://198.19.255.1/", reason: "resolves to a benchmarking address (198.19.255.1)" },
    { name: "6to4 relay anycast", raw: "https://192.88.99.1/", reason: "resolves to a 6to4 relay anycast address (192.88.99.1)" },
    { name: "multicast", raw: "https://224.0.0.251/", reason: "resolves to a multicast address (224.0.0.251)" },
    { name: "reserved 240/4", raw: "https://240.0.0.1/", reason: "resolves to a reserved address (240.0.0.1)" },
    { name: "broadcast", raw: "https://255.255.255.255/", reason: "resolves to a broadcast address (255.255.255.255)" },
    // IPv6 literals
    { name: "IPv6 loopback", raw: "https://[::1]/", reason: "resolves to a loopback address (::1)" },
    { name: "IPv6 loopback written in full", raw: "https://[0:0:0:0:0:0:0:1]/", reason: "resolves to a loopback address (::1)" },
    { name: "IPv6 unspecified", raw: "https://[::]/", reason: "resolves to an unspecified address (::)" },
    { name: "unique local fc00::/7", raw: "https://[fd12:3456::1]/", reason: "resolves to a private (unique local) address (fd12:3456::1)" },
    { name: "unique local, fc half", raw: "https://[fc00::1]/", reason: "resolves to a private (unique local) address (fc00::1)" },
    { name: "link-local fe80::/10", raw: "https://[fe80::1]/", reason: "resolves to a link-local address (fe80::1)" },
    { name: "link-local, top of fe80::/10", raw: "https://[febf::1]/", reason: "resolves to a link-local address (febf::1)" },
    { name: "site-local (deprecated)", raw: "https://[fec0::1]/", reason: "resolves to a site-local address (fec0::1)" },
    { name: "multicast ff00::/8", raw: "https://[ff02::1]/", reason: "resolves to a multicast address (ff02::1)" },
    {
      name: "IPv4-mapped loopback",
      raw: "https://[::ffff:127.0.0.1]/",
      reason: "resolves to a loopback address (127.0.0.1, IPv4-mapped as ::ffff:7f00:1)",
    },
    {
      name: "IPv4-mapped loopback in hex",
      raw: "https://[::ffff:7f00:1]/",
      reason: "resolves to a loopback address (127.0.0.1, IPv4-mapped as ::ffff:7f00:1)",
    },
    {
      name: "IPv4-mapped metadata address",
      raw: "https://[0:0:0:0:0:ffff:a9fe:a9fe]/",
      reason: "resolves to a link-local address (169.254.169.254, IPv4-mapped as ::ffff:a9fe:a9fe)",
    },
    { name: "IPv4-compatible (deprecated)", raw: "https://[::127.0.0.1]/", reason: "resolves to a deprecated IPv4-compatible address (::7f00:1)" },
    {
      name: "NAT64 of a private IPv4",
      raw: "https://[64:ff9b::10.0.0.1]/",
      reason: "resolves to a private address (10.0.0.1, through NAT64 as 64:ff9b::a00:1)",
    },
    { name: "NAT64 local use", raw: "https://[64:ff9b:1::1]/", reason: "resolves to a local-use NAT64 address (64:ff9b:1::1)" },
    { name: "6to4 of loopback", raw: "https://[2002:7f00:1::1]/", reason: "resolves to a loopback address (127.0.0.1, through 6to4 as 2002:7f00:1::1)" },
    { name: "6to4 of 192.168/16", raw: "https://[2002:c0a8:101::]/", reason: "resolves to a private address (192.168.1.1, through 6to4 as 2002:c0a8:101::)" },
    { name: "documentation 2001:db8::/32", raw: "https://[2001:db8::1]/", reason: "resolves to a documentation address (2001:db8::1)" },
    { name: "documentation 3fff::/20", raw: "https://[3fff:fff::1]/", reason: "resolves to a documentation address (3fff:fff::1)" },
    { name: "Teredo", raw: "https://[2001:0:4136:e378::1]/", reason: "resolves to a Teredo tunnelling address (2001:0:4136:e378::1)" },
    { name: "IPv6 benchmarking", raw: "https://[2001:2::1]/", reason: "resolves to a benchmarking address (2001:2::1)" },
    { name: "discard-only", raw: "https://[100::1]/", reason: "resolves to a discard-only address (100::1)" },
    { name: "outside global unicast", raw: "https://[4000::1]/", reason: "resolves to an unassigned or reserved address (4000::1)" },
    // names
    { name: "localhost", raw: "https://localhost/", reason: "is a loopback name (localhost)" },
    { name: "LOCALHOST, any case", raw: "https://LocalHost:8787/", reason: "is a loopback name (localhost)" },
    { name: "localhost with a trailing dot", raw: "https://localhost./", reason: "is a loopback name (localhost)" },
    { name: "localhost with trailing dots", raw: "https://localhost../", reason: "is a loopback name (localhost)" },
    { name: "a .localhost name", raw: "https://api.localhost/", reason: "is a loopback name (api.localhost)" },
    { name: "a .local name", raw: "https://printer.local/", reason: "is a private-network name (.local: printer.local)" },
    { name: "a .internal name", raw: "https://db.corp.internal/", reason: "is a private-network name (.internal: db.corp.internal)" },
    { name: "a .home.arpa name", raw: "https://nas.home.arpa/", reason: "is a private-network name (.home.arpa: nas.home.arpa)" },
    { name: "a .lan name", raw: "https://router.lan/", reason: "is a private-network name (.lan: router.lan)" },
    { name: "a .corp name", raw: "https://wiki.corp/", reason: "is a private-network name (.corp: wiki.corp)" },
    {
      name: "a Kubernetes service name",
      raw: "https://api.default.svc.cluster.local/",
      reason: "is a private-network name (.local: api.default.svc.cluster.local)",
    },
    { name: "a name without a dot", raw: "https://intranet/", reason: "is a single-label name (intranet) that only a local network resolves" },
    {
      name: "GCP metadata",
      raw: "https://metadata.google.internal/computeMetadata/v1/",
      reason: "is a cloud metadata service name (metadata.google.internal)",
    },
    { name: "GCP metadata, short name", raw: "https://metadata.goog/", reason: "is a cloud metadata service name (metadata.goog)" },
    { name: "AWS instance-data", raw: "https://instance-data/", reason: "is a cloud metadata service name (instance-data)" },
  ];
  for (const t of refused) {
    it(`refuses ${t.name}: ${t.reason}`, () => {
      expect(checkSubscriptionUrl(t.raw, false)).toEqual({ ok: false, reason: t.reason });
    });
  }

  it("accepts a URL exactly at the length limit", () => {
    const raw = `https://example.com/${"a".repeat(MAX_URL_LENGTH - "https://example.com/".length)}`;
    expect(raw).toHaveLength(MAX_URL_LENGTH);
    expect(checkSubscriptionUrl(raw, false)).toEqual({ ok: true, url: raw });
  });

  it("judges the host, not a look-alike in the fragment or path", () => {
    expect(checkSubscriptionUrl("https://example.com/#@127.0.0.1", false)).toEqual({ ok: true, url: "https://example.com/#@127.0.0.1" });
    expect(checkSubscriptionUrl("https://example.com/127.0.0.1/localhost", false)).toEqual({ ok: true, url: "https://example.com/127.0.0.1/localhost" });
  });

  it("cannot see that a public name resolves to a private address (the check is literal by design)", () => {
    expect(checkSubscriptionUrl("https://127.0.0.1.nip.io/", false)).toEqual({ ok: true, url: "https://127.0.0.1.nip.io/" });
  });
});

describe("checkSubscriptionUrl in local development (allowInsecure true)", () => {
  const accepted: { raw: string; url: string }[] = [
    { raw: "http://127.0.0.1:8789/subscriber", url: "http://127.0.0.1:8789/subscriber" },
    { raw: "http://localhost:8787/hook", url: "http://localhost:8787/hook" },
    { raw: "http://2130706433/", url: "http://127.0.0.1/" },
    { raw: "http://[::1]:9000/", url: "http://[::1]:9000/" },
    { raw: "http://10.0.0.5/", url: "http://10.0.0.5/" },
    { raw: "http://printer.local/", url: "http://printer.local/" },
    { raw: "http://subscriber/", url: "http://subscriber/" },
    { raw: "https://hooks.example.com/", url: "https://hooks.example.com/" },
    { raw: "https://169.254.169.254/", url: "https://169.254.169.254/" },
  ];
  for (const t of accepted) {
    it(`accepts ${t.raw}`, () => {
      expect(checkSubscriptionUrl(t.raw, true)).toEqual({ ok: true, url: t.url });
    });
  }

  const refused: { name: string; raw: string; reason: string }[] = [
    { name: "ftp", raw: "ftp://127.0.0.1/", reason: "must use http or https" },
    { name: "file", raw: "file:///etc/passwd", reason: "must use http or https" },
    { name: "data", raw: "data:text/plain,hi", reason: "must use http or https" },
    { name: "ws", raw: "ws://localhost:8787/", reason: "must use http or https" },
    { name: "credentials over http", raw: "http://admin:admin@localhost/", reason: "must not contain a username or password" },
    { name: "credentials over https", raw: "https://token@hooks.example.com/", reason: "must not contain a username or password" },
    { name: "not a URL", raw: "localhost:8787", reason: "must use http or https" },
    { name: "garbage", raw: "http://[::1/", reason: "is not a valid absolute URL" },
    { name: "too long", raw: `http://localhost/${"a".repeat(MAX_URL_LENGTH)}`, reason: `is longer than ${MAX_URL_LENGTH} characters` },
  ];
  for (const t of refused) {
    it(`still refuses ${t.name}: ${t.reason}`, () => {
      expect(checkSubscriptionUrl(t.raw, true)).toEqual({ ok: false, reason: t.reason });
    });
  }
});

describe("isPublicAddress", () => {
  const table: [ip: string, isPublic: boolean][] = [
    ["8.8.8.8", true],
    ["1.1.1.1", true],
    ["203.0.114.7", true],
    ["100.63.255.255", true],
    ["100.128.0.0", true],
    ["172.15.255.255", true],
    ["172.32.0.0", true],
    ["198.17.255.255", true],
    ["198.20.0.0", true],
    ["223.255.255.255", true],
    ["2606:4700:4700::1111", true],
    ["[2606:4700:4700::1111]", true],
    ["2001:4860:4860::8888", true],
    ["2001:200::1", true],
    ["::ffff:8.8.8.8", true],
    ["64:ff9b::808:808", true],
    ["2002:808:808::", true],
    ["127.0.0.1", false],
    ["10.255.255.255", false],
    ["172.16.0.0", false],
    ["192.168.0.1", false],
    ["100.64.0.0", false],
    ["169.254.169.254", false],
    ["0.0.0.0", false],
    ["198.18.0.1", false],
    ["192.0.2.1", false],
    ["224.0.0.1", false],
    ["239.255.255.255", false],
    ["240.0.0.1", false],
    ["255.255.255.255", false],
    ["::1", false],
    ["[::1]", false],
    ["::", false],
    ["fc00::1", false],
    ["fdff:ffff::1", false],
    ["fe80::1", false],
    ["ff02::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:7f00:1", false],
    ["0:0:0:0:0:ffff:10.0.0.1", false],
    ["64:ff9b::7f00:1", false],
    ["64:ff9b::192.168.0.1", false],
    ["2002:a00:1::", false],
    ["2001:db8::1", false],
    ["2001::1", false],
    ["::127.0.0.1", false],
    // not plainly written addresses: never shown to be public
    ["example.com", false],
    ["", false],
    ["010.0.0.1", false],
    ["8.8.8", false],
    ["8.8.8.256", false],
    ["2130706433", false],
    ["0x7f.0.0.1", false],
    ["fe80::1%eth0", false],
    ["2606:4700::1111::1", false],
    ["2606:4700:4700:0:0:0:0:1111:1", false],
    ["2606:4700:4700:1:2:3:4", false],
    ["1.2.3.4::", false],
    ["12345::1", false],
    [":2606::1", false],
  ];
  for (const [ip, expected] of table) {
    it(`${JSON.stringify(ip)} is ${expected ? "public" : "not public"}`, () => {
      expect(isPublicAddress(ip)).toBe(expected);
    });
  }
});
