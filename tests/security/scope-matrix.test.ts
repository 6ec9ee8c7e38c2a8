import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordConfirmations, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { confirmRequestOf, type CallListMarkEvent, type MessageTarget } from '@renraku/shared';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  deliveriesOf,
  sendMessage,
  simpleFamilies,
  waitFor,
} from '../dispatch/fixtures';
import { tokenFor } from '../send/harness';
import {
  assignClass,
  connected,
  openSocket,
  sessionCookie,
  startTestWeb,
  watchMessage,
  type RunningWeb,
  type TestSocket,
} from '../live/harness';

// Issue 13 item 2: who sees what, through every door. Each staff member (rows) reads each
// message (places) through the page, the call list page, the JSON API, the CSVs and Socket.IO,
// and each cell is the exact figure or the exact 404. Every registered family confirmed, so
// the answers a staff member sees are as many as the deliveries. Deliveries stay queued (no dispatcher);
// each class has one unregistered household, so a call list's rows are its classes.
//   school A: 1年1組 2 families + 1 unregistered, 1年2組 3 + 1; school B: 1年1組 4 + 1.

type Who = 'board' | 'adminA' | 'teacherA11' | 'adminB' | 'otherBoard';
type Place = 'district' | 'schoolA' | 'classA12' | 'schoolB';
const WHO: Who[] = ['board', 'adminA', 'teacherA11', 'adminB', 'otherBoard'];

/** Deliveries each one sees of each message; null: the message is not theirs (404). */
const FIGURES: Record<Place, Record<Who, number | null>> = {
  district: { board: 9, adminA: 5, teacherA11: 2, adminB: 4, otherBoard: null },
  schoolA: { board: 5, adminA: 5, teacherA11: 2, adminB: null, otherBoard: null },
  classA12: { board: 3, adminA: 3, teacherA11: null, adminB: null, otherBoard: null },
  schoolB: { board: 4, adminA: null, teacherA11: null, adminB: 4, otherBoard: null },
};

/** Call list rows (the unregistered households of the classes they see). */
const CALL_LIST: Record<Place, Record<Who, number | null>> = {
  district: { board: 3, adminA: 2, teacherA11: 1, adminB: 1, otherBoard: null },
  schoolA: { board: 2, adminA: 2, teacherA11: 1, adminB: null, otherBoard: null },
  classA12: { board: 1, adminA: 1, teacherA11: null, adminB: null, otherBoard: null },
  schoolB: { board: 1, adminA: null, teacherA11: null, adminB: 1, otherBoard: null },
};

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
const cookies = {} as Record<Who, string>;
const tokens = {} as Record<Who, string>;
const messages = {} as Record<Place, number>;
const unregistered = {} as Record<'a11' | 'a12' | 'b11', number>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const district = await createDistrict(db);
  const schoolA = await createSchool(db, district.id, 'みなと第一小学校');
  const schoolB = await createSchool(db, district.id, 'みなと第二小学校');
  const a11 = await createClass(db, schoolA, 1, '1組');
  const a12 = await createClass(db, schoolA, 1, '2組');
  const b11 = await createClass(db, schoolB, 1, '1組');
  const { householdIds } = await addFamilies(db, [
    [{ klass: a11, name: '未登録 一郎', addresses: [] }],
    [{ klass: a12, name: '未登録 二郎', addresses: [] }],
    [{ klass: b11, name: '未登録 三郎', addresses: [] }],
    ...simpleFamilies(a11, 2, (i) => `a11-${i}@example.jp`),
    ...simpleFamilies(a12, 3, (i) => `a12-${i}@example.jp`),
    ...simpleFamilies(b11, 4, (i) => `b11-${i}@example.jp`),
  ]);
  Object.assign(unregistered, { a11: householdIds[0], a12: householdIds[1], b11: householdIds[2] });

  const board = await createStaff(db, district.id, 'board', '教育委員会 佐藤');
  const adminA = await createStaff(db, district.id, 'school_admin', '第一小 教頭', schoolA.id);
  const teacher = await createStaff(db, district.id, 'teacher', '1年1組 担任', schoolA.id);
  await assignClass(db, teacher.id, a11.id);
  const adminB = await createStaff(db, district.id, 'school_admin', '第二小 教頭', schoolB.id);
  const other = await createDistrict(db, '隣市教育委員会');
  const otherBoard = await createStaff(db, other.id, 'board', '隣市 教育委員会');
  const staff: Record<Who, { id: number }> = {
    board,
    adminA,
    teacherA11: teacher,
    adminB,
    otherBoard,
  };
  for (const who of WHO) {
    cookies[who] = await sessionCookie(db, staff[who].id);
    tokens[who] = await tokenFor(db, staff[who].id);
  }

  const confirm = confirmRequestOf('emergency_contact', undefined);
  const send = async (target: MessageTarget) =>
    (await sendMessage(db, { districtId: district.id, authorId: board.id, target, confirm })).id;
  messages.district = await send({ kind: 'district' });
  messages.schoolA = await send({ kind: 'schools', schoolIds: [schoolA.id] });
  messages.classA12 = await send({ kind: 'classes', classIds: [a12.id] });
  messages.schoolB = await send({ kind: 'schools', schoolIds: [schoolB.id] });
  for (const messageId of Object.values(messages)) {
    const taps = (await deliveriesOf(db, messageId)).map((delivery) => ({
      deliveryId: delivery.id,
      choice: 0,
      channel: 'link' as const,
      replyWords: null,
    }));
    await recordConfirmations(db, taps);
  }

  ({ web, base } = await startTestWeb(database));
});

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

const cells = (table: Record<Place, Record<Who, number | null>>) =>
  (Object.keys(table) as Place[]).flatMap((place) =>
    WHO.map((who) => ({ who, place, expected: table[place][who] })),
  );

async function get(path: string, headers: Record<string, string>) {
  return fetch(`${base}${path}`, { headers });
}

describe('the message page', () => {
  it.each(cells(FIGURES))('$who reads $place: $expected', async ({ who, place, expected }) => {
    const response = await get(`/staff/messages/${messages[place]}`, {
      cookie: cookies[who],
      accept: 'text/html',
    });
    if (expected === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    const total = /data-testid="total"[^>]*>([^<]*)</.exec(await response.text());
    expect(total?.[1]?.trim()).toBe(String(expected));
  });
});

describe('the call list page', () => {
  it.each(cells(CALL_LIST))('$who reads $place: $expected', async ({ who, place, expected }) => {
    const response = await get(`/staff/messages/${messages[place]}/call-list`, {
      cookie: cookies[who],
      accept: 'text/html',
    });
    if (expected === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    expect((await response.text()).match(/data-household="/g) ?? []).toHaveLength(expected);
  });
});

describe('GET /api/v1/messages/:id/progress', () => {
  it.each(cells(FIGURES))('$who reads $place: $expected', async ({ who, place, expected }) => {
    const response = await get(`/api/v1/messages/${messages[place]}/progress`, {
      authorization: `Bearer ${tokens[who]}`,
    });
    if (expected === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { total: number }).total).toBe(expected);
  });
});

describe('GET /api/v1/messages/:id/call-list', () => {
  it.each(cells(CALL_LIST))('$who reads $place: $expected', async ({ who, place, expected }) => {
    const response = await get(`/api/v1/messages/${messages[place]}/call-list`, {
      authorization: `Bearer ${tokens[who]}`,
    });
    if (expected === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    const list = (await response.json()) as { groups: { rows: unknown[] }[] };
    expect(list.groups.flatMap((group) => group.rows)).toHaveLength(expected);
  });
});

describe('the call list CSV', () => {
  it.each(cells(CALL_LIST))('$who reads $place: $expected', async ({ who, place, expected }) => {
    const response = await get(`/staff/messages/${messages[place]}/call-list.csv`, {
      cookie: cookies[who],
    });
    if (expected === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + expected);
  });
});

describe('GET /api/v1/messages/:id/answers', () => {
  it.each(cells(FIGURES))('$who reads $place: $expected', async ({ who, place, expected }) => {
    const response = await get(`/api/v1/messages/${messages[place]}/answers`, {
      authorization: `Bearer ${tokens[who]}`,
    });
    if (expected === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { rows: unknown[] }).rows).toHaveLength(expected);
  });
});

describe('the answers CSV', () => {
  it.each(cells(FIGURES))('$who reads $place: $expected', async ({ who, place, expected }) => {
    const response = await get(`/staff/messages/${messages[place]}/answers.csv`, {
      cookie: cookies[who],
    });
    if (expected === null) return expect(response.status).toBe(404);
    expect(response.status).toBe(200);
    const lines = (await response.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + expected);
  });
});

describe('Socket.IO', () => {
  const sockets = {} as Record<Who, TestSocket>;
  const marks = {} as Record<Who, CallListMarkEvent[]>;

  beforeAll(async () => {
    for (const who of WHO) {
      sockets[who] = openSocket(base, cookies[who]);
      marks[who] = [];
      sockets[who].on('callList:mark', (event) => marks[who].push(event));
      await connected(sockets[who]);
    }
  });

  afterAll(() => {
    for (const who of WHO) sockets[who]?.close();
  });

  it.each(cells(FIGURES))('$who watches $place: $expected', async ({ who, place, expected }) => {
    const result = await watchMessage(sockets[who], { messageId: messages[place] });
    if (expected === null) return expect(result).toEqual({ ok: false, error: 'not_found' });
    if (!result.ok) throw new Error(result.error);
    const total = Object.values(result.snapshot.total).reduce((sum, n) => sum + (n ?? 0), 0);
    expect(total).toBe(expected);
  });

  // Everyone watches the district message (above); a mark reaches the call lists that show
  // the household, and only those.
  it.each([
    ['a11', ['board', 'adminA', 'teacherA11']],
    ['a12', ['board', 'adminA']],
    ['b11', ['board', 'adminB']],
  ] as const)('a mark on a household of %s reaches %j', async (klass, receivers) => {
    for (const who of WHO) marks[who] = [];
    const ack = await new Promise<{ ok: boolean }>((resolve) =>
      sockets.board.emit(
        'callList:mark',
        { messageId: messages.district, householdId: unregistered[klass], mark: 'calling' },
        resolve,
      ),
    );
    expect(ack.ok).toBe(true);
    await waitFor(() => receivers.every((who) => marks[who].length === 1), 5_000);
    // The others had time to get it too, over the same server.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reached = WHO.filter((who) => marks[who].length > 0);
    expect(reached).toEqual(receivers);
    expect(marks.board[0]).toMatchObject({ householdId: unregistered[klass] });
  });
});
