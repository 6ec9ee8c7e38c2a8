import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessage, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import type { StaffScope } from '@renraku/shared';
import { createInProcessBus } from '@renraku/shared/bus';
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
import {
  assignClass,
  connected,
  Dashboard,
  databaseFailureIds,
  databaseFigures,
  openSocket,
  sessionCookie,
  startTestWeb,
  watchMessage,
  type RunningWeb,
  type TestSocket,
} from './harness';

// The live dashboard over real sockets, a real dispatcher and a real SMTP relay: each role sees
// its scope only, a client that drops out mid-send and comes back ends equal to the database,
// and so does one whose web never hears the bus (Redis down): it catches up from PostgreSQL.

let database: TestDatabase;
let db: Db;
let sink: Sink;
let web: RunningWeb;
let base: string;
const sockets: TestSocket[] = [];
const webs: RunningWeb[] = [];
const bus = createInProcessBus();

let scopes: Record<'board' | 'adminA' | 'adminB' | 'teacherA1', StaffScope>;
let cookies: Record<keyof typeof scopes, string>;
let districtMessage: number;
let schoolBMessage: number;
let classA1: number;
let newMessage: (target: object) => Promise<number>;

function open(cookie: string | null, origin?: string): TestSocket {
  const socket = openSocket(base, cookie, origin);
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  sink = await startSink({ delayMs: 3 });
  ({ web, base } = await startTestWeb(database, { bus }));
  webs.push(web);

  const district = await createDistrict(db);
  const schoolA = await createSchool(db, district.id, 'みなと第一小学校');
  const schoolB = await createSchool(db, district.id, 'みなと第二小学校');
  const a1 = await createClass(db, schoolA, 1, '1組');
  const a2 = await createClass(db, schoolA, 2, '1組');
  const b1 = await createClass(db, schoolB, 1, '1組');
  classA1 = a1.id;
  const families = (klass: typeof a1, count: number, tag: string) =>
    Array.from({ length: count }, (_, i) => [
      {
        klass,
        name: `${tag}児童${i}`,
        // Every fifth address is refused by the relay, so failures stream in every scope.
        addresses: [i % 5 === 0 ? `r550-${tag}-${i}@example.jp` : `ok-${tag}-${i}@example.jp`],
      },
    ]);
  await addFamilies(db, [
    ...families(a1, 60, 'a1'),
    ...families(a2, 40, 'a2'),
    ...families(b1, 50, 'b1'),
  ]);

  const board = await createStaff(db, district.id, 'board', '教育委員会 佐藤');
  const adminA = await createStaff(db, district.id, 'school_admin', '第一小 教頭', schoolA.id);
  const adminB = await createStaff(db, district.id, 'school_admin', '第二小 教頭', schoolB.id);
  const teacherA1 = await createStaff(db, district.id, 'teacher', '1年1組 担任', schoolA.id);
  await assignClass(db, teacherA1.id, a1.id);
  scopes = {
    board: { role: 'board', districtId: district.id },
    adminA: { role: 'school_admin', districtId: district.id, schoolId: schoolA.id },
    adminB: { role: 'school_admin', districtId: district.id, schoolId: schoolB.id },
    teacherA1: { role: 'teacher', districtId: district.id, schoolId: schoolA.id, classId: a1.id },
  };
  cookies = {
    board: await sessionCookie(db, board.id),
    adminA: await sessionCookie(db, adminA.id),
    adminB: await sessionCookie(db, adminB.id),
    teacherA1: await sessionCookie(db, teacherA1.id),
  };
  const message = (authorId: number, schoolId: number | null, target: object) =>
    createMessage(db, {
      districtId: district.id,
      schoolId,
      authorId,
      category: 'emergency_contact',
      subject: '臨時休校のお知らせ',
      body: '大雨警報のため、本日は臨時休校とします。',
      target: target as never,
      scheduledAt: null,
      idempotencyKey: null,
    });
  newMessage = async (target) => (await message(adminB.id, schoolB.id, target)).id;
  districtMessage = (await message(board.id, null, { kind: 'district' })).id;
  schoolBMessage = (
    await message(adminB.id, schoolB.id, { kind: 'schools', schoolIds: [schoolB.id] })
  ).id;
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(webs.map((running) => running.close()));
  await sink?.close();
  await database?.drop();
});

describe('socket authentication', () => {
  it('refuses a socket without a session, with a bad session, or from another origin', async () => {
    await expect(connected(open(null))).rejects.toThrow('unauthorized');
    await expect(connected(open('renraku_staff=not-a-session'))).rejects.toThrow('unauthorized');
    await expect(connected(open(cookies.board, 'https://evil.example'))).rejects.toThrow(
      'origin not allowed',
    );
  });
});

describe('watching', () => {
  it('refuses bad input and messages outside the scope, and answers without a room name', async () => {
    const teacher = open(cookies.teacherA1);
    const adminA = open(cookies.adminA);
    await Promise.all([connected(teacher), connected(adminA)]);
    for (const bad of [
      {},
      { messageId: 'x' },
      { messageId: -1 },
      { messageId: 1.5 },
      { messageId: 1e12 },
      null,
    ]) {
      expect(await watchMessage(teacher, bad)).toEqual({ ok: false, error: 'invalid' });
    }
    expect(await watchMessage(teacher, { messageId: schoolBMessage })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await watchMessage(adminA, { messageId: schoolBMessage })).toEqual({
      ok: false,
      error: 'not_found',
    });
    expect(await watchMessage(adminA, { messageId: 999_999 })).toEqual({
      ok: false,
      error: 'not_found',
    });
    // A watch without an acknowledgement callback, or an unknown event, changes nothing.
    const untyped = teacher as unknown as { emit(event: string, payload: unknown): void };
    untyped.emit('message:watch', { messageId: districtMessage });
    untyped.emit('join', `message:${schoolBMessage}:school:1`);
    const result = await watchMessage(teacher, { messageId: districtMessage });
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.keys(result.snapshot.byClass)).toEqual([String(classA1)]);
  });

  it('streams each role its own scope only, and every dashboard ends equal to the database', async () => {
    const dashboards = {
      board: new Dashboard(open(cookies.board), districtMessage),
      adminA: new Dashboard(open(cookies.adminA), districtMessage),
      adminB: new Dashboard(open(cookies.adminB), districtMessage),
      teacherA1: new Dashboard(open(cookies.teacherA1), districtMessage),
    };
    // Another school's watcher of its own message sees nothing of the district send's rooms.
    const bystander = new Dashboard(open(cookies.adminB), schoolBMessage);
    for (const dashboard of [...Object.values(dashboards), bystander]) {
      await connected(dashboard.socket);
      expect((await dashboard.start()).ok).toBe(true);
    }
    const dropout = new Dashboard(open(cookies.teacherA1), districtMessage);
    await connected(dropout.socket);
    await dropout.start();

    const dispatcher = await startTestDispatcher(db, sink.url, {
      bus,
      env: { DISPATCH_BATCH_SIZE: '10', DISPATCH_CONCURRENCY: '2' },
    });
    try {
      // Mid-send, the teacher's laptop loses the network, then comes back on a new socket.
      await waitFor(() => dropout.deltas.length >= 2);
      dropout.socket.close();
      const settledWhenDropped = sink.mails.length;
      await waitFor(() => sink.mails.length > settledWhenDropped + 10);
      const back = new Dashboard(open(cookies.teacherA1), districtMessage);
      await connected(back.socket);
      expect((await back.start()).ok).toBe(true);

      await waitFor(() => messageDone(db, districtMessage));
      for (const [role, dashboard] of [
        ...Object.entries(dashboards),
        ['teacherA1', back] as const,
      ]) {
        const scope = scopes[role as keyof typeof scopes];
        const truth = await databaseFigures(db, districtMessage, scope);
        await waitFor(() => JSON.stringify(dashboard.figures) === JSON.stringify(truth));
        expect(dashboard.figures).toEqual(truth);
      }
    } finally {
      await dispatcher.stop();
    }

    // Every failure streamed once to the board, with the child and the reason, no address.
    const boardFailures = dashboards.board.failures.map((f) => f.deliveryId).sort((a, b) => a - b);
    expect(boardFailures).toEqual(await databaseFailureIds(db, districtMessage));
    expect(dashboards.board.failures.length).toBe(30);
    expect(dashboards.board.failures[0]).toMatchObject({ reason: 'rejected', code: 550 });
    expect(dashboards.board.failures.every((f) => f.studentName?.includes('児童'))).toBe(true);

    // Scope: the teacher's deltas name only its class, the school admins only their school.
    const teacherDeltas = dashboards.teacherA1.deltas;
    expect(teacherDeltas.length).toBeGreaterThan(0);
    for (const delta of teacherDeltas) {
      expect(Object.keys(delta.byClass).every((id) => Number(id) === classA1)).toBe(true);
      expect(delta.failures.every((f) => f.classId === classA1)).toBe(true);
    }
    const schoolOf = (scope: StaffScope) => (scope.role === 'board' ? 0 : scope.schoolId);
    for (const role of ['adminA', 'adminB'] as const) {
      for (const delta of dashboards[role].deltas) {
        expect(Object.keys(delta.bySchool).map(Number)).toEqual(
          Object.keys(delta.bySchool).length ? [schoolOf(scopes[role])] : [],
        );
        expect(delta.failures.every((f) => f.schoolId === schoolOf(scopes[role]))).toBe(true);
      }
    }
    expect(dashboards.teacherA1.failures).toHaveLength(12);
    expect(bystander.deltas.every((delta) => delta.messageId === schoolBMessage)).toBe(true);

    const everything = JSON.stringify(Object.values(dashboards).map((d) => [d.deltas, d.snapshot]));
    expect(everything).not.toContain('@');
    expect(everything).not.toContain('example.jp');
  });
});

describe('without the bus', () => {
  it('catches up from PostgreSQL when the web hears nothing from the dispatchers', async () => {
    // A second web on its own bus: like Redis being down, no status event ever reaches it.
    const deaf = await startTestWeb(database, { bus: createInProcessBus() });
    webs.push(deaf.web);
    const socket = openSocket(deaf.base, cookies.board);
    sockets.push(socket);
    await connected(socket);
    const messageId = await newMessage({
      kind: 'schools',
      schoolIds: [(scopes.adminB as { schoolId: number }).schoolId],
    });
    const dashboard = new Dashboard(socket, messageId);
    expect((await dashboard.start()).ok).toBe(true);
    expect(dashboard.figures.total).toEqual({ queued: 50 });
    const dispatcher = await startTestDispatcher(db, sink.url, { bus });
    try {
      await waitFor(() => messageDone(db, messageId));
    } finally {
      await dispatcher.stop();
    }
    const truth = await databaseFigures(db, messageId, scopes.board);
    await waitFor(() => JSON.stringify(dashboard.figures) === JSON.stringify(truth));
    expect(dashboard.figures.total).toEqual({ accepted: 40, failed: 10 });
  });
});
