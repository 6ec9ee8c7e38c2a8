import { createECDH, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@renraku/shared/env';
import { DEFAULT_CARRIER_LIMITS, loadDispatcherEnv, parseCarrierLimits } from './env';

const problemsOf = (source: Record<string, string>) => {
  try {
    loadDispatcherEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadDispatcherEnv', () => {
  it('needs only the relay, with defaults fit for one city', () => {
    const env = loadDispatcherEnv({ SMTP_URL: 'smtp://relay.example.jp:25' });
    expect(env).toMatchObject({
      smtpUrl: 'smtp://relay.example.jp:25',
      mailDomain: 'renraku.test',
      publicUrl: 'http://localhost:3000',
      dispatch: { concurrency: 10, batchSize: 500, leaseMs: 60_000, maxAttempts: 8 },
    });
    expect(env.dispatch.carrierLimits).toEqual(parseCarrierLimits(DEFAULT_CARRIER_LIMITS));
    expect(env.dispatch.carrierLimits).toContainEqual({
      domains: ['ezweb.ne.jp', 'au.com'],
      concurrency: 4,
    });
  });

  it('takes the settings given, and a carrier table that replaces the default', () => {
    const env = loadDispatcherEnv({
      SMTP_URL: 'smtps://relay.example.jp',
      MAIL_DOMAIN: 'mail.example.jp',
      PUBLIC_URL: 'https://renraku.example.jp/',
      DISPATCH_CONCURRENCY: '40',
      DISPATCH_RETRY_BASE_MS: '1000',
      CARRIER_LIMITS: 'docomo.ne.jp=2, ezweb.ne.jp+au.com=3',
    });
    expect(env.publicUrl).toBe('https://renraku.example.jp');
    expect(env.dispatch).toMatchObject({ concurrency: 40, retryBaseMs: 1000 });
    expect(env.dispatch.carrierLimits).toEqual([
      { domains: ['docomo.ne.jp'], concurrency: 2 },
      { domains: ['ezweb.ne.jp', 'au.com'], concurrency: 3 },
    ]);
  });

  it('refuses a missing or wrong relay and bad numbers, naming each variable', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^SMTP_URL: required/)]);
    expect(problemsOf({ SMTP_URL: '' })).toEqual([expect.stringMatching(/^SMTP_URL: required/)]);
    expect(problemsOf({ SMTP_URL: 'http://relay' })).toEqual([
      expect.stringMatching(/^SMTP_URL: must start with smtp:\/\//),
    ]);
    const problems = problemsOf({
      SMTP_URL: 'smtp://relay',
      DISPATCH_BATCH_SIZE: 'many',
      DISPATCH_LEASE_MS: '0',
      MAIL_DOMAIN: 'not a domain',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'DISPATCH_BATCH_SIZE',
      'DISPATCH_LEASE_MS',
      'MAIL_DOMAIN',
    ]);
  });

  it('refuses a malformed carrier table', () => {
    for (const bad of [
      'docomo.ne.jp',
      'docomo.ne.jp=0',
      'docomo=4',
      'a.jp=4,,b.jp=2',
      'x.jp=-1',
      'x.jp=4/0',
      'x.jp=4/',
      'x.jp=4/many',
    ]) {
      expect(problemsOf({ SMTP_URL: 'smtp://relay', CARRIER_LIMITS: bad })).toEqual([
        expect.stringMatching(/^CARRIER_LIMITS: /),
      ]);
    }
  });

  it('reads mails per connection after the slash; docomo gets 100 by default', () => {
    const env = loadDispatcherEnv({
      SMTP_URL: 'smtp://relay',
      CARRIER_LIMITS: 'docomo.ne.jp=2/50,au.com=3',
    });
    expect(env.dispatch.carrierLimits).toEqual([
      { domains: ['docomo.ne.jp'], concurrency: 2, maxMessages: 50 },
      { domains: ['au.com'], concurrency: 3 },
    ]);
    expect(loadDispatcherEnv({ SMTP_URL: 'smtp://relay' }).dispatch.carrierLimits).toContainEqual({
      domains: ['docomo.ne.jp'],
      concurrency: 4,
      maxMessages: 100,
    });
  });
});

describe('DKIM configuration', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const base = { SMTP_URL: 'smtp://relay', DKIM_DOMAIN: 'Renraku.Example.jp', DKIM_SELECTOR: 's1' };

  it('is off without any DKIM_ variable', () => {
    expect(loadDispatcherEnv({ SMTP_URL: 'smtp://relay' }).dkim).toBeNull();
  });

  it('takes the key inline (with \\n for newlines) or from a file', () => {
    const inline = loadDispatcherEnv({ ...base, DKIM_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
    expect(inline.dkim).toEqual({
      domainName: 'renraku.example.jp',
      keySelector: 's1',
      privateKey: pem,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'renraku-dkim-')), 'dkim.pem');
    writeFileSync(file, pem);
    expect(loadDispatcherEnv({ ...base, DKIM_PRIVATE_KEY_FILE: file }).dkim).toEqual(inline.dkim);
  });

  it('refuses half a configuration, a bad key, an unreadable file, or both key forms', () => {
    expect(problemsOf({ SMTP_URL: 'smtp://relay', DKIM_SELECTOR: 's1' })).toEqual([
      expect.stringMatching(/^DKIM_DOMAIN: required/),
      expect.stringMatching(/^DKIM_PRIVATE_KEY: required/),
    ]);
    expect(problemsOf({ ...base, DKIM_SELECTOR: '', DKIM_PRIVATE_KEY: pem })).toEqual([
      expect.stringMatching(/^DKIM_SELECTOR: required/),
    ]);
    expect(problemsOf({ ...base, DKIM_PRIVATE_KEY: 'not a key' })).toEqual([
      'DKIM_PRIVATE_KEY: is not a PEM private key',
    ]);
    expect(problemsOf({ ...base, DKIM_PRIVATE_KEY_FILE: '/nonexistent/dkim.pem' })).toEqual([
      expect.stringMatching(/^DKIM_PRIVATE_KEY_FILE: cannot be read/),
    ]);
    expect(
      problemsOf({ ...base, DKIM_PRIVATE_KEY: pem, DKIM_PRIVATE_KEY_FILE: '/x.pem' }),
    ).toContainEqual('DKIM_PRIVATE_KEY_FILE: give the key or its file, not both');
    expect(problemsOf({ ...base, DKIM_SELECTOR: 'bad selector', DKIM_PRIVATE_KEY: pem })).toEqual([
      expect.stringMatching(/^DKIM_SELECTOR: must be a DNS label/),
    ]);
  });
});

describe('DISPATCHER_HEALTH_PORT', () => {
  const relay = { SMTP_URL: 'smtp://relay.example.jp:25' };

  it('listens on 127.0.0.1:3001 by default, elsewhere when told, and not at all with off', () => {
    expect(loadDispatcherEnv(relay).health).toEqual({ host: '127.0.0.1', port: 3001 });
    expect(
      loadDispatcherEnv({
        ...relay,
        DISPATCHER_HEALTH_HOST: '0.0.0.0',
        DISPATCHER_HEALTH_PORT: '9101',
      }).health,
    ).toEqual({ host: '0.0.0.0', port: 9101 });
    expect(loadDispatcherEnv({ ...relay, DISPATCHER_HEALTH_PORT: '' }).health?.port).toBe(3001);
    expect(loadDispatcherEnv({ ...relay, DISPATCHER_HEALTH_PORT: 'off' }).health).toBeNull();
  });

  it.each(['web', '-1', '70000', '1.5', 'OFF'])('refuses %s, naming the variable', (value) => {
    expect(problemsOf({ ...relay, DISPATCHER_HEALTH_PORT: value })).toEqual([
      expect.stringMatching(/^DISPATCHER_HEALTH_PORT: must be .* or off$/),
    ]);
  });
});

describe('VAPID and push configuration', () => {
  const relay = { SMTP_URL: 'smtp://relay.example.jp' };
  const pair = () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return {
      VAPID_PUBLIC_KEY: ecdh.getPublicKey().toString('base64url'),
      // A key with leading zero bytes comes out shorter: padded as web-push pads it.
      VAPID_PRIVATE_KEY: Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()])
        .subarray(-32)
        .toString('base64url'),
    };
  };

  it('is off without any VAPID_ variable', () => {
    expect(loadDispatcherEnv(relay).push).toBeNull();
  });

  it('takes the key pair and subject, with the bound per service and timeout', () => {
    const keys = pair();
    const env = loadDispatcherEnv({
      ...relay,
      ...keys,
      VAPID_SUBJECT: 'mailto:renraku@example.jp',
      PUSH_CONCURRENCY_PER_SERVICE: '8',
    });
    expect(env.push).toEqual({
      vapid: {
        publicKey: keys.VAPID_PUBLIC_KEY,
        privateKey: keys.VAPID_PRIVATE_KEY,
        subject: 'mailto:renraku@example.jp',
      },
      concurrencyPerService: 8,
      timeoutMs: 10_000,
      allowLoopback: false,
    });
    const testing = loadDispatcherEnv({
      ...relay,
      ...keys,
      VAPID_SUBJECT: 'https://renraku.example.jp',
      PUSH_ALLOW_LOOPBACK_FOR_TESTS: 'true',
    });
    expect(testing.push?.allowLoopback).toBe(true);
  });

  it('refuses half a configuration, malformed or mismatched keys, a bad subject', () => {
    const keys = pair();
    expect(problemsOf({ ...relay, VAPID_PUBLIC_KEY: keys.VAPID_PUBLIC_KEY })).toEqual([
      'VAPID_PRIVATE_KEY: required when any VAPID_ variable is set (all three or none)',
      'VAPID_SUBJECT: required when any VAPID_ variable is set (all three or none)',
    ]);
    expect(
      problemsOf({
        ...relay,
        VAPID_PUBLIC_KEY: keys.VAPID_PUBLIC_KEY.slice(0, 40),
        VAPID_PRIVATE_KEY: 'not+base64url/',
        VAPID_SUBJECT: 'http://renraku.example.jp',
      }),
    ).toEqual([
      'VAPID_PUBLIC_KEY: must be a P-256 public key, 65 bytes in base64url',
      'VAPID_PRIVATE_KEY: must be a P-256 private key, 32 bytes in base64url',
      'VAPID_SUBJECT: must be a mailto: address or an https:// URL',
    ]);
    expect(
      problemsOf({
        ...relay,
        ...keys,
        VAPID_PUBLIC_KEY: pair().VAPID_PUBLIC_KEY,
        VAPID_SUBJECT: 'mailto:renraku@example.jp',
      }),
    ).toEqual(['VAPID_PUBLIC_KEY: is not the public key of VAPID_PRIVATE_KEY']);
    expect(
      problemsOf({ ...relay, PUSH_ALLOW_LOOPBACK_FOR_TESTS: 'yes', PUSH_TIMEOUT_MS: '0' }),
    ).toEqual([
      'PUSH_TIMEOUT_MS: must be above 0',
      'PUSH_ALLOW_LOOPBACK_FOR_TESTS: must be true or false',
    ]);
  });
});
