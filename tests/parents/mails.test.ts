import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { registrationLinkReply } from '../../apps/dispatcher/src/inbound/replies';
import { issueLink, mailsTo, postForm, register, useParentsWeb } from './harness';

// The web's own mails (registration completed, password reset) follow the charset rule of every
// other mail: ISO-2022-JP to feature-phone carriers, UTF-8 to the rest. The completion mail
// comes from the same sender, with the same school tag, as the registration reply before it.

const ctx = useParentsWeb();

/** The raw mails the sink caught for `to`, waiting (briefly) for `count`. */
async function rawMailsTo(to: string, count = 1): Promise<string[]> {
  await mailsTo(ctx, to, count);
  return ctx.sink.mails.filter((mail) => mail.to === to).map((mail) => mail.raw);
}

function headerBlock(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
}

function expectIso2022jp(raw: string) {
  const headers = headerBlock(raw);
  expect(headers).toMatch(/^Content-Type: text\/plain; charset=ISO-2022-JP$/im);
  expect(headers).toMatch(/^Content-Transfer-Encoding: 7bit$/im);
  expect(headers).toMatch(/^Subject: =\?ISO-2022-JP\?B\?/im);
  expect([...Buffer.from(raw, 'latin1')].every((byte) => byte < 0x80)).toBe(true);
  expect(raw).toContain('\x1b$B');
}

describe('the completion mail', () => {
  it('is ISO-2022-JP to a docomo.ne.jp parent, and reads as the right Japanese', async () => {
    const address = 'mother@docomo.ne.jp';
    const { response } = await register(ctx, await issueLink(ctx, address), {
      loginId: 'charset-docomo',
    });
    expect(response.status).toBe(303);
    const [raw] = await rawMailsTo(address);
    expectIso2022jp(raw!);
    const mail = await simpleParser(raw!);
    expect(mail.subject).toBe('【桐園小学校】登録が完了しました');
    expect(mail.text).toContain('桐園小学校の緊急連絡メールの登録が完了しました。');
    expect(mail.text).toContain('学年・クラス：1年 1組');
    expect(mail.text).toContain('ログインID：charset-docomo');
    // The home-screen install help, for push when mail is filtered (issue 15).
    expect(mail.text).toContain('http://renraku.test/account/install');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('is UTF-8 to a gmail.com parent', async () => {
    const address = 'mother@gmail.com';
    await register(ctx, await issueLink(ctx, address), {
      loginId: 'charset-gmail',
      childName: '苫小牧 花子',
      childKana: 'トマコマイ ハナコ',
    });
    const [raw] = await rawMailsTo(address);
    expect(headerBlock(raw!)).toMatch(/^Content-Type: text\/plain; charset=utf-8$/im);
    expect(raw).not.toContain('ISO-2022-JP');
    const mail = await simpleParser(raw!);
    expect(mail.subject).toBe('【桐園小学校】登録が完了しました');
    expect(mail.text).toContain('ログインID：charset-gmail');
  });

  it('has the sender name and school tag of the registration reply before it', async () => {
    const address = 'father@softbank.ne.jp';
    await register(ctx, await issueLink(ctx, address), {
      loginId: 'charset-sender',
      childName: '苫小牧 次郎',
      childKana: 'トマコマイ ジロウ',
    });
    const completion = await simpleParser((await rawMailsTo(address))[0]!);
    const reply = registrationLinkReply(
      { publicUrl: 'http://renraku.test', mailDomain: 'renraku.test', featurePhoneDomains: [] },
      { sender: address, messageId: undefined },
      ctx.school.name,
      { token: 'x', expiresAt: new Date() },
    );
    const replyParsed = await simpleParser(reply.raw);
    expect(completion.from?.value).toEqual(replyParsed.from?.value);
    expect(completion.from?.value[0]?.name).toBe('桐園小学校');
    const tag = /^【[^】]+】/.exec(replyParsed.subject ?? '')?.[0];
    expect(tag).toBe('【桐園小学校】');
    expect(completion.subject?.startsWith(tag!)).toBe(true);
  });
});

describe('the password reset mail', () => {
  it('is ISO-2022-JP to an ezweb.ne.jp parent, with its link intact', async () => {
    const address = 'forgot@ezweb.ne.jp';
    await register(ctx, await issueLink(ctx, address), {
      loginId: 'charset-forgot',
      childName: '苫小牧 三郎',
      childKana: 'トマコマイ サブロウ',
    });
    await postForm(ctx, '/account/forgot?/request', { loginId: 'charset-forgot' });
    const raws = await rawMailsTo(address, 2);
    const parsed = await Promise.all(raws.map((raw) => simpleParser(raw)));
    const index = parsed.findIndex((mail) => mail.subject === 'パスワード再設定のご案内');
    expect(index).toBeGreaterThanOrEqual(0);
    expectIso2022jp(raws[index]!);
    expect(parsed[index]!.text).toMatch(/http:\/\/renraku\.test\/account\/reset\/[A-Za-z0-9_-]+\n/);
    expect(parsed[index]!.text).toContain('パスワードを再設定するには');
  });
});
