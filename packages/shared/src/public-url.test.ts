import { describe, expect, it } from 'vitest';
import {
  checkPublicUrl,
  isPublicAddress,
  PublicUrlError,
  publicUrlProblem,
  resolvePublicUrl,
  type PublicUrlProblem,
} from './public-url';

describe('isPublicAddress', () => {
  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.255.255.255',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '192.0.2.10',
    '198.18.0.1',
    '224.0.0.251',
    '255.255.255.255',
    '::',
    '::1',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '2001:db8::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
    '64:ff9b::a00:1',
    '2002:c0a8:0101::1',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '142.250.196.110',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '2404:6800:4004:81f::200a',
    '2001:4860::1',
    '::ffff:8.8.8.8',
  ])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('refuses what is not an address at all', () => {
    expect(isPublicAddress('example.com')).toBe(false);
    expect(isPublicAddress('')).toBe(false);
  });
});

describe('publicUrlProblem', () => {
  it('accepts the push services', () => {
    for (const url of [
      'https://fcm.googleapis.com/fcm/send/abc:APA91b',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
      'https://web.push.apple.com/QGx5',
      'https://wns2-bn3p.notify.windows.com/w/?token=AwYAAA',
      'https://8.8.8.8/x',
    ]) {
      expect(publicUrlProblem(url)).toBeUndefined();
    }
  });

  it.each([
    ['not a url', 'not_url'],
    ['', 'not_url'],
    ['http://fcm.googleapis.com/fcm/send/x', 'not_https'],
    ['ftp://fcm.googleapis.com/x', 'not_https'],
    ['javascript:alert(1)', 'not_https'],
    ['https://user:pw@fcm.googleapis.com/x', 'credentials'],
    ['https://fcm.googleapis.com:8443/x', 'port'],
    ['https://localhost/x', 'private_host'],
    ['https://LOCALHOST./x', 'private_host'],
    ['https://push.localhost/x', 'private_host'],
    ['https://metadata/computeMetadata', 'private_host'],
    ['https://printer.local/x', 'private_host'],
    ['https://db.internal/x', 'private_host'],
    ['https://127.0.0.1/x', 'private_host'],
    ['https://2130706433/x', 'private_host'],
    ['https://0x7f.1/x', 'private_host'],
    ['https://169.254.169.254/latest/meta-data', 'private_host'],
    ['https://[::1]/x', 'private_host'],
    ['https://[fd00:ec2::254]/x', 'private_host'],
    ['https://[::ffff:127.0.0.1]/x', 'private_host'],
    ['https://10.0.0.5/x', 'private_host'],
    ['https://100.64.1.1/x', 'private_host'],
  ])('refuses %s (%s)', (url, problem) => {
    expect(publicUrlProblem(url)).toBe(problem);
  });

  it('lets a local mock through only under the test-only setting', () => {
    expect(publicUrlProblem('http://127.0.0.1:4100/push/1')).toBe('not_https');
    expect(
      publicUrlProblem('http://127.0.0.1:4100/push/1', { allowPrivate: true }),
    ).toBeUndefined();
    expect(publicUrlProblem('ftp://127.0.0.1/x', { allowPrivate: true })).toBe('not_https');
  });

  it("the dispatcher's test-only setting opens loopback literals and nothing else", () => {
    const loopback = { allowLoopback: true };
    for (const url of [
      'http://127.0.0.1:4100/push/1',
      'https://[::1]/x',
      'http://[::ffff:7f00:1]/x',
    ]) {
      expect(publicUrlProblem(url, loopback), url).toBeUndefined();
    }
    expect(publicUrlProblem('https://127.0.0.1/x')).toBe('private_host');
    const refused: [string, PublicUrlProblem][] = [
      ['http://localhost/push/x', 'not_https'],
      ['https://localhost/push/x', 'private_host'],
      ['https://10.1.2.3/x', 'private_host'],
      ['https://169.254.169.254/x', 'private_host'],
      ['https://[fd00::1]/x', 'private_host'],
      ['http://10.1.2.3/x', 'not_https'],
      ['ftp://127.0.0.1/x', 'not_https'],
      ['http://user:pw@127.0.0.1/x', 'credentials'],
    ];
    for (const [url, problem] of refused) {
      expect(publicUrlProblem(url, loopback), url).toBe(problem);
    }
  });

  it('throws the problem from checkPublicUrl', () => {
    expect(() => checkPublicUrl('https://localhost/')).toThrow(PublicUrlError);
    expect(checkPublicUrl('https://fcm.googleapis.com/x').host).toBe('fcm.googleapis.com');
  });
});

describe('resolvePublicUrl', () => {
  const answers = (addresses: string[]) => () => Promise.resolve(addresses);

  it('checks every DNS answer', async () => {
    await expect(
      resolvePublicUrl('https://push.example.com/x', { resolve: answers(['8.8.8.8', '1.1.1.1']) }),
    ).resolves.toMatchObject({ addresses: ['8.8.8.8', '1.1.1.1'] });
    for (const bad of [['127.0.0.1'], ['8.8.8.8', '169.254.169.254'], ['fd00:ec2::254']]) {
      await expect(
        resolvePublicUrl('https://push.example.com/x', { resolve: answers(bad) }),
      ).rejects.toMatchObject({ problem: 'private_host' });
    }
  });

  it('refuses a name that does not resolve, or resolves to nothing', async () => {
    await expect(
      resolvePublicUrl('https://push.example.com/x', {
        resolve: () => Promise.reject(new Error('ENOTFOUND')),
      }),
    ).rejects.toMatchObject({ problem: 'unresolvable' });
    await expect(
      resolvePublicUrl('https://push.example.com/x', { resolve: answers([]) }),
    ).rejects.toMatchObject({ problem: 'unresolvable' });
  });

  it('checks the URL before any look-up', async () => {
    let looked = false;
    const resolve = () => {
      looked = true;
      return Promise.resolve(['8.8.8.8']);
    };
    await expect(resolvePublicUrl('http://push.example.com/x', { resolve })).rejects.toMatchObject({
      problem: 'not_https',
    });
    expect(looked).toBe(false);
  });

  it('takes an address literal as it is, and the test-only setting lets local answers through', async () => {
    await expect(resolvePublicUrl('https://8.8.8.8/x')).resolves.toMatchObject({
      addresses: ['8.8.8.8'],
    });
    await expect(
      resolvePublicUrl('http://mock.test/x', {
        allowPrivate: true,
        resolve: answers(['127.0.0.1']),
      }),
    ).resolves.toMatchObject({ addresses: ['127.0.0.1'] });
  });

  it('under the loopback setting a name may answer loopback, never another private address', async () => {
    const loopback = { allowLoopback: true };
    await expect(
      resolvePublicUrl('https://mock.test/x', {
        ...loopback,
        resolve: answers(['127.0.0.1', '::1']),
      }),
    ).resolves.toMatchObject({ addresses: ['127.0.0.1', '::1'] });
    for (const bad of [['169.254.169.254'], ['127.0.0.1', '10.1.2.3']]) {
      await expect(
        resolvePublicUrl('https://mock.test/x', { ...loopback, resolve: answers(bad) }),
      ).rejects.toMatchObject({ problem: 'private_host' });
    }
  });
});
