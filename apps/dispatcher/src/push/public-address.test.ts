import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { AddressRefused, addressRefusal, checkedLookup } from './public-address';

const strict = { allowLoopback: false };
const testing = { allowLoopback: true };

describe('addressRefusal', () => {
  it('lets public addresses through', () => {
    for (const address of [
      '142.250.196.106',
      '8.8.8.8',
      '2404:6800:4004:81f::200a',
      '2001:4860::1',
    ]) {
      expect(addressRefusal(address, strict), address).toBeNull();
    }
  });

  it('refuses loopback, private, link-local, metadata and other special addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.10',
      '100.64.0.1',
      '169.254.169.254',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a00:1',
      'fc00::1',
      'fd00:ec2::254',
      'fe80::1',
      'ff02::1',
      '2001:db8::1',
    ]) {
      expect(addressRefusal(address, strict), address).toMatch(/is not a public address/);
    }
    expect(addressRefusal('push.example.com', strict)).toMatch(/is not an IP address/);
  });

  it('the test setting opens loopback only', () => {
    expect(addressRefusal('127.0.0.1', testing)).toBeNull();
    expect(addressRefusal('::1', testing)).toBeNull();
    for (const address of ['10.1.2.3', '169.254.169.254', 'fd00::1']) {
      expect(addressRefusal(address, testing), address).not.toBeNull();
    }
  });
});

describe('checkedLookup', () => {
  const lookupWith = (answers: LookupAddress[]) =>
    checkedLookup(strict, ((
      _host: string,
      _options: object,
      callback: (e: null, a: LookupAddress[]) => void,
    ) => callback(null, answers)) as never);
  const run = (lookup: ReturnType<typeof checkedLookup>, all: boolean) =>
    new Promise<{ error: Error | null; result: unknown }>((resolve) =>
      lookup('push.example.com', { all }, (error, address, family) =>
        resolve({ error, result: all ? address : { address, family } }),
      ),
    );

  it('hands over checked answers, one or all as asked', async () => {
    const answers = [
      { address: '142.250.196.106', family: 4 },
      { address: '2404:6800:4004:81f::200a', family: 6 },
    ];
    expect(await run(lookupWith(answers), true)).toEqual({ error: null, result: answers });
    expect(await run(lookupWith(answers), false)).toEqual({ error: null, result: answers[0] });
  });

  it('refuses a name when any answer points inward, or there is none', async () => {
    for (const answers of [
      [{ address: '169.254.169.254', family: 4 }],
      [
        { address: '142.250.196.106', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
      [],
    ]) {
      const { error } = await run(lookupWith(answers), true);
      expect(error).toBeInstanceOf(AddressRefused);
    }
  });
});
