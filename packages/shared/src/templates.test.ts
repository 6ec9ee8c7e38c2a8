import { describe, expect, it } from 'vitest';
import { readableInIso2022jp } from './iso-2022-jp';
import { SEED_TEMPLATES } from './template-seed';
import {
  fillVariant,
  fillVariants,
  formatSlotDate,
  formatSlotTime,
  slotProblems,
  templateProblems,
  variantFor,
} from './templates';

const LIMITS = { subject: 100, body: 5000 };
const slots = { 学校名: 'school', 日付: 'date', 時刻: 'time', 場所: 'text' } as const;
const values = { 学校名: '港第一小学校', 日付: '2026-12-03', 時刻: '06:30', 場所: '体育館' };
const variant = { subject: '{学校名} {日付}', body: '{日付} {時刻} に {場所} へ' };

describe('slot filling per language', () => {
  it('writes dates each language’s own way, in Japan time', () => {
    expect(formatSlotDate('2026-12-03', 'ja')).toBe('12月3日（木）');
    expect(formatSlotDate('2026-12-03', 'ja-easy')).toBe('12月3日（木）');
    expect(formatSlotDate('2026-12-03', 'en')).toBe('Thursday, December 3, 2026');
    expect(formatSlotDate('2026-12-03', 'zh-Hans')).toBe('2026年12月3日星期四');
    expect(formatSlotDate('2026-12-03', 'ko')).toBe('2026년 12월 3일 목요일');
    expect(formatSlotDate('2026-12-03', 'pt')).toBe('quinta-feira, 3 de dezembro de 2026');
    expect(formatSlotDate('2026-12-03', 'vi')).toMatch(/Thứ Năm.*3.*12.*2026/);
    expect(formatSlotDate('2026-12-03', 'fil')).toMatch(/Huwebes.*Disyembre 3, 2026/);
  });

  it('writes times each language’s own way', () => {
    expect(formatSlotTime('06:30', 'ja')).toBe('6時30分');
    expect(formatSlotTime('07:00', 'ja-easy')).toBe('7時');
    expect(formatSlotTime('06:30', 'en')).toBe('6:30 AM');
    expect(formatSlotTime('18:05', 'en')).toBe('6:05 PM');
    expect(formatSlotTime('06:30', 'pt')).toBe('6:30');
    expect(formatSlotTime('06:30', 'ko')).toMatch(/^(오전|AM) 6:30$/);
  });

  it('fills every slot of a variant, school and text as they are', () => {
    expect(fillVariant(variant, slots, values, 'ja')).toEqual({
      subject: '港第一小学校 12月3日（木）',
      body: '12月3日（木） 6時30分 に 体育館 へ',
    });
    expect(fillVariant(variant, slots, values, 'en').body).toBe(
      'Thursday, December 3, 2026 6:30 AM に 体育館 へ',
    );
  });

  it('fills only the languages a template carries, Japanese first', () => {
    const filled = fillVariants({ en: variant, ja: variant }, slots, values);
    expect(Object.keys(filled)).toEqual(['ja', 'en']);
  });

  it('falls back to やさしい日本語, then to Japanese only', () => {
    const filled = fillVariants({ ja: variant, 'ja-easy': variant, en: variant }, slots, values);
    expect(variantFor(filled, 'en')?.language).toBe('en');
    expect(variantFor(filled, 'ko')?.language).toBe('ja-easy');
    expect(variantFor(filled, 'ja')).toBeNull();
    expect(variantFor({ ja: filled.ja! }, 'ko')).toBeNull();
    expect(variantFor(null, 'en')).toBeNull();
    // A feature phone that cannot show the language gets やさしい日本語 instead.
    expect(variantFor(filled, 'en', (text) => !text.body.includes('AM'))?.language).toBe('ja-easy');
  });
});

describe('slot validation', () => {
  it('accepts a complete, well-formed set of values', () => {
    const { 学校名: _school, ...filled } = values;
    expect(slotProblems(slots, filled)).toEqual([]);
  });

  it('refuses each bad value, naming the slot', () => {
    const bad = (patch: Record<string, unknown>) =>
      slotProblems(slots, { 日付: '2026-12-03', 時刻: '06:30', 場所: '体育館', ...patch }).map(
        (problem) => [problem.slot, problem.key],
      );
    expect(bad({ 日付: '2026-02-30' })).toEqual([['日付', 'templates.error.slotDate']]);
    expect(bad({ 日付: '12/3' })).toEqual([['日付', 'templates.error.slotDate']]);
    expect(bad({ 時刻: '24:00' })).toEqual([['時刻', 'templates.error.slotTime']]);
    expect(bad({ 時刻: '6:30' })).toEqual([['時刻', 'templates.error.slotTime']]);
    expect(bad({ 場所: 'あ'.repeat(61) })).toEqual([['場所', 'templates.error.slotTooLong']]);
    expect(bad({ 場所: '体育\u0007館' })).toEqual([['場所', 'templates.error.slotControl']]);
    expect(bad({ 場所: '一行目\n二行目' })).toEqual([['場所', 'templates.error.slotControl']]);
    expect(bad({ 場所: ' ' })).toEqual([['場所', 'templates.error.slotRequired']]);
    expect(bad({ 場所: 3 })).toEqual([['場所', 'templates.error.slotRequired']]);
    expect(bad({ 天気: '雪' })).toEqual([['天気', 'templates.error.slotUnknown']]);
    // The school's name is the server's to fill, never the caller's.
    expect(bad({ 学校名: '別の学校' })).toEqual([['学校名', 'templates.error.slotUnknown']]);
  });
});

describe('variant validation', () => {
  const shape = (patch: Partial<Parameters<typeof templateProblems>[0]> = {}) => ({
    name: '臨時休業',
    slots: { 日付: 'date', 場所: 'text' } as Record<string, string>,
    variants: {
      ja: { subject: '{日付}', body: '{場所}' },
      en: { subject: '{日付}', body: 'at {場所}' },
    },
    ...patch,
  });
  const keys = (input: ReturnType<typeof shape>) =>
    templateProblems(input, LIMITS).map((problem) => [problem.field, problem.key, problem.params]);

  it('accepts a template whose every variant holds every slot', () => {
    expect(keys(shape())).toEqual([]);
  });

  it('refuses a translation missing a declared slot, or holding an undeclared one', () => {
    expect(
      keys(
        shape({
          variants: {
            ja: { subject: '{日付}', body: '{場所}' },
            en: { subject: '{日付}', body: 'here' },
          },
        }),
      ),
    ).toEqual([
      ['variants.en', 'templates.error.missingSlot', { slot: '場所', language: 'English' }],
    ]);
    expect(keys(shape({ variants: { ja: { subject: '{日付}', body: '{場所} {天気}' } } }))).toEqual(
      [['variants.ja', 'templates.error.unknownSlot', { slot: '天気', language: '日本語' }]],
    );
  });

  it('refuses an unknown slot type, a missing Japanese, control characters and long text', () => {
    expect(keys(shape({ slots: { 日付: 'date', 場所: 'place' } }))[0]).toEqual([
      'slots',
      'templates.error.slotType',
      { slot: '場所', type: 'place' },
    ]);
    expect(keys(shape({ variants: { en: { subject: '{日付}', body: '{場所}' } } }))).toEqual([
      ['variants.ja', 'templates.error.noJapanese', undefined],
    ]);
    expect(keys(shape({ name: '臨時\u0000休業' }))[0]?.[1]).toBe(
      'templates.error.controlCharacters',
    );
    expect(
      keys(
        shape({ variants: { ja: { subject: `{日付}${'あ'.repeat(100)}`, body: '{場所}' } } }),
      )[0],
    ).toEqual(['variants.ja.subject', 'templates.error.tooLong', { max: 100 }]);
  });

  it('holds for every seeded template', () => {
    for (const seed of SEED_TEMPLATES)
      expect(keys({ ...seed, slots: { ...seed.slots }, variants: { ...seed.variants } })).toEqual(
        [],
      );
  });
});

describe('readableInIso2022jp', () => {
  it('reads Japanese and English, not Hangul, Vietnamese or simplified Chinese', () => {
    expect(readableInIso2022jp('12月3日（木）は休校です。Closed on Thursday.')).toBe(true);
    expect(readableInIso2022jp('휴교합니다')).toBe(false);
    expect(readableInIso2022jp('Trường nghỉ học')).toBe(false);
    expect(readableInIso2022jp('学校停课')).toBe(false);
  });
});
