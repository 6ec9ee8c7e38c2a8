import { ConfigError } from './env';
import type { Logger } from './logger';

// The entry points of every process (web, dispatcher, pnpm start) start and stop the same way.

/** Runs a process's main: a bad configuration prints its message, anything else its error. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}

/**
 * On SIGTERM or SIGINT runs `stop` once (finish in-flight work, close connections) and exits
 * 0, or 1 when stopping failed, so an orchestrator's restart never cuts a send in half.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<unknown>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
