import { deleteExpiredSessions, pruneRateLimits } from '@renraku/db';
import type { WebContext } from './context';

const INTERVAL_MS = 10 * 60_000;

/**
 * Removes dead sessions and finished rate-limit windows every few minutes, so those tables
 * stay small. Harmless when several web processes do it at once. Returns the stop function.
 */
export function startHousekeeping(ctx: WebContext): () => void {
  const timer = setInterval(() => {
    Promise.all([deleteExpiredSessions(ctx.db, new Date()), pruneRateLimits(ctx.db)]).then(
      ([sessions, rateLimits]) => ctx.logger.debug({ sessions, rateLimits }, 'housekeeping'),
      (error: unknown) => ctx.logger.warn({ err: error }, 'housekeeping failed'),
    );
  }, INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
