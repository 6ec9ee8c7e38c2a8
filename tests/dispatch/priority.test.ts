import { afterAll, beforeAll, expect, it } from 'vitest';
import { claimDeliveries, recordDeliveryOutcomes, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  sendMessage,
  simpleFamilies,
} from './fixtures';

// A closure decided at 6 a.m. must not wait behind the school news already sending: the
// dispatchers claim an emergency's mails before any other message's that are due.

let testDb: TestDatabase;
let db: Db;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
});

afterAll(async () => {
  await testDb.drop();
});

it('claims an emergency sent later before the school news queued earlier', async () => {
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第三小学校');
  await addFamilies(
    db,
    simpleFamilies(klass, 40, (i) => `prio-${i}@example.jp`),
  );
  const target = { kind: 'district' as const };
  const news = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target,
    category: 'education_info',
    subject: '学校だより12月号',
    body: '12月の行事予定をお知らせします。',
  });
  const closure = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target,
    category: 'emergency_contact',
    subject: '臨時休校',
    body: '大雪のため本日は臨時休校とします。',
  });
  expect((await deliveriesOf(db, news.id)).map((d) => d.priority)).toEqual(Array(40).fill(1));
  expect((await deliveriesOf(db, closure.id)).map((d) => d.priority)).toEqual(Array(40).fill(0));

  const lease = { workerId: 'w1', leaseMs: 60_000 };
  const first = await claimDeliveries(db, lease, 30);
  expect(first.map((d) => d.messageId)).toEqual(Array(30).fill(closure.id));
  const second = await claimDeliveries(db, lease, 30);
  expect(second.filter((d) => d.messageId === closure.id)).toHaveLength(10);
  expect(second.filter((d) => d.messageId === news.id)).toHaveLength(20);

  // An emergency mail deferred by the relay waits for its retry time; the news goes on.
  const deferredId = first[0]!.id;
  await recordDeliveryOutcomes(db, 'w1', [
    {
      id: deferredId,
      state: 'deferred',
      attempted: true,
      code: 451,
      text: '451 later',
      retryInMs: 60_000,
    },
  ]);
  const third = await claimDeliveries(db, lease, 30);
  expect(third.map((d) => d.messageId)).toEqual(Array(20).fill(news.id));
  expect(third.map((d) => d.id)).not.toContain(deferredId);
});
