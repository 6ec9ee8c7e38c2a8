import { execFileSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { busTopics } from '@renraku/shared';
import { createRedisBus, type Bus } from '@renraku/shared/bus';
import {
  addFamilies,
  createDistrictWithClass,
  sendMessage,
  simpleFamilies,
  waitFor,
} from '../dispatch/fixtures';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';
import {
  connected,
  Dashboard,
  openSocket,
  sessionCookie,
  startTestWeb,
  type RunningWeb,
} from './harness';

// What a web process does with a payload on the status channel that is not a messageChanged:
// it logs that one was ignored (never its content) and goes on, so the next good event still
// moves the dashboard at once, well before the periodic re-read would.

let database: TestDatabase;
let db: Db;
let redis: PrivateRedis;
let webBus: Bus;
let web: RunningWeb;
const busErrors: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  redis = await startPrivateRedis();
  webBus = await redis.connect().then(async (probe) => {
    await probe.close();
    return createRedisBus(redis.url, (error) => busErrors.push(error.message));
  });
});

afterAll(async () => {
  await web?.close();
  await webBus?.close();
  await redis?.close();
  await database?.drop();
});

/** Publishes a raw string on a channel, as any other Redis client could. */
function publishRaw(channel: string, message: string): void {
  execFileSync('redis-cli', ['-u', redis.url, 'PUBLISH', channel, message]);
}

it('ignores a malformed payload and still moves the dashboard on the next good one', async () => {
  const started = await startTestWeb(database, { bus: webBus });
  web = started.web;
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと第一小学校');
  await addFamilies(
    db,
    simpleFamilies(klass, 3, (i) => `bus-${i}@example.jp`),
  );
  const { id: messageId } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
  });
  const dashboard = new Dashboard(
    openSocket(started.base, await sessionCookie(db, board.id)),
    messageId,
  );
  await connected(dashboard.socket);
  expect((await dashboard.start()).ok).toBe(true);
  expect(dashboard.figures.total).toEqual({ queued: 3 });

  const channel = busTopics.messageChanged.channel;
  const malformed = [
    'not json',
    JSON.stringify({ messageId: String(messageId) }),
    JSON.stringify({ id: messageId }),
    'null',
  ];
  // Each round's read comes from the bus: the periodic re-read is 2 s after the previous read.
  for (let accepted = 1; accepted <= 3; accepted++) {
    for (const payload of malformed) publishRaw(channel, payload);
    await db.execute(sql`update deliveries set state = 'accepted', updated_at = now()
      where id = (select id from deliveries where message_id = ${messageId}
        and state = 'queued' order by id limit 1)`);
    const published = Date.now();
    await webBus.publish('messageChanged', { messageId });
    await waitFor(() => (dashboard.figures.total.accepted ?? 0) === accepted, 5_000);
    if (accepted > 1) expect(Date.now() - published).toBeLessThan(1_000);
  }
  expect(dashboard.figures.total).toEqual({ accepted: 3 });
  expect(busErrors).toHaveLength(3 * malformed.length);
  expect(new Set(busErrors)).toEqual(new Set(['malformed messageChanged payload ignored']));
  dashboard.socket.close();
});
