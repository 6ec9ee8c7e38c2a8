import type { CallList } from '@renraku/core/call-list';
import { t, type Locale } from '../../i18n';
import { childrenCells, csvDownloadHeaders, csvTime, excelCsv } from '../csv';

// The call list as a file for Excel, in the words of the page (the same dictionaries), so the
// printed list, the page and the file never name a reason or a mark two ways.

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
    t(locale, 'live.callList.answer'),
    t(locale, 'live.callList.phones'),
    t(locale, 'live.callList.mark'),
    t(locale, 'live.callList.csv.markedBy'),
    t(locale, 'live.callList.csv.markedAt'),
  ];
  const lines = [header];
  // Families whose answer needs a call come first, as on the page.
  for (const group of [...list.actionNeeded, ...list.groups]) {
    for (const row of group.rows) {
      const reason = row.reason === null ? '' : t(locale, `live.callList.reason.${row.reason}`);
      lines.push([
        group.schoolName,
        String(group.grade),
        group.className,
        ...childrenCells(locale, row.children),
        // アドレス不達 already says what the flag would add; a row listed for its answer has none.
        row.addressFailing && row.reason !== null && row.reason !== 'address_dead'
          ? t(locale, 'live.callList.csv.alsoAddressDead', { reason })
          : reason,
        row.answer?.label ?? '',
        row.phones.map((phone) => `${phone.label} ${phone.number}`).join(' / '),
        row.mark ? t(locale, `live.mark.${row.mark}`) : '',
        row.markedBy ?? '',
        row.markedAt ? csvTime(row.markedAt, locale) : '',
      ]);
    }
  }
  return excelCsv(lines);
}

/** The download's file name (電話連絡リスト_<message id>.csv), encoded for Content-Disposition. */
export function callListCsvHeaders(messageId: number, locale: Locale): Record<string, string> {
  return csvDownloadHeaders(
    `call-list-${messageId}.csv`,
    `${t(locale, 'live.callList.title')}_${messageId}.csv`,
  );
}
