import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { confirmRequestOf } from '@renraku/shared';
import { confirmToken } from '@renraku/shared/confirm-token';
import {
  addFamilies,
  createDistrictWithClass,
  keys,
  sendMessage,
  TEST_SECRET_KEY,
} from '../dispatch/fixtures';
import { postForm } from '../send/harness';
import { startTestWeb, type RunningWeb } from '../support/web';
import { storedConfirmations, tokensOf } from './page-harness';

// The families' confirmation page over HTTP against the built web on real PostgreSQL: a GET
// (or HEAD, or a link preview) records nothing, a button's POST records, a second tap changes
// the answer, a late tap counts; bad links are a plain 404, bad choices a 400, a flood a 429,
// and the page is small, script-free and shows no address.

const TAPS_PER_MINUTE = 5;

let database: TestDatabase;
let db: Db;
let web: RunningWeb;
let base: string;
let tokenOf: (address: string) => string;
let households: number[];
let messageId: number;
let quietToken: string;
let oldToken: string;
let nextIp = 1;

/** Each test taps from its own client address (TRUST_PROXY=loopback), so limits stay apart. */
const freshIp = () => `198.51.100.${nextIp++}`;

const tap = (token: string, fields: Record<string, string>, ip: string) =>
  postForm(base, `/c/${token}`, fields, undefined, { 'x-forwarded-for': ip });

/** The page without its inline CSS (whose @media rules are no address). */
const withoutStyles = (html: string) => html.replace(/<style>[^<]*<\/style>/g, '');

const confirmations = () => storedConfirmations(db);

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const { district, board, klass } = await createDistrictWithClass(db, 'みなと小学校');
  ({ householdIds: households } = await addFamilies(db, [
    [{ klass, name: '青木 一郎', addresses: ['aoki@docomo.ne.jp'] }],
    [
      { klass, name: '井上 二郎', addresses: ['inoue@example.jp'] },
      { klass, name: '井上 三郎', addresses: [] },
    ],
    [{ klass, name: '上田 四郎', addresses: ['ueda@example.jp'] }],
    [{ klass, name: '江藤 五郎', addresses: ['eto@example.jp'] }],
  ]));
  const send = (confirm: ReturnType<typeof confirmRequestOf>, subject: string) =>
    sendMessage(db, {
      districtId: district.id,
      authorId: board.id,
      target: { kind: 'district' },
      subject,
      confirm,
    });
  ({ id: messageId } = await send(
    confirmRequestOf('emergency_contact', { preset: 'safety' }),
    '臨時休校のお知らせ',
  ));
  const tokenIn = (id: number) => tokensOf(db, id);
  tokenOf = await tokenIn(messageId);
  // A message that asks nothing, and one sent longer ago than links are open.
  const quiet = await send(null, 'お知らせ');
  quietToken = (await tokenIn(quiet.id))('aoki@docomo.ne.jp');
  const old = await send(confirmRequestOf('emergency_contact', undefined), '古いお知らせ');
  await db
    .update(schema.messages)
    .set({ fannedOutAt: sql`now() - interval '31 days'` })
    .where(eq(schema.messages.id, old.id));
  oldToken = (await tokenIn(old.id))('aoki@docomo.ne.jp');
  ({ web, base } = await startTestWeb(database, {
    env: {
      SECRET_KEY: TEST_SECRET_KEY,
      TRUST_PROXY: 'loopback',
      CONFIRM_TAPS_PER_MINUTE: String(TAPS_PER_MINUTE),
    },
  }));
});

afterAll(async () => {
  await web?.close();
  await database?.drop();
});

describe('GET /c/<token>', () => {
  it('shows the message and its buttons, and records nothing for any fetch of the link', async () => {
    const token = tokenOf('aoki@docomo.ne.jp');
    const agents = [
      'Mozilla/5.0 (Linux; Android 14) Mobile',
      'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
      'facebookexternalhit/1.1',
      'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)',
      'DoCoMo/2.0 P903i(c100;TB;W24H12)',
    ];
    for (const agent of agents) {
      for (const method of ['GET', 'HEAD']) {
        const response = await fetch(`${base}/c/${token}`, {
          method,
          headers: { 'user-agent': agent },
        });
        expect(response.status, `${method} ${agent}`).toBe(200);
      }
    }
    const response = await fetch(`${base}/c/${token}`);
    const html = await response.text();
    expect(html).toContain('【緊急連絡】臨時休校のお知らせ');
    expect(html).toContain('本日は台風のため臨時休校とします。');
    expect(html).toContain('湊市教育委員会');
    expect(html).toContain('青木 一郎');
    expect(html).toMatch(/\d+月\d+日\(.\) \d\d:\d\d/);
    const buttons = [
      ...html.matchAll(/<button[^>]*name="choice"[^>]*value="(\d+)"[^>]*>([^<]*)</g),
    ];
    expect(buttons.map((m) => [m[1], m[2]])).toEqual([
      ['0', '確認しました'],
      ['1', '無事です'],
      ['2', 'けががあります'],
      ['3', '迎えに行けます'],
      ['4', '迎えに行けません'],
    ]);
    expect(html).toMatch(/<form[^>]*method="post"/);
    expect(await confirmations()).toEqual([]);
  });

  it('is private, unindexed, leaks no referrer, and is one small page without scripts or addresses', async () => {
    const response = await fetch(`${base}/c/${tokenOf('aoki@docomo.ne.jp')}`);
    const html = await response.text();
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(html).toContain('<meta name="robots" content="noindex"');
    expect(html).not.toMatch(/<script|modulepreload/i);
    expect(html).toMatch(/<style>[^<]+<\/style>/);
    expect(withoutStyles(html)).not.toContain('@');
    // Everything the page may load is this site's own (the stylesheets SvelteKit still links,
    // disabled, duplicate the inline ones), and all of it together stays under 20 KB.
    const assets = [...html.matchAll(/<(?:link|img|script)\b[^>]*(?:href|src)="([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    let bytes = Buffer.byteLength(html);
    for (const asset of assets) {
      expect(asset, 'a relative asset').toMatch(/^(\/|\.)/);
      const fetched = await fetch(new URL(asset, response.url));
      expect(fetched.status, asset).toBe(200);
      bytes += (await fetched.arrayBuffer()).byteLength;
    }
    expect(bytes).toBeLessThan(20 * 1024);
  });

  it('speaks English when asked, with the preset choices translated', async () => {
    const token = tokenOf('aoki@docomo.ne.jp');
    const html = await (
      await fetch(`${base}/c/${token}`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })
    ).text();
    expect(html).toContain('<html lang="en"');
    expect(html).toContain('Please confirm');
    expect(html).toContain('>We are safe<');
    expect(html).toContain('>I cannot pick up my child<');
    const toggled = await fetch(`${base}/c/${token}?lang=en`, { redirect: 'manual' });
    expect(toggled.status).toBe(303);
    expect(toggled.headers.get('location')).toBe(`/c/${token}`);
    expect(await confirmations()).toEqual([]);
  });
});

describe('POST /c/<token>', () => {
  it('records the answer, then says a second tap changed it (the last one wins)', async () => {
    const ip = freshIp();
    const token = tokenOf('aoki@docomo.ne.jp');
    const first = await tap(token, { choice: '1' }, ip);
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('回答しました');
    expect(html).toContain('回答: 無事です');
    expect(html).not.toContain('変更しました');
    expect(withoutStyles(html)).not.toContain('@');
    expect(await confirmations()).toEqual([
      { householdId: households[0], choice: 1, channel: 'link', late: false },
    ]);

    const second = await (await tap(token, { choice: '4' }, ip)).text();
    expect(second).toContain('回答を「無事です」から「迎えに行けません」に変更しました。');
    expect(await confirmations()).toEqual([
      { householdId: households[0], choice: 4, channel: 'link', late: false },
    ]);
    // The page now shows the answer on a plain visit too.
    const visit = await (await fetch(`${base}/c/${token}`)).text();
    expect(visit).toContain('「迎えに行けません」と回答済みです');
  });

  it('counts a tap after the deadline, marked late, for the whole household', async () => {
    await db
      .update(schema.messages)
      .set({ confirmDeadlineAt: sql`now() - interval '1 minute'` })
      .where(eq(schema.messages.id, messageId));
    const html = await (await tap(tokenOf('inoue@example.jp'), { choice: '0' }, freshIp())).text();
    expect(html).toContain('回答: 確認しました');
    expect(html).toContain('回答の期限を過ぎていましたが');
    expect((await confirmations()).find((c) => c.householdId === households[1])).toEqual({
      householdId: households[1],
      choice: 0,
      channel: 'link',
      late: true,
    });
  });

  it('answers in English with the English labels, as a page to a browser that accepts anything', async () => {
    // No Accept header of a page's: fetch sends `*/*`, as feature phones' browsers do.
    const response = await fetch(`${base}/c/${tokenOf('eto@example.jp')}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: base,
        'accept-language': 'en',
        'x-forwarded-for': freshIp(),
      },
      body: 'choice=2',
    });
    const html = await response.text();
    expect(html).toContain('Your answer has been sent');
    expect(html).toContain('Answer: Someone is injured');
  });
});

describe('bad input', () => {
  const forged = () => {
    const token = tokenOf('ueda@example.jp');
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    return `${token.slice(0, -1)}${last}`;
  };
  const badTokens = () => ({
    malformed: 'not-a-token',
    tooLong: 'x'.repeat(300),
    encoded: '%00%2F..',
    forged: forged(),
    unknownDelivery: confirmToken(keys, 987_654_321),
    asksNothing: quietToken,
    expired: oldToken,
  });

  it('answers every unusable link with the same plain 404, by GET and by POST, storing nothing', async () => {
    const before = await confirmations();
    for (const [name, token] of Object.entries(badTokens())) {
      const got = await fetch(`${base}/c/${token}`);
      expect(got.status, `GET ${name}`).toBe(404);
      const html = await got.text();
      expect(html, name).toContain('このリンクは使えません');
      expect(html, name).not.toMatch(/<button/);
      const posted = await tap(token, { choice: '0' }, freshIp());
      expect(posted.status, `POST ${name}`).toBe(404);
      expect(await posted.text(), name).toContain('このリンクは使えません');
    }
    expect(await confirmations()).toEqual(before);
  });

  it('answers a choice the message does not have with 400 and stores nothing', async () => {
    const token = tokenOf('ueda@example.jp');
    const before = await confirmations();
    const choices: Record<string, string>[] = [
      { choice: '5' },
      { choice: '99999' },
      { choice: '-1' },
      { choice: '1.5' },
      { choice: 'abc' },
      { choice: '' },
      { choice: '1'.repeat(400) },
      {},
    ];
    for (const fields of choices) {
      const response = await tap(token, fields, freshIp());
      expect(response.status, JSON.stringify(fields).slice(0, 40)).toBe(400);
      const html = await response.text();
      expect(html).toContain('その回答は選べません');
      // The form is shown again, so the family can choose a button.
      expect(html).toContain('name="choice"');
    }
    expect(await confirmations()).toEqual(before);
  });

  it('answers a body of broken bytes with 400 and stores nothing', async () => {
    const before = await confirmations();
    // choice=1 with a stray Latin-1 byte: decoded, it is no choice of digits.
    const response = await fetch(`${base}/c/${tokenOf('ueda@example.jp')}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
        'x-forwarded-for': freshIp(),
      },
      body: Buffer.from([0x63, 0x68, 0x6f, 0x69, 0x63, 0x65, 0x3d, 0x31, 0xe9]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('その回答は選べません');
    expect(await confirmations()).toEqual(before);
  });

  it('takes a tap with no Origin or Origin null: feature phones send none, no-referrer sends null', async () => {
    for (const [n, origin] of [
      [1, undefined],
      [3, 'null'],
    ] as const) {
      const response = await fetch(`${base}/c/${tokenOf('ueda@example.jp')}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': freshIp(),
          ...(origin ? { origin } : {}),
        },
        body: `choice=${n}`,
      });
      expect(response.status, String(origin)).toBe(200);
      expect((await confirmations()).find((c) => c.householdId === households[2])?.choice).toBe(n);
    }
  });

  it('limits taps per client address: over the limit a 429 page, and nothing stored', async () => {
    const ip = freshIp();
    const token = tokenOf('ueda@example.jp');
    for (let n = 0; n < TAPS_PER_MINUTE; n++) {
      expect((await tap(token, { choice: '9' }, ip)).status).toBe(400);
    }
    const before = await confirmations();
    const over = await tap(token, { choice: '2' }, ip);
    expect(over.status).toBe(429);
    expect(await over.text()).toContain('しばらくお待ちください');
    expect(await confirmations()).toEqual(before);
    // Another address is still served.
    expect((await tap(token, { choice: '2' }, freshIp())).status).toBe(200);
    expect((await confirmations()).find((c) => c.householdId === households[2])?.choice).toBe(2);
  });
});
