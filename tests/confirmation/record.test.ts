import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import {
  confirmationBreakdown,
  findConfirmationPage,
  recordConfirmations,
  rowsOf,
  schema,
  type Db,
} from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import {
  confirmationPageOf,
  confirmByLink,
  createConfirmationRecorder,
  createTappedPages,
} from '@renraku/core/confirmation';
import { createInProcessBus } from '@renraku/shared/bus';
import { confirmToken } from '@renraku/shared/confirm-token';
import { createLogger } from '@renraku/shared/logger';
import { ServiceError } from '@renraku/shared';
import { confirmRequestOf } from '@renraku/shared';
import { blindIndex } from '@renraku/shared/crypto';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  deliveriesOf,
  keys,
  sendMessage,
} from '../dispatch/fixtures';

// The confirmation store on real PostgreSQL: a delivery's answer confirms every household its
// address serves, the last answer wins, out-of-range and unknown answers store nothing, and
// the figures count households by school and class.

let database: TestDatabase;
let db: Db;
let messageId: number;
let households: number[];
let deliveryOf: (address: string) => number;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会');
  const school = await createSchool(db, district.id, 'みなと小学校');
  const other = await createSchool(db, district.id, 'みなと中学校', 'junior_high');
  const c1 = await createClass(db, school, 1, '1組');
  const c2 = await createClass(db, school, 3, '1組');
  const j1 = await createClass(db, other, 1, 'A組');
  ({ householdIds: households } = await addFamilies(db, [
    // 0: siblings in two classes, one shared address.
    [
      { klass: c1, name: '青木 一郎', addresses: ['shared@example.jp'] },
      { klass: c2, name: '青木 花子', addresses: ['shared@example.jp'] },
    ],
    // 1: one child, two addresses.
    [{ klass: c1, name: '井上 二郎', addresses: ['inoue1@example.jp', 'inoue2@example.jp'] }],
    // 2: unregistered.
    [{ klass: c2, name: '上田 三郎', addresses: [] }],
    // 3: the junior-high household of the same parent (households are per school).
    [{ klass: j1, name: '青木 太郎', addresses: ['shared@example.jp'] }],
  ]));
  ({ id: messageId } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
    confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
  }));
  const deliveries = new Map(
    (await deliveriesOf(db, messageId)).map((d) => [d.blindIndex, d.id] as const),
  );
  deliveryOf = (address) => deliveries.get(blindIndex(keys, address))!;
  // Every delivery reached the relay.
  await db
    .update(schema.deliveries)
    .set({ state: 'accepted' })
    .where(eq(schema.deliveries.messageId, messageId));
});

afterAll(async () => {
  await database?.drop();
});

describe('recordConfirmations', () => {
  it('sets the deadline at fan-out', async () => {
    const [row] = await db.select().from(schema.messages).where(eq(schema.messages.id, messageId));
    expect(row!.confirm).toMatchObject({
      preset: 'safety',
      needsCall: [2, 4],
      deadlineMinutes: 30,
    });
    const minutes = (row!.confirmDeadlineAt!.getTime() - row!.fannedOutAt!.getTime()) / 60_000;
    expect(minutes).toBeCloseTo(30, 1);
  });

  it('confirms every household the address serves, and the page names their children', async () => {
    const shared = deliveryOf('shared@example.jp');
    const before = await findConfirmationPage(db, shared);
    expect(before).toMatchObject({ messageId, answer: null, confirm: { preset: 'safety' } });
    expect(before!.children).toEqual(['青木 一郎', '青木 太郎', '青木 花子']);
    expect(JSON.stringify(before)).not.toContain('@');

    const [outcome] = await recordConfirmations(db, [
      { deliveryId: shared, choice: 1, channel: 'link', replyWords: null },
    ]);
    // The tap names the same children as the page, so the page after a tap needs no read.
    expect(outcome).toEqual({
      kind: 'recorded',
      messageId,
      households: 2,
      previousChoice: null,
      late: false,
      children: before!.children,
    });
    const rows = await db
      .select()
      .from(schema.confirmations)
      .where(eq(schema.confirmations.messageId, messageId));
    expect(rows.map((r) => r.householdId).sort()).toEqual([households[0], households[3]].sort());
    expect((await findConfirmationPage(db, shared))!.answer).toMatchObject({
      choice: 1,
      late: false,
    });
  });

  it('lets the last answer win, within a batch and over earlier ones', async () => {
    const first = deliveryOf('inoue1@example.jp');
    const second = deliveryOf('inoue2@example.jp');
    const outcomes = await recordConfirmations(db, [
      { deliveryId: first, choice: 2, channel: 'link', replyWords: null },
      { deliveryId: second, choice: 4, channel: 'reply', replyWords: '迎えは夕方になります' },
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['recorded', 'recorded']);
    const again = await recordConfirmations(db, [
      { deliveryId: first, choice: 3, channel: 'link', replyWords: null },
    ]);
    expect(again[0]).toMatchObject({ kind: 'recorded', previousChoice: 4 });
    const [row] = await db
      .select()
      .from(schema.confirmations)
      .where(eq(schema.confirmations.householdId, households[1]!));
    expect(row).toMatchObject({ choice: 3, channel: 'link', replyWords: '迎えは夕方になります' });
  });

  it('stores nothing for an unknown delivery or a choice out of range', async () => {
    const count = async () =>
      rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from confirmations`))[0]!
        .n;
    const before = await count();
    const outcomes = await recordConfirmations(db, [
      { deliveryId: 987654321, choice: 0, channel: 'link', replyWords: null },
      { deliveryId: deliveryOf('shared@example.jp'), choice: 5, channel: 'link', replyWords: null },
      {
        deliveryId: deliveryOf('shared@example.jp'),
        choice: -1,
        channel: 'link',
        replyWords: null,
      },
    ]);
    expect(outcomes).toEqual([
      { kind: 'unknown' },
      { kind: 'out_of_range', messageId },
      { kind: 'out_of_range', messageId },
    ]);
    expect(await count()).toBe(before);
    expect(await findConfirmationPage(db, 987654321)).toBeNull();
  });

  it('counts households by school and class, answered and reached-but-unanswered', async () => {
    const cells = await confirmationBreakdown(db, messageId);
    const [school, junior] = await db.select().from(schema.schools).orderBy(schema.schools.id);
    const schoolCells = cells.filter((c) => c.classId === null && c.schoolId === school!.id);
    // Household 0 answered 1, household 1 answered 3, household 2 unregistered (not counted).
    expect(schoolCells.sort((a, b) => Number(a.answer) - Number(b.answer))).toEqual([
      { schoolId: school!.id, classId: null, answer: 1, n: 1 },
      { schoolId: school!.id, classId: null, answer: 3, n: 1 },
    ]);
    // The siblings' household counts in both its classes.
    const classCells = cells.filter((c) => c.classId !== null && c.schoolId === school!.id);
    expect(classCells.reduce((sum, c) => sum + c.n, 0)).toBe(3);
    expect(cells.filter((c) => c.schoolId === junior!.id && c.classId === null)).toEqual([
      { schoolId: junior!.id, classId: null, answer: 1, n: 1 },
    ]);
  });
});

describe('the batching recorder', () => {
  it('answers each tap once committed, in batches, and rings the doorbell per message', async () => {
    const bus = createInProcessBus();
    const rung: number[] = [];
    await bus.subscribe('messageChanged', ({ messageId: id }) => rung.push(id));
    const recorder = createConfirmationRecorder({
      db,
      bus,
      logger: createLogger('test', 'silent'),
    });
    const ctx = { keys };
    const token = confirmToken(keys, deliveryOf('shared@example.jp'));
    // Fifty taps of one family at once: all answered, the last one's choice stays.
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => confirmByLink(ctx, recorder, token, i === 49 ? 4 : 2)),
    );
    expect(answers.every((a) => a.kind === 'recorded' && a.households === 2)).toBe(true);
    const [row] = await db
      .select()
      .from(schema.confirmations)
      .where(eq(schema.confirmations.householdId, households[0]!));
    expect(row!.choice).toBe(4);
    await expect(confirmByLink(ctx, recorder, token, 9)).rejects.toMatchObject({ kind: 'invalid' });
    await expect(confirmByLink(ctx, recorder, `${token.slice(0, -1)}x`, 0)).rejects.toBeInstanceOf(
      ServiceError,
    );
    await recorder.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(new Set(rung)).toEqual(new Set([messageId]));
    expect(rung.length).toBeLessThan(50);
  });

  it('answers a tap with the page a read would give, reading its message once', async () => {
    const recorder = createConfirmationRecorder({
      db,
      bus: createInProcessBus(),
      logger: createLogger('test', 'silent'),
    });
    let reads = 0;
    const counting = new Proxy(db, {
      get: (target, name, receiver) => {
        if (name === 'execute') reads++;
        return Reflect.get(target, name, receiver) as unknown;
      },
    });
    const pages = createTappedPages({ db: counting });
    const ctx = { db, keys };
    for (const address of ['shared@example.jp', 'inoue1@example.jp']) {
      const token = confirmToken(keys, deliveryOf(address));
      const answer = await confirmByLink(ctx, recorder, token, 3);
      const tapped = await pages.pageAfter(answer, 3, 'ja');
      const read = await confirmationPageOf(ctx, token);
      expect(tapped).toEqual({
        ...read,
        answer: { choice: 3, late: false, confirmedAt: expect.any(Date) },
      });
      expect(read.answer).toMatchObject({ choice: 3, late: false });
    }
    expect(reads).toBe(1);
    await recorder.close();
  });
});
