import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { rowsOf } from '@renraku/db';
import { sessionCookie } from '../../tests/live/harness';
import type { BenchCity } from './population';
import { sendToCity, settleSend } from './population';
import { startWebProcess } from './processes';
import { HERE, type Report } from './report';
import type { BenchServices } from './services';

// The board's 全体の状況 (/staff/overview) on a whole city: what a board member waits for when
// they open it during an emergency. The page measures the latest 10 messages, so the city gets
// at least that many district-wide sends; those the bench adds are settled by SQL (a mix of
// accepted, delivered, delayed and failed), which is set-up and not measured.

/** The overview reads the latest 10 messages; fewer would flatter it. */
const OVERVIEW_MESSAGES = 10;
const WARM_UP = 3;

export interface OverviewFigures {
  recipients: number;
  messages: number;
  requests: number;
  /** The first open after the web started: every call-list count still to be made. */
  firstMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

async function settledSends(services: BenchServices, city: BenchCity): Promise<number> {
  const [existing] = rowsOf<{ n: number }>(
    await services.db.execute(
      sql`select count(*)::int as n from messages where district_id = ${city.districtId}`,
    ),
  );
  const missing = Math.max(0, OVERVIEW_MESSAGES - (existing?.n ?? 0));
  for (let i = 0; i < missing; i++) {
    const { messageId } = await sendToCity(services.db, city, `全体の状況ベンチ ${i + 1}`);
    await settleSend(services.db, messageId);
  }
  // As autovacuum does in production soon after a send: the counts become index-only scans.
  await services.db.execute(sql`vacuum (analyze) deliveries`);
  await services.db.execute(sql`analyze`);
  return Math.max(existing?.n ?? 0, OVERVIEW_MESSAGES);
}

/**
 * Makes the latest send the board's monthly test mail, which asks for confirmation, with a
 * third of the city's answers: the overview then reads each school's confirmation rate of it.
 */
async function makeTestMail(services: BenchServices, city: BenchCity): Promise<void> {
  await services.db.execute(sql`with schedule as (
      insert into message_schedules (district_id, author_id, category, subject, body, target,
        day_of_month, time_of_day, next_run_at)
      values (${city.districtId}, ${city.boardId}, 'education_info', '月例の配信テスト',
        'テスト', '{"kind":"district"}', 1, '07:30', now() + interval '30 days')
      returning id
    )
    update messages set schedule_id = (select id from schedule),
      confirm = '{"preset":"ack","choices":[],"needsCall":[],"deadlineMinutes":30}'
    where id = (select max(id) from messages where district_id = ${city.districtId})`);
  await services.db.execute(sql`insert into confirmations
      (message_id, household_id, delivery_id, choice, channel)
    select distinct on (ms.household_id) ms.message_id, ms.household_id, d.id, 0, 'link'
    from messages m
    join message_students ms on ms.message_id = m.id
    join registrations r on r.student_id = ms.student_id
    join addresses a on a.registration_id = r.id
    join deliveries d on d.message_id = m.id and d.blind_index = a.blind_index
    where m.district_id = ${city.districtId} and m.schedule_id is not null and ms.household_id % 3 = 0
    on conflict do nothing`);
  await services.db.execute(sql`analyze confirmations`);
}

/** Times `requests` sequential GETs of the overview as the city's board member. */
export async function measureOverview(
  services: BenchServices,
  city: BenchCity,
  report: Report,
  requests = 30,
): Promise<OverviewFigures> {
  const messages = await settledSends(services, city);
  // The overview sends no mail; the relay address is never dialled.
  const web = await startWebProcess(services.urls('smtp://127.0.0.1:9'));
  try {
    const cookie = await sessionCookie(services.db, city.boardId);
    /** WARM_UP + `requests` sequential opens; the times after the warm-up, sorted, and the first. */
    const opens = async () => {
      const times: number[] = [];
      let first = 0;
      for (let i = 0; i < WARM_UP + requests; i++) {
        const started = performance.now();
        const response = await fetch(`${web.base}/staff/overview`, {
          headers: { cookie, accept: 'text/html' },
        });
        const page = await response.text();
        const ms = performance.now() - started;
        if (response.status !== 200 || !page.includes('全体の状況')) {
          throw new Error(`overview answered ${response.status}`);
        }
        if (i === 0) first = Math.round(ms);
        if (i >= WARM_UP) times.push(ms);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
      return { times, first, at };
    };
    // The same web, before and after the latest send became a confirming test mail: what
    // reading its confirmation rate adds.
    const before = await opens();
    await makeTestMail(services, city);
    const { times, first: testMailFirstMs, at } = await opens();
    const firstMs = before.first;
    const figures: OverviewFigures = {
      recipients: city.recipients,
      messages,
      requests,
      firstMs,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      maxMs: Math.round(times.at(-1)!),
    };
    report.add(
      'overview',
      `全体の状況 on ${city.recipients.toLocaleString('en')} addresses p50 / p95 ms`,
      `${figures.p50Ms} / ${figures.p95Ms}`,
      `${HERE}; ${requests} GETs, ${messages} sends in the district; target p95 < 300`,
    );
    report.add(
      'overview',
      'the same before the latest send was a confirming test mail, p50 / p95 ms',
      `${before.at(0.5)} / ${before.at(0.95)}`,
      `${HERE}; the first open after it became one: ${testMailFirstMs} ms`,
    );
    report.add(
      'overview',
      'first open after the web started, ms',
      figures.firstMs,
      `${HERE}; counts every call list once`,
    );
    report.set('overview', figures);
    return figures;
  } finally {
    await web.stop();
  }
}
