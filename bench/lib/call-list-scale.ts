import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { loadCallList } from '@renraku/core/call-list';
import { createMessage, rowsOf } from '@renraku/db';
import type { StaffScope } from '@renraku/shared';
import { createLogger } from '@renraku/shared/logger';
import { createCity, sendToCity, settleSend, type BenchCity } from './population';
import { HERE, type Report } from './report';
import type { BenchServices } from './services';

// The call list (電話連絡リスト) on a big database: what a teacher, a school and the board wait
// for when they open it after a send, while the database holds `registrations` in all. The
// database is topped up with a city of its own (addresses unsealed: nothing is sent to it) and
// one district-wide send to it, whose deliveries and targets are settled by SQL; then the city's
// district-wide message and a one-school message are read through loadCallList, as the page and
// `GET /api/v1/messages/:id/call-list` read them (audit off, as a live refresh).

const WARM_UP = 2;
const SAMPLES = 10;

/** One message read in one staff scope. */
export interface CallListCase {
  message: 'district' | 'school';
  scope: StaffScope['role'];
  targeted: number;
  listed: number;
  p50Ms: number;
  p95Ms: number;
}

export interface CallListFigures {
  registrations: number;
  /** Households each measured message targeted. */
  messageSizes: { district: number; school: number };
  cases: CallListCase[];
  /** Over every case: the worst case's p50 and p95. */
  p50Ms: number;
  p95Ms: number;
}

async function countRegistrations(services: BenchServices): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await services.db.execute(sql`select count(*)::int as n from registrations`),
  );
  return row?.n ?? 0;
}

/**
 * Settles a message as settleSend does, with 1 in 50 of its deliveries never made
 * (registered after the send: 未登録 on the list).
 */
async function settle(services: BenchServices, messageId: number): Promise<void> {
  await services.db.execute(
    sql`delete from deliveries where message_id = ${messageId} and id % 50 = 1`,
  );
  await settleSend(services.db, messageId);
}

/** Adds a city with what the database lacks of `registrations`, and a settled send to it. */
async function topUp(services: BenchServices, registrations: number): Promise<void> {
  const missing = registrations - (await countRegistrations(services));
  if (missing <= 0) return;
  const filler = await createCity(services.db, null, missing);
  const { messageId } = await sendToCity(services.db, filler, '他の学校への配信');
  await settle(services, messageId);
}

async function targetedHouseholds(services: BenchServices, messageId: number): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await services.db.execute(sql`select count(distinct household_id)::int as n
      from message_students where message_id = ${messageId}`),
  );
  return row?.n ?? 0;
}

/**
 * Tops the database up to `registrations`, sends the city's two messages and times their call
 * lists in the board's, a school's and a teacher's scope.
 */
export async function measureCallListScale(
  services: BenchServices,
  city: BenchCity,
  registrations: number,
  report: Report,
  log: (text: string) => void,
): Promise<CallListFigures> {
  log(`call list: topping the database up to ${registrations} registrations …`);
  await topUp(services, registrations);
  const { messageId: district } = await sendToCity(services.db, city, '電話連絡リストベンチ');
  await settle(services, district);
  const [place] = rowsOf<{ schoolId: number; classId: number }>(
    await services.db.execute(sql`select c.school_id as "schoolId", min(c.id) as "classId"
      from classes c where c.district_id = ${city.districtId}
      group by c.school_id order by c.school_id limit 1`),
  );
  const { schoolId, classId } = place!;
  const { id: school } = await createMessage(services.db, {
    districtId: city.districtId,
    schoolId,
    authorId: city.boardId,
    category: 'emergency_contact',
    subject: '電話連絡リストベンチ（学校）',
    body: '本日は臨時休校とします。',
    target: { kind: 'schools', schoolIds: [schoolId] },
    scheduledAt: null,
    idempotencyKey: null,
    confirm: null,
  });
  await settle(services, school);
  await services.db.execute(sql`vacuum (analyze) deliveries`);
  await services.db.execute(sql`analyze`);
  const total = await countRegistrations(services);

  const ctx = {
    db: services.db,
    bus: services.bus,
    keys: services.keys,
    logger: createLogger('bench', 'silent'),
  };
  const { districtId } = city;
  const scopes: StaffScope[] = [
    { role: 'board', districtId },
    { role: 'school_admin', districtId, schoolId },
    { role: 'teacher', districtId, schoolId, classId },
  ];
  const messages = { district, school };
  const cases: CallListCase[] = [];
  for (const [kind, messageId] of Object.entries(messages) as [CallListCase['message'], number][]) {
    const targeted = await targetedHouseholds(services, messageId);
    for (const scope of scopes) {
      const staff = { id: city.boardId, displayName: 'ベンチ', scope, apiTokenId: null };
      const times: number[] = [];
      let listed = 0;
      for (let i = 0; i < WARM_UP + SAMPLES; i++) {
        const started = performance.now();
        const list = await loadCallList(ctx, staff, messageId, { audit: false });
        const ms = performance.now() - started;
        if (!list)
          throw new Error(`call list of message ${messageId} not in ${scope.role}'s scope`);
        listed = list.households;
        if (i >= WARM_UP) times.push(ms);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) =>
        Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!);
      const measured = { message: kind, scope: scope.role, targeted, listed };
      cases.push({ ...measured, p50Ms: at(0.5), p95Ms: at(0.95) });
      log(`call list: ${kind} message, ${scope.role}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`);
      report.add(
        'call list',
        `${kind} message (${targeted.toLocaleString('en')} households), ${scope.role}: p50 / p95 ms`,
        `${at(0.5)} / ${at(0.95)}`,
        `${HERE}; ${listed} listed; ${SAMPLES} reads; target p95 < 200`,
      );
    }
  }
  const figures: CallListFigures = {
    registrations: total,
    messageSizes: {
      district: cases.find((c) => c.message === 'district')?.targeted ?? 0,
      school: cases.find((c) => c.message === 'school')?.targeted ?? 0,
    },
    cases,
    p50Ms: Math.max(...cases.map((c) => c.p50Ms)),
    p95Ms: Math.max(...cases.map((c) => c.p95Ms)),
  };
  report.add(
    'call list',
    'registrations in the database',
    total,
    `worst case p50 / p95 ${figures.p50Ms} / ${figures.p95Ms} ms`,
  );
  report.set('callList', figures);
  return figures;
}
