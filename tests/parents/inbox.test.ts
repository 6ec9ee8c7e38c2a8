import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { confirmationBreakdown, schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { confirmRequestOf } from '@renraku/shared';
import { TEST_SECRET_KEY } from '../dispatch/fixtures';
import { storedConfirmations } from '../confirmation/page-harness';
import { postForm } from '../send/harness';
import { startTestWeb, type RunningWeb } from '../support/web';
import { INBOX_PASSWORD, inboxWorld } from './inbox-world';

// The parent's inbox over HTTP against the built web on real PostgreSQL: a family reads every
// message its children got since registering (not another family's, not before), newest first,
// and answers from it through the same recorder as the mail's link; bad answers store nothing.

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let world: Awaited<ReturnType<typeof inboxWorld>>;
let cookie: string;

const get = (path: string, withCookie = cookie) =>
  fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie: withCookie } });
const answer = (fields: Record<string, string>, path = '/account/inbox?/confirm') =>
  postForm(base, path, fields, cookie);
const confirmations = () => storedConfirmations(db);
/** The page without its inline CSS (whose @media rules are no address). */
const withoutStyles = (html: string) => html.replace(/<style>[^<]*<\/style>/g, '');
const subjectsOf = (html: string) =>
  [...html.matchAll(/<h2[^>]*>([^<]*)<\/h2>/g)].map((match) => match[1]);

async function logIn(loginId: string): Promise<string> {
  const response = await postForm(base, '/account/login?/login', {
    loginId,
    password: INBOX_PASSWORD,
  });
  const header = response.headers.getSetCookie().find((c) => c.startsWith('renraku_parent='));
  if (!header) throw new Error(`login failed: ${response.status}`);
  return header.split(';')[0]!;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  world = await inboxWorld(db);
  ({ web, base } = await startTestWeb(database, { env: { SECRET_KEY: TEST_SECRET_KEY } }));
  cookie = await logIn(world.logins.ichiro);
});

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

describe('GET /account/inbox', () => {
  it('sends a visitor without a session to the login', async () => {
    const response = await get('/account/inbox', '');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account/login?next=%2Faccount%2Finbox');
  });

  it("lists the household's messages since registering, newest first, with their children", async () => {
    const response = await get('/account/inbox');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(subjectsOf(html)).toEqual([
      '【緊急連絡】臨時休校のお知らせ',
      '【緊急連絡】1組の安否確認',
      '【教育情報】2組の連絡',
      '【教育情報】運動会の延期',
    ]);
    expect(html).not.toContain('登録前のお知らせ');
    // The body is text: escaped, its line break kept (the page wraps it as pre-wrap).
    expect(html).toContain(
      '運動会は来週に延期します。\n&lt;b>雨天&lt;/b>の場合は &amp; 連絡します。',
    );
    expect(html).toContain('湊市教育委員会');
    expect(html).toMatch(/\d+月\d+日\(.\) \d\d:\d\d/);
    expect(html).toContain('対象のお子さま: 青木 一郎、青木 花子');
    expect(html).toContain('対象のお子さま: 青木 花子<');
    const buttons = [
      ...html.matchAll(/<button[^>]*name="choice"[^>]*value="(\d+)"[^>]*>([^<]*)</g),
    ].map((match) => [match[1], match[2]]);
    // Two messages ask, each with its five buttons; the news asks nothing.
    expect(buttons).toHaveLength(10);
    expect(buttons.slice(0, 5)).toEqual([
      ['0', '確認しました'],
      ['1', '無事です'],
      ['2', 'けががあります'],
      ['3', '迎えに行けます'],
      ['4', '迎えに行けません'],
    ]);
    expect(html).toContain(`name="message" value="${world.messages.safety}"`);
    expect(withoutStyles(html)).not.toContain('@');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await confirmations()).toEqual([]);
  });

  it("shows the other family only its own children's messages", async () => {
    const html = await (await get('/account/inbox', await logIn(world.logins.inoue))).text();
    expect(subjectsOf(html)).toEqual([
      '【緊急連絡】臨時休校のお知らせ',
      '【教育情報】2組の連絡',
      '【教育情報】運動会の延期',
    ]);
    expect(html).not.toContain('青木');
  });

  it('speaks English when asked', async () => {
    const html = await (
      await fetch(`${base}/account/inbox`, {
        headers: { cookie, 'accept-language': 'en' },
      })
    ).text();
    expect(html).toContain('<html lang="en"');
    expect(html).toContain('>We are safe<');
    expect(html).toContain('Messages');
  });

  it('refuses a malformed page cursor with 400', async () => {
    expect((await get('/account/inbox?before=abc')).status).toBe(400);
    expect((await get('/account/inbox?before=1e3')).status).toBe(400);
  });

  it('is linked from the account page', async () => {
    expect(await (await get('/account')).text()).toMatch(/href="[./]*account\/inbox"/);
  });
});

describe('POST /account/inbox?/confirm', () => {
  it('records the household’s answer, which the figures count, and the last one wins', async () => {
    const { safety } = world.messages;
    const first = await answer({ message: String(safety), choice: '1' });
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('回答しました');
    expect(html).toContain('回答: 無事です');
    expect(await confirmations()).toEqual([
      { householdId: world.households.aoki, choice: 1, channel: 'link', late: false },
    ]);

    const second = await (await answer({ message: String(safety), choice: '4' })).text();
    expect(second).toContain('回答を「無事です」から「迎えに行けません」に変更しました。');
    expect(await confirmations()).toEqual([
      { householdId: world.households.aoki, choice: 4, channel: 'link', late: false },
    ]);
    // The dashboard's and the progress API's figures read these cells.
    const school = (await confirmationBreakdown(db, safety)).filter((c) => c.classId === null);
    expect(school.find((cell) => cell.answer === 4)?.n).toBe(1);
    expect(school.find((cell) => cell.answer === null)?.n).toBe(1);

    const visit = await (await get('/account/inbox')).text();
    expect(visit).toMatch(/回答済み: 迎えに行けません（\d+月\d+日\(.\) \d\d:\d\d）/);
  });

  it('keeps the page cursor in the form, so the answer comes back on the same page', async () => {
    const html = await (await get(`/account/inbox?before=${world.messages.safety}`)).text();
    expect(html).toContain(`action="?before=${world.messages.safety}&amp;/confirm"`);
  });

  it('marks an answer after the deadline late', async () => {
    const { firstClass } = world.messages;
    await db
      .update(schema.messages)
      .set({ confirmDeadlineAt: sql`now() - interval '1 minute'` })
      .where(eq(schema.messages.id, firstClass));
    const html = await (await answer({ message: String(firstClass), choice: '0' })).text();
    expect(html).toContain('回答の期限を過ぎていましたが、回答は学校に届いています。');
    expect(await confirmations()).toContainEqual({
      householdId: world.households.aoki,
      choice: 0,
      channel: 'link',
      late: true,
    });
    expect(await (await get('/account/inbox')).text()).toContain('（期限後の回答）');
  });

  it('refuses a choice the message does not have with 400, storing nothing', async () => {
    const stored = await confirmations();
    for (const choice of ['5', '-1', 'x', '', '1.5', '99999999']) {
      const response = await answer({ message: String(world.messages.safety), choice });
      expect(response.status, choice).toBe(400);
      expect(await response.text()).toContain('その回答は選べません。');
    }
    expect(await confirmations()).toEqual(stored);
  });

  it('refuses a message that asks nothing with 400', async () => {
    const stored = await confirmations();
    const response = await answer({ message: String(world.messages.news), choice: '0' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('このお知らせには回答できません。');
    expect(await confirmations()).toEqual(stored);
  });

  it("answers 404 for another family's, an earlier, an unknown or a malformed message", async () => {
    const stored = await confirmations();
    const inoue = await logIn(world.logins.inoue);
    const theirs = await postForm(
      base,
      '/account/inbox?/confirm',
      { message: String(world.messages.firstClass), choice: '1' },
      inoue,
    );
    expect(theirs.status).toBe(404);
    for (const message of [String(world.messages.before), '999999', 'abc', '']) {
      expect((await answer({ message, choice: '1' })).status, message).toBe(404);
    }
    expect(await confirmations()).toEqual(stored);
  });

  it('refuses a post from another site and a visitor without a session', async () => {
    const stored = await confirmations();
    const forged = await fetch(`${base}/account/inbox?/confirm`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie,
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ message: String(world.messages.safety), choice: '2' }),
    });
    expect(forged.status).toBe(403);
    const anonymous = await postForm(base, '/account/inbox?/confirm', {
      message: String(world.messages.safety),
      choice: '2',
    });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/account\/login/);
    expect(await confirmations()).toEqual(stored);
  });
});

describe('pages of the inbox', () => {
  it('shows 20 a page with a link to the older ones, without repeating or skipping one', async () => {
    for (let i = 1; i <= 20; i++) await world.send(`お知らせ ${i}`, { confirm: null });
    const first = await (await get('/account/inbox')).text();
    const firstSubjects = subjectsOf(first);
    expect(firstSubjects).toHaveLength(20);
    expect(firstSubjects[0]).toBe('【緊急連絡】お知らせ 20');
    expect(first).not.toContain('最新のお知らせへ');
    const older = /href="[./]*account\/inbox\?before=(\d+)">前のお知らせ/.exec(first)?.[1];
    expect(older).toBeDefined();
    const second = await (await get(`/account/inbox?before=${older}`)).text();
    expect(subjectsOf(second)).toEqual([
      '【緊急連絡】臨時休校のお知らせ',
      '【緊急連絡】1組の安否確認',
      '【教育情報】2組の連絡',
      '【教育情報】運動会の延期',
    ]);
    expect(second).not.toContain('前のお知らせ');
    expect(second).toContain('最新のお知らせへ');
    // A cursor of another family's message or none at all is an empty page, not theirs.
    const unknown = await (await get('/account/inbox?before=999999')).text();
    expect(subjectsOf(unknown)).toEqual([]);
  });
});

describe('a child who left the school', () => {
  it('keeps the messages sent while enrolled, and gets none after', async () => {
    const [ichiro] = await db
      .select({ id: schema.registrations.studentId })
      .from(schema.registrations)
      .where(eq(schema.registrations.loginId, world.logins.ichiro));
    await db
      .update(schema.students)
      .set({ status: 'transferred' })
      .where(eq(schema.students.id, ichiro!.id!));
    await world.send('転出後の1組の連絡', {
      target: { kind: 'classes', classIds: [world.classes.first] },
      confirm: null,
    });
    const newest = await (await get('/account/inbox')).text();
    expect(newest).not.toContain('転出後の1組の連絡');
    expect(newest).toContain('【緊急連絡】お知らせ 20');
    const older = await (await get(`/account/inbox?before=${world.messages.safety}`)).text();
    expect(older).toContain('【緊急連絡】1組の安否確認');
  });
});

describe('messages the inbox cannot answer, and a registration not yet matched', () => {
  it('shows a confirming message no mail of which served the household without buttons', async () => {
    const unsent = await world.send('届かなかった安否確認', {
      target: { kind: 'classes', classIds: [world.classes.second] },
      confirm: confirmRequestOf('emergency_contact', undefined),
    });
    // As if the household's addresses had died before the send: no mail of it serves them.
    await db.delete(schema.deliveries).where(eq(schema.deliveries.messageId, unsent));
    const html = await (await get('/account/inbox')).text();
    expect(html).toContain('この連絡には、ここからは回答できません。学校にお問い合わせください。');
    expect(html).not.toContain(`name="message" value="${unsent}"`);
    const stored = await confirmations();
    const response = await answer({ message: String(unsent), choice: '0' });
    expect(response.status).toBe(400);
    expect(await confirmations()).toEqual(stored);
  });

  it('tells an unmatched registration that its messages come once the school matches it', async () => {
    await db
      .update(schema.registrations)
      .set({ studentId: null })
      .where(eq(schema.registrations.loginId, world.logins.inoue));
    const html = await (await get('/account/inbox', await logIn(world.logins.inoue))).text();
    expect(subjectsOf(html)).toEqual([]);
    expect(html).toContain('まだお知らせはありません。');
    expect(html).toContain('学校が名簿との照合を終えると');
  });
});
