/**
 * SSRF guard for user-supplied webhook and Slack URLs (DESIGN.md "Reliability and security rules").
 *
 * A URL passes only when it is http(s) and EVERY address its host resolves to is a global unicast address
 * (ipaddr.js `range() === "unicast"`). Refused: loopback, private (10/8, 172.16/12, 192.168/16), CGNAT
 * (100.64/10), unique-local (fc00::/7), link-local (169.254/16 incl. the 169.254.169.254 metadata service,
 * fe80::/10), unspecified, multicast, broadcast, reserved/benchmarking/documentation ranges, and IPv6 forms that
 * embed an IPv4 address (IPv4-mapped ::ffff:a.b.c.d is checked as the IPv4 it maps; NAT64, 6to4, Teredo are
 * refused). Decimal/octal/hex IPv4 spellings (http://2130706433/, http://0177.0.0.1/) are normalised by the
 * WHATWG URL parser before the check, and names like "localhost" are refused by what they resolve to.
 *
 * Hosts in the admin allowlist (NOTIFY_ALLOWED_HOSTS ∪ the hosts admins add on /admin, see
 * server/services/notify-allowlist-cache.ts) skip the address check (the tests' local receivers use it), except
 * for cloud metadata addresses (169.254/16, fd00:ec2::254, 100.100.100.200, 192.0.0.192), which are refused
 * whatever the allowlist says. Either way the caller connects to the returned `addresses` (pinned lookup, see
 * http-post.ts), so a DNS answer that changes between check and connect (DNS rebinding) cannot redirect the request.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address (dns.lookup semantics: /etc/hosts, then DNS). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface CheckedTarget {
  url: URL;
  /** Host name without IPv6 brackets, lower case. */
  hostname: string;
  /** The addresses that were checked; connect only to these. */
  addresses: ResolvedAddress[];
  /** True when the host was on the admin allowlist (address checks skipped). */
  allowlisted: boolean;
}

/** A URL the guard refuses; `reason` is safe to show to the user. */
export class SsrfRefusedError extends Error {
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`refused ${target}: ${reason}`);
    this.name = "SsrfRefusedError";
  }
}

export const defaultResolver: HostResolver = async (hostname) => {
  const results = await dnsLookup(hostname, { all: true, verbatim: true });
  return results.map((result) => ({ address: result.address, family: result.family === 6 ? 6 : 4 }));
};

/** Parses NOTIFY_ALLOWED_HOSTS ("hooks.example.com, 127.0.0.1, [::1]") into normalised host names. */
export function parseAllowedHosts(value: string): Set<string> {
  return new Set(
    value
      .split(",")
      .map((host) => normaliseHost(host.trim()))
      .filter((host) => host.length > 0),
  );
}

/** Lower case, IPv6 brackets and a trailing dot removed: the form allowlists store and the guard compares. */
export function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

/** IPv4 link-local (AWS/GCP/Azure/OpenStack metadata 169.254.169.254, ECS 169.254.170.2, …). */
const METADATA_V4_RANGE = ipaddr.parseCIDR("169.254.0.0/16");
/** Other clouds' metadata endpoints: AWS IMDS over IPv6, Alibaba, Oracle. */
const METADATA_ADDRESSES = new Set(["fd00:ec2::254", "100.100.100.200", "192.0.0.192"]);

/**
 * True for cloud metadata addresses, which no allowlist can open (IPv4-mapped forms included).
 * @example isMetadataAddress("169.254.169.254") // true
 * @example isMetadataAddress("::ffff:169.254.169.254") // true
 * @example isMetadataAddress("127.0.0.1") // false
 */
export function isMetadataAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === "ipv4" && (parsed as ipaddr.IPv4).match(METADATA_V4_RANGE as [ipaddr.IPv4, number])) return true;
  return METADATA_ADDRESSES.has(parsed.toString());
}

/**
 * Why an address is refused, or null when it is a global unicast address.
 * @example addressRefusal("169.254.169.254") // "link-local address"
 * @example addressRefusal("::ffff:127.0.0.1") // "loopback address (IPv4-mapped)"
 * @example addressRefusal("93.184.216.34") // null
 */
export function addressRefusal(address: string): string | null {
  if (!ipaddr.isValid(address)) return "not an IP address";
  let parsed = ipaddr.parse(address);
  let mapped = false;
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    mapped = true;
  }
  const range = parsed.range();
  if (range === "unicast") return null;
  const label = RANGE_LABELS[range] ?? `${range} address`;
  return mapped ? `${label} (IPv4-mapped)` : label;
}

const RANGE_LABELS: Record<string, string> = {
  loopback: "loopback address",
  private: "private address",
  carrierGradeNat: "carrier-grade NAT address (100.64/10)",
  uniqueLocal: "unique-local address (fc00::/7)",
  linkLocal: "link-local address",
  unspecified: "unspecified address",
  multicast: "multicast address",
  broadcast: "broadcast address",
  reserved: "reserved address",
  rfc6052: "NAT64 address embedding IPv4",
  rfc6145: "IPv4-translated address",
  "6to4": "6to4 address embedding IPv4",
  teredo: "Teredo address embedding IPv4",
};

/** The current allowlist, asked on every check (server/services/notify-allowlist-cache.ts: env ∪ database, cached). */
export type AllowedHostsSource = () => Promise<ReadonlySet<string>>;

export interface GuardOptions {
  /** Normalised allowlisted hosts (parseAllowedHosts), or a source asked on every check so admin changes apply without a restart. */
  allowedHosts: ReadonlySet<string> | AllowedHostsSource;
  resolve?: HostResolver;
}

/**
 * Checks a user-supplied URL; resolves to the pinned target or throws SsrfRefusedError.
 * @example await checkTarget("http://2130706433/hook", { allowedHosts: new Set() }) // throws: loopback address
 */
export async function checkTarget(rawUrl: string, options: GuardOptions): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SsrfRefusedError(rawUrl, "not a valid URL");
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new SsrfRefusedError(shown, `scheme ${url.protocol} is not http or https`);
  if (url.username || url.password) throw new SsrfRefusedError(shown, "credentials in the URL are not allowed");
  const hostname = normaliseHost(url.hostname);
  if (hostname.length === 0) throw new SsrfRefusedError(shown, "no host");
  const allowedHosts = typeof options.allowedHosts === "function" ? await options.allowedHosts() : options.allowedHosts;
  const allowlisted = allowedHosts.has(hostname);

  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(hostname)) {
    addresses = [{ address: hostname, family: ipaddr.parse(hostname).kind() === "ipv6" ? 6 : 4 }];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolver)(hostname);
    } catch (error) {
      throw new SsrfRefusedError(shown, `host does not resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (addresses.length === 0) throw new SsrfRefusedError(shown, "host does not resolve");
  }
  for (const { address } of addresses) {
    if (isMetadataAddress(address)) {
      throw new SsrfRefusedError(shown, `${hostname} resolves to ${address}, a ${addressRefusal(address) ?? "reserved address"} of cloud metadata services, which no allowlist opens`);
    }
    if (allowlisted) continue;
    const refusal = addressRefusal(address);
    if (refusal) throw new SsrfRefusedError(shown, `${hostname} resolves to ${address}, a ${refusal}; ask an admin to allow the host (/admin or NOTIFY_ALLOWED_HOSTS)`);
  }
  return { url, hostname, addresses, allowlisted };
}
