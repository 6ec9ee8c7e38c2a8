import { createAddAddressToken } from '@renraku/db';
import { addAddressMailbox } from '@renraku/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistration,
  MAIL_DOMAIN,
  SCHOOL_ADDRESS,
  SCHOOL_NAME,
  sendMail,
  useInbound,
  type CaughtMail,
} from './harness';

// The first mail a feature-phone parent gets is the registration reply: it must be in the charset
// the phone reads (ISO-2022-JP, as broadcasts to the same domains are), and UTF-8 for the rest.

const t = useInbound();
let registrationId: number;

beforeAll(async () => {
  registrationId = await createRegistration(t, 'charset-taro');
});

/** The header block of a raw mail, unfolded, as "name: value" lines. */
function headerLines(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  return text
    .slice(0, text.indexOf('\r\n\r\n'))
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n');
}

function expectIso2022jp(mail: CaughtMail) {
  const headers = headerLines(mail.raw);
  expect(headers).toContain('Content-Type: text/plain; charset=ISO-2022-JP');
  expect(headers).toContain('Content-Transfer-Encoding: 7bit');
  // 7 bits throughout, with JIS escape sequences in the body: what a feature phone decodes.
  expect([...mail.raw].every((byte) => byte < 0x80)).toBe(true);
  expect(mail.raw.toString('latin1')).toContain('\x1b$B');
  expect(headers.find((line) => line.startsWith('Subject: '))).toMatch(
    /^Subject: =\?ISO-2022-JP\?B\?/,
  );
}

function expectUtf8(mail: CaughtMail) {
  expect(headerLines(mail.raw).join('\n')).toMatch(/^Content-Type: text\/plain; charset=utf-8$/im);
  expect(mail.raw.toString('latin1')).not.toContain('ISO-2022-JP');
}

describe('the registration reply', () => {
  it('is ISO-2022-JP to a docomo.ne.jp parent and reads as the right Japanese', async () => {
    await sendMail(t.inbound.port, { from: 'hanako@docomo.ne.jp', to: SCHOOL_ADDRESS, text: '' });
    expect(t.relay.mails).toHaveLength(1);
    const reply = t.relay.mails[0]!;
    expectIso2022jp(reply);
    expect(reply.parsed.subject).toBe(`【${SCHOOL_NAME}】登録用URLのお知らせ`);
    expect(reply.parsed.from?.value).toEqual([
      { name: SCHOOL_NAME, address: `no-reply@${MAIL_DOMAIN}` },
    ]);
    expect(reply.parsed.text).toContain(`${SCHOOL_NAME}の緊急連絡メール 登録用のご案内です。`);
    expect(reply.parsed.text).toContain('「新規登録の人はこちら」');
    expect(reply.parsed.text).toMatch(/https:\/\/renraku\.test\/app\/r\/[A-Za-z0-9_-]+\n/);
    // Threaded and marked as an auto-reply, as the UTF-8 reply is.
    expect(reply.parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('is ISO-2022-JP to a subdomain of a listed carrier as well', async () => {
    await sendMail(t.inbound.port, { from: 'taro@dk.pdx.ne.jp', to: SCHOOL_ADDRESS, text: '' });
    expectIso2022jp(t.relay.mails[0]!);
  });

  it('is UTF-8 to a gmail.com parent', async () => {
    await sendMail(t.inbound.port, { from: 'hanako@gmail.com', to: SCHOOL_ADDRESS, text: '' });
    const reply = t.relay.mails[0]!;
    expectUtf8(reply);
    expect(reply.parsed.subject).toBe(`【${SCHOOL_NAME}】登録用URLのお知らせ`);
    expect(reply.parsed.text).toContain(`${SCHOOL_NAME}の緊急連絡メール 登録用のご案内です。`);
  });
});

describe('the address confirmation reply', () => {
  it('is ISO-2022-JP to an ezweb.ne.jp address and UTF-8 to a gmail.com one', async () => {
    const jis = await createAddAddressToken(t.db, registrationId, 1800);
    await sendMail(t.inbound.port, {
      from: 'new-phone@ezweb.ne.jp',
      to: addAddressMailbox(jis.token, MAIL_DOMAIN),
      text: '',
    });
    const feature = t.relay.mails[0]!;
    expectIso2022jp(feature);
    expect(feature.parsed.subject).toBe('メールアドレス追加の確認');
    expect(feature.parsed.text).toContain('学校緊急連絡メールに、このメールアドレスを追加する');

    const utf8 = await createAddAddressToken(t.db, registrationId, 1800);
    await sendMail(t.inbound.port, {
      from: 'new-phone@gmail.com',
      to: addAddressMailbox(utf8.token, MAIL_DOMAIN),
      text: '',
    });
    expectUtf8(t.relay.mails[1]!);
  });
});
