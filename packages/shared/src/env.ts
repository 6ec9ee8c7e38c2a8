import { z } from 'zod';
import { DEFAULT_FEATURE_PHONE_DOMAINS } from './mail';

// Helpers for each app's env.ts: the same variables mean the same thing in every process,
// and a bad value stops the start with the variable's name and the reason.

/** Thrown at start; its message lists every bad variable, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

/** An optional URL with one of the given schemes; empty counts as unset. */
export const optionalUrl = (...schemes: string[]) =>
  z.preprocess(
    emptyToUndefined,
    z
      .url({ message: `must be a URL (${schemes.map((s) => `${s}://…`).join(' or ')})` })
      .refine((value) => schemes.some((scheme) => value.startsWith(`${scheme}:`)), {
        message: `must start with ${schemes.map((s) => `${s}://`).join(' or ')}`,
      })
      .optional(),
  );

/** A TCP port, with a default. */
export const port = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0–65535')
      .max(65535, 'must be 0–65535')
      .default(fallback),
  );

/** A positive whole number, with a default. */
export const positiveInt = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ message: 'must be a number' })
      .int('must be a whole number')
      .positive('must be above 0')
      .default(fallback),
  );

/** SECRET_KEY: long enough to derive keys from; optional only in embedded mode. */
export const secretKey = z.preprocess(
  emptyToUndefined,
  z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)').optional(),
);

/** A carrier's domain as the lists of FEATURE_PHONE_DOMAINS and CARRIER_LIMITS write it. */
export const CARRIER_DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * FEATURE_PHONE_DOMAINS: a comma-separated list of carrier domains whose mail goes out as
 * ISO-2022-JP (every process that sends mail reads it); empty sends UTF-8 to everyone.
 */
export const featurePhoneDomains = z
  .preprocess(
    (value) => (value === undefined ? DEFAULT_FEATURE_PHONE_DOMAINS.join(',') : value),
    z.string(),
  )
  .transform((value, ctx) => {
    const domains = value
      .split(',')
      .map((domain) => domain.trim().toLowerCase())
      .filter(Boolean);
    const bad = domains.find((domain) => !CARRIER_DOMAIN.test(domain));
    if (bad) {
      ctx.addIssue({ code: 'custom', message: `"${bad}" is not a domain (e.g. docomo.ne.jp)` });
      return z.NEVER;
    }
    return domains;
  });

/** Variables every process reads. */
export const commonEnv = {
  DATABASE_URL: optionalUrl('postgres', 'postgresql'),
  REDIS_URL: optionalUrl('redis', 'rediss'),
  SECRET_KEY: secretKey,
  /** Set only during `pnpm cli rotate-secret`: the key being rotated away from, still read. */
  SECRET_KEY_PREVIOUS: secretKey,
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z.url('must be a URL such as https://renraku.example.jp').optional(),
  ),
  MAIL_DOMAIN: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^[a-z0-9.-]+\.[a-z]{2,}$|^localhost$/i,
        'must be a domain name such as mail.example.jp',
      )
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
};

/** Parses `source` (normally process.env) or throws a ConfigError naming each bad variable. */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(source);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
  );
}
