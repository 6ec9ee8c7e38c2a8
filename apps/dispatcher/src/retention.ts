import { auditActionSince, type Db } from '@renraku/db';
import { runRetention } from '@renraku/core/retention';
import { JST_OFFSET_MS } from '@renraku/shared';
import type { Logger } from '@renraku/shared/logger';
import type { RetentionPolicy } from '@renraku/shared/retention';
import { startPeriodic, type Periodic } from './periodic';

// The nightly retention job: every dispatcher looks now and then, and from `hourJst` (Japan
// time) the first to find no run recorded since that hour today runs it; the installation-wide
// lock and the audit trail's record make it once a day whatever the number of dispatchers.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The latest `hourJst` o'clock in Japan at or before `now`. */
export function lastRetentionHour(now: Date, hourJst: number): Date {
  const japanMidnight =
    Math.floor((now.getTime() + JST_OFFSET_MS) / DAY_MS) * DAY_MS - JST_OFFSET_MS;
  const today = japanMidnight + hourJst * HOUR_MS;
  return new Date(today <= now.getTime() ? today : today - DAY_MS);
}

export function startRetention(
  ctx: { db: Db; logger: Logger; policy: RetentionPolicy; hourJst: number },
  checkEveryMs = 10 * 60_000,
): Periodic {
  return startPeriodic(
    async () => {
      try {
        const since = lastRetentionHour(new Date(), ctx.hourJst);
        if (await auditActionSince(ctx.db, 'retention.run', since)) return;
        const run = await runRetention(ctx.db, ctx.policy);
        if (run) ctx.logger.info({ ...run }, 'retention ran');
      } catch (error) {
        ctx.logger.error({ err: error }, 'retention failed; retrying at the next check');
      }
      // Not at once: a dispatcher that starts (or restarts) is busy with the sending first.
    },
    checkEveryMs,
    checkEveryMs,
  );
}
