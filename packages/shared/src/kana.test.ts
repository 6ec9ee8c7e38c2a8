import { describe, expect, it } from 'vitest';
import {
  checkKana,
  checkName,
  kanaMatchKey,
  kanaSchema,
  nameMatchKey,
  normalizeKana,
} from './kana';

describe('normalizeKana', () => {
  it('turns half-width katakana, hiragana and full-width spaces into the stored form', () => {
    expect(normalizeKana('ﾔﾏﾀﾞ　ﾀﾛｳ')).toBe('ヤマダ タロウ');
    expect(normalizeKana('やまだ　たろう')).toBe('ヤマダ タロウ');
    expect(normalizeKana('  サトウ   ハナコ ')).toBe('サトウ ハナコ');
    expect(normalizeKana('ｼﾞｮｰｼﾞ･ｽﾐｽ')).toBe('ジョージ・スミス');
    expect(normalizeKana('ゔぁいおりん')).toBe('ヴァイオリン');
  });

  it('reads hyphens and dashes as the long vowel mark', () => {
    expect(normalizeKana('ジョ-ジ')).toBe('ジョージ');
    expect(normalizeKana('ジョ－ジ')).toBe('ジョージ');
    expect(normalizeKana('ジョ―ジ')).toBe('ジョージ');
  });
});

describe('checkKana', () => {
  it('accepts katakana and hiragana readings', () => {
    expect(checkKana('たなか いちろう')).toEqual({ ok: true, value: 'タナカ イチロウ' });
    expect(checkKana('ヽヾ')).toMatchObject({ ok: true });
  });

  it('refuses kanji, Latin letters, digits and symbols with a Japanese message', () => {
    for (const bad of ['田中', 'Tanaka', 'タナカ1', 'タナカ!', 'タナカ\u0000']) {
      const checked = checkKana(bad);
      expect(checked.ok).toBe(false);
      if (!checked.ok) {
        expect(checked.code).toBe('kana_invalid');
        expect(checked.message).toContain('カタカナ');
      }
    }
  });

  it('refuses empty and overlong readings', () => {
    expect(checkKana(' 　 ')).toMatchObject({ ok: false, code: 'kana_required' });
    expect(checkKana('ア'.repeat(61))).toMatchObject({ ok: false, code: 'kana_too_long' });
    expect(checkKana('ア'.repeat(60))).toMatchObject({ ok: true });
  });
});

describe('checkName', () => {
  it('normalizes spaces and full-width Latin letters', () => {
    expect(checkName('山田　太郎')).toEqual({ ok: true, value: '山田 太郎' });
    expect(checkName('ＳＭＩＴＨ　Ｊｏｈｎ')).toEqual({ ok: true, value: 'SMITH John' });
  });

  it('refuses control characters, empty and overlong names', () => {
    expect(checkName('山田\u0007太郎')).toMatchObject({ ok: false, code: 'name_invalid' });
    expect(checkName('山田\u200b太郎')).toMatchObject({ ok: false, code: 'name_invalid' });
    expect(checkName('')).toMatchObject({ ok: false, code: 'name_required' });
    expect(checkName('山'.repeat(61))).toMatchObject({ ok: false, code: 'name_too_long' });
  });
});

describe('match keys', () => {
  it('ignore spaces, middle dots and the script a parent used', () => {
    expect(kanaMatchKey('ﾔﾏﾀﾞ･ﾀﾛｳ')).toBe(kanaMatchKey('やまだ たろう'));
    expect(nameMatchKey('山田　太郎')).toBe(nameMatchKey('山田太郎'));
  });
});

describe('kanaSchema', () => {
  it('parses to the stored form and reports the Japanese message', () => {
    expect(kanaSchema.parse('やまだ')).toBe('ヤマダ');
    const result = kanaSchema.safeParse('山田');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('カタカナ');
  });
});
