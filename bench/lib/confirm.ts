import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '@renraku/db';
import { confirmedOf } from '@renraku/core/confirmation/figures';
import { confirmRequestOf } from '@renraku/shared';
import { confirmToken } from '@renraku/shared/confirm-token';
import { connected, Dashboard, openSocket, sessionCookie } from '../../tests/live/harness';
import { quantile } from './dashboards';
import type { BenchCity } from './population';
import { sendToCity } from './population';
import { cpuMillis, sampleMemory, startWebProcess } from './processes';
import { HERE, type Report } from './report';
import type { BenchServices } from './services';
import { sendTaps, type Tap, type TapRun } from './taps';

// The confirmation burst: a closure goes out at 6 a.m. and the city's parents tap their
// personal links within minutes. Every delivery of a 安否確認 message is tapped once, through
// one web process, while dashboards watch the message; then 1,000 of them again, which must
// change no row count (the last answer wins, nothing is added).
//
// No dispatcher runs: the burst measures the web and the recorder, so the deliveries are
// marked accepted as the send would have left them.

/** Taps in flight at once: phones waiting for their answer page. */
const CONCURRENCY = 100;
/** Client addresses the taps come from (carriers' gateways); each stays under its limit. */
const CLIENT_ADDRESSES = 100;
const DASHBOARDS = 10;
const RETAPS = 1000;

/** The confirmed households a dashboard shows, from its snapshot plus deltas. */
export function dashboardConfirmed(dashboard: Dashboard): number | null {
  return dashboard.confirmation && confirmedOf(dashboard.confirmation.total);
}

export async function storedConfirmations(db: Db, messageId: number): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from confirmations
      where message_id = ${messageId}`),
  );
  return row?.n ?? 0;
}

function percentiles(run: TapRun) {
  const [p50, p95, p99] = [0.5, 0.95, 0.99].map(
    (q) => Math.round(quantile(run.latencies, q) * 10) / 10,
  );
  return { p50, p95, p99, max: Math.round(run.latencies.at(-1) ?? Number.NaN) };
}

const perSecond = (run: TapRun) => Math.round((run.sent / run.ms) * 1000);

export async function measureConfirmationBurst(
  services: BenchServices,
  city: BenchCity,
  report: Report,
  log: (text: string) => void,
) {
  const { db } = services;
  const confirm = confirmRequestOf('emergency_contact', { preset: 'safety' });
  const { messageId } = await sendToCity(db, city, '臨時休校と安否確認', confirm);
  await db.execute(sql`update deliveries set state = 'accepted' where message_id = ${messageId}`);
  const deliveries = rowsOf<{ id: number }>(
    await db.execute(sql`select id::int from deliveries where message_id = ${messageId}
      order by id`),
  );
  const taps: Tap[] = deliveries.map(({ id }, i) => ({
    path: `/c/${confirmToken(services.keys, id)}`,
    choice: i % (confirm!.choices.length + 1),
    clientAddress: `10.0.${i % CLIENT_ADDRESSES}.1`,
  }));

  log(`confirmation burst: web process, ${DASHBOARDS} dashboards, ${taps.length} taps …`);
  const web = await startWebProcess(services.urls('smtp://127.0.0.1:9'), {
    TRUST_PROXY: 'loopback',
  });
  const memory = sampleMemory(web.pid);
  const dashboards: Dashboard[] = [];
  try {
    await watchConfirmations(db, web.base, city.boardId, messageId, DASHBOARDS, dashboards);
    // The pages' first render compiles and warms the web; a GET records nothing.
    for (const tap of taps.slice(0, 50)) await fetch(`${web.base}${tap.path}`);

    const cpuBefore = cpuMillis(web.pid);
    const burst = await sendTaps(web.base, taps, CONCURRENCY);
    const cpuPerTap = Math.round(((cpuMillis(web.pid) - cpuBefore) / burst.sent) * 100) / 100;
    const equalMs = await dashboardEqualMs(db, messageId, dashboards, burst);
    const stored = await storedConfirmations(db, messageId);
    log(
      `burst: ${perSecond(burst)} taps/s, web CPU ${cpuPerTap} ms/tap, statuses ${JSON.stringify(burst.statuses)}, stored ${stored}`,
    );
    const retap = await sendTaps(web.base, taps.slice(0, RETAPS), CONCURRENCY);
    const afterRetap = await storedConfirmations(db, messageId);
    const webMemory = memory.stop();

    const latency = percentiles(burst);
    const ok = burst.statuses[200] ?? 0;
    report.add(
      'confirmation',
      'taps (distinct personal links)',
      burst.sent,
      `${CONCURRENCY} in flight, ${CLIENT_ADDRESSES} client addresses, ${DASHBOARDS} dashboards open`,
    );
    report.add(
      'confirmation',
      'taps/s, one web process',
      perSecond(burst),
      `${HERE}; target ≥ 1,000`,
    );
    report.add(
      'confirmation',
      'tap latency p50 / p95 / p99 ms',
      `${latency.p50} / ${latency.p95} / ${latency.p99}`,
      `${HERE}; max ${latency.max} ms; target p99 < 250`,
    );
    report.add(
      'confirmation',
      'answered 200 / stored / lost',
      `${ok} / ${stored} / ${burst.sent - stored}`,
      `other statuses ${JSON.stringify(burst.statuses)}, errors ${burst.errors}`,
    );
    report.add(
      'confirmation',
      `re-tapped ${retap.sent}: stored before / after`,
      `${stored} / ${afterRetap}`,
      `${perSecond(retap)} taps/s; idempotent when equal`,
    );
    report.add(
      'confirmation',
      'web CPU ms per tap',
      cpuPerTap,
      `${HERE}; user + system, of the web process`,
    );
    report.add(
      'confirmation',
      'dashboard equal after the last tap, ms',
      equalMs ?? 'never',
      `${DASHBOARDS} dashboards' confirmed households (snapshot + deltas) = the table's; target < 1,000`,
    );
    report.add(
      'confirmation',
      'web RSS MiB start / peak',
      `${webMemory.startRssMiB} / ${webMemory.peakRssMiB}`,
      HERE,
    );
    report.set('confirmation', {
      taps: burst.sent,
      concurrency: CONCURRENCY,
      perSecond: perSecond(burst),
      webCpuMsPerTap: cpuPerTap,
      latencyMs: latency,
      statuses: burst.statuses,
      errors: burst.errors,
      stored,
      lost: burst.sent - stored,
      retap: {
        taps: retap.sent,
        perSecond: perSecond(retap),
        statuses: retap.statuses,
        storedAfter: afterRetap,
      },
      dashboardEqualMs: equalMs,
      webPeakRssMiB: webMemory.peakRssMiB,
    });
    return { perSecond: perSecond(burst), latency, stored, afterRetap, equalMs };
  } finally {
    for (const dashboard of dashboards) dashboard.socket.disconnect();
    await web.stop();
  }
}

/**
 * Opens `count` board dashboards on the message, each its own socket and session, into
 * `dashboards` (so that the caller's cleanup finds those opened before a failure).
 */
export async function watchConfirmations(
  db: Db,
  base: string,
  boardId: number,
  messageId: number,
  count: number,
  dashboards: Dashboard[],
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const socket = openSocket(base, await sessionCookie(db, boardId));
    await connected(socket);
    const dashboard = new Dashboard(socket, messageId);
    dashboards.push(dashboard);
    const watched = await dashboard.start();
    if (!watched.ok) throw new Error(`dashboard refused: ${watched.error}`);
  }
}

/** How long after the last tap's answer every dashboard showed the database's count. */
export async function dashboardEqualMs(
  db: Db,
  messageId: number,
  dashboards: Dashboard[],
  burst: Pick<TapRun, 'lastAnsweredAt'>,
): Promise<number | null> {
  const stored = await storedConfirmations(db, messageId);
  for (;;) {
    if (dashboards.every((dashboard) => dashboardConfirmed(dashboard) === stored)) {
      return Math.round(performance.now() - burst.lastAnsweredAt);
    }
    if (performance.now() - burst.lastAnsweredAt > 10_000) return null;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
