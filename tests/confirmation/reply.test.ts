import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema, type Db } from '@renraku/db';
import { createTestDatabase, type TestDatabase } from '@renraku/db/testing';
import { confirmRequestOf } from '@renraku/shared';
import { createInProcessBus } from '@renraku/shared/bus';
import { replyAddress } from '@renraku/shared/confirm-token';
import { blindIndex } from '@renraku/shared/crypto';
import { createLogger } from '@renraku/shared/logger';
import { composeMail } from '@renraku/shared/mail';
import { startInboundServer, type InboundServer } from '../../apps/dispatcher/src/inbound';
import {
  addFamilies,
  createClass,
  createDistrict,
  createSchool,
  createStaff,
  deliveriesOf,
  keys,
  sendMessage,
  waitFor,
} from '../dispatch/fixtures';
import { sendMail } from '../inbound/harness';

// Replies to a confirming mail through the real inbound SMTP server on real PostgreSQL: a
// parent's reply confirms with the digit of its own text and keeps its scrubbed words; a
// feature phone's ISO-2022-JP reply too; auto-replies, the null sender, delivery reports and
// forged tags are accepted and change nothing; no log line names the sender.

let database: TestDatabase;
let db: Db;
let inbound: InboundServer;
let messageId: number;
let households: number[];
let replyTo: (address: string) => string;
const logs: string[] = [];
const changed: number[] = [];

const PARENT = 'hanako.minato@docomo.ne.jp';
const QUOTE = [
  '',
  '2025年9月1日(月) 6:00 湊市教育委員会 <no-reply@renraku.test>:',
  '> 確認したら次のリンクを押してください。',
  '> 1 無事です',
].join('\n');

async function confirmationOf(household: number) {
  const [row] = await db
    .select()
    .from(schema.confirmations)
    .where(eq(schema.confirmations.householdId, household));
  return row;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.db;
  const district = await createDistrict(db);
  const board = await createStaff(db, district.id, 'board', '教育委員会');
  const school = await createSchool(db, district.id, 'みなと小学校');
  const klass = await createClass(db, school, 1, '1組');
  ({ householdIds: households } = await addFamilies(db, [
    [{ klass, name: '湊 一郎', addresses: [PARENT] }],
    [{ klass, name: '湊 次郎', addresses: ['jiro@example.jp'] }],
    [{ klass, name: '湊 三郎', addresses: ['saburo@example.jp'] }],
    [{ klass, name: '湊 四郎', addresses: ['shiro@docomo.ne.jp'] }],
  ]));
  ({ id: messageId } = await sendMessage(db, {
    districtId: district.id,
    authorId: board.id,
    target: { kind: 'district' },
    confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
  }));
  const deliveries = new Map(
    (await deliveriesOf(db, messageId)).map((d) => [d.blindIndex, d.id] as const),
  );
  replyTo = (address) =>
    replyAddress(keys, 'renraku.test', deliveries.get(blindIndex(keys, address))!);
  const bus = createInProcessBus();
  await bus.subscribe('messageChanged', (event) => void changed.push(event.messageId));
  inbound = await startInboundServer({
    db,
    keys,
    logger: createLogger('reply-test', 'debug', { write: (line: string) => logs.push(line) }),
    host: '127.0.0.1',
    port: 0,
    mailDomain: 'renraku.test',
    publicUrl: 'https://renraku.example.jp',
    sendReply: () => Promise.reject(new Error('replies to a confirming mail are never answered')),
    bus,
  });
});

afterAll(async () => {
  await inbound?.close();
  await database?.drop();
});

beforeEach(() => {
  changed.length = 0;
});

describe('a reply to a confirming mail', () => {
  it('confirms with the first digit of its own text and keeps its scrubbed words', async () => {
    const info = await sendMail(inbound.port, {
      from: `湊 花子 <${PARENT}>`,
      to: replyTo(PARENT),
      subject: 'Re: 【緊急連絡】臨時休校のお知らせ',
      text: `2です。足をけがしました。連絡は ${PARENT} か chichi@example.jp まで。${QUOTE}`,
    });
    expect(info.response).toMatch(/^250/);
    expect(await confirmationOf(households[0]!)).toMatchObject({
      messageId,
      choice: 2,
      channel: 'reply',
      replyWords: '2です。足をけがしました。連絡は recipient か recipient まで。',
    });
    await waitFor(() => changed.includes(messageId));
  });

  it('is a plain confirmation without a digit, and reads a feature phone’s ISO-2022-JP', async () => {
    await sendMail(inbound.port, {
      from: 'jiro@example.jp',
      to: replyTo('jiro@example.jp'),
      subject: 'Re: 臨時休校',
      text: `見ました${QUOTE}`,
    });
    expect(await confirmationOf(households[1]!)).toMatchObject({
      choice: 0,
      replyWords: '見ました',
    });

    const jis = composeMail(['docomo.ne.jp'], {
      from: { name: '', address: 'shiro@docomo.ne.jp' },
      to: 'shiro@docomo.ne.jp',
      subject: 'Re: 臨時休校',
      text: `４ 迎えに行けません${QUOTE}`,
    });
    expect(jis.raw).toMatch(/charset=ISO-2022-JP/i);
    await sendMail(inbound.port, {
      envelope: { from: 'shiro@docomo.ne.jp', to: [replyTo('shiro@docomo.ne.jp')] },
      raw: jis.raw,
    });
    expect(await confirmationOf(households[3]!)).toMatchObject({
      choice: 4,
      replyWords: '4 迎えに行けません',
    });
  });

  it.each([
    ['an auto-reply', { from: 'saburo@example.jp', headers: { 'Auto-Submitted': 'auto-replied' } }],
    ['a vacation mail', { from: 'saburo@example.jp', headers: { 'X-Autoreply': 'yes' } }],
    ['a bulk mail', { from: 'saburo@example.jp', headers: { Precedence: 'bulk' } }],
    ['a mail system', { from: 'MAILER-DAEMON@example.jp', headers: {} }],
  ])('does not count %s', async (_name, mail) => {
    const info = await sendMail(inbound.port, {
      ...mail,
      to: replyTo('saburo@example.jp'),
      subject: '不在のお知らせ',
      text: '1日まで不在です。',
    });
    expect(info.response).toMatch(/^250/);
    expect(await confirmationOf(households[2]!)).toBeUndefined();
  });

  it('does not count the null sender or a delivery report', async () => {
    await sendMail(inbound.port, {
      envelope: { from: '', to: [replyTo('saburo@example.jp')] },
      raw: 'From: Mail Delivery <mailer@example.jp>\r\nSubject: failure\r\n\r\n1\r\n',
    });
    await sendMail(inbound.port, {
      envelope: { from: 'relay@example.jp', to: [replyTo('saburo@example.jp')] },
      raw: [
        'From: relay@example.jp',
        'Subject: Delivery Status Notification',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        '1',
        '--b--',
        '',
      ].join('\r\n'),
    });
    expect(await confirmationOf(households[2]!)).toBeUndefined();
  });

  it('accepts a forged or unknown reply tag and changes nothing', async () => {
    const genuine = replyTo('saburo@example.jp');
    const forged = [
      genuine.replace(/([0-9a-f])@/, (_, c: string) => `${c === '0' ? '1' : '0'}@`),
      genuine.replace(/^reply\+\d+-/, 'reply+999999-'),
      'reply+garbage@renraku.test',
    ];
    for (const to of forged) {
      const info = await sendMail(inbound.port, { from: 'saburo@example.jp', to, text: '1' });
      expect(info.response).toMatch(/^250/);
    }
    expect(await confirmationOf(households[2]!)).toBeUndefined();
    expect(changed).toEqual([]);
  });

  it('never logs a sender’s address', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toMatch(/@(?:docomo\.ne\.jp|example\.jp)/);
  });
});
