import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { MessageChanged } from '@renraku/shared';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  messageDone,
  sendMessage,
  simpleFamilies,
  startTestDispatcher,
  waitFor,
} from './fixtures';
import { startSink, type Sink } from './smtp-sink';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';

// Redis dies mid-send (a private redis-server, never the machine's shared one): sending goes
// on at full speed, PostgreSQL ends right, and what reached Redis before carried no address.

const RECIPIENTS = 300;

let testDb: TestDatabase;
let db: Db;
let sink: Sink;
let redis: PrivateRedis;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
  sink = await startSink({ delayMs: 5 });
});

afterAll(async () => {
  await redis.close();
  await sink.close();
  await testDb.drop();
});

it('keeps sending when Redis is killed mid-send', async () => {
  redis = await startPrivateRedis();
  const bus = await redis.connect();
  const observer = await redis.connect();
  const received: MessageChanged[] = [];
  await observer.subscribe('messageChanged', (event) => received.push(event));

  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第三小学校');
  await addFamilies(
    db,
    simpleFamilies(klass, RECIPIENTS, (i) => `redis-${i}@example.jp`),
  );
  const { id } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
  });
  const dispatcher = await startTestDispatcher(db, sink.url, {
    bus,
    env: { DISPATCH_BATCH_SIZE: '20', DISPATCH_CONCURRENCY: '4' },
  });

  await waitFor(() => received.length >= 3 && sink.mails.length >= 50);
  redis.kill();
  await waitFor(() => !bus.isUp());
  const sentWhenRedisDied = sink.mails.length;
  const receivedWhenRedisDied = received.length;
  await waitFor(() => messageDone(db, id));
  await dispatcher.stop();

  expect(sentWhenRedisDied).toBeLessThan(RECIPIENTS);
  expect(sink.mails).toHaveLength(RECIPIENTS);
  const rows = await deliveriesOf(db, id);
  expect(rows.filter((row) => row.state !== 'accepted')).toEqual([]);
  expect(received.length).toBe(receivedWhenRedisDied);
  expect(received.every((event) => event.messageId === id)).toBe(true);
  const published = JSON.stringify(received);
  expect(published).not.toContain('@');
  expect(published).not.toContain('redis-');
});
