import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import {
  confirmationBreakdown,
  listReachedHouseholds,
  progressBreakdown,
  recordConfirmations,
  rowsOf,
} from '@renraku/db';
import { benchOptions } from './lib/options';
import { createCity, sendToCity } from './lib/population';
import { cleanUpOnInterrupt, startServices } from './lib/services';

// `node --import tsx bench/confirmation-figures.ts`: what the live dashboard's re-read of a
// confirming message costs on a city (30,000 households, or --recipients=N), alone and while
// a burst of taps is recorded, at the bridge's re-read paces. Prints one table; writes nothing.

const { recipients } = benchOptions('bench/confirmation-figures.ts', process.argv.slice(2), {
  recipients: { kind: 'number', fallback: 30_000, help: 'the city' },
});
/** The bridge's re-read of the answers: its pace, and whether it keeps the reached set. */
const VARIANTS = [
  { pace: 100, keep: false },
  { pace: 500, keep: false },
  { pace: 100, keep: true },
  { pace: 500, keep: true },
];
/** Batches of the recorder's size, this many in flight, as one web process writes a burst. */
const BATCH = 500;
const IN_FLIGHT = 2;

const percentile = (times: number[], q: number) =>
  Math.round([...times].sort((a, b) => a - b)[Math.floor(q * (times.length - 1))]! * 10) / 10;

const services = await startServices();
cleanUpOnInterrupt([() => services.close()]);
const rows: [string, string][] = [];
try {
  const { db } = services;
  const city = await createCity(db, services.keys, recipients);
  const { messageId } = await sendToCity(db, city);
  await db.execute(sql`update messages set confirm =
      '{"preset":"ack","choices":[],"needsCall":[],"deadlineMinutes":30}'::jsonb,
      state = 'done', started_at = now(), finished_at = now()
    where id = ${messageId}`);
  await db.execute(sql`update deliveries set state = 'accepted' where message_id = ${messageId}`);
  await db.execute(sql`vacuum (analyze) deliveries`);
  await db.execute(sql`analyze`);
  const deliveryIds = rowsOf<{ id: number }>(
    await db.execute(
      sql`select id::int from deliveries where message_id = ${messageId} order by id`,
    ),
  ).map((row) => row.id);

  async function timed<T>(read: () => Promise<T>): Promise<number> {
    const started = performance.now();
    await read();
    return performance.now() - started;
  }
  const quiet = async (label: string) => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++)
      times.push(await timed(() => confirmationBreakdown(db, messageId)));
    const reached = await listReachedHouseholds(db, messageId);
    const kept: number[] = [];
    for (let i = 0; i < 20; i++)
      kept.push(await timed(() => confirmationBreakdown(db, messageId, reached)));
    const progress: number[] = [];
    for (let i = 0; i < 20; i++) progress.push(await timed(() => progressBreakdown(db, messageId)));
    rows.push([
      `confirmationBreakdown, ${label}, p50 / p95 ms`,
      `${percentile(times, 0.5)} / ${percentile(times, 0.95)}`,
    ]);
    rows.push([
      `confirmationBreakdown with the reached set kept, ${label}, p50 / p95 ms`,
      `${percentile(kept, 0.5)} / ${percentile(kept, 0.95)}`,
    ]);
    rows.push([
      `progressBreakdown (delivery counts), ${label}, p50 / p95 ms`,
      `${percentile(progress, 0.5)} / ${percentile(progress, 0.95)}`,
    ]);
  };
  await quiet('no answers yet');

  // One burst per pace: every delivery taps once (fresh answers each time), while a reader
  // re-reads the figures as the bridge does while dirty: the delivery counts every 100 ms,
  // the answers every `pace` ms, with the reached set read once (`keep`) or every time.
  const reachedSet = await listReachedHouseholds(db, messageId);
  for (const { pace, keep } of VARIANTS) {
    const variant = `answers re-read every ${pace} ms${keep ? ', reached set kept' : ''}`;
    await db.execute(sql`delete from confirmations where message_id = ${messageId}`);
    await db.execute(sql`vacuum (analyze) confirmations`);
    let bursting = true;
    const reads: number[] = [];
    const reader = (async () => {
      let lastAnswers = 0;
      while (bursting) {
        const started = performance.now();
        await progressBreakdown(db, messageId);
        if (started - lastAnswers >= pace) {
          lastAnswers = started;
          reads.push(
            await timed(() => confirmationBreakdown(db, messageId, keep ? reachedSet : undefined)),
          );
        }
        await new Promise((resolve) =>
          setTimeout(resolve, Math.max(0, 100 - (performance.now() - started))),
        );
      }
    })();
    const started = performance.now();
    const latencies: number[] = [];
    let next = 0;
    const writer = async () => {
      for (let at = next; at < deliveryIds.length; at = next) {
        next += BATCH;
        const begun = performance.now();
        await recordConfirmations(
          db,
          deliveryIds.slice(at, at + BATCH).map((deliveryId) => ({
            deliveryId,
            choice: 0,
            channel: 'link' as const,
            replyWords: null,
          })),
        );
        latencies.push(performance.now() - begun);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
    const seconds = (performance.now() - started) / 1000;
    bursting = false;
    await reader;
    rows.push([
      `burst, ${variant}: taps/s, batch write p50 / p99 ms`,
      `${Math.round(deliveryIds.length / seconds)}, ${percentile(latencies, 0.5)} / ${percentile(latencies, 0.99)}`,
    ]);
    const busy = reads.reduce((sum, ms) => sum + ms, 0) / 1000 / seconds;
    rows.push([
      `burst, ${variant}: confirmationBreakdown p50 / p95 ms, reads, share of the burst`,
      `${percentile(reads, 0.5)} / ${percentile(reads, 0.95)}, ${reads.length}, ${Math.round(busy * 100)} %`,
    ]);
  }
  await quiet(`${deliveryIds.length.toLocaleString('en')} answered`);
} finally {
  await services.close();
}
console.log(`confirmation figures on ${recipients.toLocaleString('en')} households`);
for (const [label, value] of rows) console.log(`  ${label.padEnd(90)} ${value}`);
process.exit(0);
