import { jstFormat } from '@renraku/shared';
import { t, type Locale } from '../i18n';

// The CSV files staff download (the call list, the answers): what Excel on a school's PC
// opens correctly. The files' words come from the i18n dictionaries, as the pages' do.

/** Excel would run a cell that starts like a formula: such a cell is kept as text. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The rows as a file: UTF-8 with a byte-order mark, CRLF line ends. */
export function excelCsv(lines: readonly (readonly string[])[]): string {
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** "2026/04/07 08:15" (ja) or "07/04/2026, 08:15" (en), in Japan's time. */
export function csvTime(iso: string, locale: Locale): string {
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

/** A download's headers: an ASCII file name, the localized one for browsers that take it. */
export function csvDownloadHeaders(asciiName: string, name: string): Record<string, string> {
  return {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'cache-control': 'no-store',
  };
}

/** A household's children as two cells: 「山田 太郎（3年1組）、山田 花子（1年2組）」 and their kana. */
export function childrenCells(
  locale: Locale,
  children: readonly { name: string; kana: string; grade: number; className: string }[],
): [string, string] {
  const separator = t(locale, 'live.callList.csv.separator');
  return [
    children.map((child) => t(locale, 'live.callList.csv.child', child)).join(separator),
    children.map((child) => child.kana).join(separator),
  ];
}
