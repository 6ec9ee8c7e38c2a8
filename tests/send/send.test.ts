import { eq } from 'drizzle-orm';
import { schema } from '@renraku/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logIn,
  messageCount,
  postForm,
  sendAudits,
  startSendWorld,
  tokenFor,
  type SendWorld,
} from './harness';

// Sending through the JSON API and the compose form (without JavaScript): the scope matrix,
// idempotency, bad input that stores nothing, the audit, progress, and the board's schedules.

let world: SendWorld;
const tokens: Record<'board' | 'adminA' | 'adminB' | 'teacher' | 'otherBoard', string> = {
  board: '',
  adminA: '',
  adminB: '',
  teacher: '',
  otherBoard: '',
};

beforeAll(async () => {
  world = await startSendWorld();
  const { db, staff } = world;
  tokens.board = await tokenFor(db, staff.board.id);
  tokens.adminA = await tokenFor(db, staff.adminA.id);
  tokens.adminB = await tokenFor(db, staff.adminB.id);
  tokens.teacher = await tokenFor(db, staff.teacherA11.id);
  tokens.otherBoard = await tokenFor(db, staff.otherBoard.id);
});

afterAll(async () => {
  await world?.close();
});

const message = (target: unknown, extra: Record<string, unknown> = {}) => ({
  category: 'emergency_contact',
  subject: '臨時休校のお知らせ',
  body: '本日は台風のため臨時休校とします。\n詳しくは学校のホームページをご覧ください。',
  target,
  ...extra,
});

function api(
  token: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${world.base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function deliveryCount(messageId: number): Promise<number> {
  const rows = await world.db
    .select({ id: schema.deliveries.id })
    .from(schema.deliveries)
    .where(eq(schema.deliveries.messageId, messageId));
  return rows.length;
}

describe('POST /api/v1/messages', () => {
  it('sends as the token owner within its scope, and audits the send without addresses', async () => {
    const before = (await sendAudits(world.db)).length;
    const response = await api(tokens.board, message({ kind: 'district' }));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    // A11: 3 addresses, A12/A21: one shared address, B11: 1; the other district's is not reached.
    expect(await deliveryCount(id)).toBe(5);
    const audits = await sendAudits(world.db);
    expect(audits).toHaveLength(before + 1);
    const audit = audits.find((row) => row.subjectId === String(id))!;
    expect(audit.actorId).toBe(world.staff.board.id);
    expect(audit.detail).toMatchObject({
      category: 'emergency_contact',
      target: { kind: 'district' },
      recipients: 5,
      callListHouseholds: 1,
      channel: 'api',
    });
    expect(JSON.stringify(audit.detail)).not.toContain('@');
  });

  it.each([
    ['teacher', 'another class', { kind: 'classes', classIds: ['a12'] }],
    ['teacher', 'its class and another', { kind: 'classes', classIds: ['a11', 'a12'] }],
    ['teacher', 'its whole school', { kind: 'schools', schoolIds: ['a'] }],
    ['teacher', 'the district', { kind: 'district' }],
    ['adminA', 'another school', { kind: 'schools', schoolIds: ['b'] }],
    ['adminA', 'its school and another', { kind: 'schools', schoolIds: ['a', 'b'] }],
    ['adminA', "another school's class", { kind: 'classes', classIds: ['b11'] }],
    ['adminA', "another school's grades", { kind: 'grades', schoolId: 'b', grades: [1] }],
    ['adminA', 'the district', { kind: 'district' }],
  ] as const)(
    'refuses a %s token sending to %s (403, nothing stored)',
    async (who, _what, spec) => {
      const target = resolveTarget(spec);
      const before = await messageCount(world.db);
      const response = await api(tokens[who], message(target));
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'outside_scope' });
      expect(await messageCount(world.db)).toBe(before);
    },
  );

  it('lets a teacher send to its own class and a school admin to grades of its school', async () => {
    const own = await api(
      tokens.teacher,
      message({ kind: 'classes', classIds: [world.classes.a11.id] }),
    );
    expect(own.status).toBe(201);
    expect(await deliveryCount(((await own.json()) as { id: number }).id)).toBe(3);
    const grades = await api(
      tokens.adminA,
      message({ kind: 'grades', schoolId: world.schools.a.id, grades: [1] }),
    );
    expect(grades.status).toBe(201);
    expect(await deliveryCount(((await grades.json()) as { id: number }).id)).toBe(4);
  });

  it.each([
    ["another district's class", () => ({ kind: 'classes', classIds: [world.classes.other.id] })],
    ['a school that does not exist', () => ({ kind: 'schools', schoolIds: [99_999_999] })],
    [
      'grade 7 of an elementary school',
      () => ({ kind: 'grades', schoolId: world.schools.a.id, grades: [6, 7] }),
    ],
  ])('refuses %s as an unknown target (400, nothing stored)', async (_what, target) => {
    const before = await messageCount(world.db);
    const response = await api(tokens.board, message(target()));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: expect.stringMatching(/unknown_target|invalid_input/),
    });
    expect(await messageCount(world.db)).toBe(before);
  });

  it('sends once per idempotency key, from the header or the body', async () => {
    const before = await messageCount(world.db);
    const first = await api(
      tokens.adminA,
      message({ kind: 'schools', schoolIds: [world.schools.a.id] }),
      {
        'idempotency-key': 'retry-key-0001',
      },
    );
    const again = await api(
      tokens.adminA,
      message({ kind: 'schools', schoolIds: [world.schools.a.id] }),
      {
        'idempotency-key': 'retry-key-0001',
      },
    );
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(await first.json());
    const inBody = message(
      { kind: 'schools', schoolIds: [world.schools.a.id] },
      { idempotencyKey: 'body-key-0001' },
    );
    expect((await api(tokens.adminA, inBody)).status).toBe(201);
    expect((await api(tokens.adminA, inBody)).status).toBe(200);
    expect(await messageCount(world.db)).toBe(before + 2);
  });

  it('sends once when the same request arrives several times at once', async () => {
    const before = await messageCount(world.db);
    const auditsBefore = (await sendAudits(world.db)).length;
    const body = message({ kind: 'district' }, { idempotencyKey: 'parallel-key-0001' });
    const responses = await Promise.all(Array.from({ length: 5 }, () => api(tokens.board, body)));
    const ids = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { id: number }).id),
    );
    expect(new Set(ids).size).toBe(1);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(await messageCount(world.db)).toBe(before + 1);
    expect(await sendAudits(world.db)).toHaveLength(auditsBefore + 1);
    expect(await deliveryCount(ids[0]!)).toBe(5);
  });

  it('schedules a send for later without fanning it out yet', async () => {
    const at = new Date(Date.now() + 3600_000).toISOString();
    const response = await api(tokens.board, message({ kind: 'district' }, { scheduledAt: at }));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: number };
    const [row] = await world.db.select().from(schema.messages).where(eq(schema.messages.id, id));
    expect(row!.scheduledAt?.toISOString()).toBe(at);
    expect(row!.fannedOutAt).toBeNull();
    expect(await deliveryCount(id)).toBe(0);
  });

  const longSubject = 'あ'.repeat(101);
  const longBody = 'い'.repeat(5001);
  it.each([
    ['an empty subject', message({ kind: 'district' }, { subject: '   ' }), 'invalid_input'],
    ['an empty body', message({ kind: 'district' }, { body: '\n \n' }), 'invalid_input'],
    [
      'an overlong subject',
      message({ kind: 'district' }, { subject: longSubject }),
      'invalid_input',
    ],
    ['an overlong body', message({ kind: 'district' }, { body: longBody }), 'invalid_input'],
    [
      'a control character in the subject',
      message({ kind: 'district' }, { subject: 'ベル\u0007' }),
      'invalid_input',
    ],
    [
      'a control character in the body',
      message({ kind: 'district' }, { body: 'esc\u001b[31m' }),
      'invalid_input',
    ],
    [
      'a two-line subject',
      message({ kind: 'district' }, { subject: '一行目\r\nBcc: x@example.jp' }),
      'invalid_input',
    ],
    ['an unknown category', message({ kind: 'district' }, { category: 'spam' }), 'invalid_input'],
    ['no target', message(undefined), 'invalid_input'],
    ['an empty class list', message({ kind: 'classes', classIds: [] }), 'invalid_input'],
    [
      'a non-integer id',
      message({ kind: 'schools', schoolIds: ['1; drop table'] }),
      'invalid_input',
    ],
    [
      'a time in the past',
      message({ kind: 'district' }, { scheduledAt: '2020-04-01T07:00:00+09:00' }),
      'invalid_input',
    ],
    [
      'a time 40 days ahead',
      message(
        { kind: 'district' },
        { scheduledAt: new Date(Date.now() + 40 * 86_400_000).toISOString() },
      ),
      'invalid_input',
    ],
    [
      'a time that is not a time',
      message({ kind: 'district' }, { scheduledAt: 'tomorrow morning' }),
      'invalid_input',
    ],
    [
      'a malformed idempotency key',
      message({ kind: 'district' }, { idempotencyKey: 'a b' }),
      'invalid_input',
    ],
    [
      'a numeric idempotency key',
      message({ kind: 'district' }, { idempotencyKey: 12345678 }),
      'invalid_input',
    ],
    ['malformed JSON', '{"category": "emergency_contact", ', 'malformed_json'],
    ['a JSON array', '[1, 2]', 'invalid_input'],
  ])('refuses %s with 400 and stores nothing', async (_what, body, error) => {
    const before = await messageCount(world.db);
    const response = await api(tokens.board, body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; issues?: unknown[] };
    expect(answer.error).toBe(error);
    if (error === 'invalid_input' && typeof body !== 'string')
      expect(answer.issues?.length).toBeGreaterThan(0);
    expect(await messageCount(world.db)).toBe(before);
  });

  it('refuses a body that is not JSON (415) or too large (413), however it arrives', async () => {
    const before = await messageCount(world.db);
    for (const type of ['application/xml', 'text/csv']) {
      const wrongType = await api(tokens.board, JSON.stringify(message({ kind: 'district' })), {
        'content-type': type,
      });
      expect(wrongType.status).toBe(415);
      expect(await wrongType.json()).toMatchObject({ error: 'unsupported_media_type' });
    }
    const huge = JSON.stringify(message({ kind: 'district' }, { padding: 'x'.repeat(70 * 1024) }));
    const declared = await api(tokens.board, huge);
    expect(declared.status).toBe(413);
    // Chunked, without a Content-Length: counted as it arrives.
    const chunked = await fetch(`${world.base}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.board}`, 'content-type': 'application/json' },
      body: new Blob([huge]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await messageCount(world.db)).toBe(before);
  });

  it('refuses a request without a valid token', async () => {
    const response = await api('not-a-token', message({ kind: 'district' }));
    expect(response.status).toBe(401);
  });
});

describe('GET /api/v1/messages/:id/progress', () => {
  it('reports every state, and 404 for a message outside the scope', async () => {
    const sent = await api(
      tokens.adminA,
      message({ kind: 'classes', classIds: [world.classes.a11.id] }),
    );
    const { id } = (await sent.json()) as { id: number };
    const progress = (token: string, messageId: string | number) =>
      fetch(`${world.base}/api/v1/messages/${messageId}/progress`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const own = await progress(tokens.adminA, id);
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({
      id,
      state: 'queued',
      total: 3,
      reached: 0,
      failed: 0,
      counts: {
        queued: 3,
        sending: 0,
        deferred: 0,
        accepted: 0,
        delivered: 0,
        delayed: 0,
        bounced: 0,
        failed: 0,
      },
      byChannel: {
        mail: { total: 3, reached: 0, failed: 0 },
        push: { total: 0, reached: 0, failed: 0 },
      },
      // An emergency asks for confirmation by default; nobody was reached yet.
      confirm: { preset: 'ack', choices: [], needsCall: [], deadlineMinutes: 30 },
      confirmed: 0,
      unconfirmed: 0,
      answers: {},
    });
    expect((await progress(tokens.teacher, id)).status).toBe(200);
    expect((await progress(tokens.board, id)).status).toBe(200);
    for (const [token, messageId] of [
      [tokens.adminB, id],
      [tokens.otherBoard, id],
      [tokens.adminA, 99_999_999],
      [tokens.adminA, 'abc'],
    ] as const) {
      const response = await progress(token, messageId);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
  });
});

describe('the compose form without JavaScript', () => {
  const fields = (extra: Record<string, string | (string | number)[]> = {}) => ({
    idempotencyKey: 'form-key-000000000001',
    category: 'emergency_contact',
    subject: '臨時休校のお知らせ',
    body: '本日は臨時休校です。',
    when: 'now',
    targetKind: 'classes',
    classIds: [world.classes.a11.id],
    ...extra,
  });

  it('shows the form with a fresh idempotency key, preset from the home page for the board', async () => {
    const cookie = await logIn(world.base, world.staff.board.login);
    const home = await (await fetch(`${world.base}/staff`, { headers: { cookie } })).text();
    expect(home).toContain('全校に緊急連絡');
    const page = await fetch(
      `${world.base}/staff/messages/new?category=emergency_contact&target=district`,
      {
        headers: { cookie },
      },
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/name="idempotencyKey" value="[A-Za-z0-9_-]{20,}"/);
    expect(html).toMatch(/value="emergency_contact"[^>]*checked/);
    expect(html).toMatch(/value="district"[^>]*checked/);
    const teacher = await logIn(world.base, world.staff.teacherA11.login);
    const teacherHtml = await (
      await fetch(`${world.base}/staff/messages/new`, { headers: { cookie: teacher } })
    ).text();
    expect(teacherHtml).not.toContain('value="district"');
    expect(teacherHtml).not.toContain('全校に緊急連絡');
  });

  it('previews the exact figures, then sends once however often the confirmation is posted', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const preview = await postForm(world.base, '/staff/messages/new?/preview', fields(), cookie);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toMatch(/data-testid="confirm-recipients"[^>]*>3</);
    expect(html).toMatch(/data-testid="confirm-call-list"[^>]*>1</);
    expect(html).toContain('【緊急連絡】臨時休校のお知らせ');
    const before = await messageCount(world.db);
    const sent = await postForm(world.base, '/staff/messages/new?/send', fields(), cookie);
    expect(sent.status).toBe(303);
    const location = sent.headers.get('location')!;
    expect(location).toMatch(/^\/staff\/messages\/\d+$/);
    const id = Number(location.split('/').pop());
    expect(await deliveryCount(id)).toBe(3);
    const [row] = await world.db.select().from(schema.messages).where(eq(schema.messages.id, id));
    expect(row).toMatchObject({
      schoolId: world.schools.a.id,
      authorId: world.staff.adminA.id,
      recipientCount: 3,
    });
    const again = await postForm(world.base, '/staff/messages/new?/send', fields(), cookie);
    expect(again.headers.get('location')).toBe(location);
    expect(await messageCount(world.db)).toBe(before + 1);
    const audit = (await sendAudits(world.db)).find((a) => a.subjectId === String(id));
    expect(audit?.detail).toMatchObject({ channel: 'form', recipients: 3 });
  });

  it.each([
    ['teacher', 'another class', { targetKind: 'classes', classIds: ['a12'] }],
    ['teacher', 'its school', { targetKind: 'schools', schoolIds: ['a'] }],
    ['adminA', 'another school', { targetKind: 'schools', schoolIds: ['b'] }],
    [
      'adminB',
      "another school's grades",
      { targetKind: 'grades', gradeSchoolId: 'a', grades: ['1'] },
    ],
    ['adminA', 'the district', { targetKind: 'district' }],
  ] as const)('refuses a %s posting %s (403, nothing stored)', async (who, _what, spec) => {
    const login = {
      teacher: world.staff.teacherA11,
      adminA: world.staff.adminA,
      adminB: world.staff.adminB,
    }[who].login;
    const cookie = await logIn(world.base, login);
    const before = await messageCount(world.db);
    const resolved = Object.fromEntries(
      Object.entries(spec).map(([name, value]) => [name, resolveFormValue(name, value)]),
    );
    for (const action of ['preview', 'send']) {
      const response = await postForm(
        world.base,
        `/staff/messages/new?/${action}`,
        fields({ ...resolved, idempotencyKey: `scope-${who}-${action}-000001` }),
        cookie,
      );
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('担当範囲の外です');
    }
    expect(await messageCount(world.db)).toBe(before);
  });

  it('refuses bad input with the field errors in the reader’s language and stores nothing', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const before = await messageCount(world.db);
    const empty = await postForm(
      world.base,
      '/staff/messages/new?/send',
      fields({ subject: '' }),
      cookie,
    );
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('入力してください。');
    const long = await postForm(
      world.base,
      '/staff/messages/new?/preview',
      fields({ body: 'あ'.repeat(5001) }),
      cookie,
    );
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('5000文字以内');
    const english = await postForm(
      world.base,
      '/staff/messages/new?/send',
      fields({ targetKind: '', idempotencyKey: 'english-key-000001' }),
      `${cookie}; renraku_lang=en`,
    );
    expect(english.status).toBe(400);
    expect(await english.text()).toContain('Choose the recipients.');
    const noKey = await postForm(
      world.base,
      '/staff/messages/new?/send',
      fields({ idempotencyKey: '' }),
      cookie,
    );
    expect(noKey.status).toBe(400);
    const past = await postForm(
      world.base,
      '/staff/messages/new?/send',
      fields({ when: 'later', scheduledAt: '2020-04-01T07:00', idempotencyKey: 'past-key-000001' }),
      cookie,
    );
    expect(past.status).toBe(400);
    expect(await past.text()).toContain('配信日時が過ぎています');
    expect(await messageCount(world.db)).toBe(before);
  });
});

describe('/staff/schedules', () => {
  it('is the board’s: it creates and stops a monthly mail; other roles get 403', async () => {
    const cookie = await logIn(world.base, world.staff.board.login);
    const created = await postForm(
      world.base,
      '/staff/schedules?/create',
      {
        category: 'education_info',
        subject: '今月の教育委員会だより',
        body: '今月の行事予定をお知らせします。',
        targetKind: 'district',
        dayOfMonth: '5',
        timeOfDay: '10:00',
      },
      cookie,
    );
    expect(created.status).toBe(200);
    const rows = await world.db.select().from(schema.messageSchedules);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      dayOfMonth: 5,
      timeOfDay: '10:00',
      active: true,
      authorId: world.staff.board.id,
    });
    const list = await (
      await fetch(`${world.base}/staff/schedules`, { headers: { cookie } })
    ).text();
    expect(list).toContain('今月の教育委員会だより');
    const stopped = await postForm(
      world.base,
      '/staff/schedules?/deactivate',
      { scheduleId: String(rows[0]!.id) },
      cookie,
    );
    expect(stopped.status).toBe(200);
    const [after] = await world.db.select().from(schema.messageSchedules);
    expect(after!.active).toBe(false);

    const admin = await logIn(world.base, world.staff.adminA.login);
    expect(
      (await fetch(`${world.base}/staff/schedules`, { headers: { cookie: admin } })).status,
    ).toBe(403);
    const refused = await postForm(
      world.base,
      '/staff/schedules?/create',
      {
        category: 'education_info',
        subject: 's',
        body: 'b',
        targetKind: 'district',
        dayOfMonth: '5',
        timeOfDay: '10:00',
      },
      admin,
    );
    expect(refused.status).toBe(403);
    expect(await world.db.select().from(schema.messageSchedules)).toHaveLength(1);
  });
});

/** Test tables name schools and classes by fixture key; the ids exist only once the world does. */
function resolveTarget(spec: Record<string, unknown>): unknown {
  return Object.fromEntries(
    Object.entries(spec).map(([name, value]) => [name, resolveFormValue(name, value)]),
  );
}

function resolveFormValue(name: string, value: unknown): unknown {
  const ids = (list: readonly unknown[], table: Record<string, { id: number }>) =>
    list.map((key) => table[String(key)]?.id ?? key);
  if (name === 'classIds') return ids(value as unknown[], world.classes);
  if (name === 'schoolIds') return ids(value as unknown[], world.schools);
  if (name === 'schoolId' || name === 'gradeSchoolId') return world.schools[value as 'a' | 'b'].id;
  return value;
}
