import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
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
