import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@renraku/db';
import { DISPATCHER_BUNDLE, DISPATCHER_NODE_FLAGS } from '@renraku/dispatcher/launch';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import {
  addFamilies,
  createDistrictWithClass,
  deliveriesOf,
  messageDone,
  sendMessage,
  simpleFamilies,
  startTestDispatcher,
  TEST_SECRET_KEY,
  waitFor,
} from './fixtures';
import { startSink, type Sink } from './smtp-sink';
import { freePort } from '../support/ports';

// The dispatcher as a process. kill -9 mid-send: its leases run out, another dispatcher
// finishes, nobody is lost, and only what the dead one held in flight can have been sent
// twice. Started while Redis is down, it sends all the same and exits cleanly on SIGTERM.

const root = fileURLToPath(new URL('../..', import.meta.url));
const RECIPIENTS = 300;
const BATCH = 20;

let testDb: TestDatabase;
let db: Db;
let sink: Sink;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.handle.db;
  sink = await startSink({ delayMs: 10 });
});

afterAll(async () => {
  await sink.close();
  await testDb.drop();
});

/** `pnpm start:dispatcher` as production runs it: the built bundle under its heap budget. */
function spawnDispatcher(smtpUrl: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [...DISPATCHER_NODE_FLAGS, DISPATCHER_BUNDLE], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: testDb.url,
      REDIS_URL: '',
      SMTP_URL: smtpUrl,
      INBOUND_SMTP_PORT: '0',
      INBOUND_SMTP_HOST: '127.0.0.1',
      DISPATCHER_HEALTH_PORT: '0',
      SECRET_KEY: TEST_SECRET_KEY,
      MAIL_DOMAIN: 'renraku.test',
      PUBLIC_URL: 'https://renraku.example.jp',
      DISPATCH_CONCURRENCY: '4',
      DISPATCH_POLL_MS: '100',
      DISPATCH_FLUSH_MS: '100',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited };
}

it('loses nobody when a dispatcher process is killed with SIGKILL mid-send', async () => {
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第二小学校');
  const domains = ['docomo.ne.jp', 'ezweb.ne.jp', 'softbank.ne.jp', 'gmail.com', 'example.jp'];
  await addFamilies(
    db,
    simpleFamilies(klass, RECIPIENTS, (i) => `kill-${i}@${domains[i % 5]}`),
  );
  const { id } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
  });

  const { child, exited } = spawnDispatcher(sink.url, {
    DISPATCH_BATCH_SIZE: String(BATCH),
    DISPATCH_LEASE_MS: '1500',
  });
  await waitFor(() => sink.mails.length >= 40);
  child.kill('SIGKILL');
  await exited;

  const atKill = await deliveriesOf(db, id);
  const heldByDead = new Set(atKill.filter((row) => row.state === 'sending').map((row) => row.id));
  expect(heldByDead.size).toBeGreaterThan(0);
  expect(heldByDead.size).toBeLessThanOrEqual(2 * BATCH);
  expect(sink.mails.length).toBeLessThan(RECIPIENTS);

  const survivor = await startTestDispatcher(db, sink.url);
  await waitFor(() => messageDone(db, id));
  await survivor.stop();

  const rows = await deliveriesOf(db, id);
  expect(rows.filter((row) => row.state !== 'accepted')).toEqual([]);
  const byMessageId = new Map<string, number>();
  for (const mail of sink.mails) {
    byMessageId.set(mail.messageId, (byMessageId.get(mail.messageId) ?? 0) + 1);
  }
  expect(byMessageId.size).toBe(RECIPIENTS);
  expect(new Set(sink.mails.map((mail) => mail.to)).size).toBe(RECIPIENTS);
  // Sent twice: only deliveries the dead process held, and each at most twice.
  const twice = [...byMessageId].filter(([, count]) => count > 1);
  expect(twice.every(([, count]) => count === 2)).toBe(true);
  const deliveryIdOf = (messageId: string) => Number(/\.(\d+)@/.exec(messageId)?.[1]);
  expect(twice.every(([messageId]) => heldByDead.has(deliveryIdOf(messageId)))).toBe(true);
  expect(sink.mails.length - RECIPIENTS).toBeLessThanOrEqual(heldByDead.size);
});

it('starts and sends while Redis is down, and stops cleanly on SIGTERM', async () => {
  const ownSink = await startSink();
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第四小学校');
  await addFamilies(
    db,
    simpleFamilies(klass, 30, (i) => `noredis-${i}@example.jp`),
  );
  const { id } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
  });
  const { child, exited } = spawnDispatcher(ownSink.url, {
    REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
  });
  await waitFor(() => messageDone(db, id));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(new Set(ownSink.mails.map((mail) => mail.to)).size).toBe(30);
  expect(ownSink.mails).toHaveLength(30);
  await ownSink.close();
});
