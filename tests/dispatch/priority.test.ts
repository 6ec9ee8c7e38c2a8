import { afterAll, beforeAll, expect, it } from 'vitest';
import { claimDeliveries, recordDeliveryOutcomes, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createInProcessBus } from '@renraku/shared/bus';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  messageRow,
  sendMessage,
  simpleFamilies,
  startTestDispatcher,
  waitFor,
} from './fixtures';
import { startSink } from './smtp-sink';

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

it('sends an emergency queued into a full dispatcher before the newsletter work it holds', async () => {
  const { district, board, klass } = await createDistrictWithClass(db, '湊第三小学校');
  await addFamilies(
    db,
    simpleFamilies(klass, 60, (i) => `held-${i}@example.jp`),
  );
  // One slow connection and batches of 10: the dispatcher holds 20 claims, most of them waiting.
  const sink = await startSink({ delayMs: 25 });
  const bus = createInProcessBus();
  const dispatcher = await startTestDispatcher(db, sink.url, {
    bus,
    env: { DISPATCH_BATCH_SIZE: '10', DISPATCH_CONCURRENCY: '1' },
  });
  try {
    const target = { kind: 'classes' as const, classIds: [klass.id] };
    const news = await sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target,
      category: 'education_info',
      subject: '学校だより',
      body: '今月の予定です。',
    });
    await bus.publish('messageQueued', { messageId: news.id });
    await waitFor(() => sink.mails.length >= 3);
    const closure = await sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target,
      subject: '臨時休校',
      body: '本日は臨時休校です。',
    });
    const queuedAt = sink.mails.length;
    await bus.publish('messageQueued', { messageId: closure.id });
    await waitFor(async () => (await messageRow(db, closure.id)).state === 'done', 30_000);
    const order = sink.mails.map((mail) =>
      mail.messageId.startsWith(`<renraku.${closure.id}.`) ? 'closure' : 'news',
    );
    // At most the mail on the wire and one claimed before the wake go ahead of it, never the
    // 20 the dispatcher holds.
    expect(order.indexOf('closure')).toBeLessThanOrEqual(queuedAt + 2);
    expect(order.filter((kind) => kind === 'closure')).toHaveLength(60);
  } finally {
    await dispatcher.stop();
    await sink.close();
  }
});
