import {
  finalSubject,
  isTemplateLanguage,
  jstFormat,
  variantFor,
  type FilledVariants,
  type MessageCategory,
  type TemplateLanguage,
} from '@renraku/shared';
import type { Locale } from '$lib/i18n';

// What the families' pages with buttons (the link's, the inbox) share: the time of a message
// and of an answer in Japan time, and the posted button. A formatter is made once: it costs more
// to make than a whole tap's other work.
const TIME_FORMAT = {
  month: 'long',
  day: 'numeric',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
} as const;
const formats: Record<Locale, Intl.DateTimeFormat> = {
  ja: jstFormat(TIME_FORMAT, 'ja'),
  en: jstFormat(TIME_FORMAT, 'en'),
};

export const messageTimeOf = (at: Date, locale: Locale) => formats[locale].format(at);

/** A button's value: the choice's index, digits only (anything else is out of range). */
const CHOICE_VALUE = /^\d{1,5}$/;

/** The choice a button posted, NaN when it is none (the service refuses it as out of range). */
export function postedChoice(form: FormData): number {
  const value = form.get('choice');
  return typeof value === 'string' && CHOICE_VALUE.test(value) ? Number(value) : NaN;
}

/** A message as a family reads it: their language's text above the Japanese original. */
export interface FamilyReading {
  /** The pages' own words: Japanese for Japanese readers, English for every other language. */
  locale: Locale;
  /** The final subject (with the category's tag) and body the family reads first. */
  subject: string;
  body: string;
  lang: TemplateLanguage;
  /** The Japanese original below, when the first text is a translation. */
  original: { subject: string; body: string } | null;
}

/** The pages' own words for a family: Japanese or English (for every other language). */
export function familyLocale(language: TemplateLanguage, locale: Locale): Locale {
  return language === 'ja' || language === 'ja-easy' ? locale : 'en';
}

/**
 * The text of a message in the household's language (variantFor: theirs, やさしい日本語, or
 * Japanese only), with the Japanese original kept below a translation.
 */
export function familyReading(
  message: {
    category: MessageCategory;
    subject: string;
    body: string;
    variants: FilledVariants | null;
  },
  language: TemplateLanguage,
  locale: Locale,
): FamilyReading {
  const original = { subject: finalSubject(message.category, message.subject), body: message.body };
  const variant = variantFor(message.variants, language);
  return {
    locale: familyLocale(language, locale),
    ...(variant
      ? { subject: finalSubject(message.category, variant.text.subject), body: variant.text.body }
      : original),
    lang: variant?.language ?? 'ja',
    original: variant ? original : null,
  };
}

/** The language a tap's form says its page was shown in (it only picks a text); else ja. */
export function postedLanguage(form: FormData): TemplateLanguage {
  const value = form.get('lang');
  return isTemplateLanguage(value) ? value : 'ja';
}
