import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { progressCounts, rowsOf, type Db } from '@renraku/db';
import type { CallList } from '@renraku/core/call-list';
import { SAFETY_NEEDS_CALL } from '@renraku/shared';
import { confirmToken } from '@renraku/shared/confirm-token';
import { apiToken, type Dashboard } from '../../tests/live/harness';
import { childNumberOf } from './addresses';
import { dashboardEqualMs, storedConfirmations, watchConfirmations } from './confirm';
import { quantile } from './dashboards';
import { startFaultSink, type FaultSink } from './fault-sink';
import { createCity } from './population';
import {
  cpuMillis,
  sampleMemory,
  type Child,
  startDispatcherProcess,
  startWebProcess,
} from './processes';
import { HERE, type Report } from './report';
import type { BenchServices } from './services';
import { postTap } from './taps';

// The 6 a.m. closure drill: a district 緊急連絡 asking for 安否確認 (preset 'safety') goes out
// through the web's API as an operator's integration sends it, to a city where some children
// have no registration (未登録: their registrations are deleted) and the relay refuses some
// addresses (550 at RCPT from the fault sink: 配信失敗), with a real dispatcher and a real web
// process and 50 dashboards open. Each parent taps their personal link some time after their
// mail reached the relay; at the deadline the dispatcher re-sends to the unconfirmed, and after
// the interval again their households join the call list, which must then be exactly the
// households without a confirmation plus those whose answer asks for a call.
//
// Time is compressed 10×: a real parent's delay after their mail is exponential with a mean of
// 2 minutes (92 % within 5), capped at 15 minutes, 10 % never tap; in the drill it is that
// divided by 10 (mean 12 s, 5 minutes → 30 s, at most 90 s). More would make the city tap
// faster than any city does (30× put 9,000 taps in 10 s beside the send, and measured the queue
// in front of the web rather than a tap). The API's shortest deadline, 10
// minutes, becomes 60 s after the send, or 2 s after the first mail's send is done when that is
// later (the send itself cannot be compressed); the bench moves messages.confirm_deadline_at to
// now() then, and to an interval before now() after the last tap for the escalation. The
// dispatcher polls every 200 ms (DISPATCH_POLL_MS, which is also its chase loop's period).

const COMPRESSION = 10;
const MEAN_DELAY_MS = 120_000 / COMPRESSION;
const MAX_DELAY_MS = 900_000 / COMPRESSION;
const NEVER_TAP = 0.1;
const DEADLINE_MINUTES = 10;
const DEADLINE_MS = (DEADLINE_MINUTES * 60_000) / COMPRESSION;
const DASHBOARDS = 50;
/** Children (by number, mod 100) left unregistered, and whose address the relay refuses. */
const UNREGISTERED = new Set([7, 8]);
const REFUSED = new Set([3, 4, 5]);
/** Kept-alive connections the phones' taps share, and the carriers' gateways they come from. */
const SOCKETS = 100;
const CLIENT_ADDRESSES = 100;
const POLL_MS = 100;
const WAIT_MS = 300_000;

/** A deterministic uniform number in [0, 1) for `n` and `salt`: the same parents every run. */
function unit(n: number, salt: number): number {
  let x = (Math.imul(n, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/** What the parent mailed with delivery `id` does: never tap, or tap `choice` after `delayMs`. */
function parentOf(id: number): { delayMs: number; choice: number } | null {
  if (unit(id, 0) < NEVER_TAP) return null;
  const delayMs = Math.min(MAX_DELAY_MS, -Math.log(1 - unit(id, 1)) * MEAN_DELAY_MS);
  // 無事です, 迎えに行けます mostly; けががあります and 迎えに行けません (a call) now and then.
  const pick = unit(id, 2);
  const choice = pick < 0.65 ? 1 : pick < 0.9 ? 3 : pick < 0.95 ? 2 : 4;
  return { delayMs, choice };
}

async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > WAIT_MS) throw new Error(`drill: ${what} not in time`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const sorted = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);
function sameSet(a: number[], b: number[]): boolean {
  const [left, right] = [sorted(a), sorted(b)];
  return left.length === right.length && left.every((id, i) => id === right[i]);
}

async function householdIds(db: Db, query: ReturnType<typeof sql>): Promise<number[]> {
  return rowsOf<{ id: number }>(await db.execute(query)).map((row) => Number(row.id));
}

/** The parents' taps, each at its time; `pause` holds new ones back (the deadline's moment). */
function tapScheduler(base: string, keys: BenchServices['keys']) {
  const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS });
  const url = new URL(base);
  const latencies: number[] = [];
  const answeredAt: number[] = [];
  const statuses: Record<number, number> = {};
  const held: (() => void)[] = [];
  let errors = 0;
  let scheduled = 0;
  let settled = 0;
  let inFlight = 0;
  let paused = false;
  let lastAnsweredAt = 0;
  const fire = (deliveryId: number, choice: number) => {
    if (paused) {
      held.push(() => fire(deliveryId, choice));
      return;
    }
    inFlight++;
    const at = performance.now();
    const tap = {
      path: `/c/${confirmToken(keys, deliveryId)}`,
      choice,
      clientAddress: `10.1.${deliveryId % CLIENT_ADDRESSES}.1`,
    };
    void postTap(agent, url, tap)
      .then(
        (status) => (statuses[status] = (statuses[status] ?? 0) + 1),
        () => errors++,
      )
      .finally(() => {
        lastAnsweredAt = performance.now();
        latencies.push(lastAnsweredAt - at);
        answeredAt.push(lastAnsweredAt);
        inFlight--;
        settled++;
      });
  };
  return {
    schedule(deliveryId: number) {
      const parent = parentOf(deliveryId);
      if (!parent) return;
      scheduled++;
      setTimeout(() => fire(deliveryId, parent.choice), parent.delayMs);
    },
    async pause() {
      paused = true;
      await waitUntil('taps in flight', () => Promise.resolve(inFlight === 0));
    },
    resume() {
      paused = false;
      for (const tap of held.splice(0)) tap();
    },
    allAnswered: () => settled === scheduled,
    figures: () => ({
      scheduled,
      statuses,
      errors,
      lastAnsweredAt,
      latencies: Float64Array.from(latencies).sort(),
      answeredAt: [...answeredAt].sort((a, b) => a - b),
    }),
    close: () => agent.destroy(),
  };
}

/** Children numbered mod 100 in `set`, as SQL over a registration's login (bench-<n>). */
const childIn = (set: Set<number>) =>
  sql`(substr(r.login_id, 7)::int % 100) in ${sql.raw(`(${[...set].join(', ')})`)}`;

async function runClosureDrill(
  services: BenchServices,
  recipients: number,
  log: (text: string) => void,
) {
  const { db } = services;
  const started = performance.now();
  const city = await createCity(db, services.keys, recipients);
  await db.execute(sql`delete from addresses a using registrations r
    where a.registration_id = r.id and r.district_id = ${city.districtId} and ${childIn(UNREGISTERED)}`);
  await db.execute(sql`delete from registrations r
    where r.district_id = ${city.districtId} and ${childIn(UNREGISTERED)}`);
  let rootId = 0;
  // The web sends no mail here: the dispatcher's relay is the fault sink.
  const web = await startWebProcess(services.urls('smtp://127.0.0.1:9'), {
    TRUST_PROXY: 'loopback',
  });
  const scheduler = tapScheduler(web.base, services.keys);
  const dashboards: Dashboard[] = [];
  let sink: FaultSink | undefined;
  let dispatcher: Child | undefined;
  try {
    sink = await startFaultSink({
      rejects: (address) => REFUSED.has(childNumberOf(address) % 100),
      onAccepted(header) {
        const ids = /renraku\.(\d+)\.(\d+)@/.exec(header);
        if (ids && Number(ids[1]) === rootId) scheduler.schedule(Number(ids[2]));
      },
    });
    dispatcher = await startDispatcherProcess(services.urls(sink.url), {
      DISPATCH_POLL_MS: '200',
    });
    const webMemory = sampleMemory(web.pid);
    const dispatcherMemory = sampleMemory(dispatcher.pid);
    // CPU of each process over the drill: on 2 cores they compete, which the taps' wait shows.
    const benchCpu = process.cpuUsage();
    const cpuBefore = { web: cpuMillis(web.pid), dispatcher: cpuMillis(dispatcher.pid) };
    const token = await apiToken(db, city.boardId);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${web.base}/api/v1${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    log(`drill: ${recipients} children, ${DASHBOARDS} dashboards; POST /api/v1/messages …`);
    const sentAt = performance.now();
    const sentEpoch = Date.now();
    const response = await api('/messages', {
      method: 'POST',
      body: JSON.stringify({
        category: 'emergency_contact',
        subject: '臨時休校と安否確認',
        body: '台風の接近に伴い、本日は市内すべての小中学校を臨時休校とします。\nお子さまの様子をお知らせください。',
        target: { kind: 'district' },
        confirm: { preset: 'safety', deadlineMinutes: DEADLINE_MINUTES },
      }),
    });
    if (response.status !== 201) {
      throw new Error(`drill: POST /api/v1/messages ${response.status}: ${await response.text()}`);
    }
    rootId = ((await response.json()) as { id: number }).id;
    await watchConfirmations(db, web.base, city.boardId, rootId, DASHBOARDS, dashboards);
    const isDone = (id: number) => async () =>
      (await progressCounts(db, id))?.messageState === 'done';
    await waitUntil('the send', isDone(rootId));
    const doneAt = performance.now();
    const [sent] = rowsOf<{ accepted: number; failed: number; lastAt: number }>(
      await db.execute(sql`select count(*) filter (where state = 'accepted')::int as accepted,
          count(*) filter (where state <> 'accepted')::int as failed,
          extract(epoch from max(updated_at) filter (where state = 'accepted')) * 1000 as "lastAt"
        from deliveries where message_id = ${rootId}`),
    );
    const allAcceptedMs = Math.round(Number(sent!.lastAt) - sentEpoch);
    log(`drill: ${sent!.accepted} accepted, ${sent!.failed} refused, all in ${allAcceptedMs} ms`);

    // The deadline: taps held back for the moment so that "unconfirmed by then" is one set.
    const deadlineAt = Math.max(sentAt + DEADLINE_MS, doneAt + 2000);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, deadlineAt - performance.now())),
    );
    await scheduler.pause();
    const unconfirmedThen = await householdIds(
      db,
      sql`select distinct ms.household_id as id from message_students ms
        where ms.message_id = ${rootId}
          and not exists (select 1 from confirmations c
            where c.message_id = ${rootId} and c.household_id = ms.household_id)
          and exists (select 1 from registrations r join addresses a on a.registration_id = r.id
            where r.student_id = ms.student_id and a.health <> 'dead')`,
    );
    await db.execute(sql`update messages set confirm_deadline_at = now() where id = ${rootId}`);
    const chasedAt = performance.now();
    let resendId = 0;
    await waitUntil('the deadline re-send', async () => {
      const [row] = rowsOf<{ id: number }>(
        await db.execute(sql`select id from messages where resend_of = ${rootId}`),
      );
      resendId = row?.id ?? 0;
      return resendId > 0;
    });
    const chaseMs = Math.round(performance.now() - chasedAt);
    scheduler.resume();
    const resent = await householdIds(
      db,
      sql`select distinct household_id as id from message_students where message_id = ${resendId}`,
    );
    const resentOnlyUnconfirmed = sameSet(resent, unconfirmedThen);
    log(`drill: re-sent to ${resent.length} (unconfirmed then ${unconfirmedThen.length})`);
    await waitUntil('the re-send', isDone(resendId));
    await waitUntil('the last tap', () => Promise.resolve(scheduler.allAnswered()));
    const taps = scheduler.figures();
    const equalMs = await dashboardEqualMs(db, rootId, dashboards, taps);

    // The interval again after the deadline: the unconfirmed join the call list.
    await db.execute(sql`update messages set confirm_deadline_at = now()
        - make_interval(mins => ${DEADLINE_MINUTES}) - interval '1 second'
      where id = ${rootId}`);
    await waitUntil('the escalation', async () => {
      const [row] = rowsOf<{ escalated: boolean }>(
        await db.execute(sql`select escalated_at is not null as escalated from messages
          where id = ${rootId}`),
      );
      return row?.escalated === true;
    });
    const listed = (await (await api(`/messages/${rootId}/call-list`)).json()) as CallList;
    const rows = [...listed.actionNeeded, ...listed.groups].flatMap((group) => group.rows);
    // Independently: every targeted household but those that confirmed with an answer that
    // needs no call; and by reason, the children made unregistered and refused above.
    const expected = await householdIds(
      db,
      sql`select distinct ms.household_id as id from message_students ms
        where ms.message_id = ${rootId}
          and not exists (select 1 from confirmations c
            where c.message_id = ${rootId} and c.household_id = ms.household_id
              and c.choice not in ${sql.raw(`(${SAFETY_NEEDS_CALL.join(', ')})`)})`,
    );
    const byReason = (child: Set<number>) =>
      householdIds(
        db,
        sql`select distinct ms.household_id as id from message_students ms
          join students st on st.id = ms.student_id
          where ms.message_id = ${rootId}
            and (substr(st.roster_number, 2)::int % 100) in ${sql.raw(`(${[...child].join(', ')})`)}`,
      );
    const listedWith = (reason: string) =>
      rows.filter((row) => row.reason === reason).map((row) => row.householdId);
    const callListExact =
      sameSet(
        rows.map((row) => row.householdId),
        expected,
      ) &&
      sameSet(listedWith('unregistered'), await byReason(UNREGISTERED)) &&
      sameSet(listedWith('failed'), await byReason(REFUSED));
    const stored = await storedConfirmations(db, rootId);
    const benchUsed = process.cpuUsage(benchCpu);
    const cpuMs = {
      web: Math.round(cpuMillis(web.pid) - cpuBefore.web),
      dispatcher: Math.round(cpuMillis(dispatcher.pid) - cpuBefore.dispatcher),
      bench: Math.round((benchUsed.user + benchUsed.system) / 1000),
    };

    const children = (set: Set<number>) =>
      Array.from({ length: recipients }, (_, n) => n).filter((n) => set.has(n % 100)).length;
    const refused = children(REFUSED);
    const reachable = recipients - children(UNREGISTERED) - refused;
    const curve = (share: number) => {
      const at = taps.answeredAt[Math.ceil(share * taps.scheduled) - 1];
      return at === undefined ? null : Math.round(at - sentAt);
    };
    const tapP99 = Math.round(quantile(taps.latencies, 0.99) * 10) / 10;
    const checks = {
      allAccepted: sent!.accepted === reachable && sent!.failed === refused,
      tapsAnswered: (taps.statuses[200] ?? 0) === taps.scheduled && taps.errors === 0,
      storedEqualsTaps: stored === taps.scheduled,
      dashboardEqual: equalMs !== null,
      resentOnlyUnconfirmed,
      callListExact,
    };
    const figures = {
      recipients,
      dashboards: DASHBOARDS,
      compression: COMPRESSION,
      accepted: sent!.accepted,
      refused: sent!.failed,
      allAcceptedMs,
      tappers: taps.scheduled,
      confirmedMs: { p50: curve(0.5), p90: curve(0.9) },
      tapLatencyMs: {
        p50: Math.round(quantile(taps.latencies, 0.5) * 10) / 10,
        p99: tapP99,
        max: Math.round(taps.latencies.at(-1) ?? Number.NaN),
      },
      tapStatuses: taps.statuses,
      tapErrors: taps.errors,
      stored,
      resent: resent.length,
      chaseMs,
      callList: {
        households: rows.length,
        unregistered: listedWith('unregistered').length,
        failed: listedWith('failed').length,
        unconfirmed: listedWith('unconfirmed').length,
        answerNeedsCall: rows.filter((row) => row.reason === null).length,
      },
      dashboardEqualMs: equalMs,
      dashboardEqual: equalMs !== null,
      callListExact,
      resentOnlyUnconfirmed,
      dispatcherPeakRssMiB: dispatcherMemory.stop().peakRssMiB,
      webPeakRssMiB: webMemory.stop().peakRssMiB,
      cpuMs,
      drillMs: Math.round(performance.now() - started),
      checks: { ...checks, allPassed: Object.values(checks).every(Boolean) },
    };
    return figures;
  } finally {
    scheduler.close();
    for (const dashboard of dashboards) dashboard.socket.disconnect();
    await Promise.all([web.stop(), dispatcher?.stop()]);
    await sink?.close();
  }
}

export async function measureClosureDrill(
  services: BenchServices,
  recipients: number,
  report: Report,
  log: (text: string) => void,
) {
  const drill = await runClosureDrill(services, recipients, log);
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  const { callList, checks } = drill;
  log(`drill: ${JSON.stringify(checks)} in ${drill.drillMs} ms`);
  report.add(
    'drill',
    'children / dashboards',
    `${recipients.toLocaleString('en')} / ${DASHBOARDS}`,
    `安否確認 sent by POST /api/v1/messages; ${drill.refused} refused by the relay, ${callList.unregistered} unregistered`,
  );
  report.add(
    'drill',
    'send → 100 % accepted, ms',
    drill.allAcceptedMs,
    `${HERE}; ${drill.accepted} accepted`,
  );
  report.add(
    'drill',
    'send → 50 % / 90 % of tappers confirmed, ms',
    `${drill.confirmedMs.p50} / ${drill.confirmedMs.p90}`,
    `${HERE}; ${drill.tappers} tappers, parents' delays compressed ${COMPRESSION}×`,
  );
  report.add(
    'drill',
    'tap latency p50 / p99 ms',
    `${drill.tapLatencyMs.p50} / ${drill.tapLatencyMs.p99}`,
    `${HERE}; max ${drill.tapLatencyMs.max} ms; from its firing, a wait for one of ${SOCKETS} sockets included`,
  );
  report.add(
    'drill',
    'dashboards equal the table after the last tap, ms',
    drill.dashboardEqualMs ?? 'never',
    `${DASHBOARDS} dashboards' confirmed households`,
  );
  report.add(
    'drill',
    'deadline re-send only to the unconfirmed',
    yes(drill.resentOnlyUnconfirmed),
    `${drill.resent} households, ${drill.chaseMs} ms after the deadline`,
  );
  report.add(
    'drill',
    'call list exact',
    yes(drill.callListExact),
    `${callList.households}: ${callList.unconfirmed} unconfirmed, ${callList.failed} failed, ${callList.unregistered} unregistered, ${callList.answerNeedsCall} answers that need a call`,
  );
  report.add(
    'drill',
    'RSS peak MiB dispatcher / web',
    `${drill.dispatcherPeakRssMiB} / ${drill.webPeakRssMiB}`,
    HERE,
  );
  report.add(
    'drill',
    'CPU ms web / dispatcher / bench',
    `${drill.cpuMs.web} / ${drill.cpuMs.dispatcher} / ${drill.cpuMs.bench}`,
    `${HERE}; the bench process runs the relay, the taps and the dashboards`,
  );
  report.add('drill', 'all checks passed', yes(checks.allPassed), `drill took ${drill.drillMs} ms`);
  report.set('drill', drill);
  return drill;
}
