import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commonEnv, ConfigError, parseEnv, port, positiveInt } from './env';
import { resolveSecretKey } from './secret';

const shape = { ...commonEnv, PORT: port(3000), SEND_CONCURRENCY: positiveInt(50) };

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(shape, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('fills the defaults when nothing is set, and treats empty values as unset', () => {
    for (const source of [{}, { DATABASE_URL: '', PORT: '', DATA_DIR: '', LOG_LEVEL: '' }]) {
      const env = parseEnv(shape, source);
      expect(env.DATABASE_URL).toBeUndefined();
      expect(env.REDIS_URL).toBeUndefined();
      expect(env.SECRET_KEY).toBeUndefined();
      expect(env).toMatchObject({
        DATA_DIR: './data',
        LOG_LEVEL: 'info',
        PORT: 3000,
        SEND_CONCURRENCY: 50,
      });
    }
  });

  it('accepts good values', () => {
    const env = parseEnv(shape, {
      DATABASE_URL: 'postgresql://renraku@db.example.jp:5432/renraku',
      REDIS_URL: 'rediss://cache.example.jp:6380',
      SECRET_KEY: 'x'.repeat(32),
      PUBLIC_URL: 'https://renraku.example.jp',
      MAIL_DOMAIN: 'mail.example.jp',
      PORT: '8080',
    });
    expect(env.PORT).toBe(8080);
    expect(env.MAIL_DOMAIN).toBe('mail.example.jp');
  });

  it.each([
    ['DATABASE_URL', 'mysql://db/renraku', /must start with postgres:\/\/ or postgresql:\/\//],
    ['DATABASE_URL', 'not a url', /must be a URL/],
    ['REDIS_URL', 'http://cache:6379', /must start with redis:\/\/ or rediss:\/\//],
    ['SECRET_KEY', 'too-short', /at least 32 characters/],
    ['PORT', 'eighty', /must be a number/],
    ['PORT', '70000', /0–65535/],
    ['PORT', '80.5', /whole number/],
    ['SEND_CONCURRENCY', '0', /above 0/],
    ['MAIL_DOMAIN', 'no domain', /domain name/],
    ['PUBLIC_URL', 'renraku.example.jp', /must be a URL/],
    ['LOG_LEVEL', 'loud', /.+/],
  ])('names %s and the reason for %j', (name, value, reason) => {
    const problems = problemsOf({ [name]: value });
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatch(new RegExp(`^${name}: `));
    expect(problems.some((problem) => reason.test(problem))).toBe(true);
  });

  it('lists every bad variable at once, one per line of the message', () => {
    try {
      parseEnv(shape, { DATABASE_URL: 'mysql://x', PORT: 'x', SECRET_KEY: 'short' });
      expect.unreachable();
    } catch (error) {
      const { message, problems } = error as ConfigError;
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
        'DATABASE_URL',
        'PORT',
        'SECRET_KEY',
      ]);
      expect(message.split('\n')).toHaveLength(4);
      expect(message).toMatch(/^Invalid configuration:/);
    }
  });
});

describe('resolveSecretKey', () => {
  const dirs: string[] = [];
  const tempDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'renraku-secret-'));
    dirs.push(dir);
    return join(dir, 'data');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('uses SECRET_KEY when it is set, and writes no file', () => {
    const dataDir = tempDataDir();
    const key = 'k'.repeat(40);
    expect(resolveSecretKey({ SECRET_KEY: key, DATA_DIR: dataDir })).toBe(key);
    expect(() => statSync(join(dataDir, 'secret.key'))).toThrow();
  });

  it('requires SECRET_KEY with DATABASE_URL, naming the variable', () => {
    const call = () =>
      resolveSecretKey({ DATABASE_URL: 'postgres://db/renraku', DATA_DIR: tempDataDir() });
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(/SECRET_KEY: required when DATABASE_URL is set/);
  });

  it('makes a key once in the embedded mode, keeps it private, and reuses it', () => {
    const dataDir = tempDataDir();
    const first = resolveSecretKey({ DATA_DIR: dataDir });
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(dataDir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(resolveSecretKey({ DATA_DIR: dataDir })).toBe(first);
    expect(resolveSecretKey({ DATA_DIR: tempDataDir() })).not.toBe(first);
  });
});
