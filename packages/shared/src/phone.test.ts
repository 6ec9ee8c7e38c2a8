import { describe, expect, it } from 'vitest';
import { checkPhone } from './phone';

describe('checkPhone', () => {
  it('accepts mobile numbers with or without hyphens, full-width or +81', () => {
    const cases: [string, string][] = [
      ['090-1234-5678', '090-1234-5678'],
      ['09012345678', '090-1234-5678'],
      ['０９０－１２３４－５６７８', '090-1234-5678'],
      ['090 1234 5678', '090-1234-5678'],
      ['+81 90-1234-5678', '090-1234-5678'],
      ['080(1234)5678', '080-1234-5678'],
      ['070ー1111ー2222', '070-1111-2222'],
    ];
    for (const [input, value] of cases) {
      expect(checkPhone(input), input).toEqual({
        ok: true,
        value,
        digits: value.replace(/-/g, ''),
        kind: 'mobile',
      });
    }
    expect(checkPhone('05012345678')).toMatchObject({
      ok: true,
      value: '050-1234-5678',
      kind: 'ip',
    });
  });

  it('keeps the grouping a school wrote for a landline', () => {
    expect(checkPhone('0144-32-1234')).toEqual({
      ok: true,
      value: '0144-32-1234',
      digits: '0144321234',
      kind: 'landline',
    });
    expect(checkPhone('0144（32）1234')).toMatchObject({ ok: true, value: '0144-32-1234' });
    expect(checkPhone('(0144)32-1234')).toMatchObject({ ok: true, value: '0144-32-1234' });
    expect(checkPhone('+81-(0)144-32-1234')).toMatchObject({ ok: true, value: '0144-32-1234' });
  });

  it('groups landlines it can be sure of and leaves the rest as digits', () => {
    expect(checkPhone('0312345678')).toMatchObject({ ok: true, value: '03-1234-5678' });
    expect(checkPhone('0144321234')).toMatchObject({ ok: true, value: '0144321234' });
  });

  it('refuses numbers that could not be dialled from the call list', () => {
    for (const bad of [
      '',
      '1234',
      '0144-32-123',
      '090-1234-567',
      '090123456789',
      '0120-123-456',
      '020-1234-5678',
      '0570-123-456',
      'abc',
      '0144-32-1234 内線5',
      '0-1-2-3456789',
      '00012345678',
    ]) {
      const checked = checkPhone(bad);
      expect(checked.ok, bad).toBe(false);
      if (!checked.ok) expect(checked.message).toContain('電話番号');
    }
  });
});
