import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '@renraku/db';
import type { DeliveryState, MessageTarget, StaffScope } from '@renraku/shared';
import {
  addFamilies,
  createClass,
  createDistrictWithClass,
  createSchool,
  createStaff,
  sendMessage,
  simpleFamilies,
} from '../dispatch/fixtures';
import { tokenFor } from '../send/harness';
import { assignClass, sessionCookie } from './harness';

// A district caught mid-emergency, with every delivery state set by SQL (no dispatcher, so the
// figures stand still while pages are read): a district message still sending, started ten
// seconds ago, and an earlier one done. The teacher of 1年1組 sees 6 of its 18 deliveries.
//   1年1組 (school A): accepted, delivered, delayed, failed, queued, queued; one family unregistered
//   4年1組 (school A): 4 accepted        1年1組 (school B): 8 queued
// School C (added after both sends, so it is in neither) has 30 households, 29 registered.

export interface FiguresWorld {
  sending: number;
  done: number;
  schoolBOnly: number;
  schoolCName: string;
  teacherScope: StaffScope;
  cookies: { board: string; teacher: string; adminC: string };
  tokens: { board: string; teacher: string };
  ids: { board: number; teacher: number };
}

async function setStates(db: Db, messageId: number, classId: number, states: DeliveryState[]) {
  const ids = rowsOf<{ id: number | string }>(
    await db.execute(sql`select id from deliveries
      where message_id = ${messageId} and class_id = ${classId} order by id`),
  ).map((row) => Number(row.id));
  if (ids.length !== states.length) throw new Error(`class ${classId}: ${ids.length} deliveries`);
  for (const [i, state] of states.entries()) {
    await db.execute(sql`update deliveries set state = ${state}::delivery_state,
      attempts = ${state === 'queued' ? 0 : 1} where id = ${ids[i]!}`);
  }
}

export async function createFiguresWorld(db: Db): Promise<FiguresWorld> {
  const {
    district,
    board,
    school: schoolA,
    klass: a2,
  } = await createDistrictWithClass(db, 'みなと第一小学校');
  const a1 = await createClass(db, schoolA, 1, '1組');
  const schoolB = await createSchool(db, district.id, 'みなと第二小学校');
  const b1 = await createClass(db, schoolB, 1, '1組');
  await addFamilies(db, [
    ...simpleFamilies(a1, 6, (i) => `a1-${i}@example.jp`),
    [{ klass: a1, name: '未登録 花子', addresses: [] }],
    ...simpleFamilies(a2, 4, (i) => `a2-${i}@example.jp`),
    ...simpleFamilies(b1, 8, (i) => `b1-${i}@example.jp`),
  ]);
  const teacher = await createStaff(db, district.id, 'teacher', '1年1組 担任 田中', schoolA.id);
  await assignClass(db, teacher.id, a1.id);

  const send = async (subject: string, target: MessageTarget = { kind: 'district' }) =>
    (await sendMessage(db, { districtId: district.id, authorId: board.id, target, subject })).id;
  const done = await send('昨日の連絡');
  await db.execute(sql`update deliveries set state = 'accepted', attempts = 1, finished_at = now()
    where message_id = ${done}`);
  await db.execute(sql`update messages set state = 'done', started_at = now() - interval '2 minutes',
    finished_at = now() - interval '1 minute' where id = ${done}`);

  const sending = await send('臨時休校のお知らせ');
  await setStates(db, sending, a1.id, [
    'accepted',
    'delivered',
    'delayed',
    'failed',
    'queued',
    'queued',
  ]);
  await setStates(db, sending, a2.id, ['accepted', 'accepted', 'accepted', 'accepted']);
  await db.execute(sql`update messages set state = 'sending', started_at = now() - interval '10 seconds'
    where id = ${sending}`);
  const schoolBOnly = await send('第二小だけ', { kind: 'schools', schoolIds: [schoolB.id] });

  const schoolCName = 'みなと第三小学校';
  const schoolC = await createSchool(db, district.id, schoolCName);
  const c1 = await createClass(db, schoolC, 4, '1組');
  await addFamilies(db, [
    ...simpleFamilies(c1, 29, (i) => `c1-${i}@example.jp`),
    [{ klass: c1, name: '未登録 太郎', addresses: [] }],
  ]);
  const adminC = await createStaff(db, district.id, 'school_admin', '第三小 教頭', schoolC.id);

  return {
    sending,
    done,
    schoolBOnly,
    schoolCName,
    teacherScope: {
      role: 'teacher',
      districtId: district.id,
      schoolId: schoolA.id,
      classId: a1.id,
    },
    cookies: {
      board: await sessionCookie(db, board.id),
      teacher: await sessionCookie(db, teacher.id),
      adminC: await sessionCookie(db, adminC.id),
    },
    tokens: { board: await tokenFor(db, board.id), teacher: await tokenFor(db, teacher.id) },
    ids: { board: board.id, teacher: teacher.id },
  };
}
