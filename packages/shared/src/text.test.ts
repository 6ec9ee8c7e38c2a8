import { describe, expect, it } from 'vitest';
import { checkName } from './kana';
import { messageInputSchema, staffDisplayNameSchema } from './schemas';
import { nameFault, textFault } from './text';

const BIDI = [
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
];

describe('textFault', () => {
  it('accepts ordinary Japanese text, emoji sequences, and lines where allowed', () => {
    expect(textFault('臨時休校のお知らせ（第２報）👨‍👩‍👧', { multiline: false })).toBeNull();
    expect(textFault('一行目\n\t二行目\r\n', { multiline: true })).toBeNull();
  });

  it('refuses controls, bidi overrides, broken encoding, and line breaks in one-line text', () => {
    for (const bidi of BIDI)
      expect(textFault(`名前${bidi}gpj`, { multiline: true })).toBe('bidi_control');
    expect(textFault('文字化け\ufffd', { multiline: true })).toBe('broken_encoding');
    expect(textFault('割れた\ud800サロゲート', { multiline: true })).toBe('broken_encoding');
    expect(textFault('a\u0000b', { multiline: true })).toBe('control');
    expect(textFault('a\u0085b', { multiline: true })).toBe('control');
    expect(textFault('佐藤\r\nBcc: x@example.jp', { multiline: false })).toBe('line_break');
    expect(textFault('佐藤\u2028太郎', { multiline: false })).toBe('line_break');
  });

  it('refuses every invisible format character in a name', () => {
    expect(nameFault('佐藤\u200b太郎')).toBe('invisible');
    expect(nameFault('\ufeff佐藤')).toBe('invisible');
    expect(nameFault('佐藤 太郎')).toBeNull();
  });
});

describe('the schemas use it (items 20 and 24)', () => {
  const message = { category: 'emergency_contact', target: { kind: 'district' } };

  it('refuses staff display names with CR/LF, controls, bidi overrides or U+FFFD', () => {
    for (const name of [
      '田村\r\n教頭',
      '田村\n教頭',
      '田村\u0007',
      '田村\u202e頭教',
      '田村\ufffd',
      '田村\u200b',
    ]) {
      expect(staffDisplayNameSchema.safeParse(name).success, JSON.stringify(name)).toBe(false);
    }
    expect(staffDisplayNameSchema.safeParse('田村 教頭').success).toBe(true);
  });

  it('refuses subjects and bodies with bidi overrides or broken encoding', () => {
    for (const bad of ['\u202e休校', '休校\u2066', '休校\ufffd', '休校\udc00']) {
      const subject = messageInputSchema.safeParse({ ...message, subject: bad, body: '本文' });
      const body = messageInputSchema.safeParse({ ...message, subject: '件名', body: bad });
      expect(subject.success, JSON.stringify(bad)).toBe(false);
      expect(body.success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('refuses a child name a parent types with U+FFFD or a bidi override', () => {
    expect(checkName('山田\ufffd太郎').ok).toBe(false);
    expect(checkName('山田\u202e太郎').ok).toBe(false);
    expect(checkName('山田 太郎').ok).toBe(true);
  });
});
