import { isIPv6 } from 'node:net';

// Checks on the SMTP envelope, before anything is looked up or stored.

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;
// Printable ASCII without the characters that delimit an address. Dots are allowed anywhere:
// Japanese carriers long issued addresses such as "taro..hanako.@docomo.ne.jp", which break
// RFC 5322's dot-atom yet receive mail, and those parents must be able to register.
const LOCAL_PART = /^[\x21-\x7e]{1,64}$/;
const ADDRESS_DELIMITERS = /["(),:;<>@[\\\]]/;

/**
 * Whether a reverse path is one we can answer and store: an ASCII local part and a real domain.
 * Quoted local parts, address literals and SMTPUTF8 addresses are refused; no phone carrier
 * issues them, and the reply could not be delivered through the carriers' gateways anyway.
 */
export function isAnswerableAddress(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at < 1) return false;
  const local = address.slice(0, at);
  return (
    LOCAL_PART.test(local) && !ADDRESS_DELIMITERS.test(local) && DOMAIN.test(address.slice(at + 1))
  );
}

/**
 * The unit the per-client limit counts: an IPv4 address, or an IPv6 /64 (one site, which can
 * otherwise rotate through 2^64 addresses). IPv4-mapped IPv6 counts as the IPv4 address.
 */
export function clientKeyOf(remoteAddress: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped?.[1]) return mapped[1];
  // Not an address we can split (or one with an IPv4 tail): count it as it is.
  if (!isIPv6(remoteAddress) || remoteAddress.includes('.')) return remoteAddress;
  const [head = '', tail = ''] = remoteAddress.toLowerCase().replace(/%.*$/, '').split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return `${[...headGroups, ...zeros, ...tailGroups].slice(0, 4).join(':')}::/64`;
}

/** How log lines name a sender: the start of its blind index, never the address. */
export function senderRef(senderBlindIndex: string): string {
  return senderBlindIndex.slice(0, 12);
}
