import { en } from './en';
import { ja, type MessageKey } from './ja';

// A tiny typed dictionary: Japanese first, English available. Client-safe.

export type { MessageKey };
export const LOCALES = ['ja', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** The cookie that remembers the language chosen with the toggle (?lang=). */
export const LOCALE_COOKIE = 'renraku_lang';

const dictionaries: Record<Locale, Record<MessageKey, string>> = { ja, en };

export function isLocale(value: unknown): value is Locale {
  return value === 'ja' || value === 'en';
}

/** The text for `key`, with `{name}` placeholders filled from `params`. */
export function t(
  locale: Locale,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return dictionaries[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * The first supported language in an Accept-Language header, by preference; Japanese when
 * none matches, as this is a Japanese service.
 */
export function negotiateLocale(acceptLanguage: string | null): Locale {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...options] = part.trim().toLowerCase().split(';');
      const q = options.map((option) => /^q=([\d.]+)$/.exec(option.trim())?.[1]).find(Boolean);
      return { language: tag.split('-')[0] ?? '', quality: q ? Number(q) : 1, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLocale) ?? 'ja';
}
