import { eq, isNotNull } from 'drizzle-orm';
import {
  deactivateMessageSchedule,
  listMessageSchedules,
  runDueSchedule,
  schema,
  type Db,
} from '@renraku/db';
import { nextMonthlyRun, ServiceError } from '@renraku/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchedule } from '@renraku/core/messages';
import { createClass, createDistrict, createSchool, createStaff } from '../dispatch/fixtures';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';

// The board's monthly mail: the schedule service's checks, and the dispatcher loop's
// runDueSchedule turning each due schedule into exactly one message even when callers race.

let database: TestDatabase;
let db: Db;
let districtId: number;
let boardId: number;
let schoolId: number;
let adminId: number;
const now = new Date('2026-05-05T01:00:00.000Z');

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const district = await createDistrict(db);
  districtId = district.id;
  const school = await createSchool(db, districtId, '湊第一小学校');
  schoolId = school.id;
  await createClass(db, school, 1, '1組', 2026);
  boardId = (await createStaff(db, districtId, 'board', '教育委員会')).id;
  adminId = (await createStaff(db, districtId, 'school_admin', '校長', schoolId)).id;
});

afterAll(async () => {
  await database?.drop();
});

const board = () => ({ id: boardId, scope: { role: 'board' as const, districtId } });
const monthly = (
  target: unknown,
  extra: Partial<{ dayOfMonth: string; timeOfDay: string }> = {},
) => ({
  message: {
    category: 'education_info',
    subject: '月例のお知らせ',
    body: '今月の予定です。',
    target,
  },
  dayOfMonth: '10',
  timeOfDay: '07:30',
  ...extra,
});

describe('createSchedule', () => {
  it('stores the schedule with its first run in Japan time, and audits it', async () => {
    const result = await createSchedule({ db }, board(), monthly({ kind: 'district' }), now);
    expect(result.nextRunAt).toEqual(new Date('2026-05-09T22:30:00.000Z'));
    const [row] = await db
      .select()
      .from(schema.messageSchedules)
      .where(eq(schema.messageSchedules.id, result.id));
    expect(row).toMatchObject({
      districtId,
      authorId: boardId,
      dayOfMonth: 10,
      timeOfDay: '07:30',
    });
    const audits = await db
      .select()
      .from(schema.auditEvents)
      .where(eq(schema.auditEvents.action, 'schedule.create'));
    expect(audits.map((a) => a.subjectId)).toContain(String(result.id));
  });

  it.each([
    ['a school admin', { id: 0, scope: 'admin' }, monthly({ kind: 'district' }), 'outside_scope'],
    ['day 29', 'board', monthly({ kind: 'district' }, { dayOfMonth: '29' }), 'invalid_input'],
    ['day 0', 'board', monthly({ kind: 'district' }, { dayOfMonth: '0' }), 'invalid_input'],
    ['time 25:00', 'board', monthly({ kind: 'district' }, { timeOfDay: '25:00' }), 'invalid_input'],
    ['time 7時', 'board', monthly({ kind: 'district' }, { timeOfDay: '7時' }), 'invalid_input'],
    ['a class target', 'board', monthly({ kind: 'classes', classIds: [1] }), 'invalid_input'],
    [
      'an unknown school',
      'board',
      monthly({ kind: 'schools', schoolIds: [99_999] }),
      'unknown_target',
    ],
    [
      'an empty subject',
      'board',
      {
        ...monthly({ kind: 'district' }),
        message: {
          category: 'education_info',
          subject: '',
          body: 'x',
          target: { kind: 'district' },
        },
      },
      'invalid_input',
    ],
  ] as const)('refuses %s and stores nothing', async (_what, who, input, code) => {
    const before = (await listMessageSchedules(db, districtId)).length;
    const staff =
      who === 'board'
        ? board()
        : { id: adminId, scope: { role: 'school_admin' as const, districtId, schoolId } };
    const refused: unknown = await createSchedule({ db }, staff, input, now).catch((e) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ code, status: code === 'outside_scope' ? 403 : 400 });
    expect(await listMessageSchedules(db, districtId)).toHaveLength(before);
  });
});

describe('runDueSchedule (the dispatcher loop’s claim of due schedules)', () => {
  it('creates exactly one message per due schedule when several callers race', async () => {
    await db.update(schema.messageSchedules).set({ active: false });
    const due: number[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await createSchedule({ db }, board(), monthly({ kind: 'district' }), now);
      due.push(created.id);
    }
    const runAt = new Date('2026-05-10T00:00:00.000Z');
    const claimer = async () => {
      const ids: number[] = [];
      for (
        let id = await runDueSchedule(db, runAt);
        id !== null;
        id = await runDueSchedule(db, runAt)
      ) {
        ids.push(id);
      }
      return ids;
    };
    const claimed = (await Promise.all([claimer(), claimer(), claimer(), claimer()])).flat();
    expect(claimed).toHaveLength(3);
    const messages = await db
      .select()
      .from(schema.messages)
      .where(isNotNull(schema.messages.scheduleId));
    expect(messages.map((m) => m.scheduleId).sort()).toEqual([...due].sort());
    // The monthly test mail asks every family to confirm (「確認しました」, the default deadline),
    // news though it is.
    for (const m of messages) {
      expect(m).toMatchObject({
        authorId: boardId,
        category: 'education_info',
        confirm: { preset: 'ack', choices: [], needsCall: [], deadlineMinutes: 30 },
      });
    }
    const rows = await listMessageSchedules(db, districtId);
    for (const row of rows.filter((r) => due.includes(r.id))) {
      expect(row.nextRunAt).toEqual(nextMonthlyRun(runAt, 10, '07:30'));
    }
    expect(await runDueSchedule(db, runAt)).toBeNull();
  });

  it('never runs a stopped schedule, and stops only the district’s own', async () => {
    const created = await createSchedule({ db }, board(), monthly({ kind: 'district' }), now);
    expect(await deactivateMessageSchedule(db, districtId + 1000, created.id)).toBe(false);
    expect(await deactivateMessageSchedule(db, districtId, created.id)).toBe(true);
    expect(await deactivateMessageSchedule(db, districtId, created.id)).toBe(false);
    expect(await runDueSchedule(db, new Date('2026-05-20T00:00:00.000Z'))).toBeNull();
  });
});
