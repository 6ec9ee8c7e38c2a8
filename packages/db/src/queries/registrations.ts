import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client';
import { classes, registrations, students } from '../schema';

export type Registration = typeof registrations.$inferSelect;
export type NewRegistration = typeof registrations.$inferInsert;

/** Registrations in one statement (demo seed); ids come back with the login ID to match them. */
export function createRegistrations(
  db: Db | Tx,
  rows: NewRegistration[],
): Promise<Pick<Registration, 'id' | 'loginId'>[]> {
  return db
    .insert(registrations)
    .values(rows)
    .returning({ id: registrations.id, loginId: registrations.loginId });
}

/** Where a registration sits: what a scope check and a correction need (no login, no address). */
export interface RegistrationPlace {
  id: number;
  districtId: number;
  schoolId: number;
  classId: number;
  studentId: number | null;
}

export async function findRegistrationPlace(
  db: Db | Tx,
  registrationId: number,
): Promise<RegistrationPlace | undefined> {
  const [row] = await db
    .select({
      id: registrations.id,
      districtId: registrations.districtId,
      schoolId: registrations.schoolId,
      classId: registrations.classId,
      studentId: registrations.studentId,
    })
    .from(registrations)
    .where(eq(registrations.id, registrationId));
  return row;
}

/** A registration no roster student matched, as the staff list shows it (never an address). */
export interface UnmatchedRegistration {
  id: number;
  childName: string;
  childKana: string;
  classId: number;
  grade: number;
  className: string;
  createdAt: Date;
}

/** The school's registrations without a roster student, by class and kana. */
export function listUnmatchedRegistrations(
  db: Db | Tx,
  schoolId: number,
): Promise<UnmatchedRegistration[]> {
  return db
    .select({
      id: registrations.id,
      childName: registrations.childName,
      childKana: registrations.childKana,
      classId: registrations.classId,
      grade: classes.grade,
      className: classes.name,
      createdAt: registrations.createdAt,
    })
    .from(registrations)
    .innerJoin(classes, eq(classes.id, registrations.classId))
    .where(and(eq(registrations.schoolId, schoolId), isNull(registrations.studentId)))
    .orderBy(
      asc(classes.grade),
      asc(classes.sortOrder),
      asc(classes.name),
      asc(registrations.childKana),
      asc(registrations.id),
    );
}

/**
 * Puts a registration in a class, linked to a roster student or to none; the child's name and
 * kana are replaced when given (staff linking it adopt the roster's spelling, a parent's
 * correction its own).
 */
export async function placeRegistration(
  db: Db | Tx,
  registrationId: number,
  place: { classId: number; studentId: number | null; childName?: string; childKana?: string },
): Promise<void> {
  await db
    .update(registrations)
    .set({ ...place, updatedAt: sql`now()` })
    .where(eq(registrations.id, registrationId));
}

/** Whether the school has a roster at all (matching means nothing without one). */
export async function schoolHasRoster(db: Db | Tx, schoolId: number): Promise<boolean> {
  const [row] = await db
    .select({ id: students.id })
    .from(students)
    .where(and(eq(students.schoolId, schoolId), eq(students.status, 'enrolled')))
    .limit(1);
  return row !== undefined;
}
