import { sql } from 'drizzle-orm';
import { claimDeliveries } from '@renraku/db';
import type { BenchCity } from './population';
import { sendToCity } from './population';
import { HERE, round, type Report } from './report';
import { runSend } from './send';
import type { BenchServices } from './services';
import { spread, type Spread } from './spread';

// Scale-out: one dispatcher process against two on the same PostgreSQL, sink and city, in
// alternating rounds; and how many deliveries per second claiming alone takes out of the
// database, with as many claimers as two dispatchers run, to show it is not the serial step.

/** Two dispatchers' claimers (DISPATCH_CONCURRENCY's default feeds one claim loop each). */
const CLAIMERS = 2;
/** The dispatcher's default batch (DISPATCH_BATCH_SIZE). */
const BATCH = 500;

export interface ScaleOutFigures {
  recipients: number;
  one: Spread;
  two: Spread;
  /** Median of two over median of one. */
  ratio: number;
  claimsPerSecond: number;
}

/**
 * Claims a fanned-out message's deliveries with CLAIMERS loops until none is left, and removes
 * the message again (its deliveries stay claimed and would otherwise be re-sent later).
 */
async function claimsPerSecond(services: BenchServices, city: BenchCity): Promise<number> {
  const { messageId } = await sendToCity(services.db, city, 'クレーム計測');
  const started = performance.now();
  let claimed = 0;
  await Promise.all(
    Array.from({ length: CLAIMERS }, async (_, i) => {
      for (;;) {
        const batch = await claimDeliveries(
          services.db,
          { workerId: `bench-claimer-${i}`, leaseMs: 600_000 },
          BATCH,
        );
        if (batch.length === 0) return;
        claimed += batch.length;
      }
    }),
  );
  const ms = performance.now() - started;
  await services.db.execute(sql`delete from messages where id = ${messageId}`);
  return Math.round((claimed / ms) * 1000);
}

export async function measureScaleOut(
  services: BenchServices,
  city: BenchCity,
  smtpUrl: string,
  rounds: number,
  report: Report,
  log: (text: string) => void,
): Promise<ScaleOutFigures> {
  const one: number[] = [];
  const two: number[] = [];
  for (let n = 1; n <= rounds; n++) {
    log(`scale-out round ${n}/${rounds}: one dispatcher, then two …`);
    one.push((await runSend(services, city, smtpUrl)).perSecond);
    two.push((await runSend(services, city, smtpUrl, { dispatchers: 2 })).perSecond);
    log(`scale-out: one ${one.at(-1)}/s, two ${two.at(-1)}/s`);
  }
  const claims = await claimsPerSecond(services, city);
  const figures: ScaleOutFigures = {
    recipients: city.recipients,
    one: spread(one),
    two: spread(two),
    ratio: round(spread(two).median / spread(one).median),
    claimsPerSecond: claims,
  };
  const text = (s: Spread) => `${s.min} / ${s.median} / ${s.max}`;
  report.add('scale-out', 'one dispatcher mails/s min / median / max', text(figures.one), HERE);
  report.add('scale-out', 'two dispatchers mails/s min / median / max', text(figures.two), HERE);
  report.add('scale-out', 'ratio two / one (medians)', figures.ratio, 'target ≥ 1.15');
  report.add(
    'scale-out',
    'deliveries claimed/s (claiming alone)',
    claims,
    `${HERE}; ${CLAIMERS} claimers, batches of ${BATCH}, nothing sent`,
  );
  report.set('scaleOut', figures);
  return figures;
}
