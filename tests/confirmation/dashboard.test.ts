import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { createConfirmationRecorder, type ConfirmationRecorder } from '@renraku/core/confirmation';
import type { AnswerCounts, ConfirmationFigures } from '@renraku/shared';
import { createInProcessBus } from '@renraku/shared/bus';
import { createLogger } from '@renraku/shared/logger';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  waitFor,
} from '../dispatch/fixtures';
import {
  assignClass,
  connected,
  Dashboard,
  openSocket,
  sessionCookie,
  startTestWeb,
  type RunningWeb,
  type TestSocket,
} from '../live/harness';
import { sendSafetyCheck, tapLink } from './world';

// 安否確認 on the live dashboard, over real sockets and PostgreSQL: the page renders the figures
// in its load, the socket's snapshot carries them and its deltas move them as answers are
// recorded; a teacher sees only their class, through the page and the socket; a dashboard that
// reconnects starts from figures that are right.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let recorder: ConfirmationRecorder;
const bus = createInProcessBus();
const sockets: TestSocket[] = [];
let messageId: number;
let classes: Record<'a1' | 'a2' | 'b1', number>;
let schools: Record<'a' | 'b', number>;
let cookies: Record<'board' | 'teacherA1', string>;
let deliveryOf: (address: string) => number;

const counts = (unconfirmed: number, answers: Record<string, number> = {}): AnswerCounts => ({
  unconfirmed,
  answers,
});

async function dashboard(cookie: string): Promise<Dashboard> {
  const socket = openSocket(base, cookie);
  sockets.push(socket);
  await connected(socket);
  const view = new Dashboard(socket, messageId);
  const result = await view.start();
  expect(result.ok).toBe(true);
  return view;
}

const tap = (address: string, choice: number) => tapLink(recorder, deliveryOf(address), choice);

async function until(view: Dashboard, expected: ConfirmationFigures): Promise<void> {
  await waitFor(() => JSON.stringify(view.confirmation) === JSON.stringify(expected), 10_000).catch(
    () => {},
  );
  expect(view.confirmation).toEqual(expected);
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  ({ web, base } = await startTestWeb(database, { bus }));
  recorder = createConfirmationRecorder({ db, bus, logger: createLogger('test', 'silent') });
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会');
  const schoolA = await createSchool(db, district.id, 'みなと第一小学校');
  const schoolB = await createSchool(db, district.id, 'みなと第二小学校');
  const a1 = await createClass(db, schoolA, 1, '1組');
  const a2 = await createClass(db, schoolA, 2, '1組');
  const b1 = await createClass(db, schoolB, 1, '1組');
  classes = { a1: a1.id, a2: a2.id, b1: b1.id };
  schools = { a: schoolA.id, b: schoolB.id };
  const teacher = await createStaff(db, district.id, 'teacher', '担任 山田', schoolA.id);
  await assignClass(db, teacher.id, a1.id);
  cookies = {
    board: await sessionCookie(db, board.id),
    teacherA1: await sessionCookie(db, teacher.id),
  };
  await addFamilies(db, [
    [{ klass: a1, name: '青木 一郎', addresses: ['f0@example.jp'] }],
    [{ klass: a1, name: '井上 二郎', addresses: ['f1@example.jp'] }],
    [{ klass: a1, name: '上田 三郎', addresses: ['f2@example.jp'] }],
    [{ klass: a2, name: '江藤 四郎', addresses: ['f3@example.jp'] }],
    [{ klass: a2, name: '大野 五郎', addresses: ['f4@example.jp'] }],
    [{ klass: b1, name: '加藤 六郎', addresses: ['f5@example.jp'] }],
    [{ klass: b1, name: '木村 七郎', addresses: ['f6@example.jp'] }],
    // Not registered: no mail reached it, so it is neither confirmed nor 未確認.
    [{ klass: a1, name: '工藤 八郎', addresses: [] }],
  ]);
  ({ messageId, deliveryOf } = await sendSafetyCheck(db, district.id, board.id));
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await recorder?.close();
  await web?.close();
  await database?.drop();
});

describe('the dashboard’s confirmation figures', () => {
  it('renders them in the page: the board every school, a teacher only their class', async () => {
    const page = async (cookie: string) => {
      const response = await fetch(`${base}/staff/messages/${messageId}`, {
        headers: { cookie, accept: 'text/html' },
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const board = await page(cookies.board);
    expect(board).toContain('安否確認');
    expect(board).toMatch(/data-testid="confirm-confirmed"[^>]*>0</);
    expect(board).toMatch(/data-testid="confirm-unconfirmed"[^>]*>7</);
    for (const label of ['確認しました', '無事です', 'けががあります', '迎えに行けません']) {
      expect(board).toContain(label);
    }
    expect(board).toContain(`data-testid="confirm-school-${schools.b}"`);
    expect(board).toContain(`data-testid="confirm-class-${classes.a2}"`);
    expect(board).not.toContain('@example.jp');

    const teacher = await page(cookies.teacherA1);
    expect(teacher).toMatch(/data-testid="confirm-unconfirmed"[^>]*>3</);
    expect(teacher).toContain(`data-testid="confirm-class-${classes.a1}"`);
    expect(teacher).not.toContain(`data-testid="confirm-class-${classes.a2}"`);
    expect(teacher).not.toContain(`data-testid="confirm-school-`);
  });

  it('carries them in the snapshot and moves them with deltas as answers are recorded', async () => {
    const board = await dashboard(cookies.board);
    const teacher = await dashboard(cookies.teacherA1);
    expect(board.snapshot!.confirmation).toEqual({
      total: counts(7),
      bySchool: { [schools.a]: counts(5), [schools.b]: counts(2) },
      byClass: { [classes.a1]: counts(3), [classes.a2]: counts(2), [classes.b1]: counts(2) },
    });
    expect(teacher.snapshot!.confirmation).toEqual({
      total: counts(3),
      bySchool: {},
      byClass: { [classes.a1]: counts(3) },
    });

    await Promise.all([tap('f0@example.jp', 0), tap('f3@example.jp', 2), tap('f5@example.jp', 4)]);
    await until(board, {
      total: counts(4, { 0: 1, 2: 1, 4: 1 }),
      bySchool: { [schools.a]: counts(3, { 0: 1, 2: 1 }), [schools.b]: counts(1, { 4: 1 }) },
      byClass: {
        [classes.a1]: counts(2, { 0: 1 }),
        [classes.a2]: counts(1, { 2: 1 }),
        [classes.b1]: counts(1, { 4: 1 }),
      },
    });
    await until(teacher, {
      total: counts(2, { 0: 1 }),
      bySchool: {},
      byClass: { [classes.a1]: counts(2, { 0: 1 }) },
    });
    // The teacher's room never heard of another class or school.
    const teacherDeltas = teacher.deltas.filter((delta) => delta.confirmation);
    expect(teacherDeltas.length).toBeGreaterThan(0);
    for (const delta of teacherDeltas) {
      expect(Object.keys(delta.confirmation!.bySchool)).toEqual([]);
      expect(Object.keys(delta.confirmation!.byClass)).toEqual([String(classes.a1)]);
    }
    expect(JSON.stringify(board.deltas)).not.toContain('@');
  });

  it('counts a household out of 未確認 when its only mail bounces', async () => {
    const board = await dashboard(cookies.board);
    expect(board.confirmation!.bySchool[schools.b]).toEqual(counts(1, { 4: 1 }));
    await db
      .update(schema.deliveries)
      .set({ state: 'bounced' })
      .where(eq(schema.deliveries.id, deliveryOf('f6@example.jp')));
    await bus.publish('messageChanged', { messageId });
    await waitFor(() => board.confirmation!.bySchool[schools.b]!.unconfirmed === 0, 10_000);
    expect(board.confirmation!.bySchool[schools.b]).toEqual(counts(0, { 4: 1 }));
    expect(board.confirmation!.byClass[classes.b1]).toEqual(counts(0, { 4: 1 }));
  });

  it('is right after a reconnect, with answers changed while it was away', async () => {
    const before = await dashboard(cookies.teacherA1);
    before.socket.close();
    // A new answer, and a family that changes its answer (the last one wins).
    await tap('f1@example.jp', 1);
    await tap('f0@example.jp', 2);
    const again = await dashboard(cookies.teacherA1);
    const expected = {
      total: counts(1, { 1: 1, 2: 1 }),
      bySchool: {},
      byClass: { [classes.a1]: counts(1, { 1: 1, 2: 1 }) },
    };
    // The snapshot is the bridge's latest read; taps recorded just before may come as deltas.
    await until(again, expected);
  });
});
