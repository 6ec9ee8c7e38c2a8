import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { schoolOrder } from './schools';
import { classes, districts, schools, staffUsers } from '../schema';

export type StaffUser = typeof staffUsers.$inferSelect;
export type NewStaffUser = typeof staffUsers.$inferInsert;

/** Several accounts in one statement (the demo seed); a taken login fails the whole insert. */
export function createStaffUsers(
  db: Db | Tx,
  rows: NewStaffUser[],
): Promise<Pick<StaffUser, 'id' | 'login'>[]> {
  return db
    .insert(staffUsers)
    .values(rows)
    .returning({ id: staffUsers.id, login: staffUsers.login });
}

/** One account, as the operator CLI and the staff admin pages make them. */
export async function createStaffUser(
  db: Db | Tx,
  row: NewStaffUser,
): Promise<Pick<StaffUser, 'id' | 'login'>> {
  const [created] = await createStaffUsers(db, [row]);
  return created!;
}

/**
 * Creates an account unless its login is taken (case-insensitively, by the unique index on
 * lower(login)); undefined then, so a race between two admins gives the same clear answer.
 */
export async function createStaffUserIfLoginFree(
  db: Db | Tx,
  row: NewStaffUser,
): Promise<Pick<StaffUser, 'id' | 'login'> | undefined> {
  const [created] = await db
    .insert(staffUsers)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: staffUsers.id, login: staffUsers.login });
  return created;
}

/** Logins are unique regardless of case, as the unique index on lower(login) enforces. */
export async function findStaffUserByLogin(
  db: Db | Tx,
  login: string,
): Promise<StaffUser | undefined> {
  const [found] = await db
    .select()
    .from(staffUsers)
    .where(sql`lower(${staffUsers.login}) = lower(${login})`)
    .limit(1);
  return found;
}

/** A signed-in staff member as every page needs them: with the names of their scope's places. */
export interface StaffPrincipalRow {
  id: number;
  districtId: number;
  login: string;
  displayName: string;
  role: StaffUser['role'];
  schoolId: number | null;
  classId: number | null;
  locale: string;
  districtName: string;
  schoolName: string | null;
  className: string | null;
  classGrade: number | null;
}

/** Undefined for a disabled account, so its sessions and tokens stop working at once. */
export async function findStaffPrincipal(
  db: Db | Tx,
  staffUserId: number,
): Promise<StaffPrincipalRow | undefined> {
  const [found] = await db
    .select({
      id: staffUsers.id,
      districtId: staffUsers.districtId,
      login: staffUsers.login,
      displayName: staffUsers.displayName,
      role: staffUsers.role,
      schoolId: staffUsers.schoolId,
      classId: staffUsers.classId,
      locale: staffUsers.locale,
      districtName: districts.name,
      schoolName: schools.name,
      className: classes.name,
      classGrade: classes.grade,
    })
    .from(staffUsers)
    .innerJoin(districts, eq(districts.id, staffUsers.districtId))
    .leftJoin(schools, eq(schools.id, staffUsers.schoolId))
    .leftJoin(classes, eq(classes.id, staffUsers.classId))
    .where(and(eq(staffUsers.id, staffUserId), isNull(staffUsers.disabledAt)))
    .limit(1);
  return found;
}

/** Shown to the user and to admins; also tells an operator which accounts are unused. */
export async function recordStaffLogin(db: Db | Tx, staffUserId: number, at: Date): Promise<void> {
  await db.update(staffUsers).set({ lastLoginAt: at }).where(eq(staffUsers.id, staffUserId));
}

// The staff accounts page (学校管理: 職員アカウント). Scope checks happen in the staff service;
// these only read and write what they are told.

/** A staff account as the accounts page lists it (never the password hash). */
export interface ManagedStaffUser {
  id: number;
  login: string;
  displayName: string;
  role: StaffUser['role'];
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
  StaffUser,
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

/** Teachers still assigned to last year's classes after a roll-over, for the admin to reassign. */
export async function countTeachersOfClasses(
  db: Db | Tx,
  classIds: readonly number[],
): Promise<number> {
  if (classIds.length === 0) return 0;
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, 'teacher'), inArray(staffUsers.classId, [...classIds])));
  return row?.count ?? 0;
}
