import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from './env';

/**
 * SECRET_KEY is required with a real database. In the embedded mode (no DATABASE_URL) a key
 * is made once and kept beside the data in DATA_DIR/secret.key, so a restart can still read
 * the addresses it encrypted.
 */
export function resolveSecretKey(env: {
  SECRET_KEY?: string | undefined;
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
}): string {
  if (env.SECRET_KEY) return env.SECRET_KEY;
  if (env.DATABASE_URL) {
    throw new ConfigError([
      'SECRET_KEY: required when DATABASE_URL is set (at least 32 characters)',
    ]);
  }
  const file = join(env.DATA_DIR, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(env.DATA_DIR, { recursive: true });
  const key = randomBytes(48).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
