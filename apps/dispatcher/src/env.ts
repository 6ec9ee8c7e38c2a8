import { createECDH, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  ConfigError,
  CARRIER_DOMAIN,
  commonEnv,
  featurePhoneDomains,
  optionalUrl,
  parseEnv,
  port,
  positiveInt,
} from '@renraku/shared/env';
import { metricsEnv, metricsSettingsOf, type MetricsSettings } from '@renraku/shared/metrics';
import { resolveVapid, vapidEnv } from '@renraku/shared/vapid';
import { retentionEnv, retentionPolicyOf, type RetentionPolicy } from '@renraku/shared/retention';
import type { DkimSettings } from './adapters';
import type { CarrierLimit, DispatchSettings } from './dispatcher';
import { INBOUND_DEFAULTS, type InboundSettings } from './inbound';
import type { PushSettings, VapidSettings } from './push';

/**
 * Japanese mobile carriers throttle and greylist bulk senders hard, so each gets a few
 * parallel sends; the big free-mail providers take more. One entry per carrier, so its
 * domains (au's ezweb.ne.jp and au.com, SoftBank's two) share one limit.
 */
export const DEFAULT_CARRIER_LIMITS =
  'docomo.ne.jp=4/100,ezweb.ne.jp+au.com=4,softbank.ne.jp+i.softbank.jp=4,icloud.com+me.com+mac.com=8,gmail.com+googlemail.com=8';

/**
 * Parses `domain[+domain…]=N[/M],…` (N in flight, at most M mails per connection); a value
 * replaces the whole default table.
 */
export function parseCarrierLimits(value: string): CarrierLimit[] | string {
  const limits: CarrierLimit[] = [];
  for (const entry of value.split(',').map((part) => part.trim())) {
    const match = /^([^=]+)=(\d+)(?:\/(\d+))?$/.exec(entry);
    const domains = match?.[1]?.split('+').map((domain) => domain.trim().toLowerCase()) ?? [];
    const concurrency = Number(match?.[2]);
    const maxMessages = match?.[3] === undefined ? undefined : Number(match[3]);
    if (
      !match ||
      domains.some((domain) => !CARRIER_DOMAIN.test(domain)) ||
      !(concurrency > 0) ||
      (maxMessages !== undefined && !(maxMessages > 0))
    ) {
      return `"${entry}" is not domain[+domain…]=N[/M] with N and M above 0 (e.g. docomo.ne.jp=4/100)`;
    }
    limits.push(
      maxMessages === undefined ? { domains, concurrency } : { domains, concurrency, maxMessages },
    );
  }
  return limits;
}

const carrierLimits = z
  .preprocess(
    (value) => (value === '' || value === undefined ? DEFAULT_CARRIER_LIMITS : value),
    z.string(),
  )
  .transform((value, ctx) => {
    const parsed = parseCarrierLimits(value);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());

/** Beside the web's 3000; a second dispatcher on one host sets its own or `off`. */
export const DEFAULT_HEALTH_PORT = 3001;

/** The health endpoint's port; `off` runs none (0 picks a free port, logged at start). */
const healthPort = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === 'off') return null;
    const parsed = port(DEFAULT_HEALTH_PORT).safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `${parsed.error.issues[0]?.message} or off` });
    return z.NEVER;
  });

const SMTP_URL_REQUIRED = 'required: the outbound relay, e.g. smtp://relay.example.jp:25';

const shape = {
  ...commonEnv,
  ...vapidEnv,
  ...metricsEnv,
  ...retentionEnv,
  /** The hour (Japan time, 0–23) from which the nightly retention job runs once a day. */
  RETENTION_HOUR_JST: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(0, 'must be 0–23').max(23, 'must be 0–23').default(3),
  ),
  /**
   * /healthz turns degraded (503) when the oldest due delivery has waited longer: a stuck queue.
   * Decision: 15 minutes, since a 1,000,000-mail newsletter keeps its last mails waiting ~11.
   */
  HEALTH_MAX_QUEUE_AGE_SECONDS: positiveInt(900),
  SMTP_URL: optionalUrl('smtp', 'smtps').pipe(z.string({ error: SMTP_URL_REQUIRED })),
  /** Only for the default of PUBLIC_URL, which is the web's address. */
  PORT: port(3000),
  INBOUND_SMTP_HOST: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('0.0.0.0')),
  INBOUND_SMTP_PORT: port(2525),
  DISPATCHER_HEALTH_HOST: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().default('127.0.0.1'),
  ),
  DISPATCHER_HEALTH_PORT: healthPort,
  INBOUND_MAX_BYTES: positiveInt(INBOUND_DEFAULTS.maxMessageBytes),
  INBOUND_MAX_CLIENTS: positiveInt(INBOUND_DEFAULTS.maxClients),
  INBOUND_SENDER_LIMIT: positiveInt(INBOUND_DEFAULTS.senderLimit.limit),
  INBOUND_SENDER_WINDOW_SECONDS: positiveInt(INBOUND_DEFAULTS.senderLimit.windowSeconds),
  INBOUND_CLIENT_LIMIT: positiveInt(INBOUND_DEFAULTS.clientLimit.limit),
  INBOUND_CLIENT_WINDOW_SECONDS: positiveInt(INBOUND_DEFAULTS.clientLimit.windowSeconds),
  REGISTRATION_LINK_TTL_SECONDS: positiveInt(INBOUND_DEFAULTS.linkTtlSeconds),
  DISPATCH_CONCURRENCY: positiveInt(10),
  DISPATCH_BATCH_SIZE: positiveInt(500),
  DISPATCH_LEASE_MS: positiveInt(60_000),
  DISPATCH_MAX_ATTEMPTS: positiveInt(8),
  DISPATCH_RETRY_BASE_MS: positiveInt(60_000),
  DISPATCH_RETRY_MAX_MS: positiveInt(3_600_000),
  DISPATCH_POLL_MS: positiveInt(1000),
  DISPATCH_FLUSH_MS: positiveInt(200),
  CARRIER_LIMITS: carrierLimits,
  FEATURE_PHONE_DOMAINS: featurePhoneDomains,
  DKIM_DOMAIN: commonEnv.MAIL_DOMAIN,
  DKIM_SELECTOR: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/i, 'must be a DNS label such as renraku2025')
      .optional(),
  ),
  DKIM_PRIVATE_KEY: optionalText,
  DKIM_PRIVATE_KEY_FILE: optionalText,
  VAPID_PUBLIC_KEY: optionalText,
  VAPID_PRIVATE_KEY: optionalText,
  VAPID_SUBJECT: optionalText,
  PUSH_CONCURRENCY_PER_SERVICE: positiveInt(32),
  PUSH_TIMEOUT_MS: positiveInt(10_000),
  PUSH_ALLOW_LOOPBACK_FOR_TESTS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .enum(['true', 'false'], { message: 'must be true or false' })
      .default('false')
      .transform((value) => value === 'true'),
  ),
};

/**
 * A group of three variables is all or none: half a configuration must not silently turn a
 * feature off. Throws with the problems found so far and each variable missing; else returns
 * the three, all given.
 */
function allThreeOrNone<K extends string>(
  prefix: string,
  values: Record<K, string | undefined>,
  problems: string[],
): Record<K, string> {
  for (const [name, value] of Object.entries(values)) {
    if (!value)
      problems.push(`${name}: required when any ${prefix} variable is set (all three or none)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Record<K, string>;
}

/**
 * The DKIM key from DKIM_PRIVATE_KEY (PEM, literal newlines or \\n) or DKIM_PRIVATE_KEY_FILE,
 * checked here so that a wrong key stops the start instead of every send. Half a
 * configuration is an error: a forgotten selector must not silently turn signing off.
 */
function dkimSettings(env: {
  DKIM_DOMAIN?: string;
  DKIM_SELECTOR?: string;
  DKIM_PRIVATE_KEY?: string;
  DKIM_PRIVATE_KEY_FILE?: string;
}): DkimSettings | null {
  const { DKIM_DOMAIN: domainName, DKIM_SELECTOR: keySelector } = env;
  const keyGiven = env.DKIM_PRIVATE_KEY ?? env.DKIM_PRIVATE_KEY_FILE;
  if (!domainName && !keySelector && !keyGiven) return null;
  const problems: string[] = [];
  if (env.DKIM_PRIVATE_KEY && env.DKIM_PRIVATE_KEY_FILE) {
    problems.push('DKIM_PRIVATE_KEY_FILE: give the key or its file, not both');
  }
  let privateKey = env.DKIM_PRIVATE_KEY?.replace(/\\n/g, '\n');
  if (!privateKey && env.DKIM_PRIVATE_KEY_FILE) {
    try {
      privateKey = readFileSync(env.DKIM_PRIVATE_KEY_FILE, 'utf8');
    } catch (error) {
      problems.push(`DKIM_PRIVATE_KEY_FILE: cannot be read (${(error as Error).message})`);
    }
  }
  if (privateKey !== undefined) {
    try {
      createPrivateKey(privateKey);
    } catch {
      problems.push('DKIM_PRIVATE_KEY: is not a PEM private key');
    }
  }
  const given = allThreeOrNone(
    'DKIM_',
    { DKIM_DOMAIN: domainName, DKIM_SELECTOR: keySelector, DKIM_PRIVATE_KEY: keyGiven },
    problems,
  );
  // Without a problem the key was given inline or its file was read.
  return {
    domainName: given.DKIM_DOMAIN.toLowerCase(),
    keySelector: given.DKIM_SELECTOR,
    privateKey: privateKey!,
  };
}

/**
 * The VAPID key pair (base64url, as `web-push generate-vapid-keys` prints it) and subject, all or
 * none: none turns push off. The public key must be the private key's, or every push service
 * would refuse every push (403) while the start looked fine.
 */
function vapidSettings(env: {
  VAPID_PUBLIC_KEY?: string;
  VAPID_PRIVATE_KEY?: string;
  VAPID_SUBJECT?: string;
}): VapidSettings | null {
  const {
    VAPID_PUBLIC_KEY: publicKey,
    VAPID_PRIVATE_KEY: privateKey,
    VAPID_SUBJECT: subject,
  } = env;
  if (!publicKey && !privateKey && !subject) return null;
  const problems: string[] = [];
  const base64url = /^[A-Za-z0-9_-]+$/;
  const publicBytes =
    publicKey && base64url.test(publicKey) ? Buffer.from(publicKey, 'base64url') : null;
  const privateBytes =
    privateKey && base64url.test(privateKey) ? Buffer.from(privateKey, 'base64url') : null;
  if (publicKey && (publicBytes?.length !== 65 || publicBytes[0] !== 4)) {
    problems.push('VAPID_PUBLIC_KEY: must be a P-256 public key, 65 bytes in base64url');
  }
  if (privateKey && privateBytes?.length !== 32) {
    problems.push('VAPID_PRIVATE_KEY: must be a P-256 private key, 32 bytes in base64url');
  }
  if (publicBytes?.length === 65 && privateBytes?.length === 32) {
    const ecdh = createECDH('prime256v1');
    let matches = false;
    try {
      ecdh.setPrivateKey(privateBytes);
      matches = ecdh.getPublicKey().equals(publicBytes);
    } catch {
      // Not a valid P-256 scalar: reported as a mismatch below.
    }
    if (!matches) problems.push('VAPID_PUBLIC_KEY: is not the public key of VAPID_PRIVATE_KEY');
  }
  if (subject && !/^(mailto:[^\s@]+@[^\s@]+|https:\/\/[^\s/]+\S*)$/.test(subject)) {
    problems.push('VAPID_SUBJECT: must be a mailto: address or an https:// URL');
  }
  const given = allThreeOrNone(
    'VAPID_',
    { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: subject },
    problems,
  );
  return {
    publicKey: given.VAPID_PUBLIC_KEY,
    privateKey: given.VAPID_PRIVATE_KEY,
    subject: given.VAPID_SUBJECT,
  };
}

/** The parsed configuration, in the dispatcher's own terms rather than variable names. */
export interface DispatcherEnv {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  secretKey: string | undefined;
  /** During a key rotation: what was written under it is still read and verified. */
  secretKeyPrevious: string | undefined;
  dataDir: string;
  logLevel: string;
  smtpUrl: string;
  /** The inbound SMTP server (empty mails, bounces): where it listens and its limits. */
  inbound: InboundSettings;
  /** GET /metrics on a port of its own; null when METRICS_PORT is unset. */
  metrics: MetricsSettings | null;
  /** What the nightly job deletes, and from which hour of Japan's night. */
  retention: { policy: RetentionPolicy; hourJst: number };
  /** /healthz is degraded when the oldest due delivery waited longer (seconds). */
  maxQueueAgeSeconds: number;
  /** Where GET /healthz listens; null when DISPATCHER_HEALTH_PORT is `off`. */
  health: { host: string; port: number } | null;
  /** Domain of the no-reply sender and of the VERP bounce addresses. */
  mailDomain: string;
  /** Where parents log in to change their settings (in every mail's footer). */
  publicUrl: string;
  /** Carrier domains whose mail goes out as ISO-2022-JP (FEATURE_PHONE_DOMAINS). */
  featurePhoneDomains: string[];
  /** Outgoing mail is DKIM-signed with this key; null when DKIM_ is not configured. */
  dkim: DkimSettings | null;
  /**
   * The Web Push keys as configured, checked at start; resolveVapid (with databaseUrl and
   * dataDir) gives the pair to send with, the embedded mode's DATA_DIR/vapid.json included.
   */
  vapid: { publicKey?: string; privateKey?: string; subject?: string };
  dispatch: DispatchSettings;
  /** Web Push; null when VAPID_ is not configured (see pushSettingsOf for the embedded mode). */
  push: PushSettings | null;
  /** How pushes are sent, whichever keys they are signed with. */
  pushDelivery: Omit<PushSettings, 'vapid'>;
}

/** The dispatcher's whole configuration, checked at start (throws ConfigError). */
export function loadDispatcherEnv(source: Record<string, string | undefined>): DispatcherEnv {
  const env = parseEnv(shape, source);
  const vapid = vapidSettings(env);
  const pushDelivery = {
    concurrencyPerService: env.PUSH_CONCURRENCY_PER_SERVICE,
    timeoutMs: env.PUSH_TIMEOUT_MS,
    allowLoopback: env.PUSH_ALLOW_LOOPBACK_FOR_TESTS,
  };
  return {
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    secretKey: env.SECRET_KEY,
    secretKeyPrevious: env.SECRET_KEY_PREVIOUS,
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
    smtpUrl: env.SMTP_URL,
    inbound: {
      host: env.INBOUND_SMTP_HOST,
      port: env.INBOUND_SMTP_PORT,
      maxMessageBytes: env.INBOUND_MAX_BYTES,
      maxClients: env.INBOUND_MAX_CLIENTS,
      senderLimit: {
        limit: env.INBOUND_SENDER_LIMIT,
        windowSeconds: env.INBOUND_SENDER_WINDOW_SECONDS,
      },
      clientLimit: {
        limit: env.INBOUND_CLIENT_LIMIT,
        windowSeconds: env.INBOUND_CLIENT_WINDOW_SECONDS,
      },
      linkTtlSeconds: env.REGISTRATION_LINK_TTL_SECONDS,
    },
    metrics: metricsSettingsOf(env),
    maxQueueAgeSeconds: env.HEALTH_MAX_QUEUE_AGE_SECONDS,
    retention: { policy: retentionPolicyOf(env), hourJst: env.RETENTION_HOUR_JST },
    health:
      env.DISPATCHER_HEALTH_PORT === null
        ? null
        : { host: env.DISPATCHER_HEALTH_HOST, port: env.DISPATCHER_HEALTH_PORT },
    mailDomain: env.MAIL_DOMAIN ?? 'renraku.test',
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    featurePhoneDomains: env.FEATURE_PHONE_DOMAINS,
    dkim: dkimSettings(env),
    vapid: {
      publicKey: env.VAPID_PUBLIC_KEY,
      privateKey: env.VAPID_PRIVATE_KEY,
      subject: env.VAPID_SUBJECT,
    },
    dispatch: {
      concurrency: env.DISPATCH_CONCURRENCY,
      batchSize: env.DISPATCH_BATCH_SIZE,
      leaseMs: env.DISPATCH_LEASE_MS,
      maxAttempts: env.DISPATCH_MAX_ATTEMPTS,
      retryBaseMs: env.DISPATCH_RETRY_BASE_MS,
      retryMaxMs: env.DISPATCH_RETRY_MAX_MS,
      pollMs: env.DISPATCH_POLL_MS,
      flushMs: env.DISPATCH_FLUSH_MS,
      carrierLimits: env.CARRIER_LIMITS,
    },
    push: vapid && { vapid, ...pushDelivery },
    pushDelivery,
  };
}

/**
 * The keys pushes are signed with: as configured, or without VAPID_ and DATABASE_URL (the
 * embedded mode) the pair in DATA_DIR that the web made and offers browsers. Null: no push.
 */
export function pushSettingsOf(env: DispatcherEnv): PushSettings | null {
  if (env.push) return env.push;
  const vapid = resolveVapid({
    DATABASE_URL: env.databaseUrl,
    DATA_DIR: env.dataDir,
    MAIL_DOMAIN: env.mailDomain,
  });
  return vapid ? { vapid, ...env.pushDelivery } : null;
}
