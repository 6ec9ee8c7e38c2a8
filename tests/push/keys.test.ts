import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@renraku/shared/env';
import { generateVapidKeys, resolveVapid } from '@renraku/shared/vapid';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDispatcherEnv } from '../../apps/dispatcher/src/env';
import { loadWebEnv } from '../../apps/web/server/env';
import { cli } from '../operator/processes';

// VAPID keys: printed by the CLI for an env file, read from configuration, and in the embedded
// mode (no DATABASE_URL) made once into DATA_DIR and read back on every later start.

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'renraku-vapid-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const bytes = (value: string) => Buffer.from(value, 'base64url');
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/renraku';
const SECRET_KEY = 'k'.repeat(40);

function envLines(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .trimEnd()
      .split('\n')
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)];
      }),
  );
}

describe('pnpm cli generate-vapid-keys', () => {
  it('prints a new pair and the subject as three env lines the web accepts', async () => {
    const first = await cli(['generate-vapid-keys'], { MAIL_DOMAIN: 'mail.city.example.jp' });
    expect(first.code).toBe(0);
    const lines = envLines(first.output);
    expect(Object.keys(lines)).toEqual(['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT']);
    expect(bytes(lines.VAPID_PUBLIC_KEY!)).toHaveLength(65);
    expect(bytes(lines.VAPID_PUBLIC_KEY!)[0]).toBe(4);
    expect(bytes(lines.VAPID_PRIVATE_KEY!)).toHaveLength(32);
    expect(lines.VAPID_SUBJECT).toBe('mailto:no-reply@mail.city.example.jp');
    expect(loadWebEnv({ DATABASE_URL, SECRET_KEY, ...lines }).push.vapid).toEqual({
      publicKey: lines.VAPID_PUBLIC_KEY,
      privateKey: lines.VAPID_PRIVATE_KEY,
      subject: lines.VAPID_SUBJECT,
    });

    const second = envLines(
      (await cli(['generate-vapid-keys', '--subject', 'https://renraku.city.example.jp/'], {}))
        .output,
    );
    expect(second.VAPID_PUBLIC_KEY).not.toBe(lines.VAPID_PUBLIC_KEY);
    expect(second.VAPID_SUBJECT).toBe('https://renraku.city.example.jp/');
  });

  it('refuses a bad subject or option as a usage error, printing no keys', async () => {
    for (const args of [
      ['generate-vapid-keys', '--subject', 'board@city.example.jp'],
      ['generate-vapid-keys', '--subject', 'http://renraku.example.jp'],
      ['generate-vapid-keys', '--keys', '2'],
    ]) {
      const run = await cli(args, {});
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.output).not.toContain('VAPID_PRIVATE_KEY');
      expect(run.stderr).toMatch(/generate-vapid-keys/);
    }
  });
});

describe('VAPID configuration', () => {
  it('in the embedded mode makes the pair once in DATA_DIR and reads it on the next start', () => {
    const DATA_DIR = tempDir();
    const first = loadWebEnv({ DATA_DIR, MAIL_DOMAIN: 'renraku.test' }).push.vapid;
    expect(first).toBeDefined();
    expect(bytes(first!.publicKey)).toHaveLength(65);
    expect(first!.subject).toBe('mailto:no-reply@renraku.test');
    const file = join(DATA_DIR, 'vapid.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(first!.privateKey);

    // A second start, and the dispatcher of the same DATA_DIR, get the same pair.
    expect(loadWebEnv({ DATA_DIR, MAIL_DOMAIN: 'renraku.test' }).push.vapid).toEqual(first);
    const dispatcher = loadDispatcherEnv({ DATA_DIR, SMTP_URL: 'smtp://127.0.0.1:25' });
    expect(
      resolveVapid({
        VAPID_PUBLIC_KEY: dispatcher.vapid.publicKey,
        VAPID_PRIVATE_KEY: dispatcher.vapid.privateKey,
        VAPID_SUBJECT: dispatcher.vapid.subject,
        DATA_DIR: dispatcher.dataDir,
        MAIL_DOMAIN: dispatcher.mailDomain,
      }),
    ).toEqual(first);
  });

  it('with DATABASE_URL and no keys offers no push, and makes no file', () => {
    const DATA_DIR = tempDir();
    expect(loadWebEnv({ DATA_DIR, DATABASE_URL, SECRET_KEY }).push.vapid).toBeUndefined();
    expect(() => statSync(join(DATA_DIR, 'vapid.json'))).toThrow();
  });

  it('stops the start on a half or bad configuration, naming the variable', () => {
    const base = { DATABASE_URL, SECRET_KEY };
    const problems = (source: Record<string, string>) => {
      try {
        loadWebEnv({ ...base, ...source });
      } catch (error) {
        if (error instanceof ConfigError) return error.message;
        throw error;
      }
      return '';
    };
    const pair = generateVapidKeys();
    expect(problems({ VAPID_PUBLIC_KEY: pair.publicKey })).toMatch(/set both or neither/);
    expect(
      problems({ VAPID_PUBLIC_KEY: pair.privateKey, VAPID_PRIVATE_KEY: pair.privateKey }),
    ).toMatch(/VAPID_PUBLIC_KEY: must be base64url of a 65-byte/);
    expect(problems({ VAPID_PRIVATE_KEY: 'short' })).toMatch(/VAPID_PRIVATE_KEY/);
    expect(problems({ VAPID_SUBJECT: 'board@city' })).toMatch(/VAPID_SUBJECT: must be a mailto/);
    expect(problems({ PUSH_ALLOW_PRIVATE_ENDPOINTS: 'yes' })).toMatch(
      /PUSH_ALLOW_PRIVATE_ENDPOINTS/,
    );
    expect(() => loadDispatcherEnv({ SMTP_URL: 'smtp://x:25', VAPID_PRIVATE_KEY: 'x' })).toThrow(
      /VAPID_PRIVATE_KEY/,
    );
  });
});
