import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { DeliveryStatusBatch } from '@renraku/shared';
import { createRedisBus, type Bus } from '@renraku/shared/bus';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  freePort,
  messageDone,
  sendMessage,
  simpleFamilies,
  startTestDispatcher,
  waitFor,
} from './fixtures';
import { startSink, type Sink } from './smtp-sink';

// Redis dies mid-send (a private redis-server, never the machine's shared one): sending goes
// on at full speed, PostgreSQL ends right, and what reached Redis before carried no address.

const RECIPIENTS = 300;

let testDb: TestDatabase;
let db: Db;
let sink: Sink;
let redis: ChildProcess;
const buses: Bus[] = [];

async function connectWhenUp(url: string): Promise<Bus> {
  for (let tries = 0; ; tries++) {
    try {
      const bus = await createRedisBus(url);
      buses.push(bus);
      return bus;
    } catch (error) {
      if (tries > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
  sink = await startSink({ delayMs: 5 });
});

afterAll(async () => {
  redis.kill('SIGKILL');
  await Promise.all(buses.map((bus) => bus.close()));
  await sink.close();
  await testDb.drop();
});

it('keeps sending when Redis is killed mid-send', async () => {
  const port = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const bus = await connectWhenUp(url);
  const observer = await connectWhenUp(url);
  const received: DeliveryStatusBatch[] = [];
  await observer.subscribe('deliveryStatus', (batch) => received.push(batch));

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
  redis.kill('SIGKILL');
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
  expect(received.every((batch) => batch.messageId === id)).toBe(true);
  const published = JSON.stringify(received);
  expect(published).not.toContain('@');
  expect(published).not.toContain('redis-');
});
