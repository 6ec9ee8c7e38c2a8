import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCallListHouseholds, previewMessage, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { blindIndex } from '@renraku/shared/crypto';
import {
  addFamilies,
  createDistrictWithClass,
  currentYear,
  deliveriesOf,
  keys,
  sendMessage,
} from './fixtures';

// 「教育情報もメールで受け取る」 off (registrations.education_mail): 教育情報 mails skip that
// registration's addresses and its family is not on the call list for it; emergencies still
// go to every address. The preview promises what the send does.

let database: TestDatabase;
let db: Db;
let world: Awaited<ReturnType<typeof createDistrictWithClass>>;
let households: number[];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  world = await createDistrictWithClass(db, '若葉小学校');
  const { klass } = world;
  ({ householdIds: households } = await addFamilies(db, [
    [{ klass, name: '青木 一郎', addresses: ['declined@example.jp'] }],
    [{ klass, name: '井上 二郎', addresses: ['keeps@example.jp'] }],
    [
      { klass, name: '上田 三郎', addresses: ['sibling-declined@example.jp'] },
      { klass, name: '上田 四郎', addresses: ['sibling-keeps@example.jp'] },
    ],
  ]));
  const declining = await db
    .select({ id: schema.registrations.id })
    .from(schema.registrations)
    .where(inArray(schema.registrations.childName, ['青木 一郎', '上田 三郎']));
  expect(declining).toHaveLength(2);
  await db
    .update(schema.registrations)
    .set({ educationMail: false })
    .where(
      inArray(
        schema.registrations.id,
        declining.map((r) => r.id),
      ),
    );
});

afterAll(async () => {
  await database?.drop();
});

const mailedAddresses = async (messageId: number) => {
  const indexes = (await deliveriesOf(db, messageId)).map((d) => d.blindIndex);
  return [
    'declined@example.jp',
    'keeps@example.jp',
    'sibling-declined@example.jp',
    'sibling-keeps@example.jp',
  ].filter((address) => indexes.includes(blindIndex(keys, address)));
};

const send = (category: 'education_info' | 'emergency_contact') =>
  sendMessage(db, {
    districtId: world.district.id,
    authorId: world.board.id,
    target: { kind: 'classes', classIds: [world.klass.id] },
    category,
  });

describe('a registration that declined 教育情報 by mail', () => {
  it('gets no 教育情報 mail, and its family is not on that call list', async () => {
    const target = { kind: 'classes' as const, classIds: [world.klass.id] };
    expect(
      await previewMessage(db, world.district.id, target, currentYear, 'education_info'),
    ).toEqual({ recipients: 2, households: 3, callListHouseholds: 0 });
    const { id } = await send('education_info');
    expect(await mailedAddresses(id)).toEqual(['keeps@example.jp', 'sibling-keeps@example.jp']);
    // The relay refused every mail: the families mailed are listed, the one that declined is not.
    await db
      .update(schema.deliveries)
      .set({ state: 'failed' })
      .where(eq(schema.deliveries.messageId, id));
    const listed = await listCallListHouseholds(db, id);
    expect(listed.map((h) => h.householdId).sort()).toEqual([households[1], households[2]].sort());
  });

  it('still gets every emergency, and the preview says so', async () => {
    const target = { kind: 'classes' as const, classIds: [world.klass.id] };
    expect(
      await previewMessage(db, world.district.id, target, currentYear, 'emergency_contact'),
    ).toEqual({ recipients: 4, households: 3, callListHouseholds: 0 });
    const { id } = await send('emergency_contact');
    expect(await mailedAddresses(id)).toHaveLength(4);
  });
});
