import type { Db } from '@renraku/db';
import { chaseDueMessages } from '@renraku/core/confirmation';
import type { Bus } from '@renraku/shared/bus';
import type { Logger } from '@renraku/shared/logger';
import { startPeriodic, type Periodic } from './periodic';

// 追いかけ: at a confirming message's deadline its unconfirmed households get the 【再送】, and
// after the same interval again they join the call list (escalated_at). Each dispatcher runs
// this loop; the rows are taken with SKIP LOCKED, so several share the work and none repeats it.

export function startChasing(ctx: { db: Db; bus: Bus; logger: Logger }, pollMs: number): Periodic {
  return startPeriodic(async () => {
    try {
      const { chased, escalated } = await chaseDueMessages(ctx);
      if (chased.length > 0 || escalated.length > 0) {
        ctx.logger.info({ chased, escalated }, 'unconfirmed households chased');
      }
    } catch (error) {
      ctx.logger.error({ err: error }, 'chasing pass failed; retrying');
    }
  }, pollMs);
}
