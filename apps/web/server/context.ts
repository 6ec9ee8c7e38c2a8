import type { IncomingMessage } from 'node:http';
import type { CoreContext } from '@renraku/core';
import type { DbHandle } from '@renraku/db';
import type { Outbox } from '@renraku/shared/outbox';
import type { WebEnv } from './env';

/**
 * Everything a request handler may use, opened once by whoever starts the web (its own
 * main.ts, or the embedded all-in-one start that shares them with the dispatcher).
 */
export interface WebContext extends CoreContext {
  env: WebEnv;
  /** For /healthz; the owner, not the web, closes it. */
  dbHandle: DbHandle;
  /** Present only in the embedded mode, where /dev/outbox shows the caught mails. */
  outbox?: Outbox;
}

/** The Node request as adapter-node passes it to SvelteKit in `event.platform.req`. */
export type RequestWithContext = IncomingMessage & { renraku?: WebContext };
