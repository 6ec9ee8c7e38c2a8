import { isIP } from 'node:net';
import {
  commonEnv,
  ConfigError,
  featurePhoneDomains,
  optionalUrl,
  parseEnv,
  port,
  positiveInt,
} from '@renraku/shared/env';
import { resolveSecretKey } from '@renraku/shared/secret';
import { metricsEnv, metricsSettingsOf } from '@renraku/shared/metrics';
import { resolveVapid, vapidEnv } from '@renraku/shared/vapid';
import { ATTACHMENT_MAX_BYTES_DEFAULT } from '@renraku/shared';
import { z } from 'zod';

/** Express's named ranges for `trust proxy`, besides addresses and CIDR blocks. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: how many proxies (a number), `true`, or a comma-separated list of proxy
 * addresses / CIDR blocks / loopback. Unset means the web process is reached directly, so
 * X-Forwarded-For is ignored and nobody can dodge the per-IP rate limits with it.
 */
const trustProxy = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .string()
    .optional()
    .transform((value, context): boolean | number | string => {
      if (value === undefined || value === 'false') return false;
      if (value === 'true') return true;
      if (/^\d+$/.test(value)) return Number(value);
      const entries = value.split(',').map((entry) => entry.trim());
      const valid = entries.every(
        (entry) => PROXY_RANGES.has(entry) || isIP(entry.split('/')[0] ?? '') !== 0,
      );
      if (!valid) {
        context.addIssue({
          code: 'custom',
          message:
            'must be true, a number of proxies, or addresses/CIDR blocks separated by commas',
        });
        return z.NEVER;
      }
      return entries.join(',');
    }),
);

const webEnvShape = {
  ...commonEnv,
  PORT: port(3000),
  /** The outbound relay for the web's few transactional mails (completion, password reset). */
  SMTP_URL: optionalUrl('smtp', 'smtps'),
  FEATURE_PHONE_DOMAINS: featurePhoneDomains,
  TRUST_PROXY: trustProxy,
  /** Staff use shared school PCs: a short idle timeout. Parents are on their own phones. */
  STAFF_SESSION_IDLE_MINUTES: positiveInt(30),
  PARENT_SESSION_IDLE_MINUTES: positiveInt(60),
  SESSION_MAX_HOURS: positiveInt(12),
  /** Confirmation taps per client address and minute; generous, as carriers put many phones behind one address. */
  CONFIRM_TAPS_PER_MINUTE: positiveInt(600),
  /** All attachments of one message together, in bytes (10 MB). */
  ATTACHMENT_MAX_BYTES: positiveInt(ATTACHMENT_MAX_BYTES_DEFAULT),
  ...vapidEnv,
  ...metricsEnv,
  /**
   * Test only: `1` lets push endpoints on http and local addresses through, for a test's own mock
   * push service on 127.0.0.1. Never in production: it opens the server to SSRF.
   */
  PUSH_ALLOW_PRIVATE_ENDPOINTS: z.enum(['', '0', '1']).default(''),
};

/** Far above any school letter; a body this size still fits in a web process's memory. */
const ATTACHMENT_MAX_BYTES_CEILING = 100 * 1024 * 1024;

/** The web process's configuration; the only place the web reads its environment. */
export function loadWebEnv(source: Record<string, string | undefined>) {
  const raw = parseEnv(webEnvShape, source);
  const publicUrl = new URL(raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError([
      'PUBLIC_URL: must be an origin without a path, such as https://renraku.example.jp',
    ]);
  }
  if (raw.ATTACHMENT_MAX_BYTES > ATTACHMENT_MAX_BYTES_CEILING) {
    throw new ConfigError([
      `ATTACHMENT_MAX_BYTES: must be at most ${ATTACHMENT_MAX_BYTES_CEILING} (100 MB); families open these on phones`,
    ]);
  }
  return {
    port: raw.PORT,
    /** Origin people reach the site at (no trailing slash); links in mails are built on it. */
    publicUrl: publicUrl.origin,
    mailDomain: raw.MAIL_DOMAIN ?? 'renraku.test',
    databaseUrl: raw.DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    /** Unset: the web sends no mail of its own (the pages still work; the mail is logged as not sent). */
    smtpUrl: raw.SMTP_URL,
    /** Carrier domains whose mail goes out as ISO-2022-JP, as the dispatcher's broadcasts do. */
    featurePhoneDomains: raw.FEATURE_PHONE_DOMAINS,
    secretKey: resolveSecretKey(raw),
    /** During a key rotation: what was written under it is still read and verified. */
    secretKeyPrevious: raw.SECRET_KEY_PREVIOUS,
    dataDir: raw.DATA_DIR,
    logLevel: raw.LOG_LEVEL,
    trustProxy: raw.TRUST_PROXY,
    confirmTapsPerMinute: raw.CONFIRM_TAPS_PER_MINUTE,
    attachmentMaxBytes: raw.ATTACHMENT_MAX_BYTES,
    /** GET /metrics on a port of its own; null when METRICS_PORT is unset. */
    metrics: metricsSettingsOf(raw),
    /** Cookies are Secure whenever the site is served over https. */
    secureCookies: publicUrl.protocol === 'https:',
    push: {
      /** Absent with DATABASE_URL and no VAPID keys: the account page offers no push then. */
      vapid: resolveVapid(raw),
      allowPrivateEndpoints: raw.PUSH_ALLOW_PRIVATE_ENDPOINTS === '1',
    },
    sessions: {
      staffIdleMinutes: raw.STAFF_SESSION_IDLE_MINUTES,
      parentIdleMinutes: raw.PARENT_SESSION_IDLE_MINUTES,
      maxHours: raw.SESSION_MAX_HOURS,
    },
  };
}

export type WebEnv = ReturnType<typeof loadWebEnv>;
