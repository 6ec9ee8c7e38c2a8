// MERGE: replace with @renraku/shared public-url
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// The server POSTs to URLs that browsers hand it, so a subscription could point the dispatcher
// at the database, the cloud's metadata service or the office network. Every address a push
// endpoint resolves to is checked when the connection is made, and the connection goes to the
// address that was checked (no second lookup an attacker's DNS could answer differently).

/** Never reachable from a push service on the internet: RFC 6890 special-purpose ranges. */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  // Link-local, with the cloud metadata service at 169.254.169.254.
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
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  // NAT64 and 6to4 carry an IPv4 address that could be any of the above. (IPv4-mapped
  // addresses need no rule: BlockList checks them against the IPv4 rules.)
  ['64:ff9b::', 96],
  ['2002::', 16],
  ['100::', 64],
  ['2001:db8::', 32],
  // Unique local (AWS's metadata service is fd00:ec2::254), link-local, multicast.
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Loopback is allowed only by the test-only setting, for a mock push service on this host. */
export interface AddressPolicy {
  allowLoopback: boolean;
}

/** 127.0.0.0/8 and ::1: the only addresses the test-only setting opens. */
export function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why the address may not be connected to, or null when it is a public address. */
export function addressRefusal(address: string, policy: AddressPolicy): string | null {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  if (policy.allowLoopback && isLoopback(address)) return null;
  return NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6')
    ? `${address} is not a public address`
    : null;
}

/** The error a refused address fails the connection with, recognisable by its code. */
export class AddressRefused extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  constructor(reason: string) {
    super(reason);
    this.name = 'AddressRefused';
  }
}

/**
 * A `lookup` for http.request and net.connect that resolves the name, refuses it when any answer
 * is not public (a name that also points inward is not trusted for its other answers) and hands
 * over only checked addresses. IP literals never reach a lookup: check those with addressRefusal.
 */
export function checkedLookup(policy: AddressPolicy, resolve = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, answers) => {
      if (error) return callback(error, '', 0);
      const refusal =
        answers.length === 0
          ? `${hostname} has no address`
          : answers.map(({ address }) => addressRefusal(address, policy)).find(Boolean);
      if (refusal) return callback(new AddressRefused(`${hostname}: ${refusal}`), '', 0);
      if (options.all) return (callback as AllCallback)(null, answers);
      const [first] = answers;
      callback(null, first!.address, first!.family);
    });
  };
}

type AllCallback = (error: null, addresses: { address: string; family: number }[]) => void;
