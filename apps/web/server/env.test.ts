import { ConfigError } from '@renraku/shared/env';
import { describe, expect, it } from 'vitest';
import { loadWebEnv } from './env';

const SECRET_KEY = 'k'.repeat(40);
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/renraku';

describe('loadWebEnv', () => {
  it('fills in the defaults of a one-machine start', () => {
    const env = loadWebEnv({ SECRET_KEY, DATABASE_URL });
    expect(env.port).toBe(3000);
    expect(env.publicUrl).toBe('http://localhost:3000');
    expect(env.mailDomain).toBe('renraku.test');
    expect(env.trustProxy).toBe(false);
    expect(env.secureCookies).toBe(false);
    expect(env.sessions).toEqual({ staffIdleMinutes: 30, parentIdleMinutes: 60, maxHours: 12 });
    expect(env.confirmTapsPerMinute).toBe(600);
  });

  it('reads a production configuration', () => {
    const env = loadWebEnv({
      SECRET_KEY,
      DATABASE_URL,
      PORT: '8080',
      PUBLIC_URL: 'https://renraku.example.jp/',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      STAFF_SESSION_IDLE_MINUTES: '15',
    });
    expect(env.port).toBe(8080);
    expect(env.publicUrl).toBe('https://renraku.example.jp');
    expect(env.secureCookies).toBe(true);
    expect(env.trustProxy).toBe('loopback,10.0.0.0/8');
    expect(env.sessions.staffIdleMinutes).toBe(15);
    expect(loadWebEnv({ SECRET_KEY, DATABASE_URL, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadWebEnv({ SECRET_KEY, DATABASE_URL, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('reads ATTACHMENT_MAX_BYTES, 10 MB by default, and stops on a bad value naming it', () => {
    expect(loadWebEnv({ SECRET_KEY, DATABASE_URL }).attachmentMaxBytes).toBe(10 * 1024 * 1024);
    expect(
      loadWebEnv({ SECRET_KEY, DATABASE_URL, ATTACHMENT_MAX_BYTES: '2000000' }).attachmentMaxBytes,
    ).toBe(2_000_000);
    for (const bad of ['ten', '0', '-5', '1.5', String(200 * 1024 * 1024)]) {
      expect(() => loadWebEnv({ SECRET_KEY, DATABASE_URL, ATTACHMENT_MAX_BYTES: bad })).toThrow(
        /ATTACHMENT_MAX_BYTES/,
      );
    }
  });

  it('reads FEATURE_PHONE_DOMAINS as the dispatcher does, with the same default', () => {
    expect(loadWebEnv({ SECRET_KEY, DATABASE_URL }).featurePhoneDomains).toContain('docomo.ne.jp');
    expect(
      loadWebEnv({ SECRET_KEY, DATABASE_URL, FEATURE_PHONE_DOMAINS: ' Docomo.ne.jp, ezweb.ne.jp ' })
        .featurePhoneDomains,
    ).toEqual(['docomo.ne.jp', 'ezweb.ne.jp']);
    expect(
      loadWebEnv({ SECRET_KEY, DATABASE_URL, FEATURE_PHONE_DOMAINS: '' }).featurePhoneDomains,
    ).toEqual([]);
    expect(() =>
      loadWebEnv({ SECRET_KEY, DATABASE_URL, FEATURE_PHONE_DOMAINS: 'docomo.ne.jp,not a domain' }),
    ).toThrow(/FEATURE_PHONE_DOMAINS: "not a domain" is not a domain/);
  });

  it('names each bad variable', () => {
    const bad = () =>
      loadWebEnv({
        SECRET_KEY,
        DATABASE_URL,
        PORT: 'eighty',
        TRUST_PROXY: 'everyone',
        SESSION_MAX_HOURS: '0',
        CONFIRM_TAPS_PER_MINUTE: 'lots',
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT/);
    expect(bad).toThrow(/TRUST_PROXY/);
    expect(bad).toThrow(/SESSION_MAX_HOURS/);
    expect(bad).toThrow(/CONFIRM_TAPS_PER_MINUTE/);
  });

  it('refuses a PUBLIC_URL with a path, and a database without SECRET_KEY', () => {
    expect(() =>
      loadWebEnv({ SECRET_KEY, DATABASE_URL, PUBLIC_URL: 'https://example.jp/renraku' }),
    ).toThrow(/PUBLIC_URL/);
    expect(() => loadWebEnv({ SECRET_KEY, DATABASE_URL, PUBLIC_URL: 'not a url' })).toThrow(
      /PUBLIC_URL/,
    );
    expect(() => loadWebEnv({ DATABASE_URL })).toThrow(/SECRET_KEY/);
    // The key being rotated away from is checked like the key itself.
    expect(
      loadWebEnv({ SECRET_KEY, DATABASE_URL, SECRET_KEY_PREVIOUS: 'p'.repeat(40) })
        .secretKeyPrevious,
    ).toBe('p'.repeat(40));
    expect(() => loadWebEnv({ SECRET_KEY, DATABASE_URL, SECRET_KEY_PREVIOUS: 'short' })).toThrow(
      /SECRET_KEY_PREVIOUS/,
    );
  });
});
