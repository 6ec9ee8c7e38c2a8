import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { MessageForMail } from '@renraku/db';
import { attachmentOfToken } from '@renraku/shared/attachment-token';
import { deriveKeys } from '@renraku/shared/crypto';
import { compileMail } from './mail';

const keys = deriveKeys('mail-test-secret-key-0123456789abcdefghij');
const settings = {
  mailDomain: 'mail.example.jp',
  publicUrl: 'https://renraku.example.jp',
  featurePhoneDomains: ['docomo.ne.jp'],
};
const message: MessageForMail = {
  id: 7,
  category: 'education_info',
  subject: '学年だより',
  body: '今月の学年だよりをお届けします。',
  districtCode: 'minato',
  senderName: '湊第一小学校',
  schoolCode: 'minato1',
  authorName: null,
  confirm: null,
  variants: null,
  attachments: [
    { id: 41, fileName: '学年だより12月.pdf', contentType: 'application/pdf', byteSize: 1_258_291 },
    { id: 42, fileName: '地図.png', contentType: 'image/png', byteSize: 300_000 },
  ],
};

describe('attachment lines', () => {
  it.each(['parent@gmail.com', 'parent@docomo.ne.jp'])(
    'list each file with its type, size and link near the end, in one body for all (%s)',
    async (to) => {
      const template = compileMail(message, settings, keys);
      const first = await simpleParser(template.render(1, to, null));
      const second = await simpleParser(template.render(2, to.replace('parent', 'other'), null));
      expect(second.text).toBe(first.text);
      const lines = first.text!.split('\n');
      const at = lines.indexOf('添付: 学年だより12月.pdf（PDF, 1.2 MB）');
      expect(at).toBeGreaterThan(lines.indexOf('今月の学年だよりをお届けします。'));
      expect(at).toBeLessThan(lines.indexOf('--'));
      const link = /^https:\/\/renraku\.example\.jp\/a\/([0-9A-Za-z_-]{16,24})$/.exec(
        lines[at + 1] ?? '',
      );
      expect(link && attachmentOfToken(keys, link[1]!)).toBe(41);
      expect(lines[at + 2]).toBe('添付: 地図.png（PNG, 293 KB）');
      expect(attachmentOfToken(keys, lines[at + 3]!.split('/a/')[1]!)).toBe(42);
      // Nothing of the file itself travels: one text part, no attachment.
      expect(first.attachments).toEqual([]);
    },
  );

  it('adds nothing to a message without attachments', async () => {
    const template = compileMail({ ...message, attachments: [] }, settings, keys);
    const parsed = await simpleParser(template.render(1, 'parent@gmail.com', null));
    expect(parsed.text).not.toContain('添付');
    expect(parsed.text).not.toContain('/a/');
  });
});
