import type { AnswerList } from '@renraku/core/confirmation';
import { t, type Locale } from '../../i18n';
import { childrenCells, csvDownloadHeaders, csvTime, excelCsv } from '../csv';

// The answers as a file for Excel, in the request's language (Japanese by default), with the
// call list's words for what the two files share (school, children, kana).

/** One row per answering household; the choice's words are the sender's, as the mail had them. */
export function answersCsv(list: AnswerList, locale: Locale): string {
  const header = [
    t(locale, 'live.callList.school'),
    t(locale, 'live.callList.csv.children'),
    t(locale, 'live.callList.csv.kana'),
    t(locale, 'live.answers.csv.choice'),
    t(locale, 'live.answers.csv.answer'),
    t(locale, 'live.answers.csv.needsCall'),
    t(locale, 'live.answers.csv.confirmedAt'),
    t(locale, 'live.answers.csv.channel'),
    t(locale, 'live.answers.csv.late'),
    t(locale, 'live.answers.csv.replyWords'),
  ];
  const lines = [header];
  for (const row of list.rows) {
    lines.push([
      row.schoolName,
      ...childrenCells(locale, row.children),
      String(row.choice),
      row.label,
      row.needsCall ? t(locale, 'live.answers.csv.needsCall') : '',
      csvTime(row.confirmedAt, locale),
      t(locale, `live.answers.channel.${row.channel}`),
      row.late ? t(locale, 'live.answers.csv.late') : '',
      row.replyWords ?? '',
    ]);
  }
  return excelCsv(lines);
}

/** The download's file name (確認の回答_<message id>.csv), encoded for Content-Disposition. */
export function answersCsvHeaders(messageId: number, locale: Locale): Record<string, string> {
  return csvDownloadHeaders(
    `answers-${messageId}.csv`,
    `${t(locale, 'live.answers.csv.title')}_${messageId}.csv`,
  );
}
