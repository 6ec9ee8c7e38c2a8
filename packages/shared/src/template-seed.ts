import type { MessageCategory } from './domain';

// placeholder: the seed branch replaces this file (all nine templates with their translations).

/** Languages a template may carry, Japanese first; 'ja-easy' is やさしい日本語. */
export const TEMPLATE_LANGUAGES = [
  'ja',
  'ja-easy',
  'en',
  'zh-Hans',
  'ko',
  'vi',
  'pt',
  'fil',
] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];
/** date: 2026-12-03; time: 06:30; school: filled from the sending school's name; text: free, one line. */
export type SlotType = 'date' | 'time' | 'school' | 'text';
export interface TemplateText {
  subject: string;
  body: string;
}
export interface SeedTemplate {
  key: string; // stable, e.g. 'weather-closure'
  category: MessageCategory; // 'emergency_contact' | 'emergency_info' | 'education_info'
  name: string; // the Japanese name staff pick from
  slots: Readonly<Record<string, SlotType>>; // slot name as written in braces, e.g. { 日付: 'date' }
  variants: Readonly<Record<TemplateLanguage, TemplateText>>; // 'ja' is the original
}

const closureEn: TemplateText = {
  subject: '{学校名}: School closed on {日付}',
  body: 'Because of the weather, {学校名} will be closed on {日付}.\nPlease keep your child at home. We will send the next notice by {時刻}.',
};

const eventEn: TemplateText = {
  subject: '{学校名}: {行事名} postponed',
  body: '{行事名} has been postponed to {延期日}.',
};

export const SEED_TEMPLATES: readonly SeedTemplate[] = [
  {
    key: 'weather-closure',
    category: 'emergency_contact',
    name: '臨時休業',
    slots: { 学校名: 'school', 日付: 'date', 時刻: 'time' },
    variants: {
      ja: {
        subject: '{学校名} {日付}は臨時休業です',
        body: '気象状況により、{学校名}は{日付}を臨時休業とします。\nお子さまはご家庭で過ごさせてください。次のお知らせは{時刻}までにお送りします。',
      },
      'ja-easy': {
        subject: '{学校名} {日付}は 学校が 休みです',
        body: '天気が わるいので、{学校名}は {日付}は 休みです。\nこどもは 家に いてください。つぎの お知らせは {時刻}までに おくります。',
      },
      en: closureEn,
      'zh-Hans': closureEn,
      ko: closureEn,
      vi: closureEn,
      pt: closureEn,
      fil: closureEn,
    },
  },
  {
    key: 'event-postponed',
    category: 'education_info',
    name: '学校行事の順延',
    slots: { 学校名: 'school', 行事名: 'text', 延期日: 'date' },
    variants: {
      ja: {
        subject: '{学校名} {行事名}の順延',
        body: '{行事名}は{延期日}に順延します。',
      },
      'ja-easy': eventEn,
      en: eventEn,
      'zh-Hans': eventEn,
      ko: eventEn,
      vi: eventEn,
      pt: eventEn,
      fil: eventEn,
    },
  },
];
