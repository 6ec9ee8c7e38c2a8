import type { AuditEntry } from '@renraku/core/audit';
import { auditActionLabel, auditActorLabel } from '../../audit';
import { t, type Locale } from '../../i18n';
import { csvDownloadHeaders, csvTime, excelCsv } from '../csv';

// The audit trail as a file for Excel, in the request's language, with the page's columns.

export function auditCsv(entries: readonly AuditEntry[], locale: Locale): string {
  const header = (['at', 'school', 'actor', 'action', 'subject', 'details'] as const).map((col) =>
    t(locale, `audit.col.${col}`),
  );
  return excelCsv([
    header,
    ...entries.map((entry) => [
      csvTime(entry.at, locale),
      entry.schoolName ?? '',
      auditActorLabel(locale, entry),
      auditActionLabel(locale, entry.action),
      entry.subject ?? '',
      entry.details,
    ]),
  ]);
}

/** The download's file name (操作記録.csv), encoded for Content-Disposition. */
export function auditCsvHeaders(locale: Locale): Record<string, string> {
  return csvDownloadHeaders('audit-trail.csv', `${t(locale, 'audit.csv.title')}.csv`);
}
