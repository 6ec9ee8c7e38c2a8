import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSendWorld, tokenFor, type SendWorld } from '../send/harness';

// GET /api/v1/messages: an integration's view of the recent messages, scoped exactly like
// the staff message list, newest first, in pages.

let world: SendWorld;
const tokens = { board: '', adminA: '', adminB: '', teacher: '', otherBoard: '' };
/** The ids of the messages sent in beforeAll, by what they were sent to. */
const sent = { district: 0, schoolA: 0, schoolB: 0, classA12: 0, classA11: 0, other: 0 };

interface ListedMessage {
  id: number;
  category: string;
  subject: string;
  state: string;
  senderName: string;
  createdAt: string;
}
interface MessageList {
  messages: ListedMessage[];
  nextBefore: number | null;
}

function get(token: string, query = ''): Promise<Response> {
  return fetch(`${world.base}/api/v1/messages${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

async function list(token: string, query = ''): Promise<MessageList> {
  const response = await get(token, query);
  expect(response.status).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as MessageList;
}

async function send(token: string, subject: string, target: unknown): Promise<number> {
  const response = await fetch(`${world.base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ category: 'education_info', subject, body: `${subject}の本文`, target }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

beforeAll(async () => {
  world = await startSendWorld();
  const { db, staff, schools, classes } = world;
  tokens.board = await tokenFor(db, staff.board.id);
  tokens.adminA = await tokenFor(db, staff.adminA.id);
  tokens.adminB = await tokenFor(db, staff.adminB.id);
  tokens.teacher = await tokenFor(db, staff.teacherA11.id);
  tokens.otherBoard = await tokenFor(db, staff.otherBoard.id);
  const sends: [keyof typeof sent, string, string, unknown][] = [
    ['district', tokens.board, '市内全校', { kind: 'district' }],
    ['schoolA', tokens.adminA, '第一小', { kind: 'schools', schoolIds: [schools.a.id] }],
    ['schoolB', tokens.adminB, '第二小', { kind: 'schools', schoolIds: [schools.b.id] }],
    ['classA12', tokens.adminA, '1年2組', { kind: 'classes', classIds: [classes.a12.id] }],
    ['classA11', tokens.teacher, '1年1組', { kind: 'classes', classIds: [classes.a11.id] }],
    ['other', tokens.otherBoard, '隣町', { kind: 'district' }],
  ];
  // One after the other, so that their order is the order of sending.
  for (const [name, token, subject, target] of sends)
    sent[name] = await send(token, subject, target);
});

afterAll(async () => {
  await world?.close();
});

describe('GET /api/v1/messages', () => {
  it('lists the board its whole district, newest first, and nothing of another district', async () => {
    const { messages, nextBefore } = await list(tokens.board);
    expect(messages.map((m) => m.id)).toEqual([
      sent.classA11,
      sent.classA12,
      sent.schoolB,
      sent.schoolA,
      sent.district,
    ]);
    expect(nextBefore).toBeNull();
    expect(messages[4]).toMatchObject({
      category: 'education_info',
      subject: '【教育情報】市内全校', // the final subject, as parents got it and staff lists show it
      senderName: '湊市教育委員会',
    });
    expect(Date.parse(messages[4]!.createdAt)).not.toBeNaN();
    expect((await list(tokens.otherBoard)).messages.map((m) => m.id)).toEqual([sent.other]);
  });

  it("lists a teacher only the messages that reach the teacher's class", async () => {
    const { messages } = await list(tokens.teacher);
    expect(messages.map((m) => m.id)).toEqual([sent.classA11, sent.schoolA, sent.district]);
  });

  it("lists a school admin its school's messages, not another school's", async () => {
    const { messages } = await list(tokens.adminB);
    expect(messages.map((m) => m.id)).toEqual([sent.schoolB, sent.district]);
  });

  it('gives no figure of the whole district to a part of it', async () => {
    const { messages } = await list(tokens.teacher);
    // Counts are the progress call's, which scopes them; a list row carries none.
    expect(Object.keys(messages[0]!).sort()).toEqual(
      [
        'authorName',
        'category',
        'confirm',
        'createdAt',
        'finishedAt',
        'id',
        'scheduledAt',
        'senderName',
        'startedAt',
        'state',
        'subject',
      ].sort(),
    );
  });

  it('pages with limit and before, and the pages join up', async () => {
    const first = await list(tokens.board, '?limit=2');
    expect(first.messages.map((m) => m.id)).toEqual([sent.classA11, sent.classA12]);
    expect(first.nextBefore).toBe(sent.classA12);
    const second = await list(tokens.board, `?limit=2&before=${first.nextBefore}`);
    expect(second.messages.map((m) => m.id)).toEqual([sent.schoolB, sent.schoolA]);
    const third = await list(tokens.board, `?limit=2&before=${second.nextBefore}`);
    expect(third.messages.map((m) => m.id)).toEqual([sent.district]);
    expect(third.nextBefore).toBeNull();
  });

  it("answers an empty page for a cursor outside the caller's scope", async () => {
    // Another district's id tells nothing: no page starts after it.
    const { messages, nextBefore } = await list(tokens.board, `?before=${sent.other}`);
    expect(messages).toEqual([]);
    expect(nextBefore).toBeNull();
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['limit=abc'],
    ['limit=1.5'],
    ['limit='],
    ['before=-1'],
    ['before=0'],
    ['before=x'],
    ['before=1e3'],
    ['limit=2&limit=3'],
    ['page=2'],
  ])('refuses ?%s with 400 and the reason', async (query) => {
    const response = await get(tokens.board, `?${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toBe('invalid_query');
    expect(body.issues.length).toBeGreaterThan(0);
  });

  it('refuses a request without a token', async () => {
    const response = await fetch(`${world.base}/api/v1/messages`);
    expect(response.status).toBe(401);
  });
});
