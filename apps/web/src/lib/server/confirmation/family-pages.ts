import { jstFormat } from '@renraku/shared';
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
