import {
  findActiveApiToken,
  findStaffPrincipal,
  markApiTokenUsed,
  type StaffPrincipalRow,
} from '@renraku/db';
import type { StaffRole, StaffScope } from '@renraku/shared';
import { hashToken } from '@renraku/shared/crypto';
import type { WebContext } from '#server/context';
import { isLocale, type Locale } from '../../i18n';
import { staffScope } from './scope';
import { resumeSession, sessionPolicy } from './sessions';

/** The signed-in staff member as `locals.staff`; every staff page, API route and socket uses it. */
export interface StaffPrincipal {
  id: number;
  login: string;
  displayName: string;
  role: StaffRole;
  scope: StaffScope;
  locale: Locale;
  districtName: string;
  schoolName: string | null;
  classGrade: number | null;
  className: string | null;
  /** Set when the request came with an API token, so audits can say which integration acted. */
  apiTokenId: number | null;
}

function toPrincipal(row: StaffPrincipalRow, apiTokenId: number | null): StaffPrincipal {
  return {
    id: row.id,
    login: row.login,
    displayName: row.displayName,
    role: row.role,
    scope: staffScope(row),
    locale: isLocale(row.locale) ? row.locale : 'ja',
    districtName: row.districtName,
    schoolName: row.schoolName,
    classGrade: row.classGrade,
    className: row.className,
    apiTokenId,
  };
}

/** The staff member behind a session cookie token, if the session and the account are live. */
export async function authenticateStaffSession(
  ctx: WebContext,
  token: string,
  now: Date,
): Promise<StaffPrincipal | undefined> {
  const policy = sessionPolicy(ctx.env.sessions, 'staff');
  const session = await resumeSession(ctx.db, 'staff', token, policy, now);
  if (session?.staffUserId == null) return undefined;
  const row = await findStaffPrincipal(ctx.db, session.staffUserId);
  return row && toPrincipal(row, null);
}

/** The owner of an API token, acting with the owner's scope; revoked tokens are refused. */
export async function authenticateApiToken(
  ctx: WebContext,
  token: string,
  now: Date,
): Promise<StaffPrincipal | undefined> {
  const found = await findActiveApiToken(ctx.db, hashToken(token));
  if (!found) return undefined;
  const row = await findStaffPrincipal(ctx.db, found.staffUserId);
  if (!row) return undefined;
  await markApiTokenUsed(ctx.db, found.id, now);
  return toPrincipal(row, found.id);
}
