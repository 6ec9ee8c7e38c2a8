import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fanOutDueMessage,
  previewMessage,
  progressCounts,
  rowsOf,
  runDueSchedule,
  schema,
  type Db,
  type NewMessage,
} from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { nextMonthlyRun, type MessageTarget } from '@renraku/shared';
import { blindIndex } from '@renraku/shared/crypto';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  currentYear,
  deliveriesOf,
  keys,
  messageRow,
  sendMessage,
  simpleFamilies,
} from './fixtures';

// Target resolution, the preview's figures, the set-based fan-out and createMessage's
// idempotency, against the real PostgreSQL.

let testDb: TestDatabase;
let db: Db;
let world: Awaited<ReturnType<typeof buildWorld>>;

async function buildWorld() {
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会 佐藤');
  const s1 = await createSchool(db, district.id, 'みなと第一小学校');
  const s2 = await createSchool(db, district.id, 'みなと中学校', 'junior_high');
  const s1c11 = await createClass(db, s1, 1, '1組');
  const s1c12 = await createClass(db, s1, 1, '2組');
  const s1c31 = await createClass(db, s1, 3, '1組');
  const s1LastYear = await createClass(db, s1, 2, '1組', currentYear - 1);
  const s2c11 = await createClass(db, s2, 1, '1組');
  const other = await createDistrict(db, '隣町教育委員会');
  const otherSchool = await createSchool(db, other.id, '隣町小学校');
  const otherClass = await createClass(db, otherSchool, 1, '1組');
  const dead = (address: string) => ({ address, health: 'dead' as const });
  const { householdIds } = await addFamilies(db, [
    // 0: siblings in 1-1 and 3-1 sharing one address; the younger has a second one.
    [
      { klass: s1c11, name: '湊 一郎', addresses: ['shared@docomo.ne.jp'] },
      { klass: s1c31, name: '湊 花子', addresses: ['Shared@docomo.ne.jp', 'papa@gmail.com'] },
    ],
    // 1: a live and a dead address: only the live one is mailed.
    [{ klass: s1c11, name: '岬 次郎', addresses: ['f2@ezweb.ne.jp', dead('f2-old@au.com')] }],
    // 2: not registered: call list.
    [{ klass: s1c12, name: '浜 三郎', addresses: [] }],
    // 3: every address dead: call list.
    [{ klass: s1c11, name: '磯 四郎', addresses: [dead('f4@softbank.ne.jp')] }],
    // 4: graduated: neither in the snapshot nor among the households.
    [{ klass: s1c11, name: '卒業 五郎', status: 'graduated', addresses: [] }],
    // 5: junior high, soft-bouncing address: still mailed.
    [
      {
        klass: s2c11,
        name: '港 六子',
        addresses: [{ address: 's2@ezweb.ne.jp', health: 'failing' }],
      },
    ],
    // 6: last school year's class: never targeted.
    [{ klass: s1LastYear, name: '去年 七郎', addresses: ['old@softbank.ne.jp'] }],
    // 7: siblings in two schools sharing one address.
    [
      { klass: s1c12, name: '渚 八郎', addresses: ['cross@icloud.com'] },
      { klass: s2c11, name: '渚 九美', addresses: ['cross@icloud.com'] },
    ],
  ]);
  await addFamilies(db, [
    [{ klass: otherClass, name: '隣 十郎', addresses: ['other@docomo.ne.jp'] }],
  ]);
  return { district, board, s1, s2, s1c11, s1c12, s1c31, s2c11, otherClass, householdIds };
}

/** A send by the board; the tests only say what differs. */
function send(target: MessageTarget, extra: Partial<NewMessage> = {}) {
  return sendMessage(db, {
    districtId: world.district.id,
    authorId: world.board.id,
    target,
    ...extra,
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
  world = await buildWorld();
});

afterAll(async () => {
  await testDb.drop();
});

describe('previewMessage', () => {
  it('counts distinct live addresses, targeted households and the call list per target', async () => {
    const preview = (target: MessageTarget) =>
      previewMessage(db, world.district.id, target, currentYear, 'emergency_contact');
    expect(await preview({ kind: 'district' })).toEqual({
      recipients: 5,
      households: 6,
      callListHouseholds: 2,
    });
    expect(await preview({ kind: 'schools', schoolIds: [world.s2.id] })).toEqual({
      recipients: 2,
      households: 2,
      callListHouseholds: 0,
    });
    expect(await preview({ kind: 'grades', schoolId: world.s1.id, grades: [1] })).toEqual({
      recipients: 3,
      households: 5,
      callListHouseholds: 2,
    });
    expect(await preview({ kind: 'classes', classIds: [world.s1c31.id] })).toEqual({
      recipients: 2,
      households: 1,
      callListHouseholds: 0,
    });
  });

  it('reaches nothing outside the district or the school year, whatever the ids say', async () => {
    const none = { recipients: 0, households: 0, callListHouseholds: 0 };
    expect(
      await previewMessage(
        db,
        world.district.id,
        { kind: 'classes', classIds: [world.otherClass.id] },
        currentYear,
        'emergency_contact',
      ),
    ).toEqual(none);
    expect(
      await previewMessage(
        db,
        world.district.id,
        { kind: 'district' },
        currentYear + 1,
        'emergency_contact',
      ),
    ).toEqual(none);
    expect(
      await previewMessage(
        db,
        world.district.id,
        { kind: 'schools', schoolIds: [] },
        currentYear,
        'emergency_contact',
      ),
    ).toEqual(none);
  });
});

describe('createMessage fan-out', () => {
  it('creates one delivery per distinct address, naming siblings, and snapshots the roster', async () => {
    const { id, created } = await send({ kind: 'district' });
    expect(created).toBe(true);
    const row = await messageRow(db, id);
    expect(row).toMatchObject({ state: 'queued', recipientCount: 5 });
    expect(row.fannedOutAt).not.toBeNull();
    const deliveries = await deliveriesOf(db, id);
    expect(deliveries).toHaveLength(5);
    expect(deliveries.every((d) => d.state === 'queued' && d.attempts === 0)).toBe(true);
    const byAddress = (address: string) =>
      deliveries.find((d) => d.blindIndex === blindIndex(keys, address));
    expect(byAddress('shared@docomo.ne.jp')).toMatchObject({
      carrierDomain: 'docomo.ne.jp',
      schoolId: world.s1.id,
      classId: world.s1c11.id,
      childNames: ['湊 一郎', '湊 花子'],
    });
    expect(byAddress('cross@icloud.com')?.childNames).toEqual(['渚 九美', '渚 八郎']);
    expect(byAddress('papa@gmail.com')).toMatchObject({
      classId: world.s1c31.id,
      childNames: null,
    });
    expect(byAddress('s2@ezweb.ne.jp')).toBeDefined();
    expect(byAddress('f2-old@au.com')).toBeUndefined();
    expect(byAddress('old@softbank.ne.jp')).toBeUndefined();
    expect(byAddress('other@docomo.ne.jp')).toBeUndefined();

    const snapshot = await db
      .select()
      .from(schema.messageStudents)
      .where(eq(schema.messageStudents.messageId, id));
    expect(snapshot).toHaveLength(8);
    expect(new Set(snapshot.map((s) => s.householdId)).size).toBe(6);

    expect(await progressCounts(db, id)).toEqual({
      messageId: id,
      messageState: 'queued',
      total: 5,
      counts: { queued: 5 },
    });
  });

  it('names only the targeted sibling when the other one is not targeted', async () => {
    const { id } = await send(
      { kind: 'schools', schoolIds: [world.s2.id] },
      { schoolId: world.s2.id },
    );
    const deliveries = await deliveriesOf(db, id);
    expect(deliveries).toHaveLength(2);
    expect(deliveries.every((d) => d.childNames === null && d.schoolId === world.s2.id)).toBe(true);
  });

  it('settles a message with nobody to mail at once', async () => {
    const { id } = await send({ kind: 'classes', classIds: [world.otherClass.id] });
    expect(await messageRow(db, id)).toMatchObject({ state: 'done', recipientCount: 0 });
    expect(await deliveriesOf(db, id)).toHaveLength(0);
  });

  it('refreshes the planner statistics after a large fan-out, so the call list is fast at once', async () => {
    // A district of its own, so the other tests' district-wide figures stay as they are.
    const district = await createDistrict(db);
    const board = await createStaff(db, district.id, 'board', '教育委員会');
    const school = await createSchool(db, district.id, '統計小学校');
    const klass = await createClass(db, school, 6, '1組');
    await addFamilies(
      db,
      simpleFamilies(klass, 1000, (i) => `stats-${i}@example.jp`),
    );
    const { id } = await sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target: { kind: 'classes', classIds: [klass.id] },
    });
    expect(await messageRow(db, id)).toMatchObject({ recipientCount: 1000 });
    const tables = rowsOf<{ relname: string; reltuples: number }>(
      await db.execute(
        sql`select relname, reltuples from pg_class where relname in ('deliveries', 'message_students')`,
      ),
    );
    const counted = Object.fromEntries(tables.map((row) => [row.relname, Number(row.reltuples)]));
    expect(counted.deliveries).toBeGreaterThanOrEqual(1000);
    expect(counted.message_students).toBeGreaterThanOrEqual(1000);
  });

  it('returns null progress for an unknown message', async () => {
    expect(await progressCounts(db, 987_654)).toBeNull();
  });
});

describe('createMessage idempotency', () => {
  it('returns the first message for a repeated key, once even when submitted concurrently', async () => {
    const first = await send({ kind: 'district' }, { idempotencyKey: 'k1' });
    const again = await send({ kind: 'district' }, { idempotencyKey: 'k1' });
    expect(again).toEqual({ id: first.id, created: false, sameRequest: true });
    expect(await deliveriesOf(db, first.id)).toHaveLength(5);

    const racing = await Promise.all(
      Array.from({ length: 4 }, () => send({ kind: 'district' }, { idempotencyKey: 'k2' })),
    );
    expect(new Set(racing.map((r) => r.id)).size).toBe(1);
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    expect(await deliveriesOf(db, racing[0]!.id)).toHaveLength(5);
  });

  it('keeps keys apart per author, and never deduplicates without a key', async () => {
    const admin = await createStaff(db, world.district.id, 'school_admin', '校長', world.s1.id);
    const board = await send({ kind: 'district' }, { idempotencyKey: 'k3' });
    const school = await send({ kind: 'district' }, { idempotencyKey: 'k3', authorId: admin.id });
    expect(school.created).toBe(true);
    expect(school.id).not.toBe(board.id);
    const a = await send({ kind: 'district' });
    const b = await send({ kind: 'district' });
    expect(a.id).not.toBe(b.id);
  });
});

describe('scheduled messages', () => {
  it('fans out only when due, once', async () => {
    const now = new Date();
    const inAnHour = new Date(now.getTime() + 3_600_000);
    const { id } = await send({ kind: 'district' }, { scheduledAt: inAnHour });
    expect(await messageRow(db, id)).toMatchObject({ state: 'queued', fannedOutAt: null });
    expect(await deliveriesOf(db, id)).toHaveLength(0);
    expect(await fanOutDueMessage(db, now)).toBeNull();

    const later = new Date(now.getTime() + 2 * 3_600_000);
    expect(await fanOutDueMessage(db, later)).toBe(id);
    expect(await messageRow(db, id)).toMatchObject({ recipientCount: 5 });
    expect(await deliveriesOf(db, id)).toHaveLength(5);
    expect(await fanOutDueMessage(db, later)).toBeNull();
  });

  it('runs the monthly schedule once and moves it to the next month', async () => {
    const now = new Date();
    const [schedule] = await db
      .insert(schema.messageSchedules)
      .values({
        districtId: world.district.id,
        authorId: world.board.id,
        category: 'education_info',
        subject: '月例の配信テスト',
        body: 'これはシステム確認のための配信です。',
        target: { kind: 'district' },
        dayOfMonth: 1,
        timeOfDay: '07:30',
        nextRunAt: new Date(now.getTime() - 60_000),
      })
      .returning();
    const messageId = await runDueSchedule(db, now);
    expect(messageId).not.toBeNull();
    expect(await messageRow(db, messageId!)).toMatchObject({
      scheduleId: schedule!.id,
      category: 'education_info',
      recipientCount: 5,
    });
    expect(await runDueSchedule(db, now)).toBeNull();
    const [moved] = await db
      .select()
      .from(schema.messageSchedules)
      .where(eq(schema.messageSchedules.id, schedule!.id));
    expect(moved!.nextRunAt).toEqual(nextMonthlyRun(now, 1, '07:30'));
  });

  it('computes monthly runs in Japan time', () => {
    // 2025-01-31 23:00 UTC is 1 February 08:00 in Japan: the next 1st 07:30 is 1 March.
    expect(nextMonthlyRun(new Date('2025-01-31T23:00:00Z'), 1, '07:30').toISOString()).toBe(
      '2025-02-28T22:30:00.000Z',
    );
    expect(nextMonthlyRun(new Date('2025-12-20T00:00:00Z'), 15, '09:00').toISOString()).toBe(
      '2026-01-15T00:00:00.000Z',
    );
  });
});
