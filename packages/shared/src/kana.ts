import { z } from 'zod';
import { nameFault } from './text';

// Children's names and kana as schools write them in rosters and parents type them on phones:
// half-width katakana, hiragana, full-width spaces, ASCII hyphens for ー. Everything is brought
// to one stored form (NFKC, full-width katakana, single spaces) so that a roster row and a
// parent's registration for the same child compare equal.

/** Long enough for any real name with a space; short enough for a list column. */
export const NAME_MAX = 60;
/** Same bound for kana: a reading is about as long as the name. */
export const KANA_MAX = 60;

/** Why a name or kana was refused: `code` for the UI's own wording, `message` in Japanese. */
export type TextCheck =
  { ok: true; value: string } | { ok: false; code: TextErrorCode; message: string };

/** Lets a UI word the message in another language. */
export type TextErrorCode =
  | 'name_required'
  | 'name_too_long'
  | 'name_invalid'
  | 'kana_required'
  | 'kana_too_long'
  | 'kana_invalid';

/** Hyphens and dashes that people type for the long vowel mark ー in kana. */
const DASHES = /[-\u2010-\u2015\u2212\u30fc\uff70]/g;
const HIRAGANA = /[\u3041-\u3096\u309d\u309e]/g;
/** Full-width katakana (ァ–ヺ), iteration marks ヽヾ, ー, ・ and spaces. */
const STORED_KANA = /^[\u30a1-\u30fa\u30fd\u30fe\u30fc\u30fb ]+$/;

/** NFKC, every run of whitespace (including the full-width space) made one ASCII space, trimmed. */
function tidy(input: string): string {
  return input.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

/** Hiragana to katakana: parents write either; the roster stores one. */
export function toKatakana(input: string): string {
  return input.replace(HIRAGANA, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0x60));
}

/**
 * The stored form of a kana reading: NFKC (half-width ｶﾞ → ガ, ･ → ・), hiragana → katakana,
 * dashes → ー, single spaces. Does not validate; see checkKana.
 */
export function normalizeKana(input: string): string {
  return toKatakana(tidy(input)).replace(DASHES, 'ー');
}

/** Validates and normalizes a kana reading, with a message a parent or a school understands. */
export function checkKana(input: string): TextCheck {
  const value = normalizeKana(input);
  if (value === '') {
    return { ok: false, code: 'kana_required', message: 'カナを入力してください。' };
  }
  if (value.length > KANA_MAX) {
    return {
      ok: false,
      code: 'kana_too_long',
      message: `カナは${KANA_MAX}文字以内で入力してください。`,
    };
  }
  if (!STORED_KANA.test(value)) {
    return {
      ok: false,
      code: 'kana_invalid',
      message: 'カナはカタカナまたはひらがなで入力してください（漢字・英数字・記号は使えません）。',
    };
  }
  return { ok: true, value };
}

/** The stored form of a child's name: NFKC and single spaces. Does not validate; see checkName. */
export function normalizeName(input: string): string {
  return tidy(input);
}

/** Validates and normalizes a child's full name (no control characters, bounded length). */
export function checkName(input: string): TextCheck {
  // Whitespace is tidied below; any other control or format character is refused.
  if (nameFault(input.replace(/[\t\r\n]/g, ' '))) {
    return { ok: false, code: 'name_invalid', message: '氏名に使えない文字が含まれています。' };
  }
  const value = normalizeName(input);
  if (value === '') {
    return { ok: false, code: 'name_required', message: '氏名を入力してください。' };
  }
  if (value.length > NAME_MAX) {
    return {
      ok: false,
      code: 'name_too_long',
      message: `氏名は${NAME_MAX}文字以内で入力してください。`,
    };
  }
  return { ok: true, value };
}

/**
 * Comparison key for kana: the stored form without spaces and middle dots, so that
 * 「ヤマダ タロウ」, 「やまだたろう」 and 「ﾔﾏﾀﾞ･ﾀﾛｳ」 match one roster row.
 */
export function kanaMatchKey(input: string): string {
  return normalizeKana(input).replace(/[ ・]/g, '');
}

/** Comparison key for names: the stored form without spaces (「山田 太郎」 = 「山田太郎」, whatever the width of the space). */
export function nameMatchKey(input: string): string {
  return normalizeName(input).replace(/ /g, '');
}

/** Zod schema for form fields, e.g. the registration form's `childKana`. */
export const kanaSchema = z.string().transform((input, ctx) => {
  const checked = checkKana(input);
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.message, params: { code: checked.code } });
  return z.NEVER;
});

/** Zod schema for form fields, e.g. the registration form's `childName`. */
export const nameSchema = z.string().transform((input, ctx) => {
  const checked = checkName(input);
  if (checked.ok) return checked.value;
  ctx.addIssue({ code: 'custom', message: checked.message, params: { code: checked.code } });
  return z.NEVER;
});
