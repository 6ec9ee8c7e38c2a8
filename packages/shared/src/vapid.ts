import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webPush from 'web-push';
import { z } from 'zod';
import { ConfigError } from './env';
import { base64urlBytes } from './push';

// The VAPID key pair (RFC 8292) the push services know this installation by, and its contact.
// Configured like SECRET_KEY: from the environment, or, in the embedded mode (no DATABASE_URL),
// made once into DATA_DIR/vapid.json so that browsers' subscriptions survive a restart.

export interface VapidConfig {
  /** base64url of the uncompressed P-256 public key: the browser's applicationServerKey. */
  publicKey: string;
  privateKey: string;
  /** mailto: or https: contact for the push services' operators. */
  subject: string;
}

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** The three variables, each checked on its own; resolveVapid checks that they come together. */
export const vapidEnv = {
  VAPID_PUBLIC_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((value) => base64urlBytes(value)?.[0] === 4 && base64urlBytes(value)?.length === 65, {
        message: 'must be base64url of a 65-byte P-256 public key (`pnpm cli generate-vapid-keys`)',
      })
      .optional(),
  ),
  VAPID_PRIVATE_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((value) => base64urlBytes(value)?.length === 32, {
        message: 'must be base64url of a 32-byte P-256 private key',
      })
      .optional(),
  ),
  VAPID_SUBJECT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/, {
        message: 'must be a mailto: address or an https: URL',
      })
      .optional(),
  ),
};

/** A new key pair, as web-push makes it. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webPush.generateVAPIDKeys();
}

/** The subject when none is configured: the installation's no-reply mailbox. */
export function defaultVapidSubject(mailDomain: string | undefined): string {
  return `mailto:no-reply@${mailDomain ?? 'renraku.test'}`;
}

function keysFile(dataDir: string): { publicKey: string; privateKey: string } {
  const file = join(dataDir, 'vapid.json');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const made = generateVapidKeys();
    try {
      writeFileSync(file, `${JSON.stringify(made)}\n`, { mode: 0o600, flag: 'wx' });
      return made;
    } catch (error) {
      // Another process of the same start wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<VapidConfig>;
  if (typeof stored.publicKey !== 'string' || typeof stored.privateKey !== 'string') {
    throw new ConfigError([`${file}: not a VAPID key file (remove it to make a new pair)`]);
  }
  return { publicKey: stored.publicKey, privateKey: stored.privateKey };
}

/**
 * Both keys given: those. Neither, with DATABASE_URL: undefined, and the site offers no push.
 * Neither, without it (embedded): the pair in DATA_DIR, made on the first start.
 */
export function resolveVapid(env: {
  VAPID_PUBLIC_KEY?: string | undefined;
  VAPID_PRIVATE_KEY?: string | undefined;
  VAPID_SUBJECT?: string | undefined;
  DATABASE_URL?: string | undefined;
  MAIL_DOMAIN?: string | undefined;
  DATA_DIR: string;
}): VapidConfig | undefined {
  const subject = env.VAPID_SUBJECT ?? defaultVapidSubject(env.MAIL_DOMAIN);
  if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY) {
    return { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject };
  }
  if (env.VAPID_PUBLIC_KEY || env.VAPID_PRIVATE_KEY) {
    throw new ConfigError([
      'VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither (`pnpm cli generate-vapid-keys`)',
    ]);
  }
  if (env.DATABASE_URL) return undefined;
  return { ...keysFile(env.DATA_DIR), subject };
}
