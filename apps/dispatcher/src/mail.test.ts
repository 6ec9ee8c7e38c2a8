import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { MessageForMail } from '@renraku/db';
import { deriveKeys } from '@renraku/shared/crypto';
import { CATEGORY_TAG, confirmRequestOf } from '@renraku/shared';
import { deliveryOfConfirmToken, deliveryOfReplyTag } from '@renraku/shared/confirm-token';
import { bounceAddress, compileMail, deliveryOfBounceTag, ORIGINAL_SEPARATOR } from './mail';

const keys = deriveKeys('mail-test-secret-key-0123456789abcdefghij');
const settings = { mailDomain: 'mail.example.jp', publicUrl: 'https://renraku.example.jp' };
const boardMessage: MessageForMail = {
  id: 7,
  category: 'emergency_contact',
  subject: '全校臨時休校',
  body: '台風接近のため、本日は市内全校を臨時休校とします。\n詳細は追ってお知らせします。',
  districtCode: 'Minato City',
  senderName: '湊市教育委員会',
  schoolCode: null,
  authorName: null,
  confirm: null,
  attachments: [],
  variants: null,
};

const bodyOf = (raw: string) => raw.slice(raw.indexOf('\r\n\r\n') + 4);

describe('compileMail', () => {
  it('writes the headers once, and only Message-ID and To per recipient', async () => {
    const template = compileMail(boardMessage, settings, keys, new Date('2025-09-01T21:00:00Z'));
    const raw = template.render(101, 'parent@docomo.ne.jp', null);
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe('<renraku.7.101@mail.example.jp>');
    expect(parsed.to).toMatchObject({ text: 'parent@docomo.ne.jp' });
    expect(parsed.from?.value).toEqual([
      { name: '湊市教育委員会', address: 'no-reply@mail.example.jp' },
    ]);
    expect(parsed.subject).toBe('【緊急連絡】全校臨時休校');
    expect(parsed.date?.toISOString()).toBe('2025-09-01T21:00:00.000Z');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(raw).toMatch(/^List-ID: \S.* <minato-city\.mail\.example\.jp>\r$/m);
    expect(raw).toMatch(/^Content-Type: text\/plain; charset=utf-8\r$/m);
    expect(raw).toMatch(/^Content-Transfer-Encoding: base64\r$/m);
    expect(
      bodyOf(raw)
        .split('\r\n')
        .every((line) => line.length <= 76),
    ).toBe(true);
    expect(parsed.text).toBe(
      [
        '台風接近のため、本日は市内全校を臨時休校とします。',
        '詳細は追ってお知らせします。',
        '',
        '--',
        '送信者: 湊市教育委員会',
        'このメールは学校緊急連絡メールから送信しています。送信専用のため返信はできません。',
        '登録内容の変更・アドレスの追加・退会: https://renraku.example.jp/login',
      ].join('\n'),
    );
    const other = template.render(102, 'other@ezweb.ne.jp', null);
    expect(bodyOf(other)).toBe(bodyOf(raw));
    expect(other).toContain(
      'Message-ID: <renraku.7.102@mail.example.jp>\r\nTo: other@ezweb.ne.jp\r\n',
    );
  });

  it('names each child at the top when the address serves siblings', async () => {
    const template = compileMail(
      { ...boardMessage, schoolCode: '101', senderName: 'みなと小学校', authorName: '田中 一郎' },
      settings,
      keys,
    );
    const raw = template.render(5, 'family@gmail.com', ['湊 一郎', '湊 花子']);
    const text = (await simpleParser(raw)).text ?? '';
    expect(text.split('\n').slice(0, 2)).toEqual(['お子さま: 湊 一郎さん、湊 花子さん', '']);
    expect(text).toContain('送信者: みなと小学校（田中 一郎）');
    expect(raw).toMatch(/<101\.minato-city\.mail\.example\.jp>/);
    const single = await simpleParser(template.render(6, 'one@gmail.com', ['湊 一郎']));
    expect(single.text).not.toContain('お子さま');
  });

  it('does not double a category tag the author typed', async () => {
    const raw = compileMail(
      { ...boardMessage, subject: '【緊急連絡】【臨時休校】大雪' },
      settings,
      keys,
    ).render(1, 'a@b.jp', null);
    expect((await simpleParser(raw)).subject).toBe('【緊急連絡】【臨時休校】大雪');
  });

  it('prefixes every category', async () => {
    for (const category of ['emergency_contact', 'emergency_info', 'education_info'] as const) {
      const raw = compileMail({ ...boardMessage, category }, settings, keys).render(
        1,
        'a@b.jp',
        null,
      );
      expect((await simpleParser(raw)).subject).toBe(`${CATEGORY_TAG[category]}全校臨時休校`);
    }
  });
});

describe('bounceAddress', () => {
  it('carries the delivery and a lower-case signature, never the address', () => {
    const address = bounceAddress(keys, 'mail.example.jp', 4711);
    const match = /^bounce\+(4711-[0-9a-f]{24})@mail\.example\.jp$/.exec(address);
    expect(deliveryOfBounceTag(keys, match![1]!)).toBe(4711);
    // Relays may upper-case the local part; the tag still reads back.
    expect(deliveryOfBounceTag(keys, match![1]!.toUpperCase())).toBe(4711);
  });

  it.each([
    ['another delivery', (tag: string) => tag.replace(/^4711/, '4712')],
    ['a leading zero', (tag: string) => `0${tag}`],
    ['a shortened signature', (tag: string) => tag.slice(0, -1)],
    ['an altered signature', (tag: string) => tag.slice(0, -1) + (tag.endsWith('0') ? '1' : '0')],
    ['no signature', () => '4711'],
    ['garbage', () => 'd42.x'],
    ['another key', () => bounceAddress(deriveKeys('x'.repeat(40)), 'm', 4711).slice(7, -2)],
  ])('refuses %s', (_name, alter) => {
    const tag = bounceAddress(keys, 'm', 4711).slice('bounce+'.length, -'@m'.length);
    expect(deliveryOfBounceTag(keys, alter(tag))).toBeNull();
  });
});

describe('compileMail for feature phones', () => {
  const phones = { ...settings, featurePhoneDomains: ['docomo.ne.jp', 'pdx.ne.jp'] };
  const message: MessageForMail = {
    ...boardMessage,
    subject: '①髙﨑先生より ｶﾞｯｺｳ 😀 のお知らせ',
    body: '㈱みなと〜 ≒ 〝確認〟\n２行目',
  };

  it('sends ISO-2022-JP to the listed carriers and their subdomains, UTF-8 to the rest', async () => {
    const template = compileMail(message, phones, keys, new Date('2025-09-01T21:00:00Z'));
    for (const to of ['p@docomo.ne.jp', 'p@dj.pdx.ne.jp']) {
      const raw = template.render(1, to, null);
      expect(raw).toMatch(/^Content-Type: text\/plain; charset=ISO-2022-JP\r$/m);
      expect(raw).toMatch(/^Content-Transfer-Encoding: 7bit\r$/m);
      // 7 bits throughout, lines within SMTP's limit.
      expect([...Buffer.from(raw, 'latin1')].every((byte) => byte < 0x80)).toBe(true);
      const parsed = await simpleParser(raw);
      expect(parsed.subject).toBe('【緊急連絡】(1)高崎先生より ガッコウ  のお知らせ');
      expect(parsed.from?.value).toEqual([
        { name: '湊市教育委員会', address: 'no-reply@mail.example.jp' },
      ]);
      expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
      expect(parsed.date?.toISOString()).toBe('2025-09-01T21:00:00.000Z');
      expect(parsed.text).toContain('(株)みなと～ ≒ “確認”\n２行目');
      expect(raw).toMatch(
        /^List-Id: =\?ISO-2022-JP\?B\?\S+\?= <minato-city\.mail\.example\.jp>\r$/m,
      );
    }
    const smartphone = await simpleParser(template.render(2, 'p@gmail.com', null));
    expect(smartphone.subject).toBe(`【緊急連絡】${message.subject}`);
  });

  it('names siblings in the feature-phone rendition too', async () => {
    const template = compileMail(message, phones, keys);
    const parsed = await simpleParser(template.render(3, 'p@docomo.ne.jp', ['兄 一郎', '妹 﨑子']));
    expect(parsed.text?.split('\n')[0]).toBe('お子さま: 兄 一郎さん、妹 崎子さん');
  });

  it('sends UTF-8 to everyone when no domain is listed', async () => {
    const raw = compileMail(message, settings, keys).render(4, 'p@docomo.ne.jp', null);
    expect(raw).toMatch(/charset=utf-8/);
  });
});

describe('compileMail for a message that asks for confirmation', () => {
  const phones = { ...settings, featurePhoneDomains: ['docomo.ne.jp'] };
  const safety: MessageForMail = {
    ...boardMessage,
    confirm: confirmRequestOf('emergency_contact', { preset: 'safety' }),
  };
  const linkOf = (text: string) =>
    /^https:\/\/renraku\.example\.jp\/c\/([0-9A-Za-z_-]+)$/m.exec(text)?.[1];
  const replyTagOf = (replyTo: string | undefined) =>
    /^reply\+(\d+-[0-9a-f]{24})@mail\.example\.jp$/.exec(replyTo ?? '')?.[1];

  it.each([
    ['UTF-8', 'parent@gmail.com'],
    ['ISO-2022-JP', 'parent@docomo.ne.jp'],
  ])('gives each recipient its own link and Reply-To in %s', async (_charset, to) => {
    const template = compileMail(safety, phones, keys);
    const first = await simpleParser(template.render(41, to, ['湊 一郎', '湊 花子']));
    const second = await simpleParser(template.render(42, to, null));
    for (const [parsed, deliveryId] of [
      [first, 41],
      [second, 42],
    ] as const) {
      const token = linkOf(parsed.text ?? '');
      expect(token!.length).toBeLessThanOrEqual(24);
      expect(deliveryOfConfirmToken(keys, token!)).toBe(deliveryId);
      const replyTo = parsed.replyTo?.value[0]?.address;
      expect(deliveryOfReplyTag(keys, replyTagOf(replyTo)!)).toBe(deliveryId);
      expect(parsed.from?.value[0]?.address).toBe('no-reply@mail.example.jp');
      // The footer no longer says replies are not read.
      expect(parsed.text).not.toContain('返信はできません');
      expect(parsed.text).toContain('このメールへの返信は確認の回答として受け付けます。');
      expect(parsed.text).not.toContain(to);
    }
    const lines = (first.text ?? '').split('\n');
    // Sibling names first, then the link, the reply hint and the numbered choices, then the body.
    expect(lines.slice(0, 10)).toEqual([
      'お子さま: 湊 一郎さん、湊 花子さん',
      '',
      '確認したら次のリンクを押してください。',
      expect.stringMatching(/^https:\/\/renraku\.example\.jp\/c\//),
      '返信で番号を送っても回答できます。',
      '1 無事です',
      '2 けががあります',
      '3 迎えに行けます',
      '4 迎えに行けません',
      '',
    ]);
    expect(lines[10]).toBe('台風接近のため、本日は市内全校を臨時休校とします。');
    expect((second.text ?? '').split('\n')[0]).toBe('確認したら次のリンクを押してください。');
  });

  it('keeps the feature-phone mail in 7 bits with the link on one line', () => {
    const raw = compileMail(safety, phones, keys).render(43, 'p@docomo.ne.jp', null);
    expect([...Buffer.from(raw, 'latin1')].every((byte) => byte < 0x80)).toBe(true);
    expect(raw).toMatch(/^https:\/\/renraku\.example\.jp\/c\/[0-9A-Za-z_-]{1,24}\r$/m);
  });

  it('asks a plain confirmation without listing numbers', async () => {
    const ack = { ...boardMessage, confirm: confirmRequestOf('emergency_contact', undefined) };
    const parsed = await simpleParser(compileMail(ack, settings, keys).render(44, 'a@b.jp', null));
    const lines = (parsed.text ?? '').split('\n');
    expect(lines[0]).toBe('確認したら次のリンクを押してください。');
    expect(lines[2]).toBe('');
    expect(parsed.text).not.toContain('番号');
    expect(parsed.replyTo?.value[0]?.address).toMatch(/^reply\+44-/);
  });

  it('sends no link and no Reply-To when the message asks nothing', async () => {
    const raw = compileMail(boardMessage, settings, keys).render(45, 'a@b.jp', null);
    expect(raw).not.toMatch(/^Reply-To:/im);
    expect(raw).not.toContain('/c/');
  });
});

describe('compileMail for a template message', () => {
  const ja = { subject: '12月3日（木）は臨時休業', body: '12月3日（木）は臨時休業です。' };
  const message: MessageForMail = {
    ...boardMessage,
    subject: ja.subject,
    body: ja.body,
    variants: {
      ja,
      'ja-easy': { subject: '12月3日（木）は 休み', body: '12月3日（木）は 学校が 休みです。' },
      en: { subject: 'Closed on Thursday', body: 'The school is closed on Thursday, December 3.' },
      ko: { subject: '휴교 안내', body: '12월 3일 목요일은 휴교합니다.' },
    },
  };
  const phones = { ...settings, featurePhoneDomains: ['docomo.ne.jp'] };

  it('puts the parent’s language first and the Japanese original below', async () => {
    const template = compileMail(message, phones, keys);
    const parsed = await simpleParser(template.render(1, 'p@example.com', null, 'en'));
    expect(parsed.subject).toBe(`${CATEGORY_TAG.emergency_contact}Closed on Thursday`);
    const text = parsed.text!;
    expect(text.indexOf('The school is closed')).toBeLessThan(text.indexOf(ORIGINAL_SEPARATOR));
    expect(text.indexOf(ORIGINAL_SEPARATOR)).toBeLessThan(text.indexOf(ja.body));
  });

  it('falls back to やさしい日本語, then to Japanese only', async () => {
    const template = compileMail(
      { ...message, variants: { ja, en: message.variants!.en! } },
      phones,
      keys,
    );
    const japanese = await simpleParser(template.render(2, 'p@example.com', null, 'vi'));
    expect(japanese.text).not.toContain(ORIGINAL_SEPARATOR);
    expect(japanese.text).toContain(ja.body);
    const easy = await simpleParser(
      compileMail(message, phones, keys).render(3, 'p@example.com', null, 'vi'),
    );
    expect(easy.text!.startsWith('12月3日（木）は 学校が 休みです。')).toBe(true);
  });

  it('gives a feature phone that cannot show Hangul やさしい日本語 above the Japanese', async () => {
    const template = compileMail(message, phones, keys);
    const parsed = await simpleParser(template.render(4, 'p@docomo.ne.jp', null, 'ko'));
    expect(parsed.subject).toBe(`${CATEGORY_TAG.emergency_contact}12月3日（木）は 休み`);
    expect(parsed.text).toContain('学校が 休みです。');
    expect(parsed.text).not.toContain('휴교');
    // English fits ISO-2022-JP: the phone gets it as a smartphone would.
    const english = await simpleParser(template.render(5, 'p@docomo.ne.jp', null, 'en'));
    expect(english.text).toContain('The school is closed');
  });

  it('renders each (charset, language) once and shares it between recipients', () => {
    const template = compileMail(message, phones, keys);
    const bodyOfRender = (id: number, to: string, language: 'en' | 'ja') =>
      bodyOf(template.render(id, to, null, language));
    expect(bodyOfRender(6, 'a@example.com', 'en')).toBe(bodyOfRender(7, 'b@example.com', 'en'));
    expect(bodyOfRender(8, 'a@example.com', 'ja')).not.toBe(bodyOfRender(9, 'b@example.com', 'en'));
  });
});
