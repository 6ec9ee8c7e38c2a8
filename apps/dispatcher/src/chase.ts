import type { Db } from '@renraku/db';
import { chaseDueMessages } from '@renraku/core/confirmation';
import type { Bus } from '@renraku/shared/bus';
import type { Logger } from '@renraku/shared/logger';

// 追いかけ: at a confirming message's deadline its unconfirmed households get the 【再送】, and
// after the same interval again they join the call list (escalated_at). Each dispatcher runs
// this loop; the rows are taken with SKIP LOCKED, so several share the work and none repeats it.

/** The running loop; stop() waits for the pass in progress. */
export interface Chasing {
  stop(): Promise<void>;
}

export function startChasing(ctx: { db: Db; bus: Bus; logger: Logger }, pollMs: number): Chasing {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => {};
  const loop = (async () => {
    while (!stopped) {
      try {
        const { chased, escalated } = await chaseDueMessages(ctx);
        if (chased.length > 0 || escalated.length > 0) {
          ctx.logger.info({ chased, escalated }, 'unconfirmed households chased');
        }
      } catch (error) {
        ctx.logger.error({ err: error }, 'chasing pass failed; retrying');
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pollMs);
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake();
      await loop;
    },
  };
}
