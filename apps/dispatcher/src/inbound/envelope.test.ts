import { describe, expect, it } from 'vitest';
import { clientKeyOf, isAnswerableAddress } from './envelope';

describe('envelope', () => {
  it.each([
    'parent@docomo.ne.jp',
    'taro..hanako.@docomo.ne.jp',
    'a+b_c-d@i.softbank.jp',
    'x@xn--eckwd4c7c.jp',
  ])('answers %s', (address) => {
    expect(isAnswerableAddress(address)).toBe(true);
  });

  it.each([
    'no-at-sign',
    '@docomo.ne.jp',
    'a@b',
    'a@-bad-.jp',
    '"quoted"@docomo.ne.jp',
    'a b@docomo.ne.jp',
    'たろう@docomo.ne.jp',
    'a@[127.0.0.1]',
    `${'a'.repeat(65)}@docomo.ne.jp`,
    `a@${'b'.repeat(250)}.jp`,
  ])('does not answer %s', (address) => {
    expect(isAnswerableAddress(address)).toBe(false);
  });

  it('counts IPv4 as itself and IPv6 by /64', () => {
    expect(clientKeyOf('203.0.113.5')).toBe('203.0.113.5');
    expect(clientKeyOf('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(clientKeyOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientKeyOf('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
  });
});
