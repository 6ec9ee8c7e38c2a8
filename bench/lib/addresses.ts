// The bench's recipients: child n of a bench city has the address addressOf(n), so that the
// bare loop mails exactly the dispatcher's recipients and a fault sink can pick some out.

/**
 * Parents' providers, weighted roughly as Japanese school mail lists look: mostly the three
 * mobile carriers (which the dispatcher throttles per carrier), then free mail.
 */
export const DOMAIN_MIX: [domain: string, weight: number][] = [
  ['docomo.ne.jp', 25],
  ['ezweb.ne.jp', 12],
  ['au.com', 6],
  ['softbank.ne.jp', 9],
  ['i.softbank.jp', 6],
  ['gmail.com', 20],
  ['icloud.com', 10],
  ['yahoo.co.jp', 12],
];
const DOMAIN_TABLE = DOMAIN_MIX.flatMap(([domain, weight]) => Array<string>(weight).fill(domain));

/** The address of child number `n` (0-based). */
export function addressOf(n: number): string {
  return `bench-${n}@${DOMAIN_TABLE[n % DOMAIN_TABLE.length]}`;
}

/** Child number `n` from an address made by addressOf; -1 for any other address. */
export function childNumberOf(address: string): number {
  return Number(/^bench-(\d+)@/.exec(address)?.[1] ?? -1);
}
