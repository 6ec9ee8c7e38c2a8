import { ConfigError } from './env';
import type { Logger } from './logger';

// The entry points of every process (web, dispatcher, pnpm start) start and stop the same way.

/** A refusal whose message tells the operator all there is to know: printed without a stack. */
export class OperatorError extends Error {
  override name = 'OperatorError';
}

/** Runs a process's main: a bad configuration prints its message, anything else its error. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const plain = error instanceof ConfigError || error instanceof OperatorError;
    console.error(plain ? error.message : error);
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
  // `on`, not `once`: Ctrl-C under `pnpm start` signals the whole process group and pnpm
  // forwards the signal too; a second one must not cut the graceful stop short.
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
