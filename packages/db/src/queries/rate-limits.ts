import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { rateLimits } from '../schema';

export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets; 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * Counts one event against `key` in one atomic upsert, so concurrent attempts from several
 * processes are all counted. A lapsed window starts again at 1. A fixed window keeps its end;
 * a sliding one moves it to `windowSeconds` from now with every event.
 */
async function countEvent(
  db: Db | Tx,
  key: string,
  windowSeconds: number,
  window: 'fixed' | 'sliding',
): Promise<{ hits: number; secondsLeft: number }> {
  const windowEnd = sql`now() + make_interval(secs => ${windowSeconds})`;
  const expired = sql`${rateLimits.windowEndsAt} <= now()`;
  const [row] = await db
    .insert(rateLimits)
    .values({ key, hits: 1, windowEndsAt: windowEnd })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        hits: sql`case when ${expired} then 1 else ${rateLimits.hits} + 1 end`,
        windowEndsAt:
          window === 'sliding'
            ? windowEnd
            : sql`case when ${expired} then ${windowEnd} else ${rateLimits.windowEndsAt} end`,
      },
    })
    .returning({
      hits: rateLimits.hits,
      secondsLeft: sql<number>`greatest(1, ceil(extract(epoch from ${rateLimits.windowEndsAt} - now())))::int`,
    });
  return row!;
}

/**
 * Counts one attempt against `key` in a fixed window and says whether it is within `limit`.
 * Keys are stored in clear: never put a parent's address in one (use its blind index).
 */
export async function hitRateLimit(
  db: Db | Tx,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<RateLimitResult> {
  const row = await countEvent(db, key, windowSeconds, 'fixed');
  const allowed = row.hits <= limit;
  return { allowed, retryAfterSeconds: allowed ? 0 : row.secondsLeft };
}

/**
 * Gives back one attempt of the current window: for limits on failures (e.g. logins), an
 * attempt is counted before it is checked, so parallel guesses cannot overrun the limit, and
 * refunded when it turns out to have succeeded.
 */
export async function refundRateLimit(db: Db | Tx, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ hits: sql`${rateLimits.hits} - 1` })
    .where(
      and(eq(rateLimits.key, key), gt(rateLimits.hits, 0), gt(rateLimits.windowEndsAt, sql`now()`)),
    );
}

/** Drops finished windows so the table holds only live counters. */
export async function pruneRateLimits(db: Db | Tx): Promise<number> {
  const removed = await db
    .delete(rateLimits)
    .where(lt(rateLimits.windowEndsAt, sql`now()`))
    .returning({ key: rateLimits.key });
  return removed.length;
}

/**
 * Counts one event against `key` in a sliding window: the count only lapses after
 * `windowSeconds` without events (a slow, steady guesser never sees it reset). Returns the
 * count including this event.
 */
export async function countSlidingEvent(
  db: Db | Tx,
  key: string,
  windowSeconds: number,
): Promise<number> {
  return (await countEvent(db, key, windowSeconds, 'sliding')).hits;
}

/** The live count of `key` (0 when it lapsed or never counted), without counting anything. */
export async function currentCount(db: Db | Tx, key: string): Promise<number> {
  const [row] = await db
    .select({ hits: rateLimits.hits })
    .from(rateLimits)
    .where(and(eq(rateLimits.key, key), gt(rateLimits.windowEndsAt, sql`now()`)));
  return row?.hits ?? 0;
}

/** Ends `key`'s count (e.g. an account's failures once its owner has logged in). */
export async function clearCount(db: Db | Tx, key: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}
