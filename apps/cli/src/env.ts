import { deriveKeys, type Keys } from '@renraku/shared/crypto';
import { commonEnv, parseEnv } from '@renraku/shared/env';
import { retentionEnv, retentionPolicyOf } from '@renraku/shared/retention';
import { resolveSecretKey } from '@renraku/shared/secret';

const cliEnvShape = {
  DATABASE_URL: commonEnv.DATABASE_URL,
  SECRET_KEY: commonEnv.SECRET_KEY,
  SECRET_KEY_PREVIOUS: commonEnv.SECRET_KEY_PREVIOUS,
  DATA_DIR: commonEnv.DATA_DIR,
  MAIL_DOMAIN: commonEnv.MAIL_DOMAIN,
  ...retentionEnv,
};

/** The CLI's configuration; the only place the CLI reads its environment. */
export function loadCliEnv(source: Record<string, string | undefined> = process.env) {
  const raw = parseEnv(cliEnvShape, source);
  return {
    /** postgres:// URL; without it the embedded PGlite database in dataDir, as `pnpm start` uses. */
    databaseUrl: raw.DATABASE_URL,
    dataDir: raw.DATA_DIR,
    mailDomain: raw.MAIL_DOMAIN ?? 'renraku.test',
    /** The dispatcher's RETAIN_* periods: set them alike for a dry run to count the same. */
    retention: retentionPolicyOf(raw),
    /**
     * Only commands that touch addresses need the keys; resolving lazily lets an operator list
     * schools with DATABASE_URL alone, and keeps a fresh DATA_DIR free of a key it does not need.
     */
    keys: (): Keys => deriveKeys(resolveSecretKey(raw), raw.SECRET_KEY_PREVIOUS),
  };
}

export type CliEnv = ReturnType<typeof loadCliEnv>;
