// Japanese phone numbers as school rosters hold them: 0144-32-1234, ０９０（１２３４）５６７８,
// 09012345678, +81 90 1234 5678. Staff dial them from the call list, so they are kept readable
// (hyphenated) and refused when they could not be dialled.

export type PhoneCheck =
  | { ok: true; value: string; digits: string; kind: PhoneKind }
  | { ok: false; code: 'phone_invalid'; message: string };

/** landline: 0 + area code + number, 10 digits; mobile: 070/080/090; ip: 050 (11 digits). */
export type PhoneKind = 'landline' | 'mobile' | 'ip';

const ELEVEN_DIGIT_PREFIXES: Record<string, PhoneKind> = {
  '070': 'mobile',
  '080': 'mobile',
  '090': 'mobile',
  '050': 'ip',
};
/** Prefixes that never belong to a household line of 10 digits (M2M, toll-free, 11-digit ranges). */
const NOT_LANDLINE = /^0(?:[2579]0|120|570|800|990)/;
/** Area codes of two digits (Tokyo, Osaka): the only landline grouping certain without a table. */
const TWO_DIGIT_AREA_CODES = new Set(['03', '06']);

const INVALID: PhoneCheck = {
  ok: false,
  code: 'phone_invalid',
  message: '電話番号が正しくありません（例: 0144-32-1234、090-1234-5678）。',
};

/**
 * Validates a phone number and returns it hyphenated. A grouping the school wrote is kept
 * (area codes vary from 1 to 5 digits and only the school knows its town's); without hyphens,
 * mobile and 050 numbers become 3-4-4, 03/06 numbers 2-4-4, other landlines stay as digits.
 */
export function checkPhone(input: string): PhoneCheck {
  const text = input
    .normalize('NFKC')
    .trim()
    .replace(/[\u2010-\u2015\u2212\u30fc]/g, '-')
    .replace(/^\+81[\s-]*\(?0?\)?[\s-]*/, '0')
    .replace(/\s*\(\s*|\s*\)\s*/g, '-')
    .replace(/\s+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (!/^0[\d-]+$/.test(text)) return INVALID;
  const digits = text.replace(/-/g, '');
  const kind = kindOf(digits);
  if (!kind) return INVALID;
  const groups = text.split('-');
  if (groups.length > 3) return INVALID;
  const value = groups.length > 1 ? text : defaultGrouping(digits, kind);
  return { ok: true, value, digits, kind };
}

function kindOf(digits: string): PhoneKind | undefined {
  const eleven = ELEVEN_DIGIT_PREFIXES[digits.slice(0, 3)];
  if (eleven) return digits.length === 11 ? eleven : undefined;
  if (digits.length === 10 && /^0[1-9]/.test(digits) && !NOT_LANDLINE.test(digits)) {
    return 'landline';
  }
  return undefined;
}

function defaultGrouping(digits: string, kind: PhoneKind): string {
  if (kind !== 'landline') return `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`;
  if (TWO_DIGIT_AREA_CODES.has(digits.slice(0, 2))) {
    return `${digits.slice(0, 2)}-${digits.slice(2, 6)}-${digits.slice(6)}`;
  }
  return digits;
}
