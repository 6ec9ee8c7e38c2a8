import { hitRateLimit, refundRateLimit } from '@renraku/db';
import type { ParentsContext } from './context';

/** At most `limit` counted attempts per fixed window of `windowSeconds`. */
export interface LimitRule {
  limit: number;
  windowSeconds: number;
}

export type LimitCheck =
  | { allowed: true; /** Gives the attempt back (it succeeded). */ refund: () => Promise<void> }
  | { allowed: false; /** Until the longest of the exceeded windows ends. */ minutes: number };

/**
 * Counts one attempt against every key at once (a login ID, a link, a client address) before
 * the attempt is checked, so parallel guesses cannot overrun a limit; a success is refunded.
 */
export async function hitLimits(
  ctx: ParentsContext,
  rules: readonly (readonly [key: string, rule: LimitRule])[],
): Promise<LimitCheck> {
  const results = await Promise.all(
    rules.map(([key, rule]) => hitRateLimit(ctx.db, key, rule.limit, rule.windowSeconds)),
  );
  if (results.some((result) => !result.allowed)) {
    const seconds = Math.max(...results.map((result) => result.retryAfterSeconds));
    return { allowed: false, minutes: Math.ceil(seconds / 60) };
  }
  return {
    allowed: true,
    refund: async () => {
      await Promise.all(rules.map(([key]) => refundRateLimit(ctx.db, key)));
    },
  };
}
