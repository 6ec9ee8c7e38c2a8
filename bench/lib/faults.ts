import { sql } from 'drizzle-orm';
import { countCallListHouseholds, progressCounts, rowsOf, type Db, type Tx } from '@renraku/db';
import type { StateCounts } from '@renraku/shared';
import { childNumberOf } from './addresses';
import { openDashboards } from './dashboards';
import { startFaultSink, type FaultSink } from './fault-sink';
import { createCity, sendToCity, type BenchCity } from './population';
import { startDispatcherProcess, startWebProcess, type Child } from './processes';
import { HERE, type Report } from './report';
import type { BenchServices } from './services';

// The fault drills (`pnpm bench:faults`, and the end of `pnpm bench`): dispatchers killed
// with SIGKILL mid-send, Redis crashing mid-send, a relay deferring a fifth of all attempts,
// and one rejecting some recipients for good. Each checks that nobody is lost.

const RECIPIENTS = 10_000;
const KILLS = 10;
/** Small batches make the in-flight bound (2 × batch per kill) a tight check. */
const KILL_BATCH = 100;
/** A dead dispatcher's claims return after its lease; short, so the drill does not idle. */
const LEASE_MS = 2000;
/** Dashboards must equal the database this long after the send ends. */
const CONVERGE_MS = 5000;

/** How long the call-list count may take before the drill calls it stuck. */
const CALL_LIST_LIMIT_MS = 15_000;

type Log = (text: string) => void;

/** Runs `query` under a statement timeout; its value and time, or that it timed out. */
async function withinLimit<T>(db: Db, limitMs: number, query: (tx: Tx) => Promise<T>) {
  const started = performance.now();
  try {
    const value = await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`set local statement_timeout = ${limitMs}`));
      return query(tx);
    });
    return { value, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const failure = error as { code?: string; cause?: { code?: string } };
    // 57014: query_canceled, which is how PostgreSQL ends a statement at its timeout.
    if ((failure.code ?? failure.cause?.code) !== '57014') throw error;
    return { value: null, ms: null, timedOutAfterMs: limitMs };
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function counts(db: Db, messageId: number): Promise<{ done: boolean; counts: StateCounts }> {
  const progress = await progressCounts(db, messageId);
  return { done: progress?.messageState === 'done', counts: progress?.counts ?? {} };
}

/** Distinct Message-IDs, the mails beyond them, and the most copies of one mail. */
function duplicates(sink: FaultSink) {
  let extra = 0;
  let most = 0;
  for (const copies of sink.byMessageId.values()) {
    extra += copies - 1;
    most = Math.max(most, copies);
  }
  return { distinct: sink.byMessageId.size, extra, most };
}

function dispatcher(services: BenchServices, sink: FaultSink, settings: Record<string, string>) {
  return startDispatcherProcess(services.urls(sink.url), settings);
}

/** SIGKILL at random moments, restarting each time: nobody lost, duplicates bounded. */
async function killDrill(services: BenchServices, city: BenchCity, log: Log) {
  const sink = await startFaultSink();
  const settings = {
    DISPATCH_BATCH_SIZE: String(KILL_BATCH),
    DISPATCH_LEASE_MS: String(LEASE_MS),
    DISPATCH_POLL_MS: '200',
  };
  const { messageId } = await sendToCity(services.db, city, 'kill -9 drill');
  const kills: { afterMails: number; heldByDead: number }[] = [];
  try {
    for (let k = 0; k < KILLS; k++) {
      const child = await dispatcher(services, sink, settings);
      const from = sink.accepted();
      // A random moment: after 150–700 more mails, so ten kills fit in one send.
      const target = from + 150 + Math.floor(Math.random() * 550);
      await waitFor(
        async () => sink.accepted() >= target || (await counts(services.db, messageId)).done,
        60_000,
        'mails before a kill',
      );
      await child.stop('SIGKILL');
      const [held] = rowsOf<{ n: number }>(
        // The dead one's claims: worker ids are host:pid:random.
        await services.db.execute(sql`select count(*)::int as n from deliveries
          where message_id = ${messageId} and state = 'sending'
            and lease_owner like ${`%:${child.pid}:%`}`),
      );
      kills.push({ afterMails: sink.accepted() - from, heldByDead: held?.n ?? 0 });
      if ((await counts(services.db, messageId)).done) break;
    }
    log(`kill drill: ${kills.length} kills; finishing with a last dispatcher`);
    const last = await dispatcher(services, sink, settings);
    await waitFor(
      async () => (await counts(services.db, messageId)).done,
      120_000,
      'the send to finish',
    );
    await last.stop();
    const final = await counts(services.db, messageId);
    const dup = duplicates(sink);
    const bound = kills.length * 2 * KILL_BATCH;
    return {
      recipients: city.recipients,
      kills: kills.length,
      batchSize: KILL_BATCH,
      states: final.counts,
      lost: city.recipients - (final.counts.accepted ?? 0),
      distinctAtSink: dup.distinct,
      duplicates: dup.extra,
      mostCopies: dup.most,
      heldByDeadTotal: kills.reduce((sum, kill) => sum + kill.heldByDead, 0),
      inFlightBound: bound,
      withinBound: dup.extra <= bound && kills.every((kill) => kill.heldByDead <= 2 * KILL_BATCH),
      killsDetail: kills,
    };
  } finally {
    await sink.close();
  }
}

/** Redis killed and restarted mid-send, with dashboards open: nothing lost, dashboards catch up. */
async function redisDrill(services: BenchServices, city: BenchCity, log: Log) {
  const sink = await startFaultSink();
  const web = await startWebProcess(services.urls(sink.url));
  const boards = await openDashboards(services.db, services.bus, web.base, city.boardId, 5);
  let child: Child | undefined;
  try {
    const { messageId } = await sendToCity(services.db, city, 'Redis restart drill');
    await boards.watch(messageId);
    child = await dispatcher(services, sink, {});
    await waitFor(() => sink.accepted() >= city.recipients * 0.3, 60_000, '30 % sent');
    const restart = await services.crashRedis();
    log(`redis drill: Redis killed at ${sink.accepted()} mails`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await restart();
    log(`redis drill: Redis back at ${sink.accepted()} mails`);
    await waitFor(
      async () => (await counts(services.db, messageId)).done,
      120_000,
      'the send to finish',
    );
    const final = await counts(services.db, messageId);
    const convergedMs = await boards.allShow(final.counts.accepted ?? 0, CONVERGE_MS);
    const dup = duplicates(sink);
    const agree = boards
      .totals()
      .every((shown) => (shown.accepted ?? 0) === (final.counts.accepted ?? 0));
    return {
      recipients: city.recipients,
      states: final.counts,
      lost: city.recipients - (final.counts.accepted ?? 0),
      distinctAtSink: dup.distinct,
      duplicates: dup.extra,
      dashboards: 5,
      dashboardsEqualDatabaseAfterMs: convergedMs,
      dashboardsAgree: agree,
    };
  } finally {
    boards.close();
    await child?.stop();
    await web.stop();
    await sink.close();
  }
}

/** A relay deferring 20 % of attempts (451), retried with a short backoff: all sent. */
async function deferDrill(services: BenchServices, city: BenchCity) {
  const sink = await startFaultSink({ deferShare: 0.2 });
  const { messageId } = await sendToCity(services.db, city, '4xx drill');
  const child = await dispatcher(services, sink, {
    DISPATCH_RETRY_BASE_MS: '200',
    DISPATCH_RETRY_MAX_MS: '2000',
  });
  try {
    await waitFor(
      async () => (await counts(services.db, messageId)).done,
      180_000,
      'the send to finish',
    );
    const final = await counts(services.db, messageId);
    return {
      recipients: city.recipients,
      deferShare: 0.2,
      states: final.counts,
      lost: city.recipients - (final.counts.accepted ?? 0),
      attempts: sink.counts.rcpt,
      deferred: sink.counts.deferred,
      distinctAtSink: duplicates(sink).distinct,
    };
  } finally {
    await child.stop();
    await sink.close();
  }
}

/** A relay rejecting every tenth recipient (550): those fail at once and go on the call list. */
async function rejectDrill(services: BenchServices, city: BenchCity) {
  const rejects = (address: string) => childNumberOf(address) % 10 === 7;
  const sink = await startFaultSink({ rejects });
  const { messageId } = await sendToCity(services.db, city, '5xx drill');
  const child = await dispatcher(services, sink, {});
  try {
    await waitFor(
      async () => (await counts(services.db, messageId)).done,
      120_000,
      'the send to finish',
    );
    const final = await counts(services.db, messageId);
    const expected = Array.from({ length: city.recipients }, (_, n) => n).filter(
      (n) => n % 10 === 7,
    ).length;
    // Right after a send, before autovacuum has analysed the new rows, the call-list query
    // may get a plan that does not finish: it is timed under a limit as the page would call
    // it, and counted again once the statistics are fresh.
    const fresh = await withinLimit(services.db, CALL_LIST_LIMIT_MS, (tx) =>
      countCallListHouseholds(tx, messageId),
    );
    await services.db.execute(sql`analyze message_students, deliveries`);
    const analysed = await withinLimit(services.db, CALL_LIST_LIMIT_MS, (tx) =>
      countCallListHouseholds(tx, messageId),
    );
    // Independently of the call-list query: targeted households with no live delivery.
    const [row] = rowsOf<{ n: number }>(
      await services.db.execute(sql`select count(distinct ms.household_id)::int as n
        from message_students ms
        where ms.message_id = ${messageId} and not exists (
          select 1 from registrations r join addresses a on a.registration_id = r.id
          join deliveries d on d.message_id = ms.message_id and d.blind_index = a.blind_index
          where r.student_id = ms.student_id and d.state not in ('failed', 'bounced'))`),
    );
    return {
      recipients: city.recipients,
      rejectedRecipients: expected,
      states: final.counts,
      failed: final.counts.failed ?? 0,
      callListRightAfterSend: fresh,
      callListAfterAnalyze: analysed,
      householdsWithoutLiveDelivery: row?.n ?? 0,
      retriedRejections: sink.counts.rejected - expected,
    };
  } finally {
    await child.stop();
    await sink.close();
  }
}

export async function runFaultDrills(services: BenchServices, report: Report, log: Log) {
  const city = await createCity(services.db, services.keys, RECIPIENTS);
  log(`fault drills on ${RECIPIENTS} recipients: kill -9 ×${KILLS} …`);
  const kill = await killDrill(services, city, log);
  report.add(
    'fault: kill -9',
    `kills during a ${RECIPIENTS.toLocaleString('en')} send`,
    kill.kills,
    `batch ${KILL_BATCH}, lease ${LEASE_MS} ms`,
  );
  report.add(
    'fault: kill -9',
    'lost (not accepted)',
    kill.lost,
    `distinct Message-IDs at sink ${kill.distinctAtSink}`,
  );
  report.add(
    'fault: kill -9',
    'duplicates at sink / bound',
    `${kill.duplicates} / ${kill.inFlightBound}`,
    `held by the dead: ${kill.heldByDeadTotal}; most copies ${kill.mostCopies}`,
  );
  log('Redis crash and restart mid-send …');
  const redis = await redisDrill(services, city, log);
  report.add(
    'fault: Redis restart',
    'lost (not accepted)',
    redis.lost,
    `duplicates ${redis.duplicates}`,
  );
  report.add(
    'fault: Redis restart',
    'dashboards equal database after done, ms',
    redis.dashboardsEqualDatabaseAfterMs ?? `not within ${CONVERGE_MS}`,
    'bar ≤ 5000 (this machine)',
  );
  log('relay deferring 20 % …');
  const defer = await deferDrill(services, city);
  report.add(
    'fault: 451 on 20 %',
    'lost (not accepted)',
    defer.lost,
    `${defer.deferred} deferrals in ${defer.attempts} attempts`,
  );
  log('relay rejecting 10 % …');
  const reject = await rejectDrill(services, city);
  report.add(
    'fault: 550 on 10 %',
    'failed / rejected recipients',
    `${reject.failed} / ${reject.rejectedRecipients}`,
    `accepted ${reject.states.accepted ?? 0}; retried 5xx ${reject.retriedRejections}`,
  );
  const fresh = reject.callListRightAfterSend;
  report.add(
    'fault: 550 on 10 %',
    'call-list households (query / SQL)',
    `${reject.callListAfterAnalyze.value ?? 'timeout'} / ${reject.householdsWithoutLiveDelivery}`,
    `after ANALYZE, ${reject.callListAfterAnalyze.ms ?? '-'} ms`,
  );
  report.add(
    'fault: 550 on 10 %',
    'call-list count right after the send, ms',
    fresh.ms ?? `timeout (${CALL_LIST_LIMIT_MS})`,
    `${HERE}; stale statistics`,
  );
  return { kill, redis, defer, reject };
}
