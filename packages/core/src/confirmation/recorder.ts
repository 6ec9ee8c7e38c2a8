import {
  isTransactionConflict,
  recordConfirmations,
  type ConfirmationTap,
  type TapOutcome,
} from '@renraku/db';
import type { CoreContext } from '../context';

// When a closure goes out at 6 a.m., a city's parents tap within minutes. One transaction per
// tap would make PostgreSQL's commits the limit, so answers wait a moment (LINGER_MS) to share
// one statement with the answers that arrive with them; each caller is answered only once its
// answer is committed, so a page that says 「確認しました」 never lies.

/** How long the first answer of a batch waits for company. */
const LINGER_MS = 2;
/** Answers in one statement at most. */
const MAX_BATCH = 500;
/** Batches in flight at once; the rest wait, keeping database connections for everyone else. */
const MAX_IN_FLIGHT = 4;
/** Concurrent batches touching one household may deadlock; PostgreSQL aborts one, we retry. */
const RETRIES = 3;

interface Pending {
  tap: ConfirmationTap;
  resolve: (outcome: TapOutcome) => void;
  reject: (error: unknown) => void;
}

/** Takes answers one by one and writes them in batches. */
export interface ConfirmationRecorder {
  record(tap: ConfirmationTap): Promise<TapOutcome>;
  /** Writes what is queued and waits for batches in flight. */
  close(): Promise<void>;
}

export function createConfirmationRecorder(
  ctx: Pick<CoreContext, 'db' | 'bus' | 'logger'>,
): ConfirmationRecorder {
  const queue: Pending[] = [];
  const inFlight = new Set<Promise<void>>();
  let timer: NodeJS.Timeout | null = null;

  async function write(batch: Pending[]): Promise<void> {
    const taps = batch.map((pending) => pending.tap);
    let outcomes: TapOutcome[] | null = null;
    for (let attempt = 1; outcomes === null; attempt++) {
      try {
        outcomes = await recordConfirmations(ctx.db, taps);
      } catch (error) {
        if (attempt >= RETRIES || !isTransactionConflict(error)) {
          for (const pending of batch) pending.reject(error);
          return;
        }
      }
    }
    const changed = new Set<number>();
    batch.forEach((pending, i) => {
      const outcome = outcomes[i] ?? { kind: 'unknown' };
      if (outcome.kind === 'recorded' && outcome.households > 0) changed.add(outcome.messageId);
      pending.resolve(outcome);
    });
    // The dashboards re-read PostgreSQL on this doorbell; a lost one is caught by their resync.
    for (const messageId of changed) {
      ctx.bus.publish('messageChanged', { messageId }).catch((error: unknown) => {
        ctx.logger.warn({ err: error, messageId }, 'confirmation notice not published');
      });
    }
  }

  function flush(): void {
    timer = null;
    while (queue.length > 0 && inFlight.size < MAX_IN_FLIGHT) {
      const batch = queue.splice(0, MAX_BATCH);
      const running = write(batch).finally(() => {
        inFlight.delete(running);
        if (queue.length > 0) schedule();
      });
      inFlight.add(running);
    }
  }

  function schedule(): void {
    if (queue.length >= MAX_BATCH) {
      if (timer) clearTimeout(timer);
      flush();
    } else {
      timer ??= setTimeout(flush, LINGER_MS);
    }
  }

  return {
    record(tap) {
      return new Promise<TapOutcome>((resolve, reject) => {
        queue.push({ tap, resolve, reject });
        schedule();
      });
    },
    async close() {
      if (timer) clearTimeout(timer);
      while (queue.length > 0 || inFlight.size > 0) {
        flush();
        await Promise.allSettled([...inFlight]);
      }
    },
  };
}
