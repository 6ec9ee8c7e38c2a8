import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  encodeIso2022jpBody,
  encodeIso2022jpHeader,
  JIS_SUBSTITUTIONS,
  toJisRepertoire,
} from './iso-2022-jp';

/** A mail as a phone's mail program sees it, decoded back by mailparser. */
async function decoded(subject: string, body: string) {
  const raw = Buffer.concat([
    Buffer.from(
      `Subject: ${encodeIso2022jpHeader(subject)}\r\nMIME-Version: 1.0\r\n` +
        'Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n',
    ),
    encodeIso2022jpBody(body),
  ]);
  expect(raw.every((byte) => byte < 0x80)).toBe(true);
  const parsed = await simpleParser(raw);
  return { subject: parsed.subject, text: parsed.text?.replace(/\n$/, '') };
}

describe('ISO-2022-JP', () => {
  it('round-trips Japanese text in JIS X 0208 unchanged', async () => {
    const text =
      '台風接近のため、本日は臨時休校とします。（ＡＢＣ１２３）「ｶﾅ」以外 ―～－ ≒≡∫√ 〒℃ Ω';
    const expected = text.replace('ｶﾅ', 'カナ');
    expect(await decoded(text, `${text}\nASCII: https://renraku.example.jp/login?x=1`)).toEqual({
      subject: expected,
      text: `${expected}\nASCII: https://renraku.example.jp/login?x=1`,
    });
  });

  it('replaces every listed character by its readable equivalent', async () => {
    const entries = Object.entries(JIS_SUBSTITUTIONS);
    const body = entries.map(([from]) => `[${from}]`).join('\n');
    const { text } = await decoded('x', body);
    expect(text?.split('\n')).toEqual(entries.map(([, to]) => `[${to}]`));
    // …in headers as well.
    for (const [from, to] of entries.slice(0, 40)) {
      expect((await decoded(`件名${from}`, '')).subject).toBe(`件名${to}`);
    }
  });

  it.each([
    ['half-width katakana with voiced marks', 'ｶﾞｯｺｳ ﾊﾟﾝ ｳﾞｧ', 'ガッコウ パン ヴァ'],
    ['compatibility ideographs', '\ufa10\ufa19\uf9dc', '塚神隆'],
    ['emoji and their joiners', '休校😀です👨‍👩‍👧👍🏻1️⃣🇯🇵', '休校です1'],
    ['accented letters', 'Café Noël', 'Cafe Noel'],
    ['characters with no equivalent', '㐂 a', '□ a'],
  ])('handles %s without "?"', async (_name, input, output) => {
    expect(toJisRepertoire(input)).toBe(output);
    expect((await decoded(input, input)).text).toBe(output);
  });

  it('keeps encoded words within 75 characters and long lines within 998 octets', () => {
    const header = encodeIso2022jpHeader('【緊急連絡】'.repeat(20));
    for (const word of header.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
    const body = encodeIso2022jpBody('長'.repeat(2000)).toString('latin1');
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });
});
