import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startCatcher, type Catcher } from './catcher';

let catcher: Catcher | undefined;
afterEach(async () => {
  await catcher?.close();
  catcher = undefined;
});

function transport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

describe('startCatcher', () => {
  it('accepts any mail and keeps the newest ones, newest first', async () => {
    catcher = await startCatcher({ port: 0, keepTransactional: 2 });
    const smtp = transport(catcher.port);
    for (const n of [1, 2, 3]) {
      await smtp.sendMail({
        envelope: { from: `bounce+${n}-sig@renraku.test`, to: [`parent${n}@docomo.ne.jp`] },
        from: 'no-reply@renraku.test',
        to: `parent${n}@docomo.ne.jp`,
        subject: `【緊急連絡】お知らせ ${n}`,
        text: `本文 ${n}`,
      });
    }
    smtp.close();
    const mails = catcher.outbox.list();
    expect(mails.map((mail) => mail.subject)).toEqual([
      '【緊急連絡】お知らせ 3',
      '【緊急連絡】お知らせ 2',
    ]);
    expect(mails[0]).toMatchObject({
      envelopeFrom: 'bounce+3-sig@renraku.test',
      envelopeTo: ['parent3@docomo.ne.jp'],
      text: '本文 3',
    });
    expect(mails[0]!.raw).toContain('Subject: =?UTF-8?');
    expect(catcher.outbox.get(mails[1]!.id)?.subject).toBe('【緊急連絡】お知らせ 2');
    expect(catcher.outbox.get(12345)).toBeUndefined();
  });

  it("keeps parents' own mails apart, so that a district send cannot push them out", async () => {
    catcher = await startCatcher({ port: 0, keepBroadcast: 2, keepTransactional: 2 });
    const smtp = transport(catcher.port);
    // A registration reply: no List-Id, as the inbound server and the web send them.
    await smtp.sendMail({
      from: 'no-reply@renraku.test',
      to: 'mother@docomo.ne.jp',
      subject: '【中央小学校】登録のご案内',
      text: '登録用のリンク',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    // A district send: the dispatcher's mails carry the school's List-Id.
    for (const n of [1, 2, 3]) {
      await smtp.sendMail({
        envelope: { from: `bounce+${n}-sig@renraku.test`, to: [`parent${n}@example.jp`] },
        from: 'no-reply@renraku.test',
        to: `parent${n}@example.jp`,
        subject: `【緊急連絡】臨時休校 ${n}`,
        text: '本文',
        headers: { 'List-Id': '<chuosho.minato.renraku.test>' },
      });
    }
    smtp.close();
    const mails = catcher.outbox.list();
    expect(mails.map((mail) => [mail.kind, mail.envelopeTo[0]])).toEqual([
      ['broadcast', 'parent3@example.jp'],
      ['broadcast', 'parent2@example.jp'],
      ['transactional', 'mother@docomo.ne.jp'],
    ]);
    expect(catcher.outbox.retention()).toEqual([
      { kind: 'broadcast', keep: 2, kept: 2, dropped: 1 },
      { kind: 'transactional', keep: 2, kept: 1, dropped: 0 },
    ]);
  });

  it('keeps 2,000 broadcast and 1,000 other mails by default', async () => {
    catcher = await startCatcher({ port: 0 });
    expect(catcher.outbox.retention()).toEqual([
      { kind: 'broadcast', keep: 2000, kept: 0, dropped: 0 },
      { kind: 'transactional', keep: 1000, kept: 0, dropped: 0 },
    ]);
  });

  it('refuses an oversized mail and keeps nothing of it', async () => {
    catcher = await startCatcher({ port: 0 });
    const smtp = transport(catcher.port);
    await expect(
      smtp.sendMail({
        from: 'a@renraku.test',
        to: 'b@renraku.test',
        subject: 'big',
        text: 'x'.repeat(2 * 1024 * 1024),
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    smtp.close();
    expect(catcher.outbox.list()).toEqual([]);
  });
});
