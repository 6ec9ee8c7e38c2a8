import { jstFormat } from '@renraku/shared';
import type { Locale } from '$lib/i18n';

// Times on the staff pages are Japan's, whatever the browser's time zone (a school's PC may
// be set to anything; the school day is in Japan).

/** "4/7 08:15" (ja) or "Apr 7, 08:15" (en). */
export function formatTime(locale: Locale, iso: string): string {
  return jstFormat(
    {
      month: locale === 'ja' ? 'numeric' : 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    },
    locale,
  ).format(new Date(iso));
}

/** "08:15:30", for the failure stream. */
export function formatClock(iso: string): string {
  return jstFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
}
