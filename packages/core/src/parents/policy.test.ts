import { describe, expect, it } from 'vitest';
import { checkLoginId, checkNewPassword, loginIdCandidates, maskAddress } from './policy';

describe('checkLoginId', () => {
  it('stores IDs in lower case and accepts full-width letters', () => {
    expect(checkLoginId(' Tanaka2026 ')).toEqual({ ok: true, value: 'tanaka2026' });
    expect(checkLoginId('ｔａｎａｋａ')).toEqual({ ok: true, value: 'tanaka' });
  });

  it('refuses short, long, symbol-led and non-ASCII IDs', () => {
    for (const bad of ['abc', 'a'.repeat(33), '-tanaka', 'tana ka', '田中さん', "x' or 1=1"]) {
      expect(checkLoginId(bad).ok, bad).toBe(false);
    }
    expect(checkLoginId('')).toEqual({ ok: false, code: 'loginId_required' });
  });
});

describe('checkNewPassword', () => {
  it('wants 8–64 characters, not common, not the ID', () => {
    expect(checkNewPassword('hamanasu-2026', 'tanaka').ok).toBe(true);
    expect(checkNewPassword('short', 'tanaka')).toEqual({ ok: false, code: 'password_short' });
    expect(checkNewPassword('x'.repeat(65), 'tanaka')).toEqual({
      ok: false,
      code: 'password_long',
    });
    expect(checkNewPassword('Password1', 'tanaka')).toEqual({ ok: false, code: 'password_common' });
    expect(checkNewPassword('Tanaka2026', 'tanaka2026')).toEqual({
      ok: false,
      code: 'password_same_as_id',
    });
    expect(checkNewPassword('abc\u0000defgh', 'tanaka').ok).toBe(false);
  });
});

describe('loginIdCandidates', () => {
  it('adds the year of entry and the class, within the length limit', () => {
    expect(loginIdCandidates('tanaka', { entryYear: 2026, grade: 1, classNumber: 2 })).toEqual([
      'tanaka2026',
      'tanaka-1-2',
      'tanaka2026-1',
      'tanaka-2026',
    ]);
    for (const id of loginIdCandidates('a'.repeat(32), {
      entryYear: 2026,
      grade: 1,
      classNumber: null,
    })) {
      expect(id.length).toBeLessThanOrEqual(32);
    }
  });
});

describe('maskAddress', () => {
  it('shows the first letter and the domain only', () => {
    expect(maskAddress('docomo.taro@docomo.ne.jp')).toBe('d***@docomo.ne.jp');
    expect(maskAddress('broken')).toBe('***');
  });
});
