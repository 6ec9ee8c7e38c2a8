import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelScheduledMessage,
  createMessage,
  fanOutDueMessage,
  findScheduledSend,
  rowsOf,
  schema,
  settleMessages,
  type Db,
} from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  messageRow,
  sendMessage,
  simpleFamilies,
  waitFor,
} from './fixtures';

// Cancelling a scheduled message against the real PostgreSQL: before its fan-out it is
// cancelled for good (no dispatcher fans it out later, no settle touches it); once fanned out
// the cancel changes nothing and says so, also when it raced the fan-out for the row.

let testDb: TestDatabase;
let db: Db;
let world: Awaited<ReturnType<typeof createDistrictWithClass>>;
const HOUR = 3_600_000;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
  world = await createDistrictWithClass(db, '取消小学校');
  await addFamilies(
    db,
    simpleFamilies(world.klass, 3, (i) => `cancel-${i}@example.jp`),
  );
});

afterAll(async () => {
  await testDb.drop();
});

/** The board's message to the class, due in an hour (or at `scheduledAt`). */
async function schedule(scheduledAt = new Date(Date.now() + HOUR)) {
  const { id } = await sendMessage(db, {
    districtId: world.district.id,
    authorId: world.board.id,
    target: { kind: 'classes', classIds: [world.klass.id] },
    scheduledAt,
  });
  return id;
}

/** Fans out every due message, as dispatchers would; the ids it fanned out. */
async function fanOutAllDue(now: Date): Promise<number[]> {
  const ids: number[] = [];
  for (
    let id = await fanOutDueMessage(db, now);
    id !== null;
    id = await fanOutDueMessage(db, now)
  ) {
    ids.push(id);
  }
  return ids;
}

describe('cancelScheduledMessage', () => {
  it('cancels before the time, and no dispatcher fans it out when the time has passed', async () => {
    const id = await schedule();
    const now = new Date();
    expect(await cancelScheduledMessage(db, id, world.district.id, now)).toEqual({
      cancelled: true,
      finishedAt: now,
    });
    expect(await messageRow(db, id)).toMatchObject({
      state: 'cancelled',
      fannedOutAt: null,
      finishedAt: now,
      recipientCount: 0,
    });

    expect(await fanOutAllDue(new Date(Date.now() + 2 * HOUR))).not.toContain(id);
    expect(await settleMessages(db)).not.toContain(id);
    expect(await messageRow(db, id)).toMatchObject({ state: 'cancelled', fannedOutAt: null });
    expect(await deliveriesOf(db, id)).toHaveLength(0);
    const snapshot = await db
      .select()
      .from(schema.messageStudents)
      .where(eq(schema.messageStudents.messageId, id));
    expect(snapshot).toHaveLength(0);
  });

  it('cancels a message that is due but that no dispatcher has fanned out yet', async () => {
    const now = new Date();
    const { id } = await createMessage(
      db,
      {
        districtId: world.district.id,
        schoolId: null,
        authorId: world.board.id,
        category: 'education_info',
        subject: '遠足の延期',
        body: '明日の遠足は延期します。',
        target: { kind: 'classes', classIds: [world.klass.id] },
        scheduledAt: new Date(now.getTime() - 60_000),
        idempotencyKey: null,
      },
      new Date(now.getTime() - 120_000),
    );
    expect(await cancelScheduledMessage(db, id, world.district.id, now)).toMatchObject({
      cancelled: true,
    });
    expect(await fanOutDueMessage(db, now)).toBeNull();
    expect(await deliveriesOf(db, id)).toHaveLength(0);
  });

  it('refuses once fanned out and changes nothing: a send is irreversible', async () => {
    const id = await schedule();
    expect(await fanOutAllDue(new Date(Date.now() + 2 * HOUR))).toContain(id);
    const before = await messageRow(db, id);
    expect(await cancelScheduledMessage(db, id, world.district.id)).toEqual({
      cancelled: false,
      state: 'queued',
      fannedOut: true,
    });
    expect(await messageRow(db, id)).toEqual(before);
    expect(await deliveriesOf(db, id)).toHaveLength(3);
  });

  it('refuses a message that was sent at once', async () => {
    const { id } = await sendMessage(db, {
      districtId: world.district.id,
      authorId: world.board.id,
      target: { kind: 'classes', classIds: [world.klass.id] },
    });
    const before = await messageRow(db, id);
    expect(await cancelScheduledMessage(db, id, world.district.id)).toMatchObject({
      cancelled: false,
      fannedOut: true,
    });
    expect(await messageRow(db, id)).toEqual(before);
  });

  it('says so when cancelled twice, keeping the first cancel’s time', async () => {
    const id = await schedule();
    const first = new Date(Date.now() - 1000);
    await cancelScheduledMessage(db, id, world.district.id, first);
    expect(await cancelScheduledMessage(db, id, world.district.id)).toEqual({
      cancelled: false,
      state: 'cancelled',
      fannedOut: false,
    });
    expect(await messageRow(db, id)).toMatchObject({ state: 'cancelled', finishedAt: first });
  });

  it('finds nothing in another district or for an unknown id, and changes nothing', async () => {
    const id = await schedule();
    const other = await createDistrictWithClass(db, '隣町小学校');
    expect(await cancelScheduledMessage(db, id, other.district.id)).toBeNull();
    expect(await cancelScheduledMessage(db, 987_654, world.district.id)).toBeNull();
    expect(await messageRow(db, id)).toMatchObject({ state: 'queued', finishedAt: null });
    await cancelScheduledMessage(db, id, world.district.id);
  });

  it('loses the race to a fan-out that holds the row, and changes nothing', async () => {
    const id = await schedule();
    const { cancel } = await db.transaction(async (tx) => {
      // What fanOutDueMessage does: take the due row FOR UPDATE, then set fanned_out_at.
      await tx.execute(sql`select id from messages where id = ${id} for update`);
      const racing = cancelScheduledMessage(db, id, world.district.id);
      await waitFor(async () => {
        const [row] = rowsOf<{ n: number }>(
          await db.execute(sql`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock'`),
        );
        return (row?.n ?? 0) > 0;
      });
      await tx.execute(sql`update messages set fanned_out_at = now() where id = ${id}`);
      return { cancel: racing };
    });
    expect(await cancel).toEqual({ cancelled: false, state: 'queued', fannedOut: true });
    expect(await messageRow(db, id)).toMatchObject({ state: 'queued', finishedAt: null });
  });
});

describe('findScheduledSend', () => {
  it('tells the sender, the target and whether the deliveries exist', async () => {
    const id = await schedule();
    expect(await findScheduledSend(db, id)).toMatchObject({
      id,
      districtId: world.district.id,
      schoolId: null,
      target: { kind: 'classes', classIds: [world.klass.id] },
      state: 'queued',
      fannedOut: false,
    });
    expect(await findScheduledSend(db, 987_654)).toBeNull();
    await cancelScheduledMessage(db, id, world.district.id);
  });
});
