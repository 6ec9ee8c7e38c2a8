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
    for (const bad of ['docomo.ne.jp', 'docomo.ne.jp=0', 'docomo=4', 'a.jp=4,,b.jp=2', 'x.jp=-1']) {
      expect(problemsOf({ SMTP_URL: 'smtp://relay', CARRIER_LIMITS: bad })).toEqual([
        expect.stringMatching(/^CARRIER_LIMITS: /),
      ]);
    }
  });
});
