import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMessage, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { StaffScope } from '@renraku/shared';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  messageDone,
  startTestDispatcher,
  waitFor,
} from '../dispatch/fixtures';
import { startSink, type Sink } from '../dispatch/smtp-sink';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server';
import {
  connected,
  Dashboard,
  databaseFigures,
  openSocket,
  sessionCookie,
  startTestWeb,
  type RunningWeb,
  type TestSocket,
} from './harness';

// Two web processes behind one Redis (a private redis-server, so no other test file's rooms or
// channels mix in), the dispatcher publishing to it: each web streams its own sockets, a client
// that moves from one web to the other mid-send ends equal to the database, and a call-list
// mark made on one web reaches a call list open on the other through the Socket.IO adapter.

let database: TestDatabase;
let db: Db;
let sink: Sink;
let redis: PrivateRedis;
const webs: RunningWeb[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink({ delayMs: 3 });
  redis = await startPrivateRedis();
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(webs.map((web) => web.close()));
  await redis?.close();
  await sink?.close();
  await database?.drop();
});

it('keeps every client exact across two web processes and shares marks between them', async () => {
  const [webA, webB] = [
    await startTestWeb(database, { bus: await redis.connect(), env: { REDIS_URL: redis.url } }),
    await startTestWeb(database, { bus: await redis.connect(), env: { REDIS_URL: redis.url } }),
  ];
  webs.push(webA.web, webB.web);

  const district = await createDistrict(db);
  const school = await createSchool(db, district.id, 'みなと第三小学校');
  const klass = await createClass(db, school, 4, '1組');
  const { householdIds } = await addFamilies(
    db,
    Array.from({ length: 120 }, (_, i) => [
      {
        klass,
        name: `児童${i}`,
        addresses: i < 100 ? [i % 10 === 0 ? `r550-${i}@example.jp` : `ok-${i}@example.jp`] : [],
      },
    ]),
  );
  const board = await createStaff(db, district.id, 'board', '教育委員会 佐藤');
  const admin = await createStaff(db, district.id, 'school_admin', '第三小 教頭', school.id);
  const scope: StaffScope = { role: 'board', districtId: district.id };
  const { id: messageId } = await createMessage(db, {
    districtId: district.id,
    schoolId: null,
    authorId: board.id,
    category: 'emergency_contact',
    subject: '臨時休校',
    body: '本日は臨時休校です。',
    target: { kind: 'district' },
    scheduledAt: null,
    idempotencyKey: null,
  });

  const open = (base: string, cookie: string) => {
    const socket = openSocket(base, cookie);
    sockets.push(socket);
    return socket;
  };
  const boardCookie = await sessionCookie(db, board.id);
  const adminCookie = await sessionCookie(db, admin.id);
  const onA = new Dashboard(open(webA.base, boardCookie), messageId);
  const onB = new Dashboard(open(webB.base, adminCookie), messageId);
  const mover = new Dashboard(open(webA.base, boardCookie), messageId);
  for (const dashboard of [onA, onB, mover]) {
    await connected(dashboard.socket);
    expect((await dashboard.start()).ok).toBe(true);
  }
  expect(onA.snapshot!.stream).not.toBe(onB.snapshot!.stream);

  const dispatcher = await startTestDispatcher(db, sink.url, {
    bus: await redis.connect(),
    env: { DISPATCH_BATCH_SIZE: '10', DISPATCH_CONCURRENCY: '2' },
  });
  let moved: Dashboard;
  try {
    await waitFor(() => mover.deltas.length >= 2);
    mover.socket.close();
    moved = new Dashboard(open(webB.base, boardCookie), messageId);
    await connected(moved.socket);
    expect((await moved.start()).ok).toBe(true);
    expect(moved.snapshot!.stream).toBe(onB.snapshot!.stream);
    await waitFor(() => messageDone(db, messageId));
  } finally {
    await dispatcher.stop();
  }
  const truth = await databaseFigures(db, messageId, scope);
  expect(truth.total).toEqual({ accepted: 90, failed: 10 });
  for (const dashboard of [onA, onB, moved]) {
    await waitFor(() => JSON.stringify(dashboard.figures) === JSON.stringify(truth));
    expect(dashboard.figures).toEqual(truth);
    // Every delta came from the web the socket is on.
    expect(new Set(dashboard.deltas.map((delta) => delta.stream))).toEqual(
      new Set([dashboard.snapshot!.stream]),
    );
  }
  expect(onA.failures).toHaveLength(10);

  // An unregistered family is on the call list; a teacher on web A marks it, web B shows it.
  const household = householdIds[110]!;
  const ack = await new Promise((resolve) =>
    onA.socket.emit(
      'callList:mark',
      { messageId, householdId: household, mark: 'calling' },
      resolve,
    ),
  );
  expect(ack).toMatchObject({ ok: true });
  await waitFor(() => onB.marks.length === 1 && moved.marks.length === 1);
  expect(onB.marks[0]).toMatchObject({
    householdId: household,
    mark: 'calling',
    staffName: '教育委員会 佐藤',
  });
});
