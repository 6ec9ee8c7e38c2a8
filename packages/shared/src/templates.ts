import { JST_TIME_ZONE, jstDayOf, jstInstantOf } from './jst';
import { textFault } from './text';
import {
  TEMPLATE_LANGUAGES,
  type SlotType,
  type TemplateLanguage,
  type TemplateText,
} from './template-seed';

// Templates (定型文): a subject and a body per language with typed `{slot}`s, the slot names in
// Japanese in every language. One function fills a variant; the checks here are the only rules
// for a template's shape and for the values staff fill in, whichever door they come through.

export const SLOT_TYPES = ['date', 'time', 'school', 'text'] as const satisfies readonly SlotType[];

/** Each language by its own name, as a parent looks for it in a list. */
export const LANGUAGE_NAMES: Readonly<Record<TemplateLanguage, string>> = {
  ja: '日本語',
  'ja-easy': 'やさしい日本語',
  en: 'English',
  'zh-Hans': '简体中文',
  ko: '한국어',
  vi: 'Tiếng Việt',
  pt: 'Português',
  fil: 'Filipino',
};

export function isTemplateLanguage(value: unknown): value is TemplateLanguage {
  return (TEMPLATE_LANGUAGES as readonly unknown[]).includes(value);
}

/** The filled text of a message per language it carries; 'ja' always among them. */
export type FilledVariants = Partial<Record<TemplateLanguage, TemplateText>>;

/** Slot values as staff filled them: 日付 → '2026-12-03'. */
export type SlotValues = Record<string, string>;

export const TEMPLATE_NAME_MAX = 60;
export const SLOT_NAME_MAX = 20;
export const SLOT_VALUE_MAX = 60;
export const TEMPLATE_SLOTS_MAX = 10;

const SLOT = /\{([^{}\s]+)\}/g;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The slot names a text uses, each once. */
export function slotsIn(text: string): string[] {
  return [...new Set([...text.matchAll(SLOT)].map((match) => match[1]!))];
}

/** Why a template's shape was refused, with the web catalogue's key. */
export interface TemplateProblem {
  field: string;
  key:
    | 'templates.error.required'
    | 'templates.error.tooLong'
    | 'templates.error.controlCharacters'
    | 'templates.error.slotType'
    | 'templates.error.slotName'
    | 'templates.error.tooManySlots'
    | 'templates.error.unknownSlot'
    | 'templates.error.missingSlot'
    | 'templates.error.noJapanese';
  params?: Record<string, string | number>;
}

/** A template as saved: name, slots and the variants (only the languages it carries). */
export interface TemplateShape {
  name: string;
  slots: Record<string, string>;
  variants: Partial<Record<string, TemplateText>>;
}

function textProblem(
  field: string,
  value: string,
  max: number,
  multiline: boolean,
): TemplateProblem | null {
  if (value.trim() === '') return { field, key: 'templates.error.required' };
  if ([...value].length > max) return { field, key: 'templates.error.tooLong', params: { max } };
  if (textFault(value, { multiline }) !== null) {
    return { field, key: 'templates.error.controlCharacters' };
  }
  return null;
}

/**
 * Every problem of a template's shape: slot types known, the Japanese variant present, each
 * variant's text clean and bounded, and each variant holding exactly the declared slots (a
 * translation without {場所} would send a notice that never says where).
 */
export function templateProblems(
  shape: TemplateShape,
  limits: { subject: number; body: number },
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const push = (problem: TemplateProblem | null) => problem && problems.push(problem);
  push(textProblem('name', shape.name, TEMPLATE_NAME_MAX, false));
  const declared = Object.keys(shape.slots);
  if (declared.length > TEMPLATE_SLOTS_MAX) {
    push({
      field: 'slots',
      key: 'templates.error.tooManySlots',
      params: { max: TEMPLATE_SLOTS_MAX },
    });
  }
  for (const [name, type] of Object.entries(shape.slots)) {
    if (
      !/^[^{}\s]+$/.test(name) ||
      [...name].length > SLOT_NAME_MAX ||
      textFault(name, { multiline: false })
    ) {
      push({ field: 'slots', key: 'templates.error.slotName', params: { slot: name } });
    } else if (!(SLOT_TYPES as readonly string[]).includes(type)) {
      push({ field: 'slots', key: 'templates.error.slotType', params: { slot: name, type } });
    }
  }
  if (!shape.variants.ja) push({ field: 'variants.ja', key: 'templates.error.noJapanese' });
  for (const [language, variant] of Object.entries(shape.variants)) {
    if (!variant) continue;
    const field = `variants.${language}`;
    const before = problems.length;
    push(textProblem(`${field}.subject`, variant.subject, limits.subject, false));
    push(textProblem(`${field}.body`, variant.body, limits.body, true));
    if (problems.length > before) continue;
    const used = slotsIn(`${variant.subject}\n${variant.body}`);
    // The language by its own name, as staff see it on the form.
    const name = isTemplateLanguage(language) ? LANGUAGE_NAMES[language] : language;
    for (const slot of used.filter((name) => !declared.includes(name))) {
      push({ field, key: 'templates.error.unknownSlot', params: { slot, language: name } });
    }
    for (const slot of declared.filter((name) => !used.includes(name))) {
      push({ field, key: 'templates.error.missingSlot', params: { slot, language: name } });
    }
  }
  return problems;
}

/** Why a slot value was refused, with the web catalogue's key. */
export interface SlotProblem {
  slot: string;
  key:
    | 'templates.error.slotRequired'
    | 'templates.error.slotUnknown'
    | 'templates.error.slotDate'
    | 'templates.error.slotTime'
    | 'templates.error.slotTooLong'
    | 'templates.error.slotControl';
  params: Record<string, string | number>;
}

/**
 * The values staff filled, checked against the template's slots: every declared slot filled
 * (a school slot is filled by the server, never by the caller), none unknown, a date a real
 * YYYY-MM-DD, a time HH:MM, a text one line of at most SLOT_VALUE_MAX characters.
 */
export function slotProblems(
  slots: Readonly<Record<string, SlotType>>,
  values: Readonly<Record<string, unknown>>,
): SlotProblem[] {
  const problems: SlotProblem[] = [];
  for (const slot of Object.keys(values)) {
    if (!(slot in slots) || slots[slot] === 'school') {
      problems.push({ slot, key: 'templates.error.slotUnknown', params: { slot } });
    }
  }
  for (const [slot, type] of Object.entries(slots)) {
    if (type === 'school') continue;
    const value = values[slot];
    const params = { slot };
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push({ slot, key: 'templates.error.slotRequired', params });
    } else if (type === 'date' && jstDayOf(value) === null) {
      problems.push({ slot, key: 'templates.error.slotDate', params });
    } else if (type === 'time' && !TIME.test(value)) {
      problems.push({ slot, key: 'templates.error.slotTime', params });
    } else if ([...value].length > SLOT_VALUE_MAX) {
      problems.push({
        slot,
        key: 'templates.error.slotTooLong',
        params: { slot, max: SLOT_VALUE_MAX },
      });
    } else if (textFault(value, { multiline: false }) !== null) {
      problems.push({ slot, key: 'templates.error.slotControl', params });
    }
  }
  return problems;
}

/** Intl's locale for each language; やさしい日本語 writes dates as Japanese does. */
const LOCALES: Record<TemplateLanguage, string> = {
  ja: 'ja-JP',
  'ja-easy': 'ja-JP',
  en: 'en-US',
  'zh-Hans': 'zh-CN',
  ko: 'ko-KR',
  vi: 'vi-VN',
  pt: 'pt-BR',
  fil: 'fil-PH',
};

function formatter(language: TemplateLanguage, options: Intl.DateTimeFormatOptions) {
  return new Intl.DateTimeFormat(LOCALES[language], { ...options, timeZone: JST_TIME_ZONE });
}

/** A date slot (2026-12-03) as the language writes it: 12月3日（木）, Thursday, December 3, … */
export function formatSlotDate(value: string, language: TemplateLanguage): string {
  const day = jstDayOf(value);
  if (!day) return value;
  if (language === 'ja' || language === 'ja-easy') {
    const parts = Object.fromEntries(
      formatter(language, { month: 'numeric', day: 'numeric', weekday: 'short' })
        .formatToParts(day.start)
        .map((part) => [part.type, part.value]),
    );
    // Full-width brackets, as Japanese notices write the weekday.
    return `${parts.month}月${parts.day}日（${parts.weekday}）`;
  }
  return formatter(language, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(day.start);
}

/** A time slot (06:30) as the language writes it: 6時30分, 6:30 AM, … */
export function formatSlotTime(value: string, language: TemplateLanguage): string {
  // Any day will do (Japan has no daylight saving): the instant only carries the clock time.
  const instant = jstInstantOf(`2026-01-01T${value}`);
  if (!instant || !TIME.test(value)) return value;
  if (language === 'ja' || language === 'ja-easy') {
    const [hours, minutes] = value.split(':').map(Number);
    return minutes === 0 ? `${hours}時` : `${hours}時${minutes}分`;
  }
  return formatter(language, { hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

/**
 * One variant with its slots filled for one language: dates and times written the language's
 * way, the school's name and texts as they are. A slot without a value stays as written.
 */
export function fillVariant(
  variant: TemplateText,
  slots: Readonly<Record<string, SlotType>>,
  values: Readonly<SlotValues>,
  language: TemplateLanguage,
): TemplateText {
  const fill = (text: string) =>
    text.replace(SLOT, (whole, name: string) => {
      const value = values[name];
      if (value === undefined) return whole;
      switch (slots[name]) {
        case 'date':
          return formatSlotDate(value, language);
        case 'time':
          return formatSlotTime(value, language);
        default:
          return value;
      }
    });
  return { subject: fill(variant.subject), body: fill(variant.body) };
}

/** Every variant a template carries, filled; 'ja' first. */
export function fillVariants(
  variants: Partial<Record<TemplateLanguage, TemplateText>>,
  slots: Readonly<Record<string, SlotType>>,
  values: Readonly<SlotValues>,
): FilledVariants {
  const filled: FilledVariants = {};
  for (const language of TEMPLATE_LANGUAGES) {
    const variant = variants[language];
    if (variant) filled[language] = fillVariant(variant, slots, values, language);
  }
  return filled;
}

/**
 * The variant a parent reads above the Japanese: their language, else やさしい日本語, else none
 * (Japanese only). `fits` narrows what a recipient can read (a feature phone's charset).
 */
export function variantFor(
  variants: FilledVariants | null,
  language: TemplateLanguage,
  fits: (variant: TemplateText) => boolean = () => true,
): { language: TemplateLanguage; text: TemplateText } | null {
  if (!variants || language === 'ja') return null;
  for (const candidate of [language, 'ja-easy'] as const) {
    const text = variants[candidate];
    if (text && fits(text)) return { language: candidate, text };
  }
  return null;
}
