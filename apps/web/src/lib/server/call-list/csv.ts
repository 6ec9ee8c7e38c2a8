import { jstFormat } from '@renraku/shared';
import type { CallList } from '@renraku/core/call-list';
import { t, type Locale } from '../../i18n';

// The call list as a file for Excel, in the words of the page (the same dictionaries), so the
// printed list, the page and the file never name a reason or a mark two ways.

/** Excel would run a cell that starts like a formula: such a cell is kept as text. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** "2026/04/07 08:15" (ja) or "07/04/2026, 08:15" (en), in Japan's time. */
function markedAtText(locale: Locale, iso: string): string {
  return jstFormat(
    {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    },
    locale,
  ).format(new Date(iso));
}

/**
 * The call list as a CSV file that Excel opens correctly: UTF-8 with a byte-order mark, CRLF
 * line ends and headers in `locale` (Japanese for the school's staff). One row per household,
 * as on the page.
 */
export function callListCsv(list: CallList, locale: Locale): string {
  const header = [
    t(locale, 'live.callList.school'),
    t(locale, 'live.callList.csv.grade'),
    t(locale, 'live.callList.csv.class'),
    t(locale, 'live.callList.csv.children'),
    t(locale, 'live.callList.csv.kana'),
    t(locale, 'live.callList.reason'),
    t(locale, 'live.callList.phones'),
    t(locale, 'live.callList.mark'),
    t(locale, 'live.callList.csv.markedBy'),
    t(locale, 'live.callList.csv.markedAt'),
  ];
  const lines = [header];
  for (const group of list.groups) {
    for (const row of group.rows) {
      const reason = t(locale, `live.callList.reason.${row.reason}`);
      lines.push([
        group.schoolName,
        String(group.grade),
        group.className,
        row.children
          .map((child) => t(locale, 'live.callList.csv.child', child))
          .join(t(locale, 'live.callList.csv.separator')),
        row.children.map((child) => child.kana).join(t(locale, 'live.callList.csv.separator')),
        // アドレス不達 already says what the flag would add.
        row.addressFailing && row.reason !== 'address_dead'
          ? t(locale, 'live.callList.csv.alsoAddressDead', { reason })
          : reason,
        row.phones.map((phone) => `${phone.label} ${phone.number}`).join(' / '),
        row.mark ? t(locale, `live.mark.${row.mark}`) : '',
        row.markedBy ?? '',
        row.markedAt ? markedAtText(locale, row.markedAt) : '',
      ]);
    }
  }
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The download's file name (電話連絡リスト_<message id>.csv), encoded for Content-Disposition. */
export function callListCsvHeaders(messageId: number, locale: Locale): Record<string, string> {
  const name = `${t(locale, 'live.callList.title')}_${messageId}.csv`;
  return {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="call-list-${messageId}.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'cache-control': 'no-store',
  };
}
