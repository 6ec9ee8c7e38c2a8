import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMail, DEFAULT_FEATURE_PHONE_DOMAINS, mailCharsetFor } from './mail';

const from = { name: '湊第一小学校', address: 'no-reply@renraku.test' };

describe('mailCharsetFor', () => {
  it('gives ISO-2022-JP to a listed domain and its subdomains only', () => {
    const listed = DEFAULT_FEATURE_PHONE_DOMAINS;
    expect(mailCharsetFor(listed, 'a@docomo.ne.jp')).toBe('iso-2022-jp');
    expect(mailCharsetFor(listed, 'a@DOCOMO.NE.JP')).toBe('iso-2022-jp');
    expect(mailCharsetFor(listed, 'a@dk.pdx.ne.jp')).toBe('iso-2022-jp');
    // A look-alike is not the carrier.
    expect(mailCharsetFor(listed, 'a@notdocomo.ne.jp')).toBe('utf-8');
    expect(mailCharsetFor(listed, 'a@gmail.com')).toBe('utf-8');
    expect(mailCharsetFor([], 'a@docomo.ne.jp')).toBe('utf-8');
  });
});

describe('composeMail', () => {
  it('writes one mail in the recipient’s charset, with the envelope of its sender', async () => {
    for (const to of ['a@docomo.ne.jp', 'a@gmail.com']) {
      const mail = composeMail(DEFAULT_FEATURE_PHONE_DOMAINS, {
        from,
        to,
        subject: '【湊第一小学校】登録が完了しました',
        text: '登録が完了しました。\n①番の手順は不要です。\n',
        inReplyTo: '<empty-1@docomo.ne.jp>',
        headers: { 'Auto-Submitted': 'auto-replied' },
      });
      expect(mail.envelope).toEqual({ from: from.address, to });
      const parsed = await simpleParser(mail.raw);
      expect(parsed.subject).toBe('【湊第一小学校】登録が完了しました');
      expect(parsed.from?.value).toEqual([from]);
      expect(parsed.inReplyTo).toBe('<empty-1@docomo.ne.jp>');
      expect(parsed.messageId).toMatch(/^<[0-9a-f-]+@renraku\.test>$/);
      expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
      // The feature phone gets the JIS stand-in for what it cannot show.
      expect(parsed.text).toContain(to.endsWith('docomo.ne.jp') ? '(1)番' : '①番');
    }
  });

  it('drops an In-Reply-To that is not one clean message id, so it cannot add a header', async () => {
    for (const to of ['a@docomo.ne.jp', 'a@gmail.com']) {
      const mail = composeMail(DEFAULT_FEATURE_PHONE_DOMAINS, {
        from,
        to,
        subject: 's',
        text: 't',
        inReplyTo: '<x@y>\r\nBcc: victim@example.jp',
      });
      expect(mail.raw).not.toMatch(/^Bcc:/im);
      expect(mail.raw).not.toMatch(/^In-Reply-To:/im);
    }
  });

  it('refuses a header value with a line break and a recipient that is not one address', () => {
    expect(() =>
      composeMail([], {
        from,
        to: 'a@gmail.com',
        subject: 's',
        text: 't',
        headers: { X: 'a\r\nB: c' },
      }),
    ).toThrow(/ASCII/);
    expect(() =>
      composeMail([], { from, to: 'a@gmail.com>\r\nBcc: b@example.jp', subject: 's', text: 't' }),
    ).toThrow(/recipient/);
  });
});
