import { MAX_GRADE, nameFault, type SchoolKind } from '@renraku/shared';

// Cell values of roster and class-assignment files. Each parser returns the stored form or
// a Japanese message for the preview; none of them throws.

export type FieldCheck<T> = { ok: true; value: T } | { ok: false; message: string };

/** Field limits: generous for real codes and names, bounded for lists and storage. */
export const ROSTER_NUMBER_MAX = 20;
export const HOUSEHOLD_KEY_MAX = 40;
export const CLASS_NAME_MAX = 30;

const KANJI_DIGITS: Record<string, string> = {
  一: '1',
  二: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
};

const SCHOOL_KIND_LABEL: Record<SchoolKind, string> = {
  elementary: '小学校',
  junior_high: '中学校',
};

/**
 * A code the school uses as a key (roster number, household key). Excel drops leading zeros
 * from one export to the next, so all-digit codes are compared without them ("0012" = "12").
 */
function parseCode(input: string, label: string, maxLength: number): FieldCheck<string> {
  const text = input.normalize('NFKC').trim();
  if (text === '') return { ok: false, message: `${label}がありません。` };
  if (/\s/.test(text) || nameFault(text)) {
    return { ok: false, message: `${label}「${text}」に空白や使えない文字が含まれています。` };
  }
  if (text.length > maxLength) {
    return { ok: false, message: `${label}は${maxLength}文字以内にしてください。` };
  }
  return { ok: true, value: /^\d+$/.test(text) ? String(BigInt(text)) : text };
}

/** Re-imports and class assignments find students by it. */
export function parseRosterNumber(input: string): FieldCheck<string> {
  return parseCode(input, '学籍番号', ROSTER_NUMBER_MAX);
}

/** Siblings share it: one call-list row, one set of phones. */
export function parseHouseholdKey(input: string): FieldCheck<string> {
  return parseCode(input, '世帯番号', HOUSEHOLD_KEY_MAX);
}

/** 「1」, 「１」, 「1年」, 「第1学年」, 「一年生」, 「小1」 → 1, within the school kind's grades. */
export function parseGrade(input: string, kind: SchoolKind): FieldCheck<number> {
  const text = input
    .normalize('NFKC')
    .replace(/\s/g, '')
    .replace(/^[小中]|^第/, '')
    .replace(/(学年|年生|年)$/, '')
    .replace(/^[一二三四五六]$/, (ch) => KANJI_DIGITS[ch] ?? ch);
  const grade = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  const max = MAX_GRADE[kind];
  if (!(grade >= 1 && grade <= max)) {
    return {
      ok: false,
      message:
        input.trim() === ''
          ? '学年がありません。'
          : `学年「${input.trim()}」が正しくありません（${SCHOOL_KIND_LABEL[kind]}は1〜${max}年）。`,
    };
  }
  return { ok: true, value: grade };
}

/**
 * A class name as stored: 「2」 and 「２組」 → 「2組」; 「1年2組」 or 「1-2」 on a grade-1 row → 「2組」;
 * named classes (「ひまわり学級」, 「A組」) as written.
 */
export function parseClassName(input: string, grade: number | null): FieldCheck<string> {
  let text = input.normalize('NFKC').replace(/\s+/g, ' ').trim();
  if (text === '') return { ok: false, message: '組（クラス）がありません。' };
  if (nameFault(text)) {
    return { ok: false, message: '組（クラス）に使えない文字が含まれています。' };
  }
  const prefixed = /^(\d)\s*(?:年|-)\s*(.+)$/.exec(text);
  if (prefixed && grade !== null) {
    if (Number(prefixed[1]) !== grade) {
      return { ok: false, message: `組「${text}」が学年（${grade}年）と一致しません。` };
    }
    text = prefixed[2] ?? text;
  }
  if (/^\d+$/.test(text)) text = `${Number(text)}組`;
  if (text.length > CLASS_NAME_MAX) {
    return { ok: false, message: `組（クラス）の名前は${CLASS_NAME_MAX}文字以内にしてください。` };
  }
  return { ok: true, value: text };
}

/** Compares class names whatever spacing or width was used: 「ひまわり 学級」 = 「ひまわり学級」. */
export function classKey(grade: number, name: string): string {
  return `${grade}:${name.normalize('NFKC').replace(/\s/g, '')}`;
}

/** An id the same transaction just wrote, by key; a missing one is a bug, not bad input. */
export function idOf(ids: ReadonlyMap<string, number>, key: string): number {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`roster write lost track of ${key}`);
  return id;
}
