import type { IncomingMessage } from 'node:http';
import type { Db, DbHandle } from '@renraku/db';
import type { Bus } from '@renraku/shared/bus';
import type { Keys } from '@renraku/shared/crypto';
import type { Logger } from '@renraku/shared/logger';
import type { Outbox } from '@renraku/shared/outbox';
import type { WebEnv } from './env';
import type { WebMailer } from './mailer';

/**
 * Everything a request handler may use, opened once by whoever starts the web (its own
 * main.ts, or the embedded all-in-one start that shares them with the dispatcher).
 */
export interface WebContext {
  env: WebEnv;
  db: Db;
  /** For /healthz; the owner, not the web, closes it. */
  dbHandle: DbHandle;
  bus: Bus;
  keys: Keys;
  logger: Logger;
  /**
   * The parent pages' transactional mails. Left out, startWeb makes one from SMTP_URL (and
   * closes it); a caller may pass its own.
   */
  mailer?: WebMailer;
  /** Present only in the embedded mode, where /dev/outbox shows the caught mails. */
  outbox?: Outbox;
}

/** The Node request as adapter-node passes it to SvelteKit in `event.platform.req`. */
export type RequestWithContext = IncomingMessage & { renraku?: WebContext };
