import { error, redirect } from '@sveltejs/kit';
import type { StaffScope } from '@renraku/shared';
import { t, type Locale, type MessageKey } from '../../i18n';
import { sameSitePath } from '../redirect';
import type { StaffPrincipal } from './staff';

/** Staff pages: everything under /staff needs a staff session, except the login page. */
export const STAFF_LOGIN_PATH = '/staff/login';
/** Parent pages: everything under /account needs a parent session, except the login page. */
export const PARENT_LOGIN_PATH = '/account/login';
/**
 * Parent pages reached without a session: the login, the forgotten-password pages, the
 * mailed confirmation of a further address (opened on the new phone, which is not logged in),
 * and the home-screen install help the completion mail links to.
 */
const PARENT_OPEN_PATHS = [
  PARENT_LOGIN_PATH,
  '/account/forgot',
  '/account/reset',
  '/account/addresses/confirm',
  '/account/install',
];

function isUnder(pathname: string, root: string): boolean {
  return pathname === root || pathname.startsWith(`${root}/`);
}

/** The login page a request must be sent to first, or undefined when it may go ahead. */
export function loginRequiredFor(
  pathname: string,
  locals: Pick<App.Locals, 'staff' | 'parent'>,
): string | undefined {
  if (isUnder(pathname, '/staff') && !isUnder(pathname, STAFF_LOGIN_PATH) && !locals.staff) {
    return STAFF_LOGIN_PATH;
  }
  const open = PARENT_OPEN_PATHS.some((root) => isUnder(pathname, root));
  if (isUnder(pathname, '/account') && !open && !locals.parent) {
    return PARENT_LOGIN_PATH;
  }
  return undefined;
}

/** Where to go after login: only a path on this site under `root`, never another site. */
export function returnPath(next: string | null, root: string): string {
  const target = sameSitePath(next, root);
  return isUnder(new URL(target, 'http://renraku.invalid').pathname, root) ? target : root;
}

/**
 * For loads and actions of staff pages: the signed-in staff member, typed. hooks.server.ts
 * already sent everyone else to the login page; this is the second lock on the door.
 */
export function requireStaff(locals: App.Locals): StaffPrincipal {
  if (!locals.staff) redirect(303, STAFF_LOGIN_PATH);
  return locals.staff;
}

/** For API routes: the token's owner (hooks.server.ts has already refused requests without one). */
export function requireApiStaff(locals: App.Locals): StaffPrincipal {
  if (!locals.staff) error(401, 'unauthorized');
  return locals.staff;
}

// The role guards answer 403 with why, in the request's language.

/** For the board's pages: the board's scope, or 403 for everyone else. */
export function requireBoard(
  scope: StaffScope,
  locale: Locale,
  why: MessageKey = 'refusal.page.boardOnly',
): Extract<StaffScope, { role: 'board' }> {
  if (scope.role !== 'board') error(403, t(locale, why));
  return scope;
}

/** For school-admin-only pages: the admin's school, or 403 for everyone else. */
export function requireSchoolAdmin(
  scope: StaffScope,
  locale: Locale,
): Extract<StaffScope, { role: 'school_admin' }> {
  if (scope.role !== 'school_admin') error(403, t(locale, 'refusal.page.schoolAdminOnly'));
  return scope;
}

/** For pages of a school's admins and of the board: 403 for teachers. */
export function requireAdmin(
  scope: StaffScope,
  locale: Locale,
): Exclude<StaffScope, { role: 'teacher' }> {
  if (scope.role === 'teacher') error(403, t(locale, 'refusal.page.adminOnly'));
  return scope;
}
