import { eq } from 'drizzle-orm';
import { recordConfirmations, schema } from '@renraku/db';
import { blindIndex } from '@renraku/shared/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesOf, keys } from '../dispatch/fixtures';
import {
  logIn,
  messageCount,
  postForm,
  postMessage,
  startSendWorld,
  tokenFor,
  type SendWorld,
} from '../send/harness';

// 安否確認 at the door: the `confirm` block of POST /api/v1/messages and the compose form
// (without JavaScript), their defaults per category and their bad input (400, nothing
// stored), the progress API's confirmation figures, and the answers API and CSV, each scoped
// like the call list and never carrying an address.

let world: SendWorld;
const tokens = { board: '', adminA: '', adminB: '', teacher: '', otherBoard: '' };

beforeAll(async () => {
  world = await startSendWorld();
  const { db, staff } = world;
  tokens.board = await tokenFor(db, staff.board.id);
  tokens.adminA = await tokenFor(db, staff.adminA.id);
  tokens.adminB = await tokenFor(db, staff.adminB.id);
  tokens.teacher = await tokenFor(db, staff.teacherA11.id);
  tokens.otherBoard = await tokenFor(db, staff.otherBoard.id);
  // The board's order of schools (random codes would order them by chance).
  for (const [school, sortOrder] of [
    [world.schools.a, 1],
    [world.schools.b, 2],
  ] as const) {
    await db.update(schema.schools).set({ sortOrder }).where(eq(schema.schools.id, school.id));
  }
});

afterAll(async () => {
  await world?.close();
});

const message = (extra: Record<string, unknown> = {}) => ({
  category: 'emergency_contact',
  subject: '臨時休校のお知らせ',
  body: '本日は台風のため臨時休校とします。',
  target: { kind: 'district' },
  ...extra,
});

const post = (token: string, body: unknown, key?: string) =>
  postMessage(world.base, token, body, key);

function get(path: string, token: string): Promise<Response> {
  return fetch(`${world.base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function storedConfirm(id: number) {
  const [row] = await world.db
    .select({ confirm: schema.messages.confirm, deadline: schema.messages.confirmDeadlineAt })
    .from(schema.messages)
    .where(eq(schema.messages.id, id));
  return row!;
}

async function sentId(response: Response): Promise<number> {
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: number }).id;
}

const ACK = { preset: 'ack', choices: [], needsCall: [], deadlineMinutes: 30 };

describe('POST /api/v1/messages with confirm', () => {
  it('asks for confirmation by default for emergencies, not for news, and stops on false', async () => {
    const contact = await sentId(await post(tokens.board, message()));
    expect(await storedConfirm(contact)).toMatchObject({
      confirm: ACK,
      deadline: expect.any(Date),
    });
    const info = await sentId(await post(tokens.board, message({ category: 'emergency_info' })));
    expect((await storedConfirm(info)).confirm).toEqual(ACK);
    const news = await sentId(await post(tokens.board, message({ category: 'education_info' })));
    expect(await storedConfirm(news)).toEqual({ confirm: null, deadline: null });
    const off = await sentId(await post(tokens.board, message({ confirm: false })));
    expect(await storedConfirm(off)).toEqual({ confirm: null, deadline: null });
  });

  it('stores the 安否確認 preset, and own choices with those needing a call', async () => {
    const safety = await sentId(
      await post(
        tokens.adminA,
        message({
          target: { kind: 'schools', schoolIds: [world.schools.a.id] },
          confirm: { preset: 'safety', deadlineMinutes: 90 },
        }),
      ),
    );
    const stored = await storedConfirm(safety);
    expect(stored.confirm).toEqual({
      preset: 'safety',
      choices: ['無事です', 'けががあります', '迎えに行けます', '迎えに行けません'],
      needsCall: [2, 4],
      deadlineMinutes: 90,
    });
    const custom = await sentId(
      await post(
        tokens.teacher,
        message({
          category: 'education_info',
          target: { kind: 'classes', classIds: [world.classes.a11.id] },
          confirm: { choices: [' 参加します ', '欠席します', '相談したい'], needsCall: [3, 3] },
        }),
      ),
    );
    expect((await storedConfirm(custom)).confirm).toEqual({
      preset: 'custom',
      choices: ['参加します', '欠席します', '相談したい'],
      needsCall: [3],
      deadlineMinutes: 30,
    });
  });

  it.each([
    [
      'a deadline under 10 minutes',
      { deadlineMinutes: 5 },
      'confirm.deadlineMinutes',
      'confirmDeadline',
    ],
    [
      'a deadline over 24 hours',
      { deadlineMinutes: 1441 },
      'confirm.deadlineMinutes',
      'confirmDeadline',
    ],
    ['a deadline as text', { deadlineMinutes: '30' }, 'confirm.deadlineMinutes', 'confirmDeadline'],
    [
      'six choices',
      { choices: ['1', '2', '3', '4', '5', '6'] },
      'confirm.choices',
      'confirmChoicesTooMany',
    ],
    [
      'a 21-character choice',
      { choices: ['あ'.repeat(21)] },
      'confirm.choices.0',
      'confirmChoiceTooLong',
    ],
    ['an empty choice', { choices: [''] }, 'confirm.choices.0', 'confirmChoicesRequired'],
    ['a preset and choices', { preset: 'safety', choices: ['はい'] }, 'confirm.choices', 'confirm'],
    [
      'a call for a missing choice',
      { choices: ['はい'], needsCall: [2] },
      'confirm.needsCall',
      'confirmNeedsCall',
    ],
    ['an unknown preset', { preset: 'poll' }, 'confirm.preset', 'confirm'],
    ['an unknown key', { deadline: 30 }, 'confirm', 'confirm'],
    ['true', true, 'confirm', 'confirm'],
    ['null', null, 'confirm', 'confirm'],
    ['a string', 'yes', 'confirm', 'confirm'],
  ])(
    'refuses %s with 400 and the API error shape, storing nothing',
    async (_what, confirm, path, key) => {
      const before = await messageCount(world.db);
      const response = await post(tokens.board, message({ confirm }));
      expect(response.status).toBe(400);
      // The refusal is worded in the request's language (Japanese here); the schema's issue
      // keeps the offending path for a program to read.
      expect(await response.json()).toEqual({
        error: 'invalid_input',
        key: `compose.error.${key}`,
        message: expect.stringMatching(/[\u3040-\u30ff\u4e00-\u9fff]/),
        field: 'confirm',
        issues: [
          { path, message: expect.stringMatching(new RegExp(`^${path.replace(/\./g, '\\.')}: `)) },
        ],
      });
      expect(await messageCount(world.db)).toBe(before);
    },
  );

  it('binds the idempotency key to the confirm block too', async () => {
    const key = 'confirm-key-000000000001';
    const first = await sentId(
      await post(tokens.board, message({ confirm: { preset: 'safety' } }), key),
    );
    const same = await post(tokens.board, message({ confirm: { preset: 'safety' } }), key);
    expect(same.status).toBe(200);
    expect(await same.json()).toEqual({ id: first });
    const before = await messageCount(world.db);
    const other = await post(tokens.board, message({ confirm: false }), key);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: 'idempotency_key_reused' });
    expect(await messageCount(world.db)).toBe(before);
  });

  it('lists each message with what it asks', async () => {
    const id = await sentId(
      await post(tokens.board, message({ confirm: { deadlineMinutes: 45 } })),
    );
    const page = (await (await get('/messages?limit=5', tokens.board)).json()) as {
      messages: { id: number; confirm: unknown }[];
    };
    expect(page.messages.find((m) => m.id === id)?.confirm).toEqual({
      ...ACK,
      deadlineMinutes: 45,
    });
  });
});

describe('the compose form without JavaScript', () => {
  const fields = (extra: Record<string, string | (string | number)[]> = {}) => ({
    idempotencyKey: `form-confirm-${Math.random().toString(36).slice(2, 14)}`,
    category: 'emergency_contact',
    subject: '臨時休校のお知らせ',
    body: '本日は臨時休校です。',
    when: 'now',
    targetKind: 'classes',
    classIds: [world.classes.a11.id],
    ...extra,
  });

  async function sendForm(cookie: string, form: Record<string, string | (string | number)[]>) {
    const response = await postForm(world.base, '/staff/messages/new?/send', form, cookie);
    expect(response.status).toBe(303);
    return Number(response.headers.get('location')!.split('/').pop());
  }

  it('shows the box ticked for an emergency and unticked for news when the form opens', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const page = async (query: string) =>
      (await fetch(`${world.base}/staff/messages/new${query}`, { headers: { cookie } })).text();
    const emergency = await page('?category=emergency_contact');
    expect(emergency).toMatch(/name="confirm" value="on"[^>]*checked/);
    expect(emergency).toMatch(/name="confirmDefault" value="on"/);
    expect(emergency).toContain('確認を求める');
    const news = await page('?category=education_info');
    expect(news).not.toMatch(/name="confirm" value="on"[^>]*checked/);
    expect(news).toMatch(/name="confirmDefault" value="off"/);
  });

  it('follows the category while the box is untouched, and the sender once touched', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    // Opened ticked (no category yet), news chosen, box left alone: news asks nothing.
    const untouchedNews = fields({
      category: 'education_info',
      confirm: 'on',
      confirmDefault: 'on',
    });
    const preview = await postForm(
      world.base,
      '/staff/messages/new?/preview',
      untouchedNews,
      cookie,
    );
    expect(preview.status).toBe(200);
    const html = withoutComments(await preview.text());
    expect(html).toMatch(/data-testid="confirm-asks"[^>]*>\s*確認を求めない/);
    expect((await storedConfirm(await sendForm(cookie, untouchedNews))).confirm).toBeNull();
    // Opened unticked for news, then switched to an emergency: it asks.
    const untouchedEmergency = fields({ confirmDefault: 'off', confirmPreset: 'safety' });
    expect((await storedConfirm(await sendForm(cookie, untouchedEmergency))).confirm).toMatchObject(
      {
        preset: 'safety',
      },
    );
    // A post without the fields at all takes the category's default.
    expect((await storedConfirm(await sendForm(cookie, fields()))).confirm).toEqual(ACK);
    // The sender unticked an emergency's box: nothing is asked.
    const unticked = fields({ confirmDefault: '' });
    expect((await storedConfirm(await sendForm(cookie, unticked))).confirm).toBeNull();
    // The sender ticked a news message's box.
    const ticked = fields({ category: 'education_info', confirm: 'on', confirmDefault: '' });
    expect((await storedConfirm(await sendForm(cookie, ticked))).confirm).toEqual(ACK);
  });

  it('shows the choices on the confirm step and sends own choices with 要電話', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const form = fields({
      confirm: 'on',
      confirmDefault: '',
      confirmPreset: 'custom',
      // The second box is left empty: the 要電話 of the third follows its choice (now 2).
      confirmChoice: ['迎えに来られます', '', '迎えに来られません', '', ''],
      confirmNeedsCall: [3],
      confirmDeadline: '60',
    });
    const preview = await postForm(world.base, '/staff/messages/new?/preview', form, cookie);
    const html = withoutComments(await preview.text());
    expect(html).toContain('確認しました');
    expect(html).toMatch(/迎えに来られません\s*<strong>（要電話）/);
    expect(html).toContain('締切：送信から60分');
    expect((await storedConfirm(await sendForm(cookie, form))).confirm).toEqual({
      preset: 'custom',
      choices: ['迎えに来られます', '迎えに来られません'],
      needsCall: [2],
      deadlineMinutes: 60,
    });
  });

  it.each([
    ['no own choice', { confirmPreset: 'custom' }, '自由記述の選択肢を1つ以上入力してください。'],
    ['a deadline of 5 minutes', { confirmDeadline: '5' }, '締切は10〜1440分で入力してください。'],
    ['a deadline that is not a number', { confirmDeadline: 'すぐ' }, '締切は10〜1440分で'],
    [
      'two same choices',
      { confirmPreset: 'custom', confirmChoice: ['はい', 'はい'] },
      '同じ言葉の選択肢が2つあります。',
    ],
    ['an unknown preset', { confirmPreset: 'poll' }, '保護者の確認の設定が正しくありません。'],
  ])('refuses %s with a clear error on the form and sends nothing', async (_what, extra, text) => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const before = await messageCount(world.db);
    for (const action of ['preview', 'send']) {
      const response = await postForm(
        world.base,
        `/staff/messages/new?/${action}`,
        fields({ confirm: 'on', confirmDefault: '', ...extra }),
        cookie,
      );
      expect(response.status).toBe(400);
      const html = await response.text();
      expect(html).toContain('入力内容を確認してください。');
      expect(html).toContain(text);
    }
    expect(await messageCount(world.db)).toBe(before);
  });
});

describe('confirmation progress and answers', () => {
  let messageId: number;
  const REPLY = 'ママ mama.tanaka@example.jp（携帯 mama＠docomo.ne.jp）に電話ください, 急ぎ';

  beforeAll(async () => {
    messageId = await sentId(await post(tokens.board, message({ confirm: { preset: 'safety' } })));
    const { db } = world;
    await db
      .update(schema.deliveries)
      .set({ state: 'accepted' })
      .where(eq(schema.deliveries.messageId, messageId));
    const deliveries = new Map(
      (await deliveriesOf(db, messageId)).map((d) => [d.blindIndex, d.id] as const),
    );
    const of = (address: string) => deliveries.get(blindIndex(keys, address))!;
    // 青木 (A 1-1) safe, 江藤 (A 1-2 and 2-1) injured by reply, 小野 (B) cannot come;
    // 井上 (A 1-1) reached and silent; 上田 (A 1-1) unregistered, not counted.
    const outcomes = await recordConfirmations(db, [
      { deliveryId: of('aoki-2@example.jp'), choice: 1, channel: 'link', replyWords: null },
      { deliveryId: of('eto@example.jp'), choice: 2, channel: 'reply', replyWords: REPLY },
      { deliveryId: of('ono@example.jp'), choice: 4, channel: 'link', replyWords: null },
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['recorded', 'recorded', 'recorded']);
  });

  it.each([
    ['board', { confirmed: 3, unconfirmed: 1, answers: { 1: 1, 2: 1, 4: 1 } }],
    ['adminA', { confirmed: 2, unconfirmed: 1, answers: { 1: 1, 2: 1 } }],
    ['adminB', { confirmed: 1, unconfirmed: 0, answers: { 4: 1 } }],
    ['teacher', { confirmed: 1, unconfirmed: 1, answers: { 1: 1 } }],
  ] as const)('gives %s its part of the figures in the progress', async (who, expected) => {
    const response = await get(`/messages/${messageId}/progress`, tokens[who]);
    expect(response.status).toBe(200);
    const progress = (await response.json()) as Record<string, unknown>;
    expect(progress).toMatchObject({ ...expected, confirm: { preset: 'safety' } });
    expect(progress.answers).toEqual(expected.answers);
  });

  it('reads zero and confirm null for a message that asks nothing', async () => {
    const id = await sentId(await post(tokens.board, message({ confirm: false })));
    expect(await (await get(`/messages/${id}/progress`, tokens.board)).json()).toMatchObject({
      confirm: null,
      confirmed: 0,
      unconfirmed: 0,
      answers: {},
    });
  });

  type Answers = {
    households: number;
    rows: {
      children: { name: string; className: string }[];
      choice: number;
      label: string;
      needsCall: boolean;
      channel: string;
      late: boolean;
      replyWords: string | null;
    }[];
  };
  const answers = async (token: string, query = '') => {
    const response = await get(`/messages/${messageId}/answers${query}`, token);
    expect(response.status).toBe(200);
    return (await response.json()) as Answers;
  };
  const names = (list: Answers) =>
    list.rows.map((row) => row.children.map((c) => c.name).join('・'));

  it('lists the answering households, scoped like the call list', async () => {
    const board = await answers(tokens.board);
    expect(names(board)).toEqual(['青木 一郎', '江藤 花子・江藤 太郎', '小野 四郎']);
    expect(board.rows.map((row) => [row.choice, row.label, row.needsCall, row.channel])).toEqual([
      [1, '無事です', false, 'link'],
      [2, 'けががあります', true, 'reply'],
      [4, '迎えに行けません', true, 'link'],
    ]);
    expect(names(await answers(tokens.board, `?school=${world.schools.b.id}`))).toEqual([
      '小野 四郎',
    ]);
    expect(names(await answers(tokens.adminA))).toEqual(['青木 一郎', '江藤 花子・江藤 太郎']);
    // Another school's `school` is ignored: a school admin sees its own.
    expect(names(await answers(tokens.adminA, `?school=${world.schools.b.id}`))).toEqual([
      '青木 一郎',
      '江藤 花子・江藤 太郎',
    ]);
    expect(names(await answers(tokens.adminB))).toEqual(['小野 四郎']);
    // A `school` that is not an id means the whole scope, as on the call list.
    expect(await answers(tokens.board, '?school=abc')).toMatchObject({ households: 3 });
    expect(names(await answers(tokens.teacher, `?school=${world.schools.b.id}`))).toEqual([
      '青木 一郎',
    ]);
    const teacher = await answers(tokens.teacher);
    expect(names(teacher)).toEqual(['青木 一郎']);
    expect(teacher.households).toBe(1);
  });

  it('never carries an address, even one a parent wrote in a reply', async () => {
    const text = JSON.stringify(await answers(tokens.board));
    expect(text).not.toMatch(/[@＠]/);
    expect(text).not.toContain('example.jp');
    expect(text).toContain('に電話ください');
  });

  it('is 404 for a message outside the scope or that does not exist, 401 without a token', async () => {
    expect((await get(`/messages/${messageId}/answers`, tokens.otherBoard)).status).toBe(404);
    expect((await get(`/messages/${messageId}/answers.csv`, tokens.otherBoard)).status).toBe(404);
    for (const bad of ['abc', '0', '-1', '99999999999', '1.5']) {
      expect((await get(`/messages/${bad}/answers`, tokens.board)).status).toBe(404);
    }
    expect((await fetch(`${world.base}/api/v1/messages/${messageId}/answers`)).status).toBe(401);
    const page = await fetch(`${world.base}/staff/messages/${messageId}/answers.csv`, {
      redirect: 'manual',
    });
    expect(page.status).not.toBe(200);
  });

  it('exports a CSV that parses back, one row per household, with no @ anywhere', async () => {
    const cookie = await logIn(world.base, world.staff.adminA.login);
    const response = await fetch(`${world.base}/staff/messages/${messageId}/answers.csv`, {
      headers: { cookie },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    expect(text).not.toMatch(/[@＠]/);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
      '学校',
      '児童氏名',
      'ふりがな',
      '回答番号',
      '回答',
      '要電話',
      '回答日時',
      '方法',
      '締切後',
      '返信の本文',
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[1]!.slice(0, 2)).toEqual(['湊第一小学校', '青木 一郎（1年1組）']);
    expect(rows[2]!.slice(0, 6)).toEqual([
      '湊第一小学校',
      '江藤 花子（1年2組）、江藤 太郎（2年1組）',
      expect.any(String),
      '2',
      'けががあります',
      '要電話',
    ]);
    expect(rows[2]![6]).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}$/);
    expect(rows[2]![7]).toBe('メール返信');
    expect(rows[2]![9]).toContain('に電話ください, 急ぎ');
    const teacher = await get(`/messages/${messageId}/answers.csv`, tokens.teacher);
    const teacherRows = parseCsv(
      new TextDecoder().decode(new Uint8Array(await teacher.arrayBuffer()).slice(3)),
    );
    expect(teacherRows.map((row) => row[1])).toEqual(['児童氏名', '青木 一郎（1年1組）']);
  });
});

/** A page's text without Svelte's hydration markers. */
function withoutComments(html: string): string {
  return html.replace(/<!--.*?-->/g, '');
}

/** RFC 4180 as the CSV writes it: quoted cells may hold commas, quotes and line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}
