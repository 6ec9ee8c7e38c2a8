import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// The server POSTs to URLs that browsers hand it (Web Push endpoints), so a URL is accepted only
// when it points at the public internet: https, a public name or address. The sync check runs
// when a URL is stored; the async one again at send time on every DNS answer, so a name that
// later resolves to 127.0.0.1 or the cloud metadata address is refused then too.

/** Why a URL was refused; the callers word it. */
export type PublicUrlProblem =
  'not_url' | 'not_https' | 'credentials' | 'port' | 'private_host' | 'unresolvable';

export interface PublicUrlOptions {
  /**
   * Test only (PUSH_ALLOW_PRIVATE_ENDPOINTS): lets http and local addresses through, so a test's
   * own mock push service on 127.0.0.1 can be reached. Never set in production.
   */
  allowPrivate?: boolean;
  /**
   * Test only, narrower (the dispatcher's PUSH_ALLOW_LOOPBACK_FOR_TESTS): a loopback literal may
   * use http and any port, and a name may resolve to loopback; every other private address is
   * still refused, so the setting cannot open the metadata service or the office network.
   */
  allowLoopback?: boolean;
}

export class PublicUrlError extends Error {
  constructor(readonly problem: PublicUrlProblem) {
    super(`not a public https URL: ${problem}`);
    this.name = 'PublicUrlError';
  }
}

const blocked = new BlockList();
// IPv4: this network, private, CGNAT, loopback, link-local (with 169.254.169.254), IETF protocol
// assignments, documentation, benchmarking, multicast, reserved and broadcast.
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
// IPv6: unspecified, loopback, discard, documentation, unique-local (with fd00:ec2::254),
// site-local, link-local, multicast. IPv4 inside IPv6 is unwrapped below and checked as IPv4.
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fec0::', 10],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (with an IPv4 tail folded in). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const v4 = (high: number, low: number) =>
    [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated but still parsed).
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return v4(g[6]!, g[7]!);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix).
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!);
  // 2002:aabb:ccdd::/48 (6to4).
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!);
  return undefined;
}

/** False for every loopback, private, link-local, CGNAT, multicast, metadata… address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !blocked.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return !blocked.check(v4, 'ipv4');
    return !blocked.check(address, 'ipv6');
  }
  return false;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1 (BlockList matches IPv4-mapped IPv6 against the IPv4 rule). */
function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Names that never mean the public internet: localhost, single labels, local-only zones. */
function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (!name.includes('.')) return true;
  return ['localhost', 'local', 'localdomain', 'internal', 'home.arpa', 'lan', 'intranet'].some(
    (zone) => name === zone || name.endsWith(`.${zone}`),
  );
}

/** The host of a parsed URL without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Why `raw` is not a public https URL, or undefined when it is (no DNS look-up). */
export function publicUrlProblem(
  raw: string,
  options: PublicUrlOptions = {},
): PublicUrlProblem | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not_url';
  }
  const host = hostOf(url);
  const opened = options.allowPrivate || (options.allowLoopback && isLoopbackAddress(host));
  const schemes = opened ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return 'not_https';
  if (url.username || url.password) return 'credentials';
  if (opened) return undefined;
  // Push services listen on 443; another port on a public host is somebody's other service.
  if (url.port !== '') return 'port';
  if (isIP(host) !== 0) return isPublicAddress(host) ? undefined : 'private_host';
  return isLocalName(host) ? 'private_host' : undefined;
}

/** The URL, or a PublicUrlError: for a value about to be stored. */
export function checkPublicUrl(raw: string, options: PublicUrlOptions = {}): URL {
  const problem = publicUrlProblem(raw, options);
  if (problem) throw new PublicUrlError(problem);
  return new URL(raw);
}

export type Resolver = (hostname: string) => Promise<string[]>;

const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((answer) => answer.address);

/**
 * At send time: the URL's check, then every address its name resolves to must be public (one
 * private answer refuses all: a client could pick it). Connect to one of the returned
 * addresses, not the name again, or a second look-up could answer differently.
 */
export async function resolvePublicUrl(
  raw: string,
  options: PublicUrlOptions & { resolve?: Resolver } = {},
): Promise<{ url: URL; addresses: string[] }> {
  const url = checkPublicUrl(raw, options);
  const host = hostOf(url);
  if (isIP(host) !== 0) return { url, addresses: [host] };
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? systemResolver)(host);
  } catch {
    throw new PublicUrlError('unresolvable');
  }
  if (addresses.length === 0) throw new PublicUrlError('unresolvable');
  const allowed = (address: string) =>
    isPublicAddress(address) || (options.allowLoopback === true && isLoopbackAddress(address));
  if (!options.allowPrivate && !addresses.every(allowed)) {
    throw new PublicUrlError('private_host');
  }
  return { url, addresses };
}
