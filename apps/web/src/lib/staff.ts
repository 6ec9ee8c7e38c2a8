import { withHonorific, type StaffRole } from '@renraku/shared';
import { resolve } from '$app/paths';
import type { ResolvedPathname } from '$app/types';
import { t, type Locale, type MessageKey } from './i18n';

// What the staff pages show about the signed-in user; client-safe.

/** The parts of a staff member the header and home page show (no ids, no login). */
export interface StaffSummary {
  displayName: string;
  role: StaffRole;
  districtName: string;
  schoolName: string | null;
  classGrade: number | null;
  className: string | null;
}

export function roleLabel(locale: Locale, role: StaffRole): string {
  return t(locale, `role.${role}`);
}

/**
 * How a page addresses a staff member: in Japanese with one honorific (「佐藤さん」, but
 * 「佐々木先生」 as entered), in English the name alone.
 */
export function addressedName(locale: Locale, staff: Pick<StaffSummary, 'displayName'>): string {
  return locale === 'ja' ? withHonorific(staff.displayName) : staff.displayName.trim();
}

/** "○○市のすべての学校", "○○小学校（全学年）" or "○○小学校 3年1組". */
export function scopeLabel(locale: Locale, staff: StaffSummary): string {
  switch (staff.role) {
    case 'board':
      return t(locale, 'scope.district', { district: staff.districtName });
    case 'school_admin':
      return t(locale, 'scope.school', { school: staff.schoolName ?? '' });
    case 'teacher':
      return t(locale, 'scope.class', {
        school: staff.schoolName ?? '',
        grade: staff.classGrade ?? '',
        class: staff.className ?? '',
      });
  }
}

export interface NavItem {
  href: ResolvedPathname;
  label: MessageKey;
  roles: readonly StaffRole[];
}

const EVERY_ROLE: readonly StaffRole[] = ['board', 'school_admin', 'teacher'];

/**
 * The staff menu. Only routes that exist are listed; each feature adds its entry here when
 * its page lands: 配信する (/staff/messages/new), 配信一覧 (/staff/messages), 電話連絡リスト
 * (/staff/call-lists), 学校管理 (/staff/school, school admins and the board).
 */
const NAV_ITEMS: readonly NavItem[] = [
  { href: resolve('/staff'), label: 'staff.nav.home', roles: EVERY_ROLE },
  { href: resolve('/staff/messages/new'), label: 'compose.nav.new', roles: EVERY_ROLE },
  { href: resolve('/staff/messages'), label: 'live.nav.messages', roles: EVERY_ROLE },
  { href: resolve('/staff/schedules'), label: 'compose.nav.schedules', roles: ['board'] },
  { href: resolve('/staff/templates'), label: 'templates.nav', roles: EVERY_ROLE },
  { href: resolve('/staff/overview'), label: 'live.nav.overview', roles: ['board'] },
  { href: resolve('/staff/school'), label: 'admin.nav.school', roles: ['school_admin'] },
  { href: resolve('/staff/statistics'), label: 'admin.nav.statistics', roles: EVERY_ROLE },
  {
    href: resolve('/staff/accounts'),
    label: 'admin.nav.accounts',
    roles: ['board', 'school_admin'],
  },
  { href: resolve('/staff/tokens'), label: 'admin.nav.tokens', roles: EVERY_ROLE },
  { href: resolve('/staff/audit'), label: 'audit.nav', roles: ['board', 'school_admin'] },
];

export function staffNavigation(role: StaffRole): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(role));
}
