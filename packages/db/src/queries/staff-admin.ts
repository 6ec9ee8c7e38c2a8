import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { schoolOrder } from './schools';
import { apiTokens, classes, schools, sessions, staffUsers } from '../schema';

// The staff accounts and API tokens pages (学校管理: 職員アカウント, APIトークン). Scope checks
// happen in the web's staff-admin service; these only read and write what they are told.

/** A staff account as the accounts page lists it (never the password hash). */
export interface ManagedStaffUser {
  id: number;
  login: string;
  displayName: string;
  role: (typeof staffUsers.$inferSelect)['role'];
  schoolId: number | null;
  schoolName: string | null;
  classId: number | null;
  classGrade: number | null;
  className: string | null;
  disabledAt: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
}

/** Which accounts a page lists: the district's accounts of these roles, optionally of one school. */
export interface ManagedStaffFilter {
  districtId: number;
  roles: readonly ManagedStaffUser['role'][];
  schoolId?: number;
}

/** The accounts an admin manages, school by school and class by class. */
export function listManagedStaffUsers(
  db: Db | Tx,
  filter: ManagedStaffFilter,
): Promise<ManagedStaffUser[]> {
  return db
    .select({
      id: staffUsers.id,
      login: staffUsers.login,
      displayName: staffUsers.displayName,
      role: staffUsers.role,
      schoolId: staffUsers.schoolId,
      schoolName: schools.name,
      classId: staffUsers.classId,
      classGrade: classes.grade,
      className: classes.name,
      disabledAt: staffUsers.disabledAt,
      lastLoginAt: staffUsers.lastLoginAt,
      createdAt: staffUsers.createdAt,
    })
    .from(staffUsers)
    .leftJoin(schools, eq(schools.id, staffUsers.schoolId))
    .leftJoin(classes, eq(classes.id, staffUsers.classId))
    .where(
      and(
        eq(staffUsers.districtId, filter.districtId),
        inArray(staffUsers.role, [...filter.roles]),
        filter.schoolId === undefined ? undefined : eq(staffUsers.schoolId, filter.schoolId),
      ),
    )
    .orderBy(
      asc(staffUsers.role),
      schoolOrder(),
      asc(classes.grade),
      asc(classes.sortOrder),
      asc(staffUsers.login),
    );
}

/** What a scope check needs of the account an admin acts on. */
export type StaffAccountScope = Pick<
  typeof staffUsers.$inferSelect,
  'id' | 'districtId' | 'login' | 'role' | 'schoolId' | 'classId' | 'disabledAt'
>;

export async function findStaffAccountScope(
  db: Db | Tx,
  staffUserId: number,
): Promise<StaffAccountScope | undefined> {
  const [found] = await db
    .select({
      id: staffUsers.id,
      districtId: staffUsers.districtId,
      login: staffUsers.login,
      role: staffUsers.role,
      schoolId: staffUsers.schoolId,
      classId: staffUsers.classId,
      disabledAt: staffUsers.disabledAt,
    })
    .from(staffUsers)
    .where(eq(staffUsers.id, staffUserId))
    .limit(1);
  return found;
}

/** A password reset by an admin; the caller ends the account's sessions in the same transaction. */
export async function setStaffPasswordHash(
  db: Db | Tx,
  staffUserId: number,
  passwordHash: string,
): Promise<void> {
  await db.update(staffUsers).set({ passwordHash }).where(eq(staffUsers.id, staffUserId));
}

/** Disables (a date) or enables again (null) an account; a disabled one cannot sign in. */
export async function setStaffDisabledAt(
  db: Db | Tx,
  staffUserId: number,
  disabledAt: Date | null,
): Promise<void> {
  await db.update(staffUsers).set({ disabledAt }).where(eq(staffUsers.id, staffUserId));
}

/** Signs an account out everywhere: after a reset or a disable, old sessions must not go on. */
export async function deleteStaffSessions(db: Db | Tx, staffUserId: number): Promise<number> {
  const deleted = await db
    .delete(sessions)
    .where(eq(sessions.staffUserId, staffUserId))
    .returning({ idHash: sessions.idHash });
  return deleted.length;
}

/** A token as its owner's list shows it: never the hash. */
export interface OwnedApiToken {
  id: number;
  name: string;
  tokenPrefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** The owner's tokens, newest first, revoked ones included so the owner sees what was cut off. */
export function listApiTokensOf(db: Db | Tx, staffUserId: number): Promise<OwnedApiToken[]> {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      tokenPrefix: apiTokens.tokenPrefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .where(eq(apiTokens.staffUserId, staffUserId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** Revokes one of the owner's live tokens; false when it is not theirs or already revoked. */
export async function revokeApiTokenOf(
  db: Db | Tx,
  input: { tokenId: number; staffUserId: number; at: Date },
): Promise<boolean> {
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: input.at })
    .where(
      and(
        eq(apiTokens.id, input.tokenId),
        eq(apiTokens.staffUserId, input.staffUserId),
        isNull(apiTokens.revokedAt),
      ),
    )
    .returning({ id: apiTokens.id });
  return revoked.length > 0;
}

/**
 * Creates an account unless its login is taken (case-insensitively, by the unique index on
 * lower(login)); undefined then, so a race between two admins gives the same clear answer.
 */
export async function createStaffUserIfLoginFree(
  db: Db | Tx,
  row: typeof staffUsers.$inferInsert,
): Promise<{ id: number; login: string } | undefined> {
  const [created] = await db
    .insert(staffUsers)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: staffUsers.id, login: staffUsers.login });
  return created;
}
