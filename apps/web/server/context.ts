import type { Registry } from 'prom-client';
import type { WebMetrics } from './metrics';
import type { IncomingMessage } from 'node:http';
import type { CoreContext } from '@renraku/core';
import type { ConfirmationRecorder, TappedPages } from '@renraku/core/confirmation';
import type { DbHandle } from '@renraku/db';
import type { Outbox } from '@renraku/shared/outbox';
import type { WebEnv } from './env';
import type { WindowLimit } from './rate-limit';

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
  /** The families' confirmation taps: one recorder per process, so concurrent taps share batches. */
  confirmations: ConfirmationRecorder;
  /** The page a tap answers with, its message kept per process. */
  tappedPages: TappedPages;
  /** Confirmation taps per client address (CONFIRM_TAPS_PER_MINUTE). */
  confirmTapLimit: WindowLimit;
  metrics: WebMetrics;
}

/** What the starter of the web gives startWeb; the web makes its per-process parts itself. */
export type WebStartContext = Omit<
  WebContext,
  'confirmations' | 'tappedPages' | 'confirmTapLimit' | 'metrics'
> & {
  /** The registry /metrics serves; the embedded start shares one with its dispatcher. */
  registry?: Registry;
};

/** The Node request as adapter-node passes it to SvelteKit in `event.platform.req`. */
export type RequestWithContext = IncomingMessage & { renraku?: WebContext };
