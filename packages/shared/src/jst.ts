// Japan time, the schools' clock, whatever the server's or browser's time zone: the one place
// that knows the zone, its offset (Japan has no daylight saving) and the form-input format.

export const JST_TIME_ZONE = 'Asia/Tokyo';
export const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/**
 * A datetime-local form value ("2026-04-07T07:00") read as Japan time, as an ISO instant
 * ("2026-04-07T07:00:00+09:00"); null when the value is not in that form.
 */
export function jstInstantOf(local: string): string | null {
  return DATETIME_LOCAL.test(local) ? `${local}:00+09:00` : null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A date form value ("2026-04-07") as its day on Japan's clock, from its first instant to the
 * next day's (exclusive); null when the value is not a real date in that form.
 */
export function jstDayOf(day: string): { start: Date; end: Date } | null {
  if (!DATE.test(day)) return null;
  const start = new Date(`${day}T00:00:00+09:00`);
  // A day that does not exist (02-30) rolls over to another; only one that reads back is real.
  if (Number.isNaN(start.getTime()) || jstLocalOf(start).slice(0, 10) !== day) return null;
  return { start, end: new Date(start.getTime() + DAY_MS) };
}

/** An instant as a datetime-local form value on Japan's clock ("2026-04-07T07:00"). */
export function jstLocalOf(date: Date): string {
  return new Date(date.getTime() + JST_OFFSET_MS).toISOString().slice(0, 16);
}

/** A formatter showing instants in Japan time: Japanese, or British English for 'en'. */
export function jstFormat(
  options: Omit<Intl.DateTimeFormatOptions, 'timeZone'>,
  locale: 'ja' | 'en' = 'ja',
): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    ...options,
    timeZone: JST_TIME_ZONE,
  });
}
