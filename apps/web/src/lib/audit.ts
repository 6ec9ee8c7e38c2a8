import type { AuditAction } from '@renraku/shared';
import { t, type Locale } from './i18n';

// How the audit trail words its events, on the page and in the CSV alike; client-safe.

export function auditActionLabel(locale: Locale, action: AuditAction): string {
  return t(locale, `audit.action.${action}`);
}

/** Who acted: the staff member's name, or what kind of actor it was. */
export function auditActorLabel(
  locale: Locale,
  entry: { actorType: string; actorName: string | null },
): string {
  if (entry.actorName !== null) return entry.actorName;
  if (entry.actorType === 'parent') return t(locale, 'audit.actor.parent');
  if (entry.actorType === 'operator') return t(locale, 'audit.actor.operator');
  return t(locale, 'audit.actor.unknown');
}
