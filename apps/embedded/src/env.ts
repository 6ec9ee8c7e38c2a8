import { loadDispatcherEnv } from '@renraku/dispatcher';
import { loadWebEnv } from '@renraku/web';

/**
 * `pnpm start` reads the same variables as the two production processes; the one difference
 * is that without SMTP_URL both send through the built-in catcher, whose URL is known only
 * once it listens.
 */
export function loadEmbeddedEnv() {
  const source = process.env;
  return {
    smtpUrl: source.SMTP_URL || undefined,
    /** Checked before anything starts, so a bad variable stops the start at once. */
    check: () => loadWebEnv(source),
    web: (smtpUrl: string) => loadWebEnv({ ...source, SMTP_URL: smtpUrl }),
    dispatcher: (smtpUrl: string) => loadDispatcherEnv({ ...source, SMTP_URL: smtpUrl }),
  };
}
